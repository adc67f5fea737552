"""The logs of fit / evaluate / predict: metric values read lazily, and made into
Python floats for callbacks and the progress bar."""
import numpy as np

from cornu import backend


def pythonify_logs(logs):
    """Logs as Python floats (arrays of several values stay numpy); nested dicts, such as
    a custom ``train_step``'s ``{"compile_metrics": {...}}``, are flattened. The keys are
    sorted, as Keras 3 sorts them: the progress bar, the History and ``evaluate(...,
    return_dict=True)`` list ``accuracy`` before ``loss``."""
    out = {}
    for key, value in sorted((logs or {}).items()):
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


# Attributes of the trainer itself that hold metrics it manages (not the user's).
_TRAINER_KEYS = frozenset({"_loss_tracker", "_metrics_cache"})


def attribute_metrics(obj):
    """The ``Metric`` objects set as attributes of ``obj`` (directly, or inside lists,
    tuples and dicts), in the order they were set: Keras 3 tracks these, so
    ``self.loss_tracker = Mean(name="loss")`` in a model's ``__init__`` shows in
    ``model.metrics`` and is reset at each epoch."""
    from cornu.metrics.metric import Metric
    found, seen = [], set()

    def visit(value):
        if isinstance(value, Metric):
            if id(value) not in seen:
                seen.add(id(value))
                found.append(value)
        elif isinstance(value, (list, tuple, dict)) and id(value) not in seen:
            seen.add(id(value))
            for v in (value.values() if isinstance(value, dict) else value):
                visit(v)
    for key, value in vars(obj).items():
        if key not in _TRAINER_KEYS:
            visit(value)
    return found


def ordered_names(order, keys):
    """``keys`` in the order Keras 3 lists results (``_flatten_metrics_in_order``): the
    names of ``order`` found in ``keys``, then the others sorted. Unlike Keras 3, a name
    met twice in ``order`` is listed once (Keras repeats its value in the list).

    Args:
        order: metric names in ``model.metrics`` order, a compiled metric by its own
            (unprefixed) name, as Keras's list has it.
        keys: the names to order (the keys of the logs).

    Returns:
        A list of names.
    """
    present = set(keys)
    out = list(dict.fromkeys(name for name in order if name in present))
    named = set(order)
    return out + sorted(k for k in present if k not in named)
