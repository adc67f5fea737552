"""``keras.engine.input_spec`` (Keras 2): re-exports of the modern classes."""
from cornu.legacy.modules import reexport, warn_module

__all__ = reexport(globals(), "cornu.engine", ["InputSpec"])
warn_module("keras.engine.input_spec", "keras.layers.InputSpec")
