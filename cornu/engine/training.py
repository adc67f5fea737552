"""``keras.engine.training`` (Keras 2): re-exports of the modern classes."""
from cornu.legacy.modules import reexport, warn_module

__all__ = reexport(globals(), "cornu.engine", ["Model"])
warn_module("keras.engine.training", "keras.Model")
