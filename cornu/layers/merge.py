"""``keras.layers.merge`` (Keras 1/2): its layers now live in ``cornu.layers``."""
from cornu.legacy.modules import reexport, warn_module

__all__ = reexport(globals(), "cornu.layers", [
    "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot",
    "add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate", "dot"])
warn_module("keras.layers.merge", "keras.layers")
