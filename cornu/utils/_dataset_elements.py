"""The elements of cornu's datasets: specs, conversions, stacking (see ``_dataset.py``)."""
import itertools

import numpy as np

from cornu import backend, tree


class TensorSpec:
    """The shape and dtype of one component of a dataset's elements (``tf.TensorSpec``).

    Args:
        shape: a tuple of ints, None where the size varies (the last, partial batch).
        dtype: the dtype name ("float32", "int32", "string"...).
        name: an optional name.
    """

    def __init__(self, shape, dtype, name=None):
        self.shape = None if shape is None else tuple(shape)
        self.dtype = dtype
        self.name = name

    def __eq__(self, other):
        return isinstance(other, TensorSpec) and (self.shape, self.dtype, self.name) == (
            other.shape, other.dtype, other.name)

    def __hash__(self):
        return hash((self.shape, self.dtype, self.name))

    def __repr__(self):
        return f"TensorSpec(shape={self.shape}, dtype={self.dtype}, name={self.name})"


class StringArray(np.ndarray):
    """A numpy array of strings as iteration yields it: ``.numpy()`` gives the strings as
    bytes, as ``tf.Tensor.numpy()`` does for a string tensor."""

    def numpy(self):
        return as_bytes(np.asarray(self))


def is_string(x):
    """Whether ``x`` is a string or an array of strings (kept numpy, never a tensor)."""
    return isinstance(x, (str, bytes)) or (
        isinstance(x, (np.ndarray, np.generic)) and x.dtype.kind in "USO")


def as_bytes(array):
    """A string array as TensorFlow's ``.numpy()`` gives it: bytes (a scalar for 0-d)."""
    if array.dtype.kind == "U" or array.dtype.kind == "O":
        encode = np.vectorize(lambda s: s.encode("utf-8") if isinstance(s, str) else s,
                              otypes=[object])
        array = encode(array) if array.size else array.astype(object)
    return array[()] if array.ndim == 0 else array


def as_tensor(leaf):
    """A leaf as iteration yields it: a host tensor, or a numpy array for strings."""
    if leaf is None or backend.is_tensor(leaf):
        return leaf
    if is_string(leaf):
        return np.asarray(leaf).view(StringArray)
    array = np.asarray(leaf)
    if array.ndim == 0:  # dataset_tensor gives 0-d arrays a dimension
        return backend.data.dataset_tensor(array.reshape(1)).reshape(())
    return backend.data.dataset_tensor(array)


def as_numpy(leaf):
    """A leaf as ``as_numpy_iterator`` yields it: numpy, scalars as numpy scalars,
    strings as bytes."""
    if leaf is None:
        return None
    if is_string(leaf):
        return as_bytes(np.asarray(leaf))
    array = np.asarray(backend.convert_to_numpy(leaf) if backend.is_tensor(leaf) else leaf)
    return array[()] if array.ndim == 0 else array


def outputs(element, convert=as_tensor):
    """Every leaf of ``element`` through ``convert``."""
    return tree.map_structure(convert, element)


def call(function, element):
    """``function`` on an element as tf.data calls it: a tuple element is unpacked."""
    args = outputs(element)
    result = function(*args) if isinstance(args, tuple) else function(args)
    return tuple(result) if isinstance(result, list) else result


def stack(elements):
    """Elements stacked along a new first axis, component by component."""
    def one(*leaves):
        if any(backend.is_tensor(leaf) for leaf in leaves):
            from cornu import ops
            return ops.stack([ops.convert_to_tensor(leaf) for leaf in leaves])
        return np.stack([np.asarray(leaf) for leaf in leaves])
    return tree.map_structure(one, *elements)


def unstack(element):
    """The rows of a batch, one element each."""
    leaves = [leaf for leaf in tree.flatten(element) if leaf is not None]
    sizes = {int(leaf.shape[0]) if len(getattr(leaf, "shape", ())) else None
             for leaf in leaves}
    if None in sizes or len(sizes) != 1:
        raise ValueError("`unbatch` needs every component of an element to have the same "
                         f"size along its first axis; received first dimensions {sizes}.")
    for i in range(sizes.pop()):
        yield tree.map_structure(lambda leaf: None if leaf is None else leaf[i], element)


def spec_of(element, batched):
    """The ``TensorSpec`` structure of ``element``; with ``batched``, the first dimension
    is None (the last batch may be smaller)."""
    def one(leaf):
        if leaf is None:
            return None
        if is_string(leaf):
            shape, dtype = np.shape(leaf), "string"
        elif backend.is_tensor(leaf):
            shape, dtype = tuple(leaf.shape), backend.standardize_dtype(leaf.dtype)
        else:
            array = np.asarray(leaf)
            shape, dtype = array.shape, backend.standardize_dtype(array.dtype)
        if batched and len(shape):
            shape = (None,) + tuple(shape[1:])
        return TensorSpec(shape, dtype)
    return tree.map_structure(one, element)


def is_batched(spec):
    """Whether a spec structure has a variable first (batch) dimension."""
    return any(s is not None and s.shape and s.shape[0] is None
               for s in tree.flatten(spec))


def count_arg(value, name):
    """``value`` as an int, or a TypeError naming the argument."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"`{name}` must be an integer; received {name}={value!r}.")
    return int(value)


def lists_as_arrays(structure):
    """Lists as arrays (Python ints as int32, floats as float32, as TensorFlow converts
    them); tuples and dicts stay structures."""
    if isinstance(structure, list):
        value = np.asarray(structure)
        return value.astype({"i": "int32", "f": "float32"}.get(value.dtype.kind, value.dtype))
    if isinstance(structure, tuple):
        return tuple(lists_as_arrays(s) for s in structure)
    if isinstance(structure, dict):
        return {k: lists_as_arrays(v) for k, v in structure.items()}
    return structure


def merge_specs(a, b):
    """The spec both ``a`` and ``b`` satisfy: sizes that differ become None."""
    if a is None or b is None:
        return None
    if a.shape is None or b.shape is None or len(a.shape) != len(b.shape):
        return TensorSpec(None, a.dtype)  # unknown rank
    return TensorSpec([x if x == y else None for x, y in zip(a.shape, b.shape)], a.dtype)


def batches(elements, sizes, drop_remainder):
    """Stacked batches from the iterator ``elements``, of the sizes ``sizes`` yields."""
    while True:
        size = next(sizes)
        batch = list(itertools.islice(elements, size))
        if not batch or (drop_remainder and len(batch) < size):
            return
        yield stack(batch)
