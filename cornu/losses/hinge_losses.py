"""Hinge losses for -1/1 (or 0/1) labels: hinge, squared hinge, categorical hinge."""
from cornu import ops
from cornu.losses.loss import LossFunctionWrapper


def convert_binary_labels_to_hinge(y_true):
    """0/1 labels become -1/1; labels already in another form are left as they are.

    Decided on the device (``where``), so no value is read back to the host.
    """
    is_binary = ops.all(ops.logical_or(ops.equal(y_true, 0), ops.equal(y_true, 1)))
    return ops.where(is_binary, 2.0 * y_true - 1.0, y_true)


def _labels_and_pred(y_true, y_pred):
    y_pred = ops.convert_to_tensor(y_pred)
    return convert_binary_labels_to_hinge(ops.cast(y_true, ops.dtype(y_pred))), y_pred


def hinge(y_true, y_pred):
    """``mean(maximum(1 - y_true * y_pred, 0), axis=-1)``; 0/1 labels become -1/1.

    Example:

    >>> cornu.losses.hinge([[0., 1.]], [[0.6, 0.4]])  # [1.1]
    """
    y_true, y_pred = _labels_and_pred(y_true, y_pred)
    return ops.mean(ops.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    """``mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)``; 0/1 labels become -1/1."""
    y_true, y_pred = _labels_and_pred(y_true, y_pred)
    return ops.mean(ops.square(ops.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true, y_pred):
    """``maximum(neg - pos + 1, 0)`` with ``pos = sum(y_true * y_pred)`` and
    ``neg = max((1 - y_true) * y_pred)`` over the last axis; one-hot labels."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, ops.dtype(y_pred))
    pos = ops.sum(y_true * y_pred, axis=-1)
    neg = ops.max((1.0 - y_true) * y_pred, axis=-1)
    return ops.maximum(neg - pos + 1.0, 0.0)


class Hinge(LossFunctionWrapper):
    """The hinge loss ``maximum(1 - y_true * y_pred, 0)`` for -1/1 labels (0/1 labels
    are converted).

    Args:
        reduction, name, dtype: as for ``cornu.losses.Loss``.

    Example:

    >>> cornu.losses.Hinge()([[0., 1.], [0., 0.]], [[0.6, 0.4], [0.4, 0.6]])  # 1.3
    """

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, name=name, reduction=reduction, dtype=dtype)


class SquaredHinge(LossFunctionWrapper):
    """The squared hinge loss ``square(maximum(1 - y_true * y_pred, 0))``.

    Args:
        reduction, name, dtype: as for ``cornu.losses.Loss``.

    Example:

    >>> cornu.losses.SquaredHinge()([[0., 1.], [0., 0.]], [[0.6, 0.4], [0.4, 0.6]])  # 1.86
    """

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, name=name, reduction=reduction, dtype=dtype)


class CategoricalHinge(LossFunctionWrapper):
    """The categorical hinge loss ``maximum(neg - pos + 1, 0)`` for one-hot labels.

    Args:
        reduction, name, dtype: as for ``cornu.losses.Loss``.

    Example:

    >>> cornu.losses.CategoricalHinge()([[0., 1.], [0., 0.]], [[0.6, 0.4], [0.4, 0.6]])  # 1.4
    """

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, name=name, reduction=reduction, dtype=dtype)
