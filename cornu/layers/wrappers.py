"""``keras.layers.wrappers`` (Keras 1/2): its layers now live in ``cornu.layers``."""
from cornu.legacy.modules import reexport, warn_module

__all__ = reexport(globals(), "cornu.layers", ["Wrapper", "TimeDistributed", "Bidirectional"])
warn_module("keras.layers.wrappers", "keras.layers")
