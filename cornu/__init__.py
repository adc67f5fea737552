"""cornu: the Keras API on PyTorch (and JAX).

``import cornu as keras`` and Keras programs run on a real tensor engine.
"""
__version__ = "0.1.0"

from cornu import backend  # noqa: F401
from cornu import config, ops, tree  # noqa: F401
from cornu import activations, constraints, initializers, regularizers  # noqa: F401
from cornu import layers, models, utils  # noqa: F401
from cornu.backend import KerasTensor, Variable  # noqa: F401
from cornu.layers import Input, InputSpec, Layer  # noqa: F401
from cornu.models import Model, Sequential  # noqa: F401
