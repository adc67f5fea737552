"""``keras.layers.experimental`` (TF 2.3-2.5): its layers now live in ``cornu.layers``."""
from cornu.legacy.modules import warn_module

warn_module("keras.layers.experimental", "keras.layers")
