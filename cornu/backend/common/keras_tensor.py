"""KerasTensor: a symbolic tensor (shape and dtype, no data) that records the graph.

Calling a layer on KerasTensors records a node and returns new KerasTensors whose
``_keras_history`` points back at (layer, node index, tensor index). Arithmetic on
them goes through ``cornu.ops`` and so is recorded the same way.
"""
from cornu.backend.common import global_state
from cornu.backend.common.dtypes import standardize_dtype


class KerasTensor:
    """A placeholder with a static shape (``None`` for unknown dims) and a dtype."""

    __slots__ = ("shape", "dtype", "sparse", "name", "_keras_history", "_keras_mask", "__weakref__")

    def __init__(self, shape, dtype="float32", sparse=False, name=None):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = standardize_dtype(dtype)
        self.sparse = bool(sparse)
        self.name = name or global_state.uniquify("keras_tensor")
        self._keras_history = None
        self._keras_mask = None

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        return (f"<KerasTensor shape={self.shape}, dtype={self.dtype}, "
                f"sparse={self.sparse}, name={self.name}>")

    def __len__(self):
        raise TypeError(
            "A symbolic KerasTensor has no length: its first dimension may be unknown. "
            "Use `x.shape[0]` or `cornu.ops.shape(x)` instead.")

    def __iter__(self):
        raise TypeError(
            "A symbolic KerasTensor cannot be iterated. Index it (`x[:, 0]`) or use "
            "`cornu.ops.unstack` instead.")

    def __bool__(self):
        raise TypeError(
            "A symbolic KerasTensor has no truth value: its data only exist when the "
            "model runs. Use `cornu.ops.cond` or compute the condition inside a layer.")

    def __array__(self, dtype=None, copy=None):
        raise TypeError(
            f"{self!r} is symbolic and cannot become a NumPy array. It is a placeholder "
            "for building models: call the model on real data to get values.")

    def numpy(self):
        self.__array__()

    # Operators route through cornu.ops so that the op is recorded in the graph.
    def _op(self, name, *args):
        from cornu import ops
        return getattr(ops, name)(*args)

    def __add__(self, other): return self._op("add", self, other)
    def __radd__(self, other): return self._op("add", other, self)
    def __sub__(self, other): return self._op("subtract", self, other)
    def __rsub__(self, other): return self._op("subtract", other, self)
    def __mul__(self, other): return self._op("multiply", self, other)
    def __rmul__(self, other): return self._op("multiply", other, self)
    def __truediv__(self, other): return self._op("true_divide", self, other)
    def __rtruediv__(self, other): return self._op("true_divide", other, self)
    def __floordiv__(self, other): return self._op("floor_divide", self, other)
    def __rfloordiv__(self, other): return self._op("floor_divide", other, self)
    def __mod__(self, other): return self._op("mod", self, other)
    def __rmod__(self, other): return self._op("mod", other, self)
    def __pow__(self, other): return self._op("power", self, other)
    def __rpow__(self, other): return self._op("power", other, self)
    def __matmul__(self, other): return self._op("matmul", self, other)
    def __rmatmul__(self, other): return self._op("matmul", other, self)
    def __neg__(self): return self._op("negative", self)
    def __pos__(self): return self
    def __abs__(self): return self._op("absolute", self)
    def __invert__(self): return self._op("logical_not", self)
    def __lt__(self, other): return self._op("less", self, other)
    def __le__(self, other): return self._op("less_equal", self, other)
    def __gt__(self, other): return self._op("greater", self, other)
    def __ge__(self, other): return self._op("greater_equal", self, other)
    def __and__(self, other): return self._op("logical_and", self, other)
    def __or__(self, other): return self._op("logical_or", self, other)
    def __xor__(self, other): return self._op("logical_xor", self, other)
    def __getitem__(self, key): return self._op("get_item", self, key)
    __hash__ = object.__hash__

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        return self._op("reshape", self, shape)

    @property
    def T(self):
        return self._op("transpose", self)

    def astype(self, dtype):
        return self._op("cast", self, dtype)


def is_keras_tensor(x):
    """True when ``x`` is a symbolic KerasTensor."""
    return isinstance(x, KerasTensor)
