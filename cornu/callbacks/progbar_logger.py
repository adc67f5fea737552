"""ProgbarLogger: prints the progress bar during fit / evaluate / predict."""
from cornu.callbacks.callback import Callback
from cornu.utils.progbar import Progbar


class ProgbarLogger(Callback):
    """Prints ``Epoch i/n`` and a progress bar (verbose=1) or one line per epoch (2)."""

    def __init__(self, count_mode="steps"):
        super().__init__()
        self.verbose = 1
        self.epochs = 1
        self.progbar = None

    def set_params(self, params):
        super().set_params(params)
        self.verbose = params.get("verbose", 1)
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")

    def _start(self, target):
        self.progbar = Progbar(target=target, verbose=self.verbose)

    def on_epoch_begin(self, epoch, logs=None):
        if self.verbose and self.epochs > 1 or self.verbose and self.params.get("show_epoch"):
            print(f"Epoch {epoch + 1}/{self.epochs}", flush=True)
        self._start(self.target)

    def on_test_begin(self, logs=None):
        if self.progbar is None or self.params.get("mode") == "test":
            self._start(self.params.get("steps"))

    def on_predict_begin(self, logs=None):
        self._start(self.params.get("steps"))

    def progress(self, step, values=None, finalize=None):
        """Called by the trainer after each step; ``values`` is read only when drawn."""
        if self.verbose and self.progbar is not None:
            self.progbar.update(step, values, finalize=finalize)

    def on_epoch_end(self, epoch, logs=None):
        if self.verbose and self.progbar is not None:
            self.progbar.update(self.progbar._seen, list((logs or {}).items()), finalize=True)
