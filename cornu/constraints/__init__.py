"""cornu.constraints: Keras 3's ``keras.constraints``.

A constraint is a projection the optimizer applies to a weight after each
update: ``w = constraint(w)``.
"""
from cornu import backend, ops
from cornu.initializers._lookup import Catalog, snake_case, warn_legacy


def _norms(w, axis):
    """The L2 norms of ``w`` along ``axis``, keeping the reduced axes."""
    return ops.sqrt(ops.sum(ops.square(w), axis=axis, keepdims=True))


def _rescale(w, norms, desired):
    """``w`` with its norms moved from ``norms`` to ``desired``."""
    return ops.multiply(w, ops.divide(desired, ops.add(norms, backend.epsilon())))


class Constraint:
    """Base class of weight constraints: ``constraint(w)`` -> the projected ``w``.

    A subclass implements ``__call__``. Its configuration is the attributes named
    in ``_fields``; a subclass with other constructor arguments overrides ``get_config``.

    Example:

    >>> class Clip(Constraint):
    ...     def __call__(self, w):
    ...         return cornu.ops.clip(w, -1.0, 1.0)
    """

    _fields = ()

    def __call__(self, w):
        return w

    def get_config(self):
        """The constructor arguments, as a JSON-friendly dict."""
        return {name: getattr(self, name) for name in self._fields}

    @classmethod
    def from_config(cls, config):
        """A constraint made from ``get_config()``'s output."""
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class MaxNorm(Constraint):
    """Rescales the weights whose norm along ``axis`` exceeds ``max_value`` down to it.

    Args:
        max_value: the largest norm allowed.
        axis: the axis (or axes) along which norms are taken: 0 for a Dense kernel
            ``(input_dim, units)`` constrains each unit's incoming weights; use
            ``[0, 1, 2]`` for a Conv2D kernel ``(rows, cols, in, out)``.

    Example:

    >>> cornu.layers.Dense(3, kernel_constraint=cornu.constraints.MaxNorm(2.0))
    """

    _fields = ("max_value", "axis")

    def __init__(self, max_value=2, axis=0, **kwargs):
        if "m" in kwargs:  # Keras 1's maxnorm(m=2)
            warn_legacy("`m=`", "`max_value=`")
            max_value = kwargs.pop("m")
        if kwargs:
            raise TypeError(f"MaxNorm got an unexpected keyword argument {next(iter(kwargs))!r}; "
                            "expected `max_value` or `axis`.")
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        w = backend.convert_to_tensor(w)
        norms = _norms(w, self.axis)
        return _rescale(w, norms, ops.clip(norms, 0, self.max_value))


class MinMaxNorm(Constraint):
    """Moves the norms along ``axis`` into ``[min_value, max_value]``, by a fraction ``rate``.

    The new norm is ``rate * clip(norm, min_value, max_value) + (1 - rate) * norm``.

    Args:
        min_value: the smallest norm allowed.
        max_value: the largest norm allowed.
        rate: 1.0 enforces the bounds at once; smaller values move towards them gradually.
        axis: the axis (or axes) along which norms are taken (see ``MaxNorm``).

    Example:

    >>> cornu.layers.Dense(3, kernel_constraint=cornu.constraints.MinMaxNorm(0.5, 1.0))
    """

    _fields = ("min_value", "max_value", "rate", "axis")

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        w = backend.convert_to_tensor(w)
        norms = _norms(w, self.axis)
        desired = ops.add(ops.multiply(self.rate, ops.clip(norms, self.min_value, self.max_value)),
                          ops.multiply(1.0 - self.rate, norms))
        return _rescale(w, norms, desired)


class NonNeg(Constraint):
    """Sets negative weights to zero.

    Example:

    >>> cornu.layers.Dense(3, kernel_constraint=cornu.constraints.NonNeg())
    """

    def __call__(self, w):
        w = backend.convert_to_tensor(w)
        return ops.multiply(w, ops.cast(ops.greater_equal(w, 0.0), backend.dtype_name(w)))


class UnitNorm(Constraint):
    """Rescales the weights to unit norm along ``axis``.

    Args:
        axis: the axis (or axes) along which norms are taken (see ``MaxNorm``).

    Example:

    >>> cornu.layers.Dense(3, kernel_constraint=cornu.constraints.UnitNorm())
    """

    _fields = ("axis",)

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        w = backend.convert_to_tensor(w)
        return ops.divide(w, ops.add(_norms(w, self.axis), backend.epsilon()))


_CLASSES = (Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm)
_OBJECTS = {cls.__name__: cls for cls in _CLASSES}
_OBJECTS.update({snake_case(cls.__name__): cls for cls in _CLASSES})
# Keras 3 exports the snake_case names as aliases (``keras.constraints.max_norm(2)``).
max_norm, min_max_norm, non_neg, unit_norm = MaxNorm, MinMaxNorm, NonNeg, UnitNorm
_LEGACY = {
    "maxnorm": (MaxNorm, "'max_norm'"),
    "nonneg": (NonNeg, "'non_neg'"),
    "unitnorm": (UnitNorm, "'unit_norm'"),
}
_CATALOG = Catalog("constraint", _OBJECTS, _LEGACY)


def get(identifier):
    """A constraint from None, a name, a config dict, a class, or a callable.

    Example:

    >>> cornu.constraints.get("non_neg")
    NonNeg()
    """
    return _CATALOG.get(identifier)


def serialize(constraint):
    """Keras 3's config of ``constraint``:
    ``{"module": "keras.constraints", "class_name": ..., "config": ...,
    "registered_name": None}``."""
    return _CATALOG.serialize(constraint)


def deserialize(config, custom_objects=None):
    """A constraint from a name or from ``serialize``'s output."""
    return _CATALOG.deserialize(config, custom_objects)


def __getattr__(name):
    # Keras 1/2 module attributes: ``keras.constraints.maxnorm(2)``.
    if name in _LEGACY:
        return _CATALOG.resolve(name)
    raise AttributeError(f"module 'cornu.constraints' has no attribute {name!r}")
