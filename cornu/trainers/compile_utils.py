"""What ``compile`` turns its arguments into: one loss and one metric list per output."""
from cornu import backend, ops, tree


def _names_of(model):
    names = getattr(model, "output_names", None)
    if names:
        return list(names)
    return None


def _per_output(value, names, what):
    """Spread a single value, list or dict of ``what`` over the model's outputs."""
    if names is None or len(names) == 1:
        if isinstance(value, dict):
            if names and set(value) - set(names):
                raise ValueError(f"{what} keys {sorted(value)} do not match the model's output "
                                 f"names {names}.")
            return [value.get(names[0]) if names else next(iter(value.values()))]
        if isinstance(value, (list, tuple)) and what == "loss" and len(value) == 1:
            return [value[0]]
        return [value]
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(names))
        if unknown:
            raise ValueError(f"{what} has keys {unknown} that are not output names of the "
                             f"model; expected keys among {names}.")
        return [value.get(n) for n in names]
    if isinstance(value, (list, tuple)):
        if len(value) != len(names):
            raise ValueError(f"The model has {len(names)} outputs ({names}) but {what} is a "
                             f"list of {len(value)}. Pass one per output, or a dict keyed by "
                             "output name.")
        return list(value)
    return [value] * len(names)


def _is_sparse_target(y_true, y_pred):
    return len(y_true.shape) < len(y_pred.shape) or (
        len(y_true.shape) == len(y_pred.shape) and y_true.shape[-1] == 1
        and y_pred.shape[-1] != 1)


def resolve_metric(identifier, y_true, y_pred, loss):
    """A Metric for ``identifier``; 'accuracy' / 'acc' (and 'crossentropy') pick the
    binary, categorical or sparse version from the shapes, as Keras does."""
    from cornu import metrics
    if identifier in ("accuracy", "acc"):
        if y_pred.shape[-1] == 1 or _loss_name(loss) in ("binary_crossentropy",
                                                          "binary_focal_crossentropy"):
            return metrics.BinaryAccuracy(name=identifier)
        if _is_sparse_target(y_true, y_pred):
            return metrics.SparseCategoricalAccuracy(name=identifier)
        return metrics.CategoricalAccuracy(name=identifier)
    if identifier in ("crossentropy", "ce"):
        if y_pred.shape[-1] == 1:
            return metrics.BinaryCrossentropy(name=identifier)
        if _is_sparse_target(y_true, y_pred):
            return metrics.SparseCategoricalCrossentropy(name=identifier)
        return metrics.CategoricalCrossentropy(name=identifier)
    return metrics.get(identifier)


def _metric_name(identifier, metric):
    """A compiled metric's own name, as Keras gives it: the string it was named by
    (``"acc"`` stays ``"acc"``), else the function's or the Metric's name."""
    if isinstance(identifier, str):
        return identifier
    base = metric.__dict__.get("_compile_base_name")
    if base is None:  # remembered, since compiling renames the metric itself
        base = getattr(metric, "name", None) or getattr(identifier, "__name__", "metric")
        metric._compile_base_name = base
    return base


def _loss_name(loss):
    name = getattr(loss, "name", None) or getattr(loss, "__name__", None)
    fn = getattr(loss, "fn", None)
    if fn is not None:
        name = getattr(fn, "__name__", name)
    return name


def _as_loss(fn):
    """A Loss object (reducing over the batch) for a loss function or object."""
    from cornu import losses
    if isinstance(fn, losses.Loss):
        return fn
    return losses.LossFunctionWrapper(fn, name=getattr(fn, "__name__", None))


class CompileLoss:
    """The total loss: each output's loss times its weight, summed."""

    def __init__(self, loss, loss_weights=None, output_names=None):
        self._spec = loss
        self._weights_spec = loss_weights
        self.output_names = output_names
        self.built = False
        self.losses = None
        self.weights = None
        self.trackers = []

    def build(self, y_true, y_pred):
        from cornu import losses, metrics
        names = self.output_names
        n_out = len(tree.flatten(y_pred))
        if names is None or len(names) != n_out:
            names = [f"output_{i}" for i in range(n_out)] if n_out > 1 else names
        self.losses = [None if l is None else _as_loss(losses.get(l))
                       for l in _per_output(self._spec, names, "loss")]
        if self._weights_spec is None:
            self.weights = [1.0] * len(self.losses)
        else:
            self.weights = [1.0 if w is None else float(w) for w in
                            _per_output(self._weights_spec, names, "loss_weights")]
        if len(self.losses) > 1:
            self.trackers = [metrics.Mean(name=f"{n}_loss") if l is not None else None
                             for n, l in zip(names, self.losses)]
        self.built = True

    def __call__(self, y_true, y_pred, sample_weight=None):
        flat_pred = y_pred if isinstance(y_pred, list) else tree.flatten(y_pred)
        flat_true = y_true if isinstance(y_true, list) else tree.flatten(y_true)
        if not self.built:
            self.build(flat_true, flat_pred)
        if len(flat_true) != len(flat_pred):
            raise ValueError(f"The model has {len(flat_pred)} outputs but {len(flat_true)} "
                             "targets were given.")
        weights = sample_weight if isinstance(sample_weight, list) else [sample_weight] * len(
            flat_pred)
        total = None
        for i, (fn, w, yt, yp, sw) in enumerate(zip(self.losses, self.weights, flat_true,
                                                     flat_pred, weights)):
            if fn is None or yt is None:
                continue
            value = fn(yt, yp, sample_weight=sw) if sw is not None else fn(yt, yp)
            if self.trackers:  # weighted by batch size, like the total loss
                self.trackers[i].update_state(ops.stop_gradient(value), sample_weight=yp.shape[0])
            value = value if w == 1.0 else value * w
            total = value if total is None else total + value
        if total is None:
            total = ops.zeros(())
        return total


class CompileMetrics:
    """The compiled metrics of every output, named as Keras names them."""

    def __init__(self, metrics, weighted_metrics=None, output_names=None):
        self._spec = metrics
        self._weighted_spec = weighted_metrics
        self.output_names = output_names
        self.built = False
        self.per_output = []   # list of (metrics, weighted_metrics) per output

    def build(self, y_true, y_pred, losses=None):
        names = self.output_names
        n_out = len(y_pred)
        multi = n_out > 1
        if names is None or len(names) != n_out:
            names = [f"output_{i}" for i in range(n_out)] if multi else None
        specs = self._spread(self._spec, names, n_out)
        wspecs = self._spread(self._weighted_spec, names, n_out)
        self.per_output = [[] for _ in range(n_out)]
        self.ordered = []
        self.base_names = {}
        used = {}
        # Keras's names: "<output>_<metric>" for several outputs; a repeated name gets
        # "_1", "_2"...; a weighted metric whose name is taken gets "weighted_" before
        # the metric's name. The unweighted metrics of every output come first.
        for weighted, spread in ((False, specs), (True, wspecs)):
            for i in range(n_out):
                loss = losses[i] if losses else None
                for ident in spread[i] or []:
                    m = resolve_metric(ident, y_true[i], y_pred[i], loss)
                    base = _metric_name(ident, m)
                    prefix = f"{names[i]}_" if multi else ""
                    name = prefix + base
                    if name in used and weighted:
                        name = f"{prefix}weighted_{base}"
                    if name in used:
                        used[name] += 1
                        name = f"{name}_{used[name] - 1}"
                    else:
                        used[name] = 1
                    m.name = name
                    self.base_names[id(m)] = base
                    self.per_output[i].append((m, weighted))
                    self.ordered.append(m)
        self.built = True

    @staticmethod
    def _spread(spec, names, n_out):
        if spec is None:
            return [[] for _ in range(n_out)]
        if isinstance(spec, dict):
            if names is None:
                return [list(_as_list(next(iter(spec.values()))))]
            unknown = sorted(set(spec) - set(names))
            if unknown:
                raise ValueError(f"metrics has keys {unknown} that are not output names of the "
                                 f"model; expected keys among {names}.")
            return [_as_list(spec.get(n)) for n in names]
        spec = list(spec) if isinstance(spec, (list, tuple)) else [spec]
        if n_out == 1 and len(spec) == 1 and isinstance(spec[0], (list, tuple)):
            return [_as_list(spec[0])]  # metrics=[["mae"]] for a single output
        if n_out > 1 and spec and all(isinstance(s, (list, tuple)) or s is None for s in spec):
            if len(spec) != n_out:
                raise ValueError(f"metrics is a list of {len(spec)} lists but the model has "
                                 f"{n_out} outputs.")
            return [_as_list(s) for s in spec]
        return [spec for _ in range(n_out)]

    @property
    def metrics(self):
        """The metrics in Keras's order: every output's metrics, then the weighted ones."""
        return list(self.ordered) if self.built else []

    @property
    def has_metrics(self):
        """Whether ``compile`` was given any metric (built or not)."""
        return bool(_as_list(self._spec) or _as_list(self._weighted_spec))


    def update_state(self, y_true, y_pred, sample_weight=None, losses=None):
        if not self.built:
            self.build(y_true, y_pred, losses)
        weights = sample_weight if isinstance(sample_weight, list) else [sample_weight] * len(
            y_pred)
        for made, yt, yp, sw in zip(self.per_output, y_true, y_pred, weights):
            for m, weighted in made:
                if weighted and sw is not None:
                    m.update_state(yt, yp, sample_weight=sw)
                else:
                    m.update_state(yt, yp)


def _as_list(x):
    if x is None:
        return []
    return list(x) if isinstance(x, (list, tuple)) else [x]


def batch_size_of(x):
    leaf = x if backend.is_tensor(x) else tree.flatten(x)[0]
    return leaf.shape[0]


class PendingCompileMetrics:
    """Stands in ``model.metrics`` for the compiled metrics until their first update
    builds them (Keras lists its ``compile_metrics`` container there), so that a custom
    ``train_step`` doing ``for m in self.metrics: m.update_state(y, y_pred)`` updates them.

    Args:
        model: the compiled model.
    """

    name = "compile_metrics"

    def __init__(self, model):
        self._model = model

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Build the compiled metrics from this batch and update them."""
        self._model.compute_metrics(None, y_true, y_pred, sample_weight)

    def result(self):
        """``{metric name: value}`` of the compiled metrics (empty before they are built)."""
        return {m.name: m.result() for m in self._model._compile_metrics.metrics}

    def reset_state(self):
        """Reset the compiled metrics (nothing to reset before they are built)."""
        for m in self._model._compile_metrics.metrics:
            m.reset_state()
