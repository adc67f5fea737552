"""Image ops (``keras.ops.image``): resize, affine transforms, patches, colour spaces."""
from cornu import backend as _backend
from cornu.ops._dispatch import export as _export

__all__ = _export(_backend.image, globals())
