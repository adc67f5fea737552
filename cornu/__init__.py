"""cornu: the Keras API on PyTorch (and JAX).

``import cornu as keras`` and Keras programs run on a real tensor engine.
Submodules that a model does not need to run (datasets, callbacks, saving,
applications, ...) are imported on first use, to keep ``import cornu`` cheap.

Importing the engine creates about 260,000 long-lived Python objects. The
cyclic garbage collector is paused while they are made, and they are then moved
out of its sight (``gc.freeze()``): every later collection in the program would
otherwise walk them all again (allocating 300,000 small lists after import took
about 300 ms with them in sight, 60 ms without).
"""
import gc as _gc
import importlib

__version__ = "0.1.0"

_gc_was_enabled = _gc.isenabled()
_gc.disable()
try:
    from cornu import backend  # noqa: F401
    from cornu import config, ops, tree  # noqa: F401
    from cornu import activations, constraints, initializers, regularizers  # noqa: F401
    from cornu import layers, models, utils  # noqa: F401
    from cornu.backend import KerasTensor, Variable  # noqa: F401
    from cornu.layers import Input, InputSpec, Layer  # noqa: F401
    from cornu.models import Model, Sequential  # noqa: F401
    from cornu.initializers import Initializer  # noqa: F401
    from cornu.regularizers import Regularizer  # noqa: F401
finally:
    if _gc_was_enabled:
        _gc.enable()
_gc.freeze()

_LAZY = {"applications", "callbacks", "datasets", "engine", "legacy", "losses", "metrics", "optimizers",
         "preprocessing", "random", "saving", "trainers", "visualization",
         "wrappers", "distillation", "objectives", "export"}

# Keras's top-level names that live in a lazily imported module: name -> module.
_LAZY_NAMES = {
    "Loss": "cornu.losses", "Metric": "cornu.metrics", "Optimizer": "cornu.optimizers",
    "Function": "cornu._function", "StatelessScope": "cornu._scopes",
    "SymbolicScope": "cornu._scopes", "RematScope": "cornu._scopes", "remat": "cornu._scopes",
    "device": "cornu._scopes", "name_scope": "cornu._scopes",
}

# Keras's `Operation` is the base class of its layers and ops; in cornu an op applied to
# KerasTensors is a weightless Layer (`cornu.layers.OperationLayer`), so the base is Layer.
Operation = Layer


def version():
    """cornu's version string (``cornu.__version__``); Keras returns its own version here.

    Returns:
        str.
    """
    return __version__


def __getattr__(name):
    if name in _LAZY:
        module = importlib.import_module(f"cornu.{name}")
        globals()[name] = module
        return module
    if name in _LAZY_NAMES:
        value = getattr(importlib.import_module(_LAZY_NAMES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'cornu' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _LAZY | set(_LAZY_NAMES))
