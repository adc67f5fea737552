"""The Keras 1/2 module paths (``keras.utils.np_utils``, ``keras.layers.recurrent``,
``keras.engine``, ...): thin modules that re-export the modern names and warn once,
when imported, with a DeprecationWarning naming the modern path."""
import importlib
import warnings


def warn_module(old, new):
    """Warn that module path ``old`` is Keras 1/2's; the warning points at the importer."""
    warnings.warn(f"`{old}` is a Keras 1/2 module path; use `{new}` instead.",
                  DeprecationWarning, stacklevel=3)


def reexport(namespace, source, names):
    """Bind the ``names`` that module ``source`` has into ``namespace``; return them (for
    ``__all__``). Names it lacks raise, when asked for, an error naming the module."""
    module = importlib.import_module(source)
    present = [n for n in names if hasattr(module, n)]
    for name in present:
        namespace[name] = getattr(module, name)
    missing = set(names) - set(present)
    old = namespace["__name__"]

    def __getattr__(name):
        if name in missing:
            raise AttributeError(f"`{old}.{name}` is not available in cornu: `{source}` has no "
                                 f"{name}.")
        raise AttributeError(f"module {old!r} has no attribute {name!r}")
    namespace["__getattr__"] = __getattr__
    return present
