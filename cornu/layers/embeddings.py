"""``keras.layers.embeddings`` (Keras 1/2): its layers now live in ``cornu.layers``."""
from cornu.legacy.modules import reexport, warn_module

__all__ = reexport(globals(), "cornu.layers", ["Embedding"])
warn_module("keras.layers.embeddings", "keras.layers")
