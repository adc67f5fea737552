"""cornu.callbacks: hooks into training (Keras 3's ``keras.callbacks``)."""
from cornu.callbacks.callback import Callback, CallbackList  # noqa: F401
from cornu.callbacks.checkpoints import BackupAndRestore, ModelCheckpoint  # noqa: F401
from cornu.callbacks.early_stopping import EarlyStopping  # noqa: F401
from cornu.callbacks.history import History  # noqa: F401
from cornu.callbacks.learning_rate import LearningRateScheduler, ReduceLROnPlateau  # noqa: F401
from cornu.callbacks.misc import (  # noqa: F401
    CSVLogger, LambdaCallback, RemoteMonitor, SwapEMAWeights, TerminateOnNaN,
)
from cornu.callbacks.orbax_checkpoint import OrbaxCheckpoint  # noqa: F401
from cornu.callbacks.progbar_logger import ProgbarLogger  # noqa: F401
from cornu.callbacks.tensorboard import TensorBoard  # noqa: F401
