"""cornu.callbacks: hooks into training (Keras 3's ``keras.callbacks``)."""
from cornu.callbacks.callback import Callback, CallbackList  # noqa: F401
from cornu.callbacks.history import History  # noqa: F401
from cornu.callbacks.progbar_logger import ProgbarLogger  # noqa: F401
