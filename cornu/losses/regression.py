"""Regression losses: squared, absolute, percentage, logarithmic, Huber, log-cosh, cosine."""
import math

from cornu import backend, ops
from cornu.losses.loss import LossFunctionWrapper, squeeze_or_expand_to_same_rank


def _pair(y_true, y_pred):
    """Tensors of y_pred's dtype, ranks reconciled for a ``(N,)`` vs ``(N, 1)`` mismatch."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true, dtype=ops.dtype(y_pred))
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def l2_normalize(x, axis=-1):
    """``x / max(||x||_2, epsilon)`` along ``axis`` (zero vectors stay zero)."""
    norm = ops.sqrt(ops.sum(ops.square(x), axis=axis, keepdims=True))
    return x / ops.maximum(norm, backend.epsilon())


def mean_squared_error(y_true, y_pred):
    """``mean(square(y_true - y_pred), axis=-1)``.

    Example:

    >>> cornu.losses.mean_squared_error([[0., 1.]], [[1., 1.]])  # [0.5]
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return ops.mean(ops.square(y_true - y_pred), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """``mean(abs(y_true - y_pred), axis=-1)``."""
    y_true, y_pred = _pair(y_true, y_pred)
    return ops.mean(ops.abs(y_true - y_pred), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """``100 * mean(abs((y_true - y_pred) / max(abs(y_true), epsilon)), axis=-1)``."""
    y_true, y_pred = _pair(y_true, y_pred)
    diff = ops.abs((y_true - y_pred) / ops.maximum(ops.abs(y_true), backend.epsilon()))
    return 100.0 * ops.mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """``mean(square(log(y_true + 1) - log(y_pred + 1)), axis=-1)``, values below
    epsilon raised to epsilon."""
    y_true, y_pred = _pair(y_true, y_pred)
    eps = backend.epsilon()
    first = ops.log(ops.maximum(y_pred, eps) + 1.0)
    second = ops.log(ops.maximum(y_true, eps) + 1.0)
    return ops.mean(ops.square(first - second), axis=-1)


def cosine_similarity(y_true, y_pred, axis=-1):
    """``-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)``: -1 when aligned.

    Example:

    >>> cornu.losses.cosine_similarity([[0., 1.], [1., 1.]], [[1., 0.], [1., 1.]])
    ... # [-0., -1.]
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return -ops.sum(l2_normalize(y_true, axis) * l2_normalize(y_pred, axis), axis=axis)


def huber(y_true, y_pred, delta=1.0):
    """Mean over the last axis of ``0.5 * e**2`` where ``|e| <= delta``, else
    ``delta * |e| - 0.5 * delta**2``, with ``e = y_pred - y_true``."""
    y_true, y_pred = _pair(y_true, y_pred)
    error = y_pred - y_true
    abs_error = ops.abs(error)
    quadratic = 0.5 * ops.square(error)
    linear = delta * abs_error - 0.5 * delta * delta
    return ops.mean(ops.where(abs_error <= delta, quadratic, linear), axis=-1)


def log_cosh(y_true, y_pred):
    """``mean(log(cosh(y_pred - y_true)), axis=-1)``, computed without overflow."""
    y_true, y_pred = _pair(y_true, y_pred)
    x = y_pred - y_true
    return ops.mean(x + ops.softplus(-2.0 * x) - math.log(2.0), axis=-1)


class MeanSquaredError(LossFunctionWrapper):
    """The mean of squares of errors: ``mean(square(y_true - y_pred))``.

    Args:
        reduction, name, dtype: as for ``cornu.losses.Loss``.

    Example:

    >>> cornu.losses.MeanSquaredError()([[0., 1.], [0., 0.]], [[1., 1.], [1., 0.]])  # 0.5
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, reduction=reduction, dtype=dtype)


class MeanAbsoluteError(LossFunctionWrapper):
    """The mean of absolute errors: ``mean(abs(y_true - y_pred))``.

    Args:
        reduction, name, dtype: as for ``cornu.losses.Loss``.

    Example:

    >>> cornu.losses.MeanAbsoluteError()([[0., 1.], [0., 0.]], [[1., 1.], [1., 0.]])  # 0.5
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, reduction=reduction, dtype=dtype)


class MeanAbsolutePercentageError(LossFunctionWrapper):
    """``100 * mean(abs((y_true - y_pred) / y_true))``.

    Args:
        reduction, name, dtype: as for ``cornu.losses.Loss``.

    Example:

    >>> cornu.losses.MeanAbsolutePercentageError()([[2., 4.]], [[1., 4.]])  # 25.0
    """

    def __init__(self, reduction="sum_over_batch_size",
                 name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, name=name, reduction=reduction,
                         dtype=dtype)


class MeanSquaredLogarithmicError(LossFunctionWrapper):
    """``mean(square(log(y_true + 1) - log(y_pred + 1)))``.

    Args:
        reduction, name, dtype: as for ``cornu.losses.Loss``.

    Example:

    >>> cornu.losses.MeanSquaredLogarithmicError()([[0., 1.], [0., 0.]], [[1., 1.], [1., 0.]])
    ... # 0.240
    """

    def __init__(self, reduction="sum_over_batch_size",
                 name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(mean_squared_logarithmic_error, name=name, reduction=reduction,
                         dtype=dtype)


class CosineSimilarity(LossFunctionWrapper):
    """The negated cosine similarity: ``-sum(l2_norm(y_true) * l2_norm(y_pred))``.

    Args:
        axis: the axis along which the similarity is computed (default -1).
        reduction, name, dtype: as for ``cornu.losses.Loss``.

    Example:

    >>> cornu.losses.CosineSimilarity()([[0., 1.], [1., 1.]], [[1., 0.], [1., 1.]])  # -0.5
    """

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity",
                 dtype=None):
        super().__init__(cosine_similarity, name=name, reduction=reduction, dtype=dtype,
                         axis=axis)


class Huber(LossFunctionWrapper):
    """The Huber loss: quadratic for errors up to ``delta``, linear beyond.

    Args:
        delta: where the loss turns from quadratic to linear (default 1.0).
        reduction, name, dtype: as for ``cornu.losses.Loss``.

    Example:

    >>> cornu.losses.Huber()([[0., 1.], [0., 0.]], [[0.6, 0.4], [0.4, 0.6]])  # 0.155
    """

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss",
                 dtype=None):
        super().__init__(huber, name=name, reduction=reduction, dtype=dtype, delta=delta)


class LogCosh(LossFunctionWrapper):
    """``mean(log(cosh(y_pred - y_true)))``: like MSE for small errors, like MAE for
    large ones.

    Args:
        reduction, name, dtype: as for ``cornu.losses.Loss``.

    Example:

    >>> cornu.losses.LogCosh()([[0., 1.], [0., 0.]], [[1., 1.], [0., 0.]])  # 0.108
    """

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(log_cosh, name=name, reduction=reduction, dtype=dtype)
