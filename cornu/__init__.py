"""cornu: the Keras API on PyTorch (and JAX).

``import cornu as keras`` and Keras programs run on a real tensor engine.
Submodules that a model does not need to run (datasets, callbacks, saving,
applications, ...) are imported on first use, to keep ``import cornu`` cheap.
"""
import importlib

__version__ = "0.1.0"

from cornu import backend  # noqa: F401
from cornu import config, ops, tree  # noqa: F401
from cornu import activations, constraints, initializers, regularizers  # noqa: F401
from cornu import layers, models, utils  # noqa: F401
from cornu.backend import KerasTensor, Variable  # noqa: F401
from cornu.layers import Input, InputSpec, Layer  # noqa: F401
from cornu.models import Model, Sequential  # noqa: F401

_LAZY = {"applications", "callbacks", "datasets", "engine", "legacy", "losses", "metrics", "optimizers",
         "preprocessing", "random", "saving", "trainers", "visualization"}


def __getattr__(name):
    if name in _LAZY:
        module = importlib.import_module(f"cornu.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'cornu' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _LAZY)
