"""Image ops (``keras.ops.image``): resize, affine transforms, patches, colour spaces."""
from cornu import backend as _backend
from cornu.ops._dispatch import export as _export, make_op as _make_op

__all__ = _export(_backend.image, globals())
# These ops live only under cornu.ops.image, so a graph node records them by that path.
for _name in __all__:
    globals()[_name] = _make_op("image." + _name, getattr(_backend.image, _name))
del _name
