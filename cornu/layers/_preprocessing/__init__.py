"""The preprocessing layers, one concept per module (re-exported by
``cornu.layers.preprocessing``)."""
from cornu.layers._preprocessing._augmentation import *  # noqa: F401,F403
from cornu.layers._preprocessing._augmentation import __all__ as _augmentation
from cornu.layers._preprocessing._categorical import *  # noqa: F401,F403
from cornu.layers._preprocessing._categorical import __all__ as _categorical
from cornu.layers._preprocessing._hashing import *  # noqa: F401,F403
from cornu.layers._preprocessing._hashing import __all__ as _hashing
from cornu.layers._preprocessing._image import *  # noqa: F401,F403
from cornu.layers._preprocessing._image import __all__ as _image
from cornu.layers._preprocessing._lookups import *  # noqa: F401,F403
from cornu.layers._preprocessing._lookups import __all__ as _lookups
from cornu.layers._preprocessing._normalization import *  # noqa: F401,F403
from cornu.layers._preprocessing._normalization import __all__ as _normalization
from cornu.layers._preprocessing._text_vectorization import *  # noqa: F401,F403
from cornu.layers._preprocessing._text_vectorization import __all__ as _text

__all__ = (_normalization + _image + _augmentation + _categorical + _hashing + _lookups
           + _text)
