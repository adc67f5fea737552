"""``keras.layers.noise`` (Keras 1/2): its layers now live in ``cornu.layers``."""
from cornu.legacy.modules import reexport, warn_module

__all__ = reexport(globals(), "cornu.layers", ["GaussianNoise", "GaussianDropout", "AlphaDropout"])
warn_module("keras.layers.noise", "keras.layers")
