"""``keras.engine`` (Keras 1/2): the Layer and Model base classes, now in cornu.layers and
cornu.models."""
from cornu.layers import Input, InputLayer, InputSpec, Layer, Node  # noqa: F401
from cornu.legacy.modules import warn_module
from cornu.models import Functional, Model, Sequential  # noqa: F401

__all__ = ["Layer", "InputSpec", "Input", "InputLayer", "Node", "Model", "Sequential",
           "Functional"]
warn_module("keras.engine", "keras.layers` and `keras.models")
