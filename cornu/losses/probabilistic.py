"""Probabilistic losses: cross-entropies (plain and focal), KL divergence, Poisson."""
import warnings

from cornu import backend, ops
from cornu.losses.loss import LossFunctionWrapper


def _pred_and_true(y_true, y_pred):
    y_pred = ops.convert_to_tensor(y_pred)
    return ops.cast(y_true, ops.dtype(y_pred)), y_pred


def _check_axis(axis, fn_name):
    if isinstance(axis, bool):
        raise ValueError(f"{fn_name}: `axis` must be an int; received axis={axis!r}.")


def _warn_one_class(y_pred, fn_name):
    if y_pred.shape and y_pred.shape[-1] == 1:
        warnings.warn(
            f"In loss {fn_name}, expected y_pred.shape to be (batch_size, num_classes) with "
            f"num_classes > 1. Received: y_pred.shape={tuple(y_pred.shape)}. Consider using "
            "'binary_crossentropy' if you only have 2 classes.", SyntaxWarning, stacklevel=3)


def _smooth_binary(y_true, label_smoothing):
    return y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing if label_smoothing else y_true


def _smooth_categorical(y_true, label_smoothing):
    if not label_smoothing:
        return y_true
    return y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[-1]


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary cross-entropy, averaged over ``axis``.

    Args:
        from_logits: whether ``y_pred`` holds logits rather than probabilities.
        label_smoothing: in [0, 1]; labels are squeezed towards 0.5 by this much.
        axis: the axis averaged over (default -1).

    Example:

    >>> cornu.losses.binary_crossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
    ... # [0.916, 0.714]
    """
    y_true, y_pred = _pred_and_true(y_true, y_pred)
    y_true = _smooth_binary(y_true, label_smoothing)
    return ops.mean(ops.binary_crossentropy(y_true, y_pred, from_logits=from_logits), axis=axis)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25,
                              gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary cross-entropy scaled by the focal factor ``(1 - p_t) ** gamma``.

    Args:
        apply_class_balancing: weight class 1 by ``alpha`` and class 0 by ``1 - alpha``.
        alpha: the class-1 weight when balancing (default 0.25).
        gamma: the focusing parameter (default 2.0); 0 gives plain cross-entropy.
        from_logits, label_smoothing, axis: as for ``binary_crossentropy``.

    Example:

    >>> cornu.losses.binary_focal_crossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
    ... # [0.330, 0.206]
    """
    y_true, y_pred = _pred_and_true(y_true, y_pred)
    y_true = _smooth_binary(y_true, label_smoothing)
    if from_logits:
        y_pred = ops.sigmoid(y_pred)
    bce = ops.binary_crossentropy(y_true, y_pred, from_logits=False)
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal_bce = ops.power(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal_bce = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal_bce
    return ops.mean(focal_bce, axis=axis)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Cross-entropy between one-hot (or soft) labels and predicted distributions.

    Args:
        from_logits: whether ``y_pred`` holds logits rather than probabilities.
        label_smoothing: in [0, 1]; with 0.1, targets become ``0.9 + 0.1 / num_classes``
            and the others ``0.1 / num_classes``.
        axis: the class axis (default -1).

    Example:

    >>> cornu.losses.categorical_crossentropy([[0, 1, 0], [0, 0, 1]],
    ...                                       [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    ... # [0.0513, 2.303]
    """
    _check_axis(axis, "categorical_crossentropy")
    y_true, y_pred = _pred_and_true(y_true, y_pred)
    _warn_one_class(y_pred, "categorical_crossentropy")
    y_true = _smooth_categorical(y_true, label_smoothing)
    return ops.categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    """Categorical cross-entropy with each class term scaled by
    ``alpha * (1 - p) ** gamma``.

    Args:
        alpha: a weight for all classes, a float or one float per class (default 0.25).
        gamma: the focusing parameter (default 2.0).
        from_logits, label_smoothing, axis: as for ``categorical_crossentropy``.

    Example:

    >>> cornu.losses.categorical_focal_crossentropy([[0, 1, 0], [0, 0, 1]],
    ...     [[0.05, 0.9, 0.05], [0.1, 0.85, 0.05]])  # [2.634e-04, 6.759e-01]
    """
    _check_axis(axis, "categorical_focal_crossentropy")
    y_true, y_pred = _pred_and_true(y_true, y_pred)
    _warn_one_class(y_pred, "categorical_focal_crossentropy")
    y_true = _smooth_categorical(y_true, label_smoothing)
    if from_logits:
        y_pred = ops.softmax(y_pred, axis=axis)
    eps = backend.epsilon()
    output = ops.clip(y_pred / ops.sum(y_pred, axis=axis, keepdims=True), eps, 1.0 - eps)
    cce = -y_true * ops.log(output)
    if isinstance(alpha, (list, tuple)):
        alpha = ops.convert_to_tensor(alpha, dtype=ops.dtype(output))
    focal = ops.power(1.0 - output, gamma) * alpha * cce
    return ops.sum(focal, axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    """Cross-entropy between integer labels and predicted distributions.

    Args:
        from_logits: whether ``y_pred`` holds logits rather than probabilities.
        ignore_class: a label (e.g. -1 or 255) whose entries get loss 0 and are
            masked out of the average.
        axis: the class axis (default -1).

    Example:

    >>> cornu.losses.sparse_categorical_crossentropy([1, 2],
    ...     [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])  # [0.0513, 2.303]
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true)
    if len(y_true.shape) == len(y_pred.shape) and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, -1)
    if ignore_class is None:
        return ops.sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits,
                                                   axis=axis)
    valid = ops.not_equal(y_true, ignore_class)
    y_true = y_true * ops.cast(valid, ops.dtype(y_true))
    y_pred = y_pred * ops.cast(ops.expand_dims(valid, -1), ops.dtype(y_pred))
    res = ops.sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)
    valid = ops.reshape(valid, res.shape)
    res = ops.where(valid, res, ops.zeros_like(res))
    res._keras_mask = valid
    return res


def kl_divergence(y_true, y_pred):
    """``sum(y_true * log(y_true / y_pred), axis=-1)``, both clipped to [epsilon, 1].

    Example:

    >>> cornu.losses.kl_divergence([[0., 1.]], [[0.4, 0.6]])  # [0.511]
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true, dtype=ops.dtype(y_pred))
    eps = backend.epsilon()
    y_true = ops.clip(y_true, eps, 1.0)
    y_pred = ops.clip(y_pred, eps, 1.0)
    return ops.sum(y_true * ops.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """``mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)``."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true, dtype=ops.dtype(y_pred))
    return ops.mean(y_pred - y_true * ops.log(y_pred + backend.epsilon()), axis=-1)


class BinaryCrossentropy(LossFunctionWrapper):
    """Cross-entropy for 0/1 labels against one probability (or logit) per label.

    Args:
        from_logits: whether ``y_pred`` holds logits (recommended) or probabilities.
        label_smoothing: in [0, 1]; labels are squeezed towards 0.5 by this much.
        axis: the axis averaged over (default -1).
        reduction, name, dtype: as for ``cornu.losses.Loss``.

    Example:

    >>> bce = cornu.losses.BinaryCrossentropy(from_logits=True)
    >>> bce([0, 1, 0, 0], [-18.6, 0.51, 2.94, -12.8])  # 0.865
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        super().__init__(binary_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class BinaryFocalCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy that down-weights easy examples by ``(1 - p_t) ** gamma``.

    Args:
        apply_class_balancing: weight class 1 by ``alpha`` and class 0 by ``1 - alpha``.
        alpha: the class-1 weight when balancing (default 0.25).
        gamma: the focusing parameter (default 2.0).
        from_logits, label_smoothing, axis: as for ``BinaryCrossentropy``.
        reduction, name, dtype: as for ``cornu.losses.Loss``.

    Example:

    >>> loss = cornu.losses.BinaryFocalCrossentropy(gamma=2, from_logits=True)
    >>> loss([0, 1, 0, 0], [-18.6, 0.51, 2.94, -12.8])  # 0.691
    """

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                 label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_focal_crossentropy", dtype=None):
        super().__init__(binary_focal_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class CategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy for one-hot labels against predicted class distributions.

    Args:
        from_logits: whether ``y_pred`` holds logits rather than probabilities.
        label_smoothing: in [0, 1]; see ``categorical_crossentropy``.
        axis: the class axis (default -1).
        reduction, name, dtype: as for ``cornu.losses.Loss``.

    Example:

    >>> cce = cornu.losses.CategoricalCrossentropy()
    >>> cce([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])  # 1.177
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        super().__init__(categorical_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class CategoricalFocalCrossentropy(LossFunctionWrapper):
    """Categorical cross-entropy with the focal factor ``alpha * (1 - p) ** gamma``.

    Args:
        alpha: a weight for all classes, or one per class (default 0.25).
        gamma: the focusing parameter (default 2.0).
        from_logits, label_smoothing, axis: as for ``CategoricalCrossentropy``.
        reduction, name, dtype: as for ``cornu.losses.Loss``.

    Example:

    >>> cfce = cornu.losses.CategoricalFocalCrossentropy()
    >>> cfce([[0., 1., 0.], [0., 0., 1.]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])  # 0.2332
    """

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_focal_crossentropy",
                 dtype=None):
        super().__init__(categorical_focal_crossentropy, name=name, reduction=reduction,
                         dtype=dtype, alpha=alpha, gamma=gamma, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy for integer labels against predicted class distributions.

    Args:
        from_logits: whether ``y_pred`` holds logits rather than probabilities.
        ignore_class: a label whose entries are left out of the loss (e.g. 255).
        reduction, name, dtype: as for ``cornu.losses.Loss``.

    Example:

    >>> scce = cornu.losses.SparseCategoricalCrossentropy()
    >>> scce([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])  # 1.177
    """

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, name=name, reduction=reduction,
                         dtype=dtype, from_logits=from_logits, ignore_class=ignore_class)


class KLDivergence(LossFunctionWrapper):
    """Kullback-Leibler divergence: ``y_true * log(y_true / y_pred)``.

    Args:
        reduction, name, dtype: as for ``cornu.losses.Loss``.

    Example:

    >>> cornu.losses.KLDivergence()([[0., 1.], [0., 0.]], [[0.6, 0.4], [0.4, 0.6]])  # 0.458
    """

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, name=name, reduction=reduction, dtype=dtype)


class Poisson(LossFunctionWrapper):
    """The Poisson loss: ``y_pred - y_true * log(y_pred)``.

    Args:
        reduction, name, dtype: as for ``cornu.losses.Loss``.

    Example:

    >>> cornu.losses.Poisson()([[0., 1.], [0., 0.]], [[1., 1.], [0., 0.]])  # 0.5
    """

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, name=name, reduction=reduction, dtype=dtype)


def categorical_generalized_cross_entropy(y_true, y_pred, q):
    """The generalized cross entropy (Zhang & Sabuncu, 2018,
    https://arxiv.org/abs/1805.07836): ``(1 - p^q) / q`` where ``p`` is the probability
    ``y_pred`` gives the true class. It tends to the cross entropy as ``q -> 0`` and to
    the mean absolute error at ``q = 1``, and is robust to noisy labels.

    Args:
        y_true: Integer class indices, shape ``(N,)`` or ``(N, 1)``.
        y_pred: Class probabilities, shape ``(N, num_classes)``.
        q: Float in (0, 1).

    Returns:
        The loss of each sample (the shape of ``y_true``).

    Example:

    >>> cornu.losses.categorical_generalized_cross_entropy(
    ...     [0, 1], [[0.7, 0.3], [0.2, 0.8]], q=0.5)  # [0.3267, 0.2111]
    """
    y_pred = ops.convert_to_tensor(y_pred)
    one_hot = ops.one_hot(ops.cast(y_true, "int32"), y_pred.shape[-1], dtype=ops.dtype(y_pred))
    p = ops.sum(y_pred * one_hot, axis=-1)  # the probability of the true class
    return (1 - ops.power(p, q)) / q


class CategoricalGeneralizedCrossEntropy(LossFunctionWrapper):
    """The generalized cross entropy between integer labels and class probabilities
    (see `categorical_generalized_cross_entropy`): a cross entropy robust to noisy labels.

    Args:
        q: Float in (0, 1). Near 0 it behaves as the cross entropy, near 1 as the mean
            absolute error. Defaults to 0.5.
        reduction, name, dtype: as for ``cornu.losses.Loss``.

    Example:

    >>> loss = cornu.losses.CategoricalGeneralizedCrossEntropy(q=0.5)
    >>> loss([0, 1], [[0.7, 0.3], [0.2, 0.8]])  # 0.2689
    """

    def __init__(self, q=0.5, reduction="sum_over_batch_size",
                 name="categorical_generalized_cross_entropy", dtype=None):
        if not 0 < q < 1:
            raise ValueError(f"Argument `q` must be in the interval (0, 1). Received: q={q}")
        super().__init__(categorical_generalized_cross_entropy, name=name, reduction=reduction,
                         dtype=dtype, q=q)
