"""``keras.layers.experimental.preprocessing`` (TF 2.3-2.5): now ``cornu.layers``."""
from cornu.layers import preprocessing as _preprocessing
from cornu.legacy.modules import reexport, warn_module

__all__ = reexport(globals(), "cornu.layers", list(_preprocessing.__all__))
warn_module("keras.layers.experimental.preprocessing", "keras.layers")
