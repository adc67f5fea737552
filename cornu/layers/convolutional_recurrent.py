"""``keras.layers.convolutional_recurrent`` (Keras 1/2): its layers now live in ``cornu.layers``."""
from cornu.legacy.modules import reexport, warn_module

__all__ = reexport(globals(), "cornu.layers", ["ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"])
warn_module("keras.layers.convolutional_recurrent", "keras.layers")
