"""Keras 2's lowercase optimizer names: ``keras.optimizers.rmsprop(lr=0.001)``.

Keras 2 exported ``sgd``, ``rmsprop``, ``adagrad``, ``adadelta``, ``adam``, ``adamax``
and ``nadam`` as aliases of the classes. In cornu those names are the submodules that
define the classes (``cornu/optimizers/rmsprop.py``), so calling one would be
``TypeError: 'module' object is not callable``. ``make_lowercase_aliases`` gives each
of these modules a ``__call__`` that builds its optimizer (with a DeprecationWarning
naming the class), while ``from keras.optimizers.rmsprop import RMSprop`` keeps
importing from the module as before. Keras 3 has neither the aliases nor a `__call__`.
"""
import sys
import types
import warnings


class _OptimizerModule(types.ModuleType):
    """A module that, called, builds the optimizer class it defines (Keras 2's alias)."""

    def __call__(self, *args, **kwargs):
        cls = self._keras2_alias_of
        name = self.__name__.rsplit(".", 1)[-1]
        warnings.warn(
            f"`keras.optimizers.{name}(...)` is a Keras 2 alias; Keras 3 spells it "
            f"`keras.optimizers.{cls.__name__}(...)`. cornu builds `{cls.__name__}`.",
            DeprecationWarning, stacklevel=2)
        return cls(*args, **kwargs)


def make_lowercase_aliases(classes):
    """Make the module of each optimizer class in ``classes`` callable as that class."""
    for cls in classes:
        module = sys.modules[cls.__module__]
        module.__class__ = _OptimizerModule
        module._keras2_alias_of = cls
