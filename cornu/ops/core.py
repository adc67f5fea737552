"""Core ops: conversion, casting, shapes, gradients-free values (``keras.ops.core``)."""
from cornu import backend as _backend
from cornu.backend.common.keras_tensor import KerasTensor
from cornu.ops._dispatch import make_op as _make_op


def convert_to_tensor(x, dtype=None, sparse=None):
    """A backend tensor holding ``x`` (numpy arrays, Python numbers, lists, Variables).

    A symbolic ``KerasTensor`` stays symbolic (cast to ``dtype`` when one is given), so
    losses and metrics written with ops can be built on a model's symbolic tensors.
    """
    if isinstance(x, KerasTensor):
        return x if dtype is None or _backend.standardize_dtype(dtype) == x.dtype else cast(
            x, dtype)
    return _backend.convert_to_tensor(x, dtype=dtype, sparse=sparse)


def convert_to_numpy(x):
    """A numpy array holding the value of tensor ``x``."""
    return _backend.convert_to_numpy(x)


def is_tensor(x):
    """True for a backend tensor (not a numpy array, not a KerasTensor)."""
    return _backend.is_tensor(x)


def shape(x):
    """The shape of ``x`` as a tuple; ``None`` for unknown dims of a KerasTensor."""
    if isinstance(x, KerasTensor):
        return x.shape
    return tuple(x.shape)


def dtype(x):
    """The dtype of ``x`` as a string."""
    return _backend.standardize_dtype(x.dtype)


cast = _make_op("cast", _backend.cast)
stop_gradient = _make_op("stop_gradient", _backend.core.stop_gradient)

_OPS = ("saturate_cast", "scatter", "scatter_update", "slice", "slice_update", "unstack",
        "cond", "switch", "while_loop", "fori_loop", "map", "scan", "associative_scan",
        "vectorized_map")
for _name in _OPS:
    globals()[_name] = _make_op(_name, getattr(_backend.core, _name))
del _name


def custom_gradient(f):
    """Decorator: ``f(*args)`` returns ``(output, grad_fn)``; autograd then uses
    ``grad_fn(upstream)`` for the gradients of ``output`` with respect to ``args``."""
    return _backend.core.custom_gradient(f)


__all__ = ["convert_to_tensor", "convert_to_numpy", "is_tensor", "shape", "dtype", "cast",
           "stop_gradient", "custom_gradient", *_OPS]
