"""The ``Metric`` base class: state variables that live on the device.

``update_state`` only ever assigns tensors to the variables, so a training
step never waits on the host; ``result()`` returns a backend tensor and only
the code that prints it reads the number back.
"""
from cornu import backend, initializers, ops
from cornu.backend.common.global_state import to_snake_case, uniquify
from cornu.losses.loss import standardize_dtype


class Metric:
    """Base class of metrics: state created in ``__init__`` with ``add_variable``,
    accumulated by ``update_state``, read by ``result``.

    Args:
        dtype: the dtype of the state and the result (default: floatx).
        name: name of the metric instance (default: the class name in snake_case).

    Example:

    >>> class BinaryTruePositives(cornu.metrics.Metric):
    ...     def __init__(self, name="binary_true_positives", **kwargs):
    ...         super().__init__(name=name, **kwargs)
    ...         self.true_positives = self.add_variable(shape=(), initializer="zeros",
    ...                                                 name="true_positives")
    ...     def update_state(self, y_true, y_pred, sample_weight=None):
    ...         values = ops.cast(ops.logical_and(ops.cast(y_true, "bool"),
    ...                                           ops.cast(y_pred, "bool")), self.dtype)
    ...         self.true_positives.assign_add(ops.sum(values))
    ...     def result(self):
    ...         return self.true_positives.value
    """

    def __init__(self, dtype=None, name=None):
        self.name = name or uniquify(to_snake_case(type(self).__name__))
        self._dtype = standardize_dtype(dtype)
        self._variables = []
        self._metrics = []

    def __setattr__(self, key, value):
        # Sub-metrics contribute their variables (Keras tracks them the same way).
        if isinstance(value, Metric) and "_metrics" in self.__dict__:
            self._metrics.append(value)
        object.__setattr__(self, key, value)

    @property
    def dtype(self):
        return self._dtype

    def add_variable(self, shape, initializer, dtype=None, aggregation="sum", name=None):
        """A non-trainable state variable of this metric, reset to zeros by ``reset_state``."""
        if "_variables" not in self.__dict__:
            raise RuntimeError(f"{type(self).__name__}.__init__ must call super().__init__() "
                               "before add_variable().")
        variable = backend.Variable(
            initializers.get(initializer), shape=tuple(shape), dtype=dtype or self._dtype,
            trainable=False, aggregation=aggregation, name=name)
        variable.path = f"{self.name}/{variable.name}"
        self._variables.append(variable)
        return variable

    def add_weight(self, shape=(), initializer=None, dtype=None, name=None):
        """Keras 2's name for ``add_variable``."""
        return self.add_variable(shape, initializer or "zeros", dtype=dtype, name=name)

    @property
    def variables(self):
        out = list(self._variables)
        for metric in self._metrics:
            out.extend(metric.variables)
        return out

    def reset_state(self):
        """Set every state variable back to zero (called between epochs)."""
        for v in self.variables:
            v.assign(ops.zeros(v.shape, dtype=v.dtype))

    def reset_states(self):
        """Keras 2's name for ``reset_state``."""
        self.reset_state()

    def update_state(self, *args, **kwargs):
        """Accumulate statistics from one batch."""
        raise NotImplementedError(f"{type(self).__name__} must implement update_state().")

    def result(self):
        """The metric value as a backend tensor (a scalar, or one value per class)."""
        raise NotImplementedError(f"{type(self).__name__} must implement result().")

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"
