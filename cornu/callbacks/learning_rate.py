"""Callbacks that change the learning rate: LearningRateScheduler, ReduceLROnPlateau."""
import numpy as np

from cornu import backend
from cornu.callbacks.callback import Callback
from cornu.callbacks.monitor import Monitor


def _get_lr(model):
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not hasattr(optimizer, "learning_rate"):
        raise ValueError("This callback needs a compiled model whose optimizer has a "
                         "`learning_rate`. Call `model.compile(optimizer=...)` first.")
    return float(backend.convert_to_numpy(optimizer.learning_rate))


class LearningRateScheduler(Callback):
    """Set the learning rate at the start of each epoch from ``schedule(epoch, lr)``.

    Args:
        schedule: a function of the epoch index (and the current learning rate)
            returning the new learning rate.
        verbose: 1 prints each change.
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        lr = _get_lr(self.model)
        try:
            new = self.schedule(epoch, lr)
        except TypeError:  # a schedule of the epoch only (Keras 1 style)
            new = self.schedule(epoch)
        new = float(backend.convert_to_numpy(new)) if not isinstance(new, (int, float)) else new
        if not np.isfinite(new):
            raise ValueError(f"The learning rate schedule returned {new!r} for epoch {epoch}; "
                             "it must return a finite float.")
        self.model.optimizer.learning_rate = new
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {new}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = _get_lr(self.model)


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` when ``monitor`` stops improving.

    Args:
        monitor: the quantity to watch (default ``"val_loss"``).
        factor: the factor of the reduction (``new_lr = lr * factor``).
        patience: epochs without improvement before reducing.
        mode: ``"auto"``, ``"min"`` or ``"max"``.
        min_delta: the smallest change that counts as an improvement.
        cooldown: epochs to wait after a reduction before watching again.
        min_lr: the lower bound of the learning rate.
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0, **kwargs):
        super().__init__()
        if "epsilon" in kwargs:  # Keras 2 name of min_delta
            import warnings
            warnings.warn("`epsilon` is a Keras 2 argument of ReduceLROnPlateau; use "
                          "`min_delta` instead.", DeprecationWarning, stacklevel=2)
            min_delta = kwargs.pop("epsilon")
        if kwargs:
            from cornu.layers.layer import unknown_argument_error
            raise unknown_argument_error("ReduceLROnPlateau()", next(iter(kwargs)), [
                "monitor", "factor", "patience", "verbose", "mode", "min_delta", "cooldown",
                "min_lr"])
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1.0; received "
                             f"factor={factor}.")
        self.monitor = monitor
        self.factor = factor
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.min_lr = min_lr
        self.min_delta = min_delta
        self._watch = Monitor("ReduceLROnPlateau", monitor, mode, min_delta)
        self._reset()

    def _reset(self):
        self.best = None
        self.wait = 0
        self.cooldown_counter = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        logs["learning_rate"] = _get_lr(self.model)
        current = self._watch.get(logs)
        if current is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._watch.improved(current, self.best):
            self.best = current
            self.wait = 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old = _get_lr(self.model)
                if old > np.float32(self.min_lr):
                    new = max(old * self.factor, self.min_lr)
                    self.model.optimizer.learning_rate = new
                    if self.verbose > 0:
                        print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate "
                              f"to {new}.")
                    self.cooldown_counter = self.cooldown
                    self.wait = 0
