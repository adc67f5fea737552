"""Correlation metrics: Pearson's and Lin's concordance coefficients."""
from cornu import backend, ops
from cornu.losses.loss import squeeze_or_expand_to_same_rank
from cornu.metrics.reduction import MeanMetricWrapper


def _prepare(y_true, y_pred):
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true, dtype=ops.dtype(y_pred))
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def pearson_correlation(y_true, y_pred, axis=-1):
    """Pearson's correlation coefficient of ``y_true`` and ``y_pred`` along ``axis``:
    ``mean(z(y_true) * z(y_pred), axis)`` with ``z(x) = (x - mean(x)) / std(x)``.

    Args:
        y_true: Tensor of true values.
        y_pred: Tensor of predicted values.
        axis: Int or tuple of ints. The axis along which to correlate. Defaults to -1.

    Returns:
        The coefficients: ``y_pred``'s shape without ``axis``.

    Example:

    >>> cornu.metrics.pearson_correlation([[0, 1, 0.5], [1, 1, 0.2]],
    ...                                   [[0.1, 0.9, 0.5], [1, 0.9, 0.2]])  # [1., 0.9934]
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    y_true = y_true - ops.mean(y_true, axis=axis, keepdims=True)
    y_pred = y_pred - ops.mean(y_pred, axis=axis, keepdims=True)
    y_true = y_true / ops.std(y_true, axis=axis, keepdims=True)
    y_pred = y_pred / ops.std(y_pred, axis=axis, keepdims=True)
    return ops.mean(y_true * y_pred, axis=axis)


def concordance_correlation(y_true, y_pred, axis=-1):
    """Lin's concordance correlation coefficient of ``y_true`` and ``y_pred`` along
    ``axis``: ``mean(2 * (y_true - mean(y_pred)) * (y_pred - mean(y_pred)) /
    (var(y_true) + var(y_pred) + (mean(y_true) - mean(y_pred))^2 + epsilon), axis)``.

    Keras 3.15.1 centres ``y_true`` on ``mean(y_pred)`` in the numerator (Lin's
    coefficient centres it on ``mean(y_true)``); cornu keeps Keras's formula, so values
    and saved metrics agree with Keras.

    Args:
        y_true: Tensor of true values.
        y_pred: Tensor of predicted values.
        axis: Int or tuple of ints. The axis along which to compare. Defaults to -1.

    Returns:
        The coefficients: ``y_pred``'s shape without ``axis``.

    Example:

    >>> cornu.metrics.concordance_correlation([[0, 1, 0.5], [1, 1, 0.2]],
    ...                                       [[0.1, 0.9, 0.5], [1, 0.9, 0.2]])  # [0.9756, 0.9877]
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    true_mean = ops.mean(y_true, axis=axis, keepdims=True)
    pred_mean = ops.mean(y_pred, axis=axis, keepdims=True)
    true_var = ops.var(y_true - true_mean, axis=axis, keepdims=True)
    pred_var = ops.var(y_pred - pred_mean, axis=axis, keepdims=True)
    covariance = (y_true - pred_mean) * (y_pred - pred_mean)
    norm = true_var + pred_var + ops.square(true_mean - pred_mean)
    return ops.mean(2 * covariance / (norm + backend.epsilon()), axis=axis)


class _Correlation(MeanMetricWrapper):
    """A coefficient per sample (per row along ``axis``), averaged over all batches."""

    _function = None

    def __init__(self, name, dtype=None, axis=-1):
        super().__init__(type(self)._function, name=name, dtype=dtype, axis=axis)
        self.axis = axis
        self._direction = "up"  # larger is better (for callbacks' mode="auto")

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}


class PearsonCorrelation(_Correlation):
    """The mean over all samples seen of Pearson's correlation coefficient of
    ``y_true`` and ``y_pred`` along ``axis`` (see `pearson_correlation`).

    As in Keras, ``update_state`` computes one coefficient per sample of each batch
    and the metric averages them (weighted by ``sample_weight``) over every batch; it is
    not the coefficient of all batches pooled together. With ``axis=0`` there is one
    coefficient per feature of each batch, and ``sample_weight`` cannot apply.

    Args:
        name: String. Defaults to "pearson_correlation".
        dtype: The dtype of the result.
        axis: Int or tuple of ints. Defaults to -1.

    Example:

    >>> m = cornu.metrics.PearsonCorrelation()
    >>> m.update_state([[0, 1, 0.5], [1, 1, 0.2]], [[0.1, 0.9, 0.5], [1, 0.9, 0.2]])
    >>> m.result()  # 0.9967
    """

    _function = staticmethod(pearson_correlation)

    def __init__(self, name="pearson_correlation", dtype=None, axis=-1):
        super().__init__(name=name, dtype=dtype, axis=axis)


class ConcordanceCorrelation(_Correlation):
    """The mean over all samples seen of the concordance correlation coefficient of
    ``y_true`` and ``y_pred`` along ``axis`` (see `concordance_correlation`, which says
    how Keras's formula differs from Lin's).

    Averaged per sample over batches as `PearsonCorrelation` is.

    Args:
        name: String. Defaults to "concordance_correlation".
        dtype: The dtype of the result.
        axis: Int or tuple of ints. Defaults to -1.

    Example:

    >>> m = cornu.metrics.ConcordanceCorrelation()
    >>> m.update_state([[0, 1, 0.5], [1, 1, 0.2]], [[0.1, 0.9, 0.5], [1, 0.9, 0.2]])
    >>> m.result()  # 0.9816
    """

    _function = staticmethod(concordance_correlation)

    def __init__(self, name="concordance_correlation", dtype=None, axis=-1):
        super().__init__(name=name, dtype=dtype, axis=axis)
