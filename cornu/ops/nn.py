"""Neural-network ops (``keras.ops.nn``)."""
from cornu import backend as _backend
from cornu.ops._dispatch import export as _export

__all__ = _export(_backend.nn, globals())
