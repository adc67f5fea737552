"""Neural-network ops (``keras.ops.nn``)."""
from cornu import backend as _backend
from cornu.ops._dispatch import backend_module as _backend_module, export as _export

__all__ = _export(_backend.nn, globals()) + _export(_backend_module("blocks"), globals())
