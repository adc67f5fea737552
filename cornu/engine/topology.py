"""``keras.engine.topology`` (Keras 2): re-exports of the modern classes."""
from cornu.legacy.modules import reexport, warn_module

__all__ = reexport(globals(), "cornu.engine", [
    "Layer", "Input", "InputLayer", "InputSpec", "Node", "Model", "Functional"])
warn_module("keras.engine.topology", "keras.layers` and `keras.models")
