"""Small callbacks: CSVLogger, TerminateOnNaN, LambdaCallback, RemoteMonitor, SwapEMAWeights."""
import csv
import json
import math
import os
import urllib.request
import warnings

from cornu.callbacks.callback import Callback


class CSVLogger(Callback):
    """Write each epoch's logs as a row of a CSV file.

    Args:
        filename: the CSV file.
        separator: the field separator.
        append: add to an existing file (its header is kept) instead of overwriting.
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = append
        self.keys = None
        self._file = None
        self._writer = None

    def on_train_begin(self, logs=None):
        exists = self.append and os.path.exists(self.filename) and os.path.getsize(
            self.filename) > 0
        self._header_written = exists
        if exists:
            with open(self.filename, newline="") as f:
                first = f.readline().strip()
            self.keys = first.split(self.sep)[1:] if first else None
        self._file = open(self.filename, "a" if self.append else "w", newline="")

    def on_epoch_end(self, epoch, logs=None):
        logs = dict(logs or {})
        if self.keys is None:
            self.keys = sorted(logs)
        if self._writer is None:
            self._writer = csv.DictWriter(self._file, fieldnames=["epoch"] + self.keys,
                                          delimiter=self.sep, extrasaction="ignore")
            if not self._header_written:
                self._writer.writeheader()
        row = {"epoch": epoch}
        row.update({k: logs.get(k, "NA") for k in self.keys})
        self._writer.writerow(row)
        self._file.flush()

    def on_train_end(self, logs=None):
        if self._file is not None:
            self._file.close()
        self._file = None
        self._writer = None


class TerminateOnNaN(Callback):
    """Stop training as soon as the loss is NaN or infinite."""

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


class LambdaCallback(Callback):
    """A callback made of functions: ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``.

    Accepts on_epoch_begin/end(epoch, logs), on_train_begin/end(logs),
    on_train_batch_begin/end(batch, logs) (and the Keras 2 on_batch_begin/end).
    """

    _HOOKS = ("on_epoch_begin", "on_epoch_end", "on_train_begin", "on_train_end",
              "on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end",
              "on_test_begin", "on_test_end", "on_predict_begin", "on_predict_end")

    def __init__(self, **hooks):
        super().__init__()
        for name, fn in hooks.items():
            if name not in self._HOOKS:
                from cornu.layers.layer import unknown_argument_error
                raise unknown_argument_error("LambdaCallback()", name, self._HOOKS)
            if fn is not None:
                setattr(self, name, _logs_positional(fn))


def _logs_positional(fn):
    """``fn`` called with its logs positionally: batch hooks receive ``logs=`` (as Keras
    passes them), which a function like ``lambda batch, l: ...`` would not accept."""
    import functools

    @functools.wraps(fn)
    def hook(*args, **kwargs):
        if "logs" in kwargs:
            args = args + (kwargs.pop("logs"),)
        return fn(*args, **kwargs)
    return hook


class RemoteMonitor(Callback):
    """POST each epoch's logs to a server (``root + path``) as a form field or JSON."""

    def __init__(self, root="http://localhost:9000", path="/publish/epoch/end/", field="data",
                 headers=None, send_as_json=False):
        super().__init__()
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers or {}
        self.send_as_json = send_as_json

    def on_epoch_end(self, epoch, logs=None):
        payload = {"epoch": epoch}
        payload.update({k: float(v) for k, v in (logs or {}).items()})
        if self.send_as_json:
            body = json.dumps(payload).encode()
            headers = dict(self.headers, **{"Content-Type": "application/json"})
        else:
            from urllib.parse import urlencode
            body = urlencode({self.field: json.dumps(payload)}).encode()
            headers = dict(self.headers)
        request = urllib.request.Request(self.root + self.path, data=body, headers=headers,
                                         method="POST")
        try:
            urllib.request.urlopen(request, timeout=10).close()
        except OSError as e:
            warnings.warn(f"RemoteMonitor could not reach {self.root + self.path}: {e}.",
                          stacklevel=2)


class SwapEMAWeights(Callback):
    """Evaluate (and, with ``swap_on_epoch``, checkpoint) with the optimizer's moving
    averages of the weights instead of the weights themselves (needs ``use_ema=True``)."""

    def __init__(self, swap_on_epoch=False):
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._swapped = False

    def _swap(self):
        optimizer = self.model.optimizer
        if not getattr(optimizer, "use_ema", False):
            raise ValueError("SwapEMAWeights needs an optimizer with `use_ema=True`.")
        optimizer.swap(self.model.trainable_weights) if hasattr(optimizer, "swap") else None
        self._swapped = not self._swapped

    def on_test_begin(self, logs=None):
        if not self._swapped:
            self._swap()

    def on_test_end(self, logs=None):
        if self._swapped:
            self._swap()

    def on_epoch_begin(self, epoch, logs=None):
        if self.swap_on_epoch and self._swapped:
            self._swap()

    def on_epoch_end(self, epoch, logs=None):
        if self.swap_on_epoch and not self._swapped:
            self._swap()
