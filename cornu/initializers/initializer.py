"""The Initializer base class."""
import inspect


class Initializer:
    """Base class of initializers: ``initializer(shape, dtype=None)`` -> a tensor.

    A subclass implements ``__call__``. Its configuration is the attributes
    named in ``_fields`` (so most subclasses need no ``get_config`` of their own);
    a subclass with other constructor arguments overrides ``get_config``.

    Example:

    >>> class Halves(Initializer):
    ...     def __call__(self, shape, dtype=None):
    ...         return cornu.ops.multiply(cornu.ops.ones(shape, dtype=dtype), 0.5)
    """

    _fields = ()

    def __call__(self, shape, dtype=None):
        raise NotImplementedError(
            f"{type(self).__name__} must implement `__call__(self, shape, dtype=None)`.")

    def get_config(self):
        """The constructor arguments, as a JSON-friendly dict."""
        return {name: getattr(self, name) for name in self._fields}

    @classmethod
    def from_config(cls, config):
        """An initializer made from ``get_config()``'s output."""
        config = dict(config)
        if "dtype" in config and "dtype" not in inspect.signature(cls).parameters:
            del config["dtype"]  # tf.keras 1.x configs carry a dtype; Keras 3 has none
        return cls(**config)

    def clone(self):
        """A new initializer of the same class and configuration."""
        return type(self).from_config(self.get_config())

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"
