"""``keras.layers.cudnn_recurrent`` (Keras 1/2): its layers now live in ``cornu.layers``."""
from cornu.legacy.modules import reexport, warn_module

__all__ = reexport(globals(), "cornu.layers", ["CuDNNGRU", "CuDNNLSTM"])
warn_module("keras.layers.cudnn_recurrent", "keras.layers")
