"""``keras.layers.advanced_activations`` (Keras 1/2): its layers now live in ``cornu.layers``."""
from cornu.legacy.modules import reexport, warn_module

__all__ = reexport(globals(), "cornu.layers", [
    "LeakyReLU", "PReLU", "ELU", "ThresholdedReLU", "Softmax", "ReLU"])
warn_module("keras.layers.advanced_activations", "keras.layers")
