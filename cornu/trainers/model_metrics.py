"""The metrics of a model: which, in what order, and their values.

Keras 3's order: the loss tracker, the compiled metrics, the per-output loss
trackers, the metrics set as attributes of the model (a custom ``train_step``'s
``self.loss_tracker``), then those set as attributes of its layers.
"""
import sys

from cornu.trainers import compile_utils
from cornu.trainers.logs import LazyLogs, attribute_metrics, ordered_names
from cornu.trainers.logs import metric_values as _metric_values



def _holds_metrics(value):
    """A metric, or a container that may hold some. (No metric can exist before
    cornu.metrics is imported, so `import cornu` does not have to import it.)"""
    if isinstance(value, (list, tuple, dict)):
        return True
    metric = sys.modules.get("cornu.metrics.metric")
    return metric is not None and isinstance(value, metric.Metric)


class ModelMetrics:
    """``metrics``, ``metrics_names``, ``reset_metrics`` and ``get_metrics_result`` of
    ``Model`` (mixed into ``Trainer``)."""

    def __setattr__(self, name, value):
        # A metric (or a list / dict of them) set after `metrics` was cached, e.g.
        # `model.extra = Mean()` after fit(), is tracked too: drop the cache.
        if name != "_metrics_cache" and _holds_metrics(value):
            self.__dict__.pop("_metrics_cache", None)
        super().__setattr__(name, value)

    @property
    def metrics(self):
        """The model's metrics, in Keras 3's order: the loss tracker, the compiled metrics,
        the per-output loss trackers, the metrics set as attributes of the model (a custom
        ``train_step``'s ``self.loss_tracker``), then those of its layers.

        Unlike Keras 3, the compiled metrics are listed one by one once built (Keras lists
        one ``compile_metrics`` container); before that a stand-in named
        ``compile_metrics`` holds their place, as Keras's container does.
        """
        cached = self.__dict__.get("_metrics_cache")
        if cached is not None:
            return cached
        out = []
        if self._loss_tracker is not None:
            out.append(self._loss_tracker)
        if self._compile_metrics is not None and self._compile_metrics.built:
            out.extend(self._compile_metrics.metrics)
        elif self._compile_metrics is not None and self._compile_metrics.has_metrics:
            # Keras lists its metrics container here before the first update builds it,
            # so a custom train_step looping over `self.metrics` updates them.
            out.append(compile_utils.PendingCompileMetrics(self))
        if self._compile_loss is not None and self._compile_loss.built:
            out.extend(t for t in self._compile_loss.trackers if t is not None)
        out.extend(m for m in attribute_metrics(self) if m not in out)
        for layer in self._flatten_layers(include_self=False):
            if not isinstance(layer, ModelMetrics):  # a nested model's are its own
                out.extend(m for m in attribute_metrics(layer) if m not in out)
        if self.compiled and all(part is None or part.built for part in (
                self._compile_metrics, self._compile_loss)):
            self._metrics_cache = out  # complete: cache until the next compile
        return out

    def _keras_metric_order(self):
        """The names Keras 3 orders results by: each metric's name, a compiled metric's
        own name without its output prefix."""
        base = self._compile_metrics.base_names if (
            self._compile_metrics is not None and self._compile_metrics.built) else {}
        return [base.get(id(m), m.name) for m in self.metrics]

    @property
    def metrics_names(self):
        """The names of the values ``evaluate()`` returns, in the same order.

        Keras 3 returns ``[m.name for m in model.metrics]`` (``['loss',
        'compile_metrics']``); cornu lists the compiled metrics one by one, in the order
        of ``evaluate``'s list, as Keras 2 did, so ``zip(model.metrics_names,
        model.evaluate(x, y))`` pairs each name with its value.
        """
        names = [m.name for m in self.metrics]
        if not (self._compile_metrics is not None and self._compile_metrics.built):
            return names
        return ordered_names(self._keras_metric_order(), dict.fromkeys(names))

    def reset_metrics(self):
        """Reset the state of every metric of the model."""
        for m in self.metrics:
            m.reset_state()

    def get_metrics_result(self):
        """The current value of every metric, as a dict of tensors."""
        return _metric_values(self.metrics)

    def _get_metrics_result_or_logs(self, logs):
        """The metrics' values when ``logs`` (what a step returned) has the same keys;
        otherwise ``logs`` itself (a custom ``train_step`` returning its own dict)."""
        metric_logs = self.get_metrics_result()
        if isinstance(logs, dict) and set(logs) == set(metric_logs):
            return metric_logs
        return logs if isinstance(logs, dict) else metric_logs

    def _lazy_metrics_result(self):
        """``get_metrics_result`` computed only when read (no work on steps nobody reads)."""
        return LazyLogs(self)

    def _format_results(self, logs, return_dict):
        if return_dict:
            return logs
        values = [logs[name] for name in ordered_names(self._keras_metric_order(), logs)]
        return values[0] if len(values) == 1 else values
