"""Linear algebra ops (``keras.ops.linalg``), also exposed at the top of ``cornu.ops``."""
from cornu import backend as _backend
from cornu.ops._dispatch import export as _export

__all__ = _export(_backend.linalg, globals())
