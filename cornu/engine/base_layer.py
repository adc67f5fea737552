"""``keras.engine.base_layer`` (Keras 2): re-exports of the modern classes."""
from cornu.legacy.modules import reexport, warn_module

__all__ = reexport(globals(), "cornu.engine", ["Layer", "InputSpec", "Node"])
warn_module("keras.engine.base_layer", "keras.layers.Layer")
