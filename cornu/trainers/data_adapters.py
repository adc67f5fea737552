"""Data adapters: arrays, generators, PyDataset and torch DataLoaders, as batches.

Arrays become backend tensors once; each batch is a slice of them (or, when
shuffling, one gather by an index tensor), never a Python-level loop.
"""
import math
import numbers

import numpy as np

from cornu import backend, tree


def unpack_x_y_sample_weight(data):
    """Split a batch into (x, y, sample_weight); missing parts are None."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError(
        "Data should be `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)`; received a tuple "
        f"of {len(data)} elements.")


def check_batch_size(batch_size, argument="batch_size"):
    """``batch_size`` as given (None or a positive int); anything else is a ValueError
    naming the argument and what it received."""
    if batch_size is None:
        return None
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or (
            batch_size <= 0):
        raise ValueError(f"`{argument}` must be a positive integer (or None for 32); "
                         f"received {argument}={batch_size!r}.")
    return int(batch_size)


def check_verbose(verbose):
    """``verbose`` as an int: "auto" is resolved by the caller; 0, 1, 2 (or a bool).

    Keras passes any other value on to its progress bar without a check; cornu
    refuses it, since a typo would otherwise pass silently."""
    if isinstance(verbose, (bool, numbers.Integral)) and 0 <= int(verbose) <= 2:
        return int(verbose)
    raise ValueError(f"`verbose` must be 'auto', 0 (silent), 1 (progress bar) or 2 (one "
                     f"line per epoch); received verbose={verbose!r}.")


def check_validation_split(validation_split):
    """Refuse a ``validation_split`` outside [0, 1)."""
    if isinstance(validation_split, bool) or not isinstance(
            validation_split, numbers.Real) or not 0 <= validation_split < 1:
        raise ValueError(
            "`validation_split` must be a number in [0, 1): the fraction of the samples "
            f"kept for validation; received validation_split={validation_split!r}.")


def _to_array_leaf(x, name):
    if x is None:
        return None
    if backend.is_tensor(x):
        return x
    if not isinstance(x, np.ndarray):
        x = np.asarray(x)
    if x.dtype == object:
        raise ValueError(
            f"`{name}` holds Python objects (ragged sequences?), which cannot be batched. "
            "Pad them to one length first, e.g. with `cornu.utils.pad_sequences`.")
    if x.dtype.kind in "USO":
        return x  # strings stay numpy, for text preprocessing layers
    if x.dtype == np.float64:
        x = x.astype(backend.floatx())
    return backend.data.dataset_tensor(x)


def _rows_as_array(value):
    """A list of Python numbers, or of lists of them (``[[1, 2, 3], [4, 5, 6]]``), as
    one numpy array of rows, as Keras 2 read it (Keras 3 refuses such lists). Lists
    holding arrays stay lists: they are several inputs or outputs."""
    if not isinstance(value, list) or not value or not _only_numbers(value):
        return value
    array = np.asarray(value)
    return value if array.dtype == object else array


def _only_numbers(value):
    if isinstance(value, (list, tuple)):
        return all(_only_numbers(v) for v in value)
    return isinstance(value, (numbers.Number, np.generic)) and not isinstance(value, str)


def _is_array_like(x):
    return isinstance(x, (np.ndarray, list, tuple, dict)) or backend.is_tensor(x) or (
        hasattr(x, "__array__") and hasattr(x, "shape"))


def _num_samples(structure):
    sizes = [(leaf.shape[0] if leaf.ndim else None) for leaf in tree.flatten(structure)
             if leaf is not None]
    return sizes


class ArrayDataAdapter:
    """Batches of in-memory arrays or tensors (single, list or dict)."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=None, shuffle=False,
                 class_weight=None, steps=None):
        x, y = _rows_as_array(x), _rows_as_array(y)
        self.x = tree.map_structure(lambda v: _to_array_leaf(v, "x"), x)
        self.y = None if y is None else tree.map_structure(lambda v: _to_array_leaf(v, "y"), y)
        self.sample_weight = None if sample_weight is None else tree.map_structure(
            lambda v: _to_array_leaf(v, "sample_weight"), sample_weight)
        sizes = {}
        for part, value in (("x", self.x), ("y", self.y), ("sample_weight", self.sample_weight)):
            if value is not None:
                sizes[part] = _num_samples(value)
        flat = {s for v in sizes.values() for s in v}
        if len(flat) > 1 or None in flat:
            detail = ", ".join(f"{k}: {v}" for k, v in sizes.items())
            raise ValueError(
                "Data cardinality is ambiguous: every array must have the same number of "
                f"samples (first dimension). Received sizes {detail}. Make sure all arrays "
                "contain the same number of samples.")
        self.num_samples = flat.pop() if flat else 0
        if self.num_samples == 0:
            detail = ", ".join(f"{k}: {v}" for k, v in sizes.items()) or "no arrays"
            raise ValueError(
                f"Received empty data: the arrays hold 0 samples ({detail}). Training, "
                "evaluating or predicting needs at least one sample; check how the data "
                "was loaded or filtered.")
        self.batch_size = check_batch_size(batch_size) or 32
        self.shuffle = shuffle
        self.class_weight = class_weight
        self.steps = steps
        self._class_weight_tensor = None
        if class_weight is not None:
            if self.y is None or tree.is_nested(self.y):
                raise ValueError("`class_weight` needs a single target array `y`.")
            n = max([int(k) for k in class_weight] + [_num_classes(self.y)])
            table = np.ones(n, dtype=backend.floatx())  # classes left out weigh 1
            for k, w in class_weight.items():
                table[int(k)] = w
            self._class_weight_tensor = backend.convert_to_tensor(table)

    def num_batches(self):
        n = math.ceil(self.num_samples / self.batch_size)
        return min(n, self.steps) if self.steps else n

    def _take(self, structure, index):
        if structure.__class__ is backend.Tensor:
            return structure[index]
        def take(leaf):
            if leaf is None:
                return None
            if isinstance(leaf, np.ndarray) and not isinstance(index, slice):
                return leaf[backend.convert_to_numpy(index)]  # string arrays stay numpy
            return leaf[index]
        return tree.map_structure(take, structure)

    def epoch(self):
        """Yield the batches of one epoch as (x, y, sample_weight)."""
        n, bs = self.num_samples, self.batch_size
        perm = None
        if self.shuffle == "batch":
            order = np.random.permutation(math.ceil(n / bs))
        elif self.shuffle:
            perm = backend.data.dataset_tensor(np.random.permutation(n))
        count = self.num_batches()
        for i in range(count):
            if self.shuffle == "batch":
                start = int(order[i]) * bs
                index = slice(start, min(start + bs, n))
            elif perm is not None:
                index = perm[i * bs:(i + 1) * bs]
            else:
                index = slice(i * bs, min((i + 1) * bs, n))
            x = backend.data.to_device(self._take(self.x, index))
            y = backend.data.to_device(self._take(self.y, index)) if self.y is not None else None
            sw = backend.data.to_device(self._take(self.sample_weight, index)) if (
                self.sample_weight is not None) else None
            if self._class_weight_tensor is not None:
                sw = self._class_weights(y, sw)
            yield x, y, sw

    def _class_weights(self, y, sw):
        from cornu import ops
        labels = y
        if len(y.shape) > 1 and y.shape[-1] > 1:
            labels = ops.argmax(y, axis=-1)
        elif len(y.shape) > 1:
            labels = ops.round(ops.reshape(y, (-1,)))
        weights = ops.take(self._class_weight_tensor, ops.cast(ops.reshape(labels, (-1,)),
                                                               "int32"))
        return weights if sw is None else sw * weights

    def split(self, validation_split):
        """Keras's validation_split: the last fraction of the samples, before shuffling."""
        check_validation_split(validation_split)
        at = int(math.floor(self.num_samples * (1.0 - validation_split)))
        if at == 0 or at == self.num_samples:
            raise ValueError(
                f"validation_split={validation_split} leaves no samples for training or "
                f"validation out of {self.num_samples}.")

        def part(structure, s):
            return None if structure is None else tree.map_structure(
                lambda v: None if v is None else v[s], structure)
        train = (part(self.x, slice(0, at)), part(self.y, slice(0, at)),
                 part(self.sample_weight, slice(0, at)))
        val = (part(self.x, slice(at, None)), part(self.y, slice(at, None)),
               part(self.sample_weight, slice(at, None)))
        return train, val


class IterableDataAdapter:
    """Batches from a generator, a PyDataset / Sequence, or a torch DataLoader."""

    def __init__(self, data, steps=None, class_weight=None):
        self.data = data
        self.steps = steps
        self._is_sequence = hasattr(data, "__getitem__") and hasattr(data, "__len__")
        self._iterator = None
        self.class_weight = class_weight

    def num_batches(self):
        if self.steps is not None:
            return self.steps
        if self._is_sequence or hasattr(self.data, "__len__"):
            try:
                return len(self.data)
            except TypeError:
                return None
        return None

    def _source(self):
        if self._is_sequence and not _is_torch_loader(self.data):
            return (self.data[i] for i in range(len(self.data)))
        if hasattr(self.data, "__next__"):
            return self.data  # a generator: continue where the last epoch stopped
        return iter(self.data)

    def epoch(self):
        source = self._source()
        count = 0
        while self.steps is None or count < self.steps:
            try:
                batch = next(source)
            except StopIteration:
                if self.steps is not None and count == 0:
                    raise ValueError("The data generator is exhausted: it yielded no batch.")
                break
            if batch is None:
                raise ValueError(
                    f"The data generator yielded None as batch {count}; each batch must be "
                    "`x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)` (arrays or tensors). "
                    "Check that the generator `yield`s its batches rather than returning.")
            x, y, sw = unpack_x_y_sample_weight(batch)
            if self.class_weight is not None:
                sw = _batch_class_weights(self.class_weight, y, sw)
            convert = lambda v: None if v is None else backend.data.to_device(
                _to_array_leaf(v, "batch"))
            yield (tree.map_structure(convert, x),
                   None if y is None else tree.map_structure(convert, y),
                   None if sw is None else tree.map_structure(convert, sw))
            count += 1
        if self._is_sequence and hasattr(self.data, "on_epoch_end"):
            self.data.on_epoch_end()


def _batch_class_weights(class_weight, y, sample_weight):
    """The sample weights of one batch from ``class_weight`` (Keras 2 applied it to
    generators' batches too; Keras 3 to PyDataset batches): a class left out weighs 1."""
    if y is None or tree.is_nested(y):
        raise ValueError("`class_weight` needs batches with a single target array `y`; "
                         f"received y of type {type(y).__name__}. Put the weights in the "
                         "batches as sample weights instead.")
    labels = np.asarray(backend.convert_to_numpy(y))
    if labels.ndim > 1 and labels.shape[-1] > 1:
        labels = labels.argmax(axis=-1)
    labels = np.round(labels.reshape(-1)).astype("int64")
    size = max([int(k) for k in class_weight] + [int(labels.max(initial=0))]) + 1
    table = np.ones(size, dtype=backend.floatx())
    for k, w in class_weight.items():
        table[int(k)] = w
    weights = table[labels]
    if sample_weight is None:
        return weights
    return np.asarray(backend.convert_to_numpy(sample_weight)) * weights


def _num_classes(y):
    """How many classes the labels ``y`` (one tensor) span: the width of one-hot
    labels, else the largest integer label plus one."""
    if len(y.shape) > 1 and y.shape[-1] > 1:
        return int(y.shape[-1])
    labels = np.asarray(backend.convert_to_numpy(y))
    return int(np.max(labels)) + 1 if labels.size else 0


def _is_torch_loader(data):
    """A torch Dataset or DataLoader, including user subclasses of them."""
    return any(k.__module__.startswith("torch.utils.data") for k in type(data).__mro__)


def get_data_adapter(x, y=None, sample_weight=None, batch_size=None, steps=None, shuffle=False,
                     class_weight=None):
    """The adapter for ``x`` (arrays, generators, PyDataset, DataLoader)."""
    if x is None:
        raise ValueError("No data: pass `x` (and `y`) to fit / evaluate / predict.")
    check_batch_size(batch_size)
    if _is_array_like(x) and not _is_torch_loader(x) and not hasattr(x, "__next__"):
        return ArrayDataAdapter(x, y, sample_weight, batch_size=batch_size, shuffle=shuffle,
                                class_weight=class_weight, steps=steps)
    if _is_torch_loader(x) and not any(k.__name__ == "DataLoader" for k in type(x).__mro__):
        # A torch Dataset yields samples, not batches: batch it as Keras does.
        x = backend.data.batch_dataset(x, batch_size or 32, shuffle)
    if y is not None:
        raise ValueError(
            f"`y` must not be given when `x` is a {type(x).__name__}: the batches of a "
            "generator, PyDataset or DataLoader already hold the targets.")
    if sample_weight is not None:
        raise ValueError(f"`sample_weight` must not be given when `x` is a {type(x).__name__}; "
                         "yield it as the third element of each batch instead.")
    return IterableDataAdapter(x, steps=steps, class_weight=class_weight)
