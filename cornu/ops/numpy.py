"""numpy-like ops (``keras.ops.numpy``)."""
from cornu import backend as _backend
from cornu.ops._dispatch import export as _export

__all__ = _export(_backend.numpy, globals())
