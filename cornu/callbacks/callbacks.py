"""``keras.callbacks.callbacks`` (Keras 2.3): the callbacks, now in ``keras.callbacks``."""
from cornu.legacy.modules import reexport, warn_module

__all__ = reexport(globals(), "cornu.callbacks", [
    "Callback", "CallbackList", "BaseLogger", "History", "ProgbarLogger", "ModelCheckpoint",
    "EarlyStopping", "RemoteMonitor", "LearningRateScheduler", "ReduceLROnPlateau",
    "CSVLogger", "LambdaCallback", "TerminateOnNaN", "TensorBoard"])
warn_module("keras.callbacks.callbacks", "keras.callbacks")
