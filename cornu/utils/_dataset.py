"""The ``tf.data.Dataset`` methods Keras programs call on cornu's datasets, without TensorFlow.

Keras's ``*_dataset_from_*`` utilities return a ``tf.data.Dataset``; cornu's return a
``Dataset`` from this module: ``map``, ``filter``, ``batch``, ``unbatch``, ``shuffle``,
``repeat``, ``take``... build new datasets lazily, with tf.data's semantics (element
order, cardinality, shuffle buffers, ``repeat()`` forever). A dataset whose elements can
be read by position (the root datasets, and ``map``/``batch``/``take``/``skip``/``zip``/
``enumerate``/``cache``/``concatenate`` of them) is also a ``PyDataset``, so ``fit()``
reads it by index; the others (after ``filter``, ``shuffle``, ``unbatch``, ``repeat``...)
are iterables of batches that ``fit()`` iterates once per epoch.

Iterating yields backend tensors (host memory), as iterating a ``tf.data.Dataset``
yields ``tf.Tensor``s; strings stay numpy arrays, whose ``.numpy()`` gives bytes as
TensorFlow's does. Functions given to ``map`` and ``filter`` receive the same values,
a tuple element unpacked into separate arguments.

Differences from tf.data: ``prefetch`` returns the dataset itself (batches are read
when asked for); ``cache(filename)`` caches in memory whatever the filename;
``map`` runs ``num_parallel_calls`` as one call at a time; ``element_spec`` runs the
pipeline for one element when a ``map`` needs it (tf traces the function instead).
"""
import itertools
import math

import numpy as np

from cornu import tree
from cornu.utils._dataset_elements import (
    TensorSpec, as_numpy, as_tensor, batches, call, count_arg, is_batched, lists_as_arrays,
    merge_specs, outputs, spec_of, stack, unstack,
)
from cornu.utils.py_dataset import PyDataset

INFINITE_CARDINALITY = -1  # tf.data.INFINITE_CARDINALITY
UNKNOWN_CARDINALITY = -2  # tf.data.UNKNOWN_CARDINALITY
AUTOTUNE = -1  # tf.data.AUTOTUNE


class Dataset:
    """A lazy dataset of elements with the ``tf.data.Dataset`` methods.

    Elements are arrays, tensors, or tuples / dicts of them. Build one with
    ``Dataset.from_tensor_slices`` or ``Dataset.range`` (internal to cornu: Keras has
    no dataset class of its own), or get one from ``image_dataset_from_directory`` and
    the other ``*_dataset_from_*`` utilities.
    """

    _parents = ()

    def _iter_elements(self):
        raise NotImplementedError

    def _cardinality(self):
        return UNKNOWN_CARDINALITY

    def _element_spec(self):
        return self._parents[0].element_spec

    def _inherit(self, parent):
        for name in ("class_names", "file_paths"):
            if hasattr(parent, name) and not hasattr(self, name):
                setattr(self, name, getattr(parent, name))

    # -- what every dataset answers
    def __iter__(self):
        for element in self._iter_elements():
            yield outputs(element)

    def __len__(self):
        n = self._cardinality()
        if n == INFINITE_CARDINALITY:
            raise TypeError("The dataset is infinite.")
        if n == UNKNOWN_CARDINALITY:
            raise TypeError("The dataset length is unknown.")
        return n

    def __bool__(self):
        return True

    def __repr__(self):
        try:
            spec = self.element_spec
        except Exception:  # a repr must not fail: the spec may need a broken function
            spec = "?"
        return f"<{type(self).__name__} element_spec={spec}>"

    def cardinality(self):
        """The number of elements: an int64 scalar tensor, ``-1`` if infinite, ``-2`` if
        unknown (after ``filter`` or ``unbatch``, for example)."""
        return as_tensor(np.int64(self._cardinality()))

    @property
    def element_spec(self):
        """The ``TensorSpec`` (shape and dtype) of each component of the elements."""
        if "_spec_cache" not in self.__dict__:
            self._spec_cache = self._element_spec()
        return self._spec_cache

    def as_numpy_iterator(self):
        """An iterator of the elements as numpy arrays (scalars as numpy scalars, strings
        as bytes)."""
        return (outputs(element, as_numpy) for element in self._iter_elements())

    # -- transformations
    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None):
        """Each element passed through ``map_func``.

        Args:
            map_func: called with the element's tensors; a tuple element is passed as
                separate arguments (``lambda x, y: ...``), as tf.data does.
            num_parallel_calls, deterministic, name: accepted for tf.data compatibility
                (calls run one at a time).

        Returns:
            A dataset of the results (a returned list becomes a tuple).
        """
        if isinstance(self, IndexedDataset):
            return _IndexedView(self, len(self), lambda i: call(map_func, self._get(i)),
                                spec=lambda: _mapped_spec(self, map_func))
        return _Stream(self, lambda: (call(map_func, e) for e in self._iter_elements()),
                       self._cardinality, spec=lambda: _mapped_spec(self, map_func))

    def filter(self, predicate, name=None):
        """The elements for which ``predicate`` is True.

        Args:
            predicate: called like ``map``'s function; returns a boolean (scalar).

        Returns:
            A dataset of unknown cardinality.
        """
        return _Stream(self, lambda: (e for e in self._iter_elements()
                                      if bool(call(predicate, e))), UNKNOWN_CARDINALITY)

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None,
              deterministic=None, name=None):
        """Consecutive elements stacked into batches.

        Args:
            batch_size: the elements per batch.
            drop_remainder: drop the last batch when it has fewer elements.

        Returns:
            A dataset of batches; each component gains a first (batch) dimension.
        """
        size = count_arg(batch_size, "batch_size")
        if size <= 0:
            raise ValueError(f"`batch_size` must be positive; received batch_size={size}.")
        spec = lambda: tree.map_structure(  # noqa: E731
            lambda s: None if s is None else TensorSpec(
                (size if drop_remainder else None,) + s.shape, s.dtype), self.element_spec)
        n = self._cardinality()
        count = n if n < 0 else (n // size if drop_remainder else math.ceil(n / size))
        if isinstance(self, IndexedDataset):
            return _IndexedView(self, count, lambda i: stack(
                [self._get(j) for j in range(i * size, min((i + 1) * size, n))]), spec=spec)
        return _Stream(self, lambda: batches(self._iter_elements(), itertools.repeat(size),
                                             drop_remainder), count, spec=spec)

    def unbatch(self, name=None):
        """The rows of each batch, one element each."""
        n = self._cardinality()
        return _Stream(self, lambda: (row for e in self._iter_elements() for row in unstack(e)),
                       n if n in (0, INFINITE_CARDINALITY) else UNKNOWN_CARDINALITY,
                       spec=lambda: tree.map_structure(
                           lambda s: None if s is None else TensorSpec(s.shape[1:], s.dtype),
                           self.element_spec))

    def rebatch(self, batch_size, drop_remainder=False, name=None):
        """The rows regrouped into batches of ``batch_size`` (or of the sizes of a list,
        in turn): ``unbatch().batch(batch_size)`` in one step."""
        sizes = [count_arg(s, "batch_size") for s in np.ravel(batch_size)]
        if not sizes or min(sizes) <= 0:
            raise ValueError(f"`batch_size` must be positive; received {batch_size}.")
        rows = self.unbatch()
        spec = lambda: tree.map_structure(  # noqa: E731
            lambda s: None if s is None else TensorSpec((None,) + s.shape[1:], s.dtype),
            self.element_spec)
        return _Stream(self, lambda: batches(rows._iter_elements(), itertools.cycle(sizes),
                                             drop_remainder), rows._cardinality, spec=spec)

    def take(self, count, name=None):
        """The first ``count`` elements.

        Args:
            count: how many; -1 takes them all.

        Returns:
            A dataset.
        """
        count = count_arg(count, "count")
        n = self._cardinality()
        if count < 0:
            return self._slice(0, None, n)
        size = count if n == INFINITE_CARDINALITY else (
            UNKNOWN_CARDINALITY if n == UNKNOWN_CARDINALITY else min(n, count))
        return self._slice(0, count, size)

    def skip(self, count, name=None):
        """The elements after the first ``count``.

        Args:
            count: how many to skip; -1 skips them all.

        Returns:
            A dataset.
        """
        count = count_arg(count, "count")
        n = self._cardinality()
        if count < 0:
            return self._slice(0, 0, 0)
        size = n if n < 0 else max(0, n - count)
        return self._slice(count, None, size)

    def _slice(self, start, stop, size):
        if isinstance(self, IndexedDataset):
            return _IndexedView(self, size, lambda i: self._get(start + i))
        return _Stream(self, lambda: itertools.islice(self._iter_elements(), start, stop), size)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=None, name=None):
        """The elements in random order, drawn from a buffer as tf.data draws them.

        Args:
            buffer_size: the elements held in the buffer; each output is drawn at random
                from it and replaced by the next input (at least the dataset's size for a
                uniform shuffle).
            seed: the seed of the random draws.
            reshuffle_each_iteration: a new order on each iteration (default True).

        Returns:
            A dataset of the same elements.
        """
        size = count_arg(buffer_size, "buffer_size")
        if size <= 0:
            raise ValueError(f"`buffer_size` must be positive; received {buffer_size}.")
        seeds = np.random.RandomState(seed)
        first = int(seeds.randint(2 ** 31))
        reshuffle = True if reshuffle_each_iteration is None else reshuffle_each_iteration

        def elements():
            rng = np.random.RandomState(int(seeds.randint(2 ** 31)) if reshuffle else first)
            buffer = []
            for element in self._iter_elements():
                if len(buffer) < size:
                    buffer.append(element)
                    continue
                k = rng.randint(len(buffer))
                yield buffer[k]
                buffer[k] = element
            while buffer:
                k = rng.randint(len(buffer))
                buffer[k], buffer[-1] = buffer[-1], buffer[k]
                yield buffer.pop()
        return _Stream(self, elements, self._cardinality)

    def repeat(self, count=None, name=None):
        """The dataset several times over; each pass iterates it anew (so a ``shuffle``
        before ``repeat`` reshuffles).

        Args:
            count: how many times; None or -1 repeats forever.

        Returns:
            A dataset (of infinite cardinality for ``count=None``).
        """
        count = -1 if count is None else count_arg(count, "count")
        n = self._cardinality()
        if count == 0 or n == 0:
            size = 0
        elif count < 0 or n == INFINITE_CARDINALITY:
            size = INFINITE_CARDINALITY
        else:
            size = n * count if n >= 0 else UNKNOWN_CARDINALITY

        def elements():
            done = 0
            while count < 0 or done < count:
                empty = True
                for element in self._iter_elements():
                    empty = False
                    yield element
                if empty:
                    return
                done += 1
        return _Stream(self, elements, size)

    def cache(self, filename="", name=None):
        """The elements of the first complete pass kept in memory and given again on the
        next ones (so the order of a shuffle before ``cache`` is that of the first pass)."""
        if isinstance(self, IndexedDataset):
            return _IndexedCache(self)
        return _StreamCache(self)

    def prefetch(self, buffer_size=None, name=None):
        """The dataset itself: cornu reads each batch when it is asked for."""
        return self

    def concatenate(self, dataset, name=None):
        """This dataset's elements, then ``dataset``'s."""
        a, b = self._cardinality(), dataset._cardinality()
        if INFINITE_CARDINALITY in (a, b):
            size = INFINITE_CARDINALITY
        elif UNKNOWN_CARDINALITY in (a, b):
            size = UNKNOWN_CARDINALITY
        else:
            size = a + b
        spec = lambda: tree.map_structure(merge_specs, self.element_spec,  # noqa: E731
                                          dataset.element_spec)
        if isinstance(self, IndexedDataset) and isinstance(dataset, IndexedDataset):
            return _IndexedView([self, dataset], size, lambda i: (
                self._get(i) if i < a else dataset._get(i - a)), spec=spec)
        return _Stream([self, dataset], lambda: itertools.chain(
            self._iter_elements(), dataset._iter_elements()), size, spec=spec)

    def enumerate(self, start=0, name=None):
        """``(index, element)`` pairs, the index an int64 scalar counting from ``start``."""
        spec = lambda: (TensorSpec((), "int64"), self.element_spec)  # noqa: E731
        if isinstance(self, IndexedDataset):
            return _IndexedView(self, len(self), lambda i: (np.int64(start + i), self._get(i)),
                                spec=spec)
        return _Stream(self, lambda: ((np.int64(start + i), e) for i, e in enumerate(
            self._iter_elements())), self._cardinality, spec=spec)

    def apply(self, transformation_func):
        """``transformation_func(self)``."""
        return transformation_func(self)

    @staticmethod
    def zip(*datasets, name=None):
        """Elements of several datasets side by side, as tuples (or as the structure of a
        single tuple / dict of datasets); as long as the shortest."""
        structure = datasets[0] if len(datasets) == 1 and isinstance(
            datasets[0], (tuple, list, dict)) else datasets
        if isinstance(structure, list):
            structure = tuple(structure)
        parts = tree.flatten(structure)
        if not parts or not all(isinstance(d, Dataset) for d in parts):
            raise TypeError("`zip` takes datasets (or a tuple or dict of datasets); received "
                            f"{[type(d).__name__ for d in parts]}.")
        sizes = [d._cardinality() for d in parts]
        finite = [n for n in sizes if n >= 0]
        size = UNKNOWN_CARDINALITY if UNKNOWN_CARDINALITY in sizes else (
            min(finite) if finite else INFINITE_CARDINALITY)
        pack = lambda elements: tree.pack_sequence_as(structure, list(elements))  # noqa: E731
        spec = lambda: pack(d.element_spec for d in parts)  # noqa: E731
        if all(isinstance(d, IndexedDataset) for d in parts):
            return _IndexedView(parts, size, lambda i: pack(d._get(i) for d in parts),
                                spec=spec)
        return _Stream(parts, lambda: (pack(e) for e in zip(
            *[d._iter_elements() for d in parts])), size, spec=spec)

    # -- constructors (internal to cornu; tf.data's names)
    @staticmethod
    def from_tensor_slices(tensors):
        """The slices of arrays (or a tuple / dict of them) along their first axis.

        Python lists of numbers become arrays as TensorFlow converts them (int32,
        float32); tuples and dicts are structures."""
        tensors = lists_as_arrays(tensors)
        sizes = {int(leaf.shape[0]) for leaf in tree.flatten(tensors) if leaf is not None}
        if len(sizes) != 1:
            raise ValueError("`from_tensor_slices` needs components with the same first "
                             f"dimension; received first dimensions {sorted(sizes)}.")
        return _IndexedView((), sizes.pop(), lambda i: tree.map_structure(
            lambda leaf: None if leaf is None else leaf[i], tensors))

    @staticmethod
    def range(*args):
        """``range(start, stop, step)`` as int64 scalar elements."""
        values = np.arange(*args, dtype="int64")
        return _IndexedView((), len(values), lambda i: values[i])


def _mapped_spec(parent, function):
    if isinstance(parent, IndexedDataset):  # no new pass: a shuffling root keeps its order
        first = parent._get(0) if len(parent) else None
    else:
        first = next(iter(parent._iter_elements()), None)
    if first is None:
        raise ValueError("The element_spec of a `map` over an empty dataset is unknown.")
    return spec_of(call(function, first), is_batched(parent.element_spec))


class _Stream(Dataset):
    """A dataset read in order only: ``make()`` gives a fresh iterator of its elements."""

    def __init__(self, parents, make, cardinality, spec=None):
        self._parents = tuple(parents) if isinstance(parents, (list, tuple)) else (parents,)
        self._make = make
        self._size = cardinality
        self._spec_fn = spec
        for parent in self._parents:
            self._inherit(parent)

    def _iter_elements(self):
        return iter(self._make())

    def _cardinality(self):
        return self._size() if callable(self._size) else self._size

    def _element_spec(self):
        return self._spec_fn() if self._spec_fn else Dataset._element_spec(self)


class _StreamCache(_Stream):
    def __init__(self, parent):
        super().__init__(parent, None, parent._cardinality)
        self._cached = None

    def _iter_elements(self):
        if self._cached is not None:
            yield from self._cached
            return
        seen = []
        for element in self._parents[0]._iter_elements():
            seen.append(element)
            yield element
        self._cached = seen


class IndexedDataset(Dataset, PyDataset):
    """A ``Dataset`` whose elements can also be read by position (``dataset[i]``): a
    ``PyDataset`` of ``len(dataset)`` batches. Subclasses define ``_get(i)`` and
    ``__len__``."""

    def _get(self, index):
        raise NotImplementedError

    def _cardinality(self):
        return len(self)

    def __getitem__(self, index):
        n = len(self)
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError(f"Batch {index} is out of range: the dataset has {n}.")
        return self._get(index)

    def _begin_pass(self):
        """Called before each iteration: a shuffling root draws a new order."""
        for parent in self._parents:
            parent._begin_pass()

    def _iter_elements(self):
        self._begin_pass()
        for i in range(len(self)):
            yield self._get(i)

    def on_epoch_end(self):
        for parent in self._parents:
            parent.on_epoch_end()

    def _element_spec(self):
        if self._parents:
            return Dataset._element_spec(self)
        return spec_of(self._get(0), False) if len(self) else None


class _IndexedView(IndexedDataset):
    def __init__(self, parents, length, get, spec=None):
        PyDataset.__init__(self)
        self._parents = tuple(parents) if isinstance(parents, (list, tuple)) else (parents,)
        self._length, self._get, self._spec_fn = length, get, spec
        for parent in self._parents:
            self._inherit(parent)

    def __len__(self):
        return self._length

    def _element_spec(self):
        return self._spec_fn() if self._spec_fn else IndexedDataset._element_spec(self)


class _IndexedCache(IndexedDataset):
    def __init__(self, parent):
        PyDataset.__init__(self)
        self._parents, self._memo, self._started = (parent,), {}, False
        self._inherit(parent)

    def __len__(self):
        return len(self._parents[0])

    def _get(self, index):
        if index not in self._memo:
            self._memo[index] = self._parents[0]._get(index)
        return self._memo[index]

    def _begin_pass(self):
        if not self._started:  # later passes give the first one's order again
            self._started = True
            self._parents[0]._begin_pass()

    def on_epoch_end(self):
        self._started = True
