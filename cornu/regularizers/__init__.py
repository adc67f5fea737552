"""cornu.regularizers: Keras 3's ``keras.regularizers``.

A regularizer is called on a weight (or a layer's output) and returns a scalar
penalty that training adds to the loss.
"""
import math
import numbers

from cornu import backend, ops
from cornu.initializers._lookup import Catalog, snake_case, warn_legacy


def _non_negative_float(value, name):
    if (not isinstance(value, numbers.Real) or isinstance(value, bool)
            or not math.isfinite(value) or value < 0):
        raise ValueError(f"Invalid value for argument {name}: expected a non-negative float. "
                         f"Received: {name}={value!r}")
    return float(value)


def _legacy_l(value, kwargs, name):
    """Keras 1/2's ``l1(l=0.01)`` / ``l2(l=0.01)`` spelling."""
    if "l" in kwargs:
        warn_legacy("`l=`", f"`{name}=`")
        value = kwargs.pop("l")
    if kwargs:
        raise TypeError(f"Unexpected keyword argument {next(iter(kwargs))!r}; "
                        f"expected `{name}`.")
    return value


class Regularizer:
    """Base class of regularizers: ``regularizer(x)`` -> a scalar penalty.

    A subclass implements ``__call__``. Its configuration is the attributes named
    in ``_fields``; a subclass with other constructor arguments overrides ``get_config``.

    Example:

    >>> class Sum(Regularizer):
    ...     def __call__(self, x):
    ...         return 0.1 * cornu.ops.sum(x)
    """

    _fields = ()

    def __call__(self, x):
        return 0.0

    def get_config(self):
        """The constructor arguments, as a JSON-friendly dict."""
        if not self._fields and type(self) is not Regularizer:
            raise NotImplementedError(f"{type(self).__name__} must implement get_config() "
                                      "to be saved or cloned.")
        return {name: getattr(self, name) for name in self._fields}

    @classmethod
    def from_config(cls, config):
        """A regularizer made from ``get_config()``'s output."""
        return cls(**config)

    def __repr__(self):
        try:
            config = self.get_config()
        except NotImplementedError:
            config = {}
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in config.items())})"


class L1(Regularizer):
    """The L1 penalty ``l1 * sum(abs(x))``.

    Args:
        l1: the factor (a non-negative float).

    Example:

    >>> cornu.layers.Dense(3, kernel_regularizer=cornu.regularizers.L1(0.01))
    """

    _fields = ("l1",)

    def __init__(self, l1=0.01, **kwargs):
        l1 = _legacy_l(l1, kwargs, "l1")
        self.l1 = _non_negative_float(0.01 if l1 is None else l1, "l1")

    def __call__(self, x):
        return ops.multiply(self.l1, ops.sum(ops.absolute(x)))


class L2(Regularizer):
    """The L2 penalty ``l2 * sum(square(x))`` (no factor 1/2).

    Args:
        l2: the factor (a non-negative float).

    Example:

    >>> cornu.layers.Dense(3, kernel_regularizer=cornu.regularizers.L2(0.01))
    """

    _fields = ("l2",)

    def __init__(self, l2=0.01, **kwargs):
        l2 = _legacy_l(l2, kwargs, "l2")
        self.l2 = _non_negative_float(0.01 if l2 is None else l2, "l2")

    def __call__(self, x):
        return ops.multiply(self.l2, ops.sum(ops.square(x)))


class L1L2(Regularizer):
    """The sum of the L1 and L2 penalties: ``l1 * sum(abs(x)) + l2 * sum(square(x))``.

    Args:
        l1: the L1 factor (a non-negative float).
        l2: the L2 factor (a non-negative float).

    Example:

    >>> cornu.layers.Dense(3, kernel_regularizer=cornu.regularizers.L1L2(l1=1e-5, l2=1e-4))
    """

    _fields = ("l1", "l2")

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _non_negative_float(0.0 if l1 is None else l1, "l1")
        self.l2 = _non_negative_float(0.0 if l2 is None else l2, "l2")

    def __call__(self, x):
        x = backend.convert_to_tensor(x)
        penalty = ops.zeros((), dtype=backend.dtype_name(x))
        if self.l1:
            penalty = ops.add(penalty, ops.multiply(self.l1, ops.sum(ops.absolute(x))))
        if self.l2:
            penalty = ops.add(penalty, ops.multiply(self.l2, ops.sum(ops.square(x))))
        return penalty


class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (or columns) of a 2D weight towards being orthogonal.

    The penalty is ``factor`` times the mean absolute cosine similarity over the
    pairs of distinct rows (``mode="rows"``) or columns (``mode="columns"``).

    Args:
        factor: the factor (a non-negative float).
        mode: ``"rows"`` or ``"columns"``.

    Example:

    >>> cornu.layers.Dense(3, kernel_regularizer=cornu.regularizers.OrthogonalRegularizer(0.01))
    """

    _fields = ("factor", "mode")

    def __init__(self, factor=0.01, mode="rows"):
        if mode not in ("rows", "columns"):
            raise ValueError("Invalid value for argument mode: expected 'rows' or 'columns'. "
                             f"Received: mode={mode!r}")
        self.factor = _non_negative_float(factor, "factor")
        self.mode = mode

    def __call__(self, x):
        x = backend.convert_to_tensor(x)
        if len(x.shape) != 2:
            raise ValueError("OrthogonalRegularizer expects a 2D weight. Received: "
                             f"shape={tuple(x.shape)}")
        if self.mode == "columns":
            x = ops.transpose(x)
        # Unit rows: x / max(||row||, epsilon).
        norms = ops.sqrt(ops.sum(ops.square(x), axis=1, keepdims=True))  # (n, 1)
        x = ops.divide(x, ops.maximum(norms, backend.epsilon()))
        n = x.shape[0]
        cosines = ops.matmul(x, ops.transpose(x))  # (n, n)
        mask = ops.subtract(1.0, ops.eye(n, dtype=backend.dtype_name(x)))  # zero diagonal
        off_diagonal = ops.multiply(cosines, mask)
        pairs = max(n * (n - 1) / 2.0, 1.0)  # one row: nothing to compare, penalty 0
        return ops.multiply(self.factor * 0.5 / pairs, ops.sum(ops.absolute(off_diagonal)))


_CLASSES = (Regularizer, L1, L2, L1L2, OrthogonalRegularizer)
_OBJECTS = {cls.__name__: cls for cls in _CLASSES}
_OBJECTS.update({snake_case(cls.__name__): cls for cls in _CLASSES})
_OBJECTS["l1_l2"] = L1L2
# Keras 3 exports the lowercase names as aliases (``keras.regularizers.l2(0.01)``).
l1, l2, l1_l2, orthogonal_regularizer = L1, L2, L1L2, OrthogonalRegularizer
_CATALOG = Catalog("regularizer", _OBJECTS)


def get(identifier):
    """A regularizer from None, a name, a config dict, a class, or a callable.

    Example:

    >>> cornu.regularizers.get("l2")
    L2(l2=0.01)
    """
    return _CATALOG.get(identifier)


def serialize(regularizer):
    """Keras 3's config of ``regularizer``:
    ``{"module": "keras.regularizers", "class_name": ..., "config": ...,
    "registered_name": None}``."""
    return _CATALOG.serialize(regularizer)


def deserialize(config, custom_objects=None):
    """A regularizer from a name or from ``serialize``'s output."""
    return _CATALOG.deserialize(config, custom_objects)
