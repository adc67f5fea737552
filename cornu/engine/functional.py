"""``keras.engine.functional`` (Keras 2): re-exports of the modern classes."""
from cornu.legacy.modules import reexport, warn_module

__all__ = reexport(globals(), "cornu.engine", ["Functional"])
warn_module("keras.engine.functional", "keras.Model")
