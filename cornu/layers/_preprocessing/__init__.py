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

from cornu.layers._preprocessing._audio import *  # noqa: F401,F403
from cornu.layers._preprocessing._audio import __all__ as _audio
from cornu.layers._preprocessing._color import *  # noqa: F401,F403
from cornu.layers._preprocessing._color import __all__ as _color
from cornu.layers._preprocessing._cutout import *  # noqa: F401,F403
from cornu.layers._preprocessing._cutout import __all__ as _cutout
from cornu.layers._preprocessing._filters import *  # noqa: F401,F403
from cornu.layers._preprocessing._filters import __all__ as _filters
from cornu.layers._preprocessing._geometric import *  # noqa: F401,F403
from cornu.layers._preprocessing._geometric import __all__ as _geometric
from cornu.layers._preprocessing._pipeline import *  # noqa: F401,F403
from cornu.layers._preprocessing._pipeline import __all__ as _pipeline
from cornu.layers._preprocessing._policies import *  # noqa: F401,F403
from cornu.layers._preprocessing._policies import __all__ as _policies

__all__ = (_normalization + _image + _augmentation + _categorical + _hashing + _lookups
           + _text + _audio + _color + _cutout + _filters + _geometric + _pipeline
           + _policies)
