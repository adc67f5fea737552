"""Probabilistic and hinge metrics: the mean of the loss function of the same name."""
from cornu.losses.hinge_losses import categorical_hinge, hinge, squared_hinge
from cornu.losses.probabilistic import (
    binary_crossentropy, categorical_crossentropy, kl_divergence, poisson,
    sparse_categorical_crossentropy,
)
from cornu.metrics.reduction import MeanMetricWrapper


class KLDivergence(MeanMetricWrapper):
    """The mean Kullback-Leibler divergence ``y_true * log(y_true / y_pred)``.

    Args:
        name, dtype: as for ``cornu.metrics.Metric``.

    Example:

    >>> m = cornu.metrics.KLDivergence()
    >>> m.update_state([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
    >>> m.result()  # 0.458
    """

    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, name=name, dtype=dtype)


class Poisson(MeanMetricWrapper):
    """The mean Poisson loss ``y_pred - y_true * log(y_pred)``.

    Args:
        name, dtype: as for ``cornu.metrics.Metric``.

    Example:

    >>> m = cornu.metrics.Poisson()
    >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
    >>> m.result()  # 0.5
    """

    def __init__(self, name="poisson", dtype=None):
        super().__init__(poisson, name=name, dtype=dtype)


class BinaryCrossentropy(MeanMetricWrapper):
    """The mean binary cross-entropy between labels and predictions.

    Args:
        name, dtype: as for ``cornu.metrics.Metric``.
        from_logits: whether ``y_pred`` holds logits.
        label_smoothing: in [0, 1]; labels are squeezed towards 0.5 by this much.

    Example:

    >>> m = cornu.metrics.BinaryCrossentropy()
    >>> m.update_state([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
    >>> m.result()  # 0.8149
    """

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0):
        super().__init__(binary_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)


class CategoricalCrossentropy(MeanMetricWrapper):
    """The mean cross-entropy between one-hot labels and predicted distributions.

    Args:
        name, dtype: as for ``cornu.metrics.Metric``.
        from_logits: whether ``y_pred`` holds logits.
        label_smoothing: in [0, 1]; see ``cornu.losses.categorical_crossentropy``.
        axis: the class axis (default -1).

    Example:

    >>> m = cornu.metrics.CategoricalCrossentropy()
    >>> m.update_state([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    >>> m.result()  # 1.1769
    """

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0, axis=-1):
        super().__init__(categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """The mean cross-entropy between integer labels and predicted distributions.

    Args:
        name, dtype: as for ``cornu.metrics.Metric``.
        from_logits: whether ``y_pred`` holds logits.
        axis: the class axis (default -1).

    Example:

    >>> m = cornu.metrics.SparseCategoricalCrossentropy()
    >>> m.update_state([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    >>> m.result()  # 1.1769
    """

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False,
                 axis=-1):
        super().__init__(sparse_categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, axis=axis)


class Hinge(MeanMetricWrapper):
    """The mean hinge loss ``maximum(1 - y_true * y_pred, 0)`` (0/1 labels become -1/1).

    Args:
        name, dtype: as for ``cornu.metrics.Metric``.

    Example:

    >>> m = cornu.metrics.Hinge()
    >>> m.update_state([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
    >>> m.result()  # 1.3
    """

    def __init__(self, name="hinge", dtype=None):
        super().__init__(hinge, name=name, dtype=dtype)


class SquaredHinge(MeanMetricWrapper):
    """The mean squared hinge loss ``square(maximum(1 - y_true * y_pred, 0))``.

    Args:
        name, dtype: as for ``cornu.metrics.Metric``.

    Example:

    >>> m = cornu.metrics.SquaredHinge()
    >>> m.update_state([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
    >>> m.result()  # 1.86
    """

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, name=name, dtype=dtype)


class CategoricalHinge(MeanMetricWrapper):
    """The mean categorical hinge loss ``maximum(neg - pos + 1, 0)``.

    Args:
        name, dtype: as for ``cornu.metrics.Metric``.

    Example:

    >>> m = cornu.metrics.CategoricalHinge()
    >>> m.update_state([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
    >>> m.result()  # 1.4
    """

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, name=name, dtype=dtype)
