"""``keras.engine.input_layer`` (Keras 2): re-exports of the modern classes."""
from cornu.legacy.modules import reexport, warn_module

__all__ = reexport(globals(), "cornu.engine", ["Input", "InputLayer"])
warn_module("keras.engine.input_layer", "keras.Input` / `keras.layers.InputLayer")
