"""``keras.utils.split_dataset``: a left and a right part of a dataset (train / test)."""
import numpy as np

from cornu import backend, tree


class SplitDataset:
    """One part of a split dataset: ``len()`` samples, ``ds[i]`` the i-th sample.

    A sample has the structure of the data that was split: a row of an array, a
    tuple ``(x_i, y_i)`` of a tuple of arrays, a dict of a dict of arrays, or an
    item of a map-style dataset (a ``torch.utils.data.Dataset``, a list ...).

    Attributes:
        dataset: the data that was split.
        indices: the positions in ``dataset`` of this part's samples.
    """

    def __init__(self, dataset, indices, arrays):
        self.dataset = dataset
        self.indices = indices
        self._arrays = arrays  # the data as a nest of arrays, or None for a map-style dataset

    def __len__(self):
        return len(self.indices)

    def __getitem__(self, i):
        index = int(self.indices[i])  # negative i and IndexError as for a list
        if self._arrays is None:
            return self.dataset[index]
        return tree.map_structure(lambda a: a[index], self._arrays)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def as_arrays(self):
        """This part as arrays in the structure of the split data (for ``fit``).

        Raises:
            TypeError: for the part of a map-style dataset (it has no arrays).
        """
        if self._arrays is None:
            raise TypeError("This part comes from a map-style dataset, not arrays; "
                            "iterate over it or wrap it in a DataLoader instead.")
        return tree.map_structure(lambda a: a[self.indices], self._arrays)

    def __repr__(self):
        return f"<SplitDataset: {len(self)} samples>"


def _as_arrays(dataset):
    """The dataset as a nest of NumPy arrays of one length, or None when it is map-style."""
    def leaf(x):
        if backend.is_tensor(x):
            return backend.convert_to_numpy(x)
        return np.asarray(x)
    if isinstance(dataset, np.ndarray) or backend.is_tensor(dataset):
        return leaf(dataset)
    if isinstance(dataset, (tuple, dict)) or (
            isinstance(dataset, list) and dataset and all(
                isinstance(x, np.ndarray) or backend.is_tensor(x) for x in dataset)):
        arrays = tree.map_structure(leaf, dataset)
        lengths = {len(a) for a in tree.flatten(arrays)}
        if len(lengths) != 1:
            raise ValueError("The arrays of `dataset` must have the same number of samples; "
                             f"received lengths {sorted(lengths)}.")
        return arrays
    if hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__"):
        return None
    raise TypeError("`dataset` must be an array, a tuple, list or dict of arrays of one "
                    "length, or a map-style dataset (with __len__ and __getitem__); received "
                    f"{type(dataset).__name__}.")


def _size(value, name, total):
    """A split size as a sample count (None stays None)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"`{name}` must be an int, a float or None; received {value!r} "
                        f"of type {type(value).__name__}.")
    if isinstance(value, float):
        if not 0 < value < 1:
            raise ValueError(f"`{name}` as a fraction must be in (0, 1); received {value}.")
        return round(value * total)
    if not 0 < value < total:
        raise ValueError(f"`{name}` as a number of samples must be in [1, {total - 1}] for "
                         f"a dataset of {total} samples; received {value}.")
    return value


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None,
                  preferred_backend=None):
    """Split a dataset into a left part and a right part (e.g. train / test).

    Args:
        dataset: an array, a tuple/list/dict of arrays with the same number of
            samples, or a map-style dataset (a ``torch.utils.data.Dataset``, a list).
        left_size: a float in (0, 1), the fraction of the samples in the left part,
            or an int, their number. None: what ``right_size`` leaves.
        right_size: likewise for the right part. None: what ``left_size`` leaves.
        shuffle: shuffle the samples before splitting (else the left part is the
            first samples, in order).
        seed: the seed of the shuffle.
        preferred_backend: accepted for Keras compatibility; unused.

    Returns:
        ``(left, right)``, two ``SplitDataset`` parts: ``len()`` samples each, indexing
        and iteration give samples in the structure of ``dataset``, and
        ``as_arrays()`` gives arrays to pass to ``fit``.

    Differences from Keras: Keras on torch returns ``torch.utils.data.Subset``
    objects of tensors, and shuffles even when ``shuffle=False``; cornu keeps the
    order unless asked to shuffle, and its samples are NumPy values.

    Example:

    >>> left, right = cornu.utils.split_dataset(np.zeros((1000, 4)), left_size=0.8)
    >>> len(left), len(right)
    (800, 200)
    """
    if left_size is None and right_size is None:
        raise ValueError("At least one of `left_size` and `right_size` must be given; "
                         "received left_size=None and right_size=None.")
    arrays = _as_arrays(dataset)
    total = len(tree.flatten(arrays)[0]) if arrays is not None else len(dataset)
    left = _size(left_size, "left_size", total)
    right = _size(right_size, "right_size", total)
    if isinstance(left_size, float) and isinstance(right_size, float) and (
            left_size + right_size > 1):
        raise ValueError(f"left_size + right_size must be at most 1; received {left_size} "
                         f"+ {right_size}.")
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total:
        raise ValueError(f"left_size + right_size ({left} + {right} samples) is more than "
                         f"the {total} samples of the dataset.")
    if left == 0 or right == 0:
        raise ValueError(f"With {total} samples, left_size={left_size} and right_size="
                         f"{right_size} leave the {'left' if left == 0 else 'right'} part "
                         "empty; choose sizes that give each part a sample.")
    order = np.random.RandomState(seed).permutation(total) if shuffle else np.arange(total)
    return (SplitDataset(dataset, order[:left], arrays),
            SplitDataset(dataset, order[left:left + right], arrays))
