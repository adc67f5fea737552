"""Metrics that reduce values over batches: ``Sum``, ``Mean``, ``MeanMetricWrapper``."""
from cornu import ops
from cornu.losses.loss import apply_mask, get_keras_mask, squeeze_or_expand_to_same_rank
from cornu.metrics.metric import Metric


def add_to(variable, value):
    """``variable += value`` on the device; a Python number enters as a kernel
    argument instead of a host-to-device copy."""
    if isinstance(value, (int, float)):
        variable.assign(variable.value + value)
    else:
        variable.assign_add(value)


def reduce_to_samplewise_values(values, sample_weight, reduce_fn, dtype, mask=None):
    """One value per sample (and its weight): axes beyond the weights' rank are reduced
    with ``reduce_fn`` before weighting, the remaining non-batch axes after it."""
    values = ops.cast(values, dtype)
    if mask is not None:
        sample_weight = apply_mask(sample_weight, mask, dtype, reduction="sum")
    if isinstance(sample_weight, (int, float)):  # one weight for all: no tensor to copy over
        if len(values.shape) > 1:
            values = reduce_fn(values, axis=tuple(range(1, len(values.shape))))
        return values * sample_weight, sample_weight
    if sample_weight is not None:
        sample_weight = ops.cast(sample_weight, dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_ndim, values_ndim = len(sample_weight.shape), len(values.shape)
        if values_ndim == 0:  # one value for the whole batch (e.g. Dice over all axes)
            values = ops.broadcast_to(values, sample_weight.shape)
            values_ndim = weight_ndim
        if values_ndim > weight_ndim:
            values = reduce_fn(values, axis=tuple(range(weight_ndim, values_ndim)))
        sample_weight = ops.broadcast_to(sample_weight, values.shape)
        values = values * sample_weight
        if weight_ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=tuple(range(1, weight_ndim)))
    if len(values.shape) > 1:
        values = reduce_fn(values, axis=tuple(range(1, len(values.shape))))
    return values, sample_weight


class Sum(Metric):
    """The (weighted) sum of the values it is given.

    Args:
        name, dtype: as for ``cornu.metrics.Metric``.

    Example:

    >>> m = cornu.metrics.Sum()
    >>> m.update_state([1, 3, 5, 7])
    >>> m.result()  # 16.0
    """

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")

    def update_state(self, values, sample_weight=None):
        values, _ = reduce_to_samplewise_values(values, sample_weight, ops.sum, self.dtype)
        self.total.assign_add(ops.sum(values))

    def result(self):
        return ops.copy(self.total.value)


class Mean(Metric):
    """The (weighted) mean of the values it is given.

    Args:
        name, dtype: as for ``cornu.metrics.Metric``.

    Example:

    >>> m = cornu.metrics.Mean()
    >>> m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    >>> m.result()  # 2.0
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")

    def update_state(self, values, sample_weight=None, mask=None):
        values, sample_weight = reduce_to_samplewise_values(
            values, sample_weight, ops.mean, self.dtype, mask=mask)
        self.total.assign_add(ops.sum(values))
        num_samples = values.shape[0] if len(values.shape) else 1
        if sample_weight is None:
            add_to(self.count, num_samples)
        elif isinstance(sample_weight, (int, float)):
            add_to(self.count, sample_weight * num_samples)
        else:
            add_to(self.count, ops.sum(sample_weight))

    def result(self):
        return ops.divide_no_nan(self.total.value, self.count.value)

    def _add_weighted_scalar(self, value, weight):
        """``update_state(value, sample_weight=weight)`` for a scalar ``value`` and a Python
        number ``weight`` (the trainer's loss per batch), in two kernels."""
        self.total.assign_add(value * weight)
        self.count.assign_add(weight)


class MeanMetricWrapper(Mean):
    """The mean of ``fn(y_true, y_pred, **kwargs)`` over all samples seen.

    Any loss function can be a metric this way.

    Args:
        fn: a function returning per-sample values.
        name, dtype: as for ``cornu.metrics.Metric``.
        **kwargs: passed to ``fn``.

    Example:

    >>> m = cornu.metrics.MeanMetricWrapper(cornu.losses.huber, name="huber", delta=0.5)
    >>> m.update_state([[0., 1.]], [[1., 1.]])
    >>> m.result()  # 0.1875
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        mask = get_keras_mask(y_pred)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        out_mask = get_keras_mask(values)
        if out_mask is not None:
            mask = out_mask if mask is None else ops.logical_and(mask, out_mask)
        super().update_state(values, sample_weight=sample_weight, mask=mask)

    def get_config(self):
        config = super().get_config()
        if type(self) is MeanMetricWrapper:
            from cornu.saving.serialization import serialize_keras_object
            config["fn"] = serialize_keras_object(self._fn)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("fn"), (str, dict)):
            from cornu import metrics
            config["fn"] = metrics.deserialize_function(config["fn"])
        return cls(**config)
