"""History: the per-epoch logs of fit, returned by it."""
from cornu.callbacks.callback import Callback


class History(Callback):
    """Records each epoch's logs: ``history.history['loss']`` is a list per epoch."""

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)
        self.model.history = self
