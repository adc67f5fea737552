"""``keras.optimizers.legacy``: the Keras 2 (TF 2.11+) optimizer names.

Difference from Keras: Keras 3 raises ImportError as soon as one of these is
constructed. cornu's promise is that old programs run, so each name here builds
the modern optimizer of the same name (``keras.optimizers.legacy.Adam(lr=0.01)`` is
``keras.optimizers.Adam(learning_rate=0.01)``) with a DeprecationWarning naming the
modern spelling. ``legacy.Optimizer`` is the modern `Optimizer` base class: a subclass
writes ``update_step(gradient, variable, learning_rate)``; Keras 2's
``_resource_apply_dense`` / ``get_updates`` hooks do not exist in Keras 3.
"""
import warnings

from cornu.optimizers.adagrad import Adagrad as _Adagrad
from cornu.optimizers.adam import Adam as _Adam
from cornu.optimizers.ftrl import Ftrl as _Ftrl
from cornu.optimizers.optimizer import Optimizer as _Optimizer
from cornu.optimizers.rmsprop import RMSprop as _RMSprop
from cornu.optimizers.sgd import SGD as _SGD


def _warn(name, stacklevel=3):
    warnings.warn(
        f"`keras.optimizers.legacy.{name}` is a Keras 2 name (Keras 3 has no legacy "
        f"optimizers); use `keras.optimizers.{name}` instead. cornu builds "
        f"`keras.optimizers.{name}` for it.", DeprecationWarning, stacklevel=stacklevel)


class _LegacyName(type):
    """Calling the class builds the modern optimizer; ``isinstance`` accepts it."""

    def __call__(cls, *args, **kwargs):
        _warn(cls.__name__, stacklevel=3)
        return cls._modern(*args, **kwargs)

    def __instancecheck__(cls, obj):
        return isinstance(obj, cls._modern)


def _legacy(modern):
    doc = (f"Keras 2's ``keras.optimizers.legacy.{modern.__name__}``: builds "
           f"``keras.optimizers.{modern.__name__}`` with the same arguments, with a "
           "DeprecationWarning.\n\n    Example:\n\n    >>> opt = cornu.optimizers.legacy."
           f"{modern.__name__}(learning_rate=0.01)  # a cornu.optimizers.{modern.__name__}\n")
    return _LegacyName(modern.__name__, (), {"_modern": modern, "__doc__": doc,
                                            "__module__": __name__})


Adagrad = _legacy(_Adagrad)
Adam = _legacy(_Adam)
Ftrl = _legacy(_Ftrl)
RMSprop = _legacy(_RMSprop)
SGD = _legacy(_SGD)


class Optimizer(_Optimizer):
    """Keras 2's ``keras.optimizers.legacy.Optimizer``: the modern `Optimizer` base
    class, with a DeprecationWarning when a subclass is constructed. Subclasses
    implement ``update_step(gradient, variable, learning_rate)``.

    Args:
        learning_rate, **kwargs: as for `cornu.optimizers.Optimizer`.

    Example:

    ```python
    class PlainSGD(cornu.optimizers.legacy.Optimizer):
        def update_step(self, gradient, variable, learning_rate):
            self.assign_sub(variable, gradient * learning_rate)
    ```
    """

    def __init__(self, *args, **kwargs):
        _warn("Optimizer")
        super().__init__(*args, **kwargs)


__all__ = ["Adagrad", "Adam", "Ftrl", "Optimizer", "RMSprop", "SGD"]
