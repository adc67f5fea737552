"""Watching a logged quantity: which direction is better, and by how much."""
import warnings

import numpy as np


class Monitor:
    """Compares values of ``monitor`` in ``mode`` 'min', 'max' or 'auto' (accuracy and
    AUC-like names are maximised, the rest minimised), with a ``min_delta`` margin."""

    def __init__(self, owner, monitor, mode="auto", min_delta=0.0):
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"{owner}: mode {mode!r} is unknown; expected 'auto', 'min' or 'max'. "
                          "Falling back to 'auto'.", stacklevel=3)
            mode = "auto"
        if mode == "auto":
            name = monitor[4:] if monitor.startswith("val_") else monitor
            mode = "max" if name.endswith(("acc", "accuracy", "auc")) or name in (
                "precision", "recall", "f1_score", "fbeta_score", "r2_score",
                "pearson_correlation", "concordance_correlation") else "min"
        self.owner = owner
        self.monitor = monitor
        self.mode = mode
        self.min_delta = abs(min_delta) if mode == "max" else -abs(min_delta)

    @property
    def worst(self):
        return -np.inf if self.mode == "max" else np.inf

    def improved(self, current, reference):
        """True when ``current`` beats ``reference`` by more than ``min_delta``."""
        if reference is None:
            return True
        current = current - self.min_delta
        return current > reference if self.mode == "max" else current < reference

    def get(self, logs):
        """The monitored value from ``logs``, or None with a warning naming what exists."""
        value = (logs or {}).get(self.monitor)
        if value is None:
            warnings.warn(
                f"{self.owner} is conditioned on metric `{self.monitor}`, which is not "
                f"available. Available metrics are: {', '.join(sorted(logs or {}))}.",
                stacklevel=3)
            return None
        return float(value)
