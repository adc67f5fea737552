"""cornu.config: Keras 3's ``keras.config``."""
from cornu.backend.config import (  # noqa: F401
    backend, epsilon, floatx, image_data_format, set_epsilon, set_floatx,
    set_image_data_format,
)


def set_device(device):
    """Place new tensors and variables on ``device`` (``'cpu'``, ``'cuda'``)."""
    from cornu import backend as _backend
    _backend.set_device(device)


def get_device():
    """The device new tensors and variables go to."""
    from cornu import backend as _backend
    return _backend.get_device()


def enable_unsafe_deserialization():
    """Allow loading configs that hold code (a ``Lambda`` of a Python lambda, a pickled
    torch module). Only for files from a source you trust."""
    from cornu.saving import safe_mode
    safe_mode.enable_unsafe_deserialization()
