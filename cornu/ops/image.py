"""Image ops (``keras.ops.image``): resize, affine transforms, patches, colour spaces,
filters (Sobel, SSIM, elastic deformation) and scale-and-translate resampling."""
from cornu import backend as _backend
from cornu.ops._dispatch import backend_module as _backend_module, export as _export

# These ops live only under cornu.ops.image, so a graph node records them by that path.
__all__ = (_export(_backend.image, globals(), prefix="image.")
           + _export(_backend_module("image_filters"), globals(), prefix="image."))
