"""Overlap losses for segmentation (Dice, Tversky) and the sequence loss CTC."""
from cornu import backend, ops
from cornu.losses.loss import LossFunctionWrapper


def dice(y_true, y_pred, axis=None):
    """``1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred))`` over ``axis``
    (all axes when None).

    Example:

    >>> cornu.losses.dice([[1., 0.]], [[1., 1.]])  # 0.333
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, ops.dtype(y_pred))
    intersection = ops.sum(y_true * y_pred, axis=axis)
    total = ops.sum(y_true, axis=axis) + ops.sum(y_pred, axis=axis)
    return 1.0 - 2.0 * intersection / (total + backend.epsilon())


def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """``1 - TP / (TP + alpha * FN_weighted + beta * FP_weighted)`` over ``axis``.

    Keras weights ``sum((1 - y_pred) * y_true)`` by ``alpha`` and
    ``sum(y_pred * (1 - y_true))`` by ``beta``; alpha = beta = 0.5 gives Dice.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, ops.dtype(y_pred))
    intersection = ops.sum(y_true * y_pred, axis=axis)
    missed = ops.sum((1.0 - y_pred) * y_true, axis=axis)
    spurious = ops.sum(y_pred * (1.0 - y_true), axis=axis)
    denominator = intersection + alpha * missed + beta * spurious + backend.epsilon()
    return 1.0 - intersection / denominator


def ctc(y_true, y_pred):
    """Connectionist Temporal Classification loss, one value per sequence.

    Args:
        y_true: integer labels of shape ``(batch, max_label_length)``; 0 is the
            blank and pads the labels.
        y_pred: logits of shape ``(batch, timesteps, num_classes)`` (not softmaxed).
    """
    if len(y_true.shape) != 2:
        raise ValueError("CTC: y_true must be integer labels of shape (batch_size, "
                         f"max_length); received shape {tuple(y_true.shape)}.")
    if len(y_pred.shape) != 3:
        raise ValueError("CTC: y_pred must be logits of shape (batch_size, max_length, "
                         f"num_classes); received shape {tuple(y_pred.shape)}.")
    batch, timesteps = y_pred.shape[0], y_pred.shape[1]
    label_length = ops.cast(ops.sum(ops.cast(ops.not_equal(y_true, 0), "int32"), axis=-1),
                            "int32")
    input_length = ops.ones((batch,), dtype="int32") * timesteps
    return ops.ctc_loss(ops.cast(y_true, "int32"), y_pred, label_length, input_length,
                        mask_index=0)


class Dice(LossFunctionWrapper):
    """The Dice loss ``1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred))``.

    Args:
        reduction, name, dtype: as for ``cornu.losses.Loss``.
        axis: the axes summed over (None: all, giving one value for the batch).

    Example:

    >>> y_true = [[[[1.], [1.]], [[0.], [0.]]], [[[1.], [1.]], [[0.], [0.]]]]
    >>> y_pred = [[[[0.], [1.]], [[0.], [1.]]], [[[.4], [0.]], [[0.], [.9]]]]
    >>> cornu.losses.Dice(axis=(1, 2, 3), reduction=None)(y_true, y_pred)  # [0.5, 0.7576]
    """

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(dice, name=name, reduction=reduction, dtype=dtype, axis=axis)


class Tversky(LossFunctionWrapper):
    """The Tversky loss: Dice with separate weights for misses and false alarms.

    Args:
        alpha: weight of ``sum((1 - y_pred) * y_true)`` (default 0.5).
        beta: weight of ``sum(y_pred * (1 - y_true))`` (default 0.5).
        reduction, name, dtype: as for ``cornu.losses.Loss``.
        axis: the axes summed over (None: all).

    Example:

    >>> cornu.losses.Tversky(alpha=0.3, beta=0.7)([[1., 0.]], [[1., 1.]])  # 0.412
    """

    def __init__(self, alpha=0.5, beta=0.5, reduction="sum_over_batch_size", name="tversky",
                 axis=None, dtype=None):
        super().__init__(tversky, name=name, reduction=reduction, dtype=dtype, alpha=alpha,
                         beta=beta, axis=axis)


class CTC(LossFunctionWrapper):
    """Connectionist Temporal Classification loss for unsegmented sequence labels.

    ``y_true`` holds integer labels ``(batch, max_label_length)`` padded with 0
    (the blank); ``y_pred`` holds logits ``(batch, timesteps, num_classes)``.

    Args:
        reduction, name, dtype: as for ``cornu.losses.Loss``.

    Example:

    >>> cornu.losses.CTC()([[1, 2]], np.zeros((1, 5, 3)))
    """

    def __init__(self, reduction="sum_over_batch_size", name="ctc", dtype=None):
        super().__init__(ctc, name=name, reduction=reduction, dtype=dtype)
