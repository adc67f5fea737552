"""``keras.layers.local`` (Keras 1/2).

LocallyConnected1D / 2D were removed in Keras 3 and cornu has none; the module
imports, so that programs which import it without using them run.
"""
from cornu.legacy.modules import reexport, warn_module

__all__ = reexport(globals(), "cornu.layers", ["LocallyConnected1D", "LocallyConnected2D"])
warn_module("keras.layers.local", "keras.layers")
