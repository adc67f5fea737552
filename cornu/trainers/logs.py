"""The logs of fit / evaluate / predict: metric values read lazily, and made into
Python floats for callbacks and the progress bar."""
import numpy as np

from cornu import backend


def pythonify_logs(logs):
    """Logs as Python floats (arrays of several values stay numpy); nested dicts, such as
    a custom ``train_step``'s ``{"compile_metrics": {...}}``, are flattened."""
    out = {}
    for key, value in (logs or {}).items():
        if isinstance(value, dict):
            out.update(pythonify_logs(value))
            continue
        value = backend.convert_to_numpy(value)
        out[key] = float(value) if np.size(value) == 1 else np.asarray(value)
    return out


def metric_values(metrics):
    """``{name: result}`` of ``metrics``, flattening results that are dicts themselves."""
    out = {}
    for m in metrics:
        value = m.result()
        if isinstance(value, dict):
            out.update(value)
        else:
            out[m.name] = value
    return out


class LazyLogs(dict):
    """The logs of a step: each metric's ``result()`` is computed on first read, so
    steps whose logs nobody reads cost no extra kernels and no device sync."""

    def __init__(self, model):
        super().__init__()
        self._model = model
        self._filled = False

    def _fill(self):
        if not self._filled:
            self._filled = True
            for name, value in metric_values(self._model.metrics).items():
                dict.__setitem__(self, name, value)

    def __getitem__(self, key):
        self._fill()
        return dict.__getitem__(self, key)

    def __iter__(self):
        self._fill()
        return dict.__iter__(self)

    def __len__(self):
        self._fill()
        return dict.__len__(self)

    def __contains__(self, key):
        self._fill()
        return dict.__contains__(self, key)

    def get(self, key, default=None):
        self._fill()
        return dict.get(self, key, default)

    def keys(self):
        self._fill()
        return dict.keys(self)

    def items(self):
        self._fill()
        return dict.items(self)

    def values(self):
        self._fill()
        return dict.values(self)

    def __repr__(self):
        self._fill()
        return dict.__repr__(self)
