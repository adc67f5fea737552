"""Accuracy metrics: exact, binary, categorical, sparse, and top-k."""
from cornu import backend, ops
from cornu.losses.loss import squeeze_or_expand_to_same_rank
from cornu.metrics.reduction import MeanMetricWrapper


def _matches(a, b):
    return ops.cast(ops.equal(a, b), backend.floatx())


def accuracy(y_true, y_pred):
    """1.0 where ``y_pred`` equals ``y_true`` exactly, else 0.0.

    Example:

    >>> cornu.metrics.accuracy([[1], [2], [3], [4]], [[0], [2], [3], [4]])  # [[0], [1], [1], [1]]
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true, dtype=ops.dtype(y_pred))
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return _matches(y_true, y_pred)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where ``y_pred > threshold`` agrees with the 0/1 label, else 0.0.

    Example:

    >>> cornu.metrics.binary_accuracy([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])
    ... # [[1], [1], [1], [0]]
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true, dtype=ops.dtype(y_pred))
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return _matches(y_true, ops.cast(ops.greater(y_pred, threshold), ops.dtype(y_true)))


def _sparse_labels(y_true, y_pred):
    """Integer labels with a trailing axis of size 1 dropped (and a flag to put it back)."""
    y_true = ops.convert_to_tensor(y_true)
    if len(y_true.shape) == len(y_pred.shape) and y_true.shape[-1] == 1:
        return ops.squeeze(y_true, -1), True
    return y_true, False


def categorical_accuracy(y_true, y_pred):
    """1.0 where the argmax of ``y_pred`` is the argmax of the one-hot ``y_true``.

    Example:

    >>> cornu.metrics.categorical_accuracy([[0, 0, 1], [0, 1, 0]],
    ...                                    [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])  # [0, 1]
    """
    y_pred = ops.convert_to_tensor(y_pred)
    labels = ops.argmax(ops.convert_to_tensor(y_true), axis=-1)
    return _matches(labels, ops.argmax(y_pred, axis=-1))


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where the argmax of ``y_pred`` equals the integer label.

    Example:

    >>> cornu.metrics.sparse_categorical_accuracy([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
    ... # [0, 1]
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true, squeezed = _sparse_labels(y_true, y_pred)
    predicted = ops.argmax(y_pred, axis=-1)
    matches = _matches(ops.cast(y_true, ops.dtype(predicted)), predicted)
    if len(matches.shape) > 1 and matches.shape[-1] == 1:
        matches = ops.squeeze(matches, -1)
    return matches


def _in_top_k(labels, y_pred, k):
    """Whether each integer label's score is among the ``k`` largest of its row.

    A label ties with the k-th largest score counts as in the top k, as in Keras.
    """
    num_classes = y_pred.shape[-1]
    scores = ops.reshape(y_pred, (-1, num_classes))  # (B, C)
    labels = ops.reshape(ops.cast(labels, "int32"), (-1, 1))  # (B, 1)
    label_scores = ops.take_along_axis(scores, labels, axis=-1)[:, 0]
    kth_largest = ops.sort(scores, axis=-1)[:, max(num_classes - k, 0)]
    return ops.greater_equal(label_scores, kth_largest)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the one-hot target class is among the ``k`` highest predictions.

    Example:

    >>> cornu.metrics.top_k_categorical_accuracy([[0, 0, 1], [0, 1, 0]],
    ...     [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], k=1)  # [0, 1]
    """
    y_pred = ops.convert_to_tensor(y_pred)
    labels = ops.argmax(ops.convert_to_tensor(y_true), axis=-1)
    matches = ops.cast(_in_top_k(labels, y_pred, k), backend.floatx())
    return ops.reshape(matches, labels.shape)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1.0 where the integer label is among the ``k`` highest predictions.

    Args:
        from_sorted_ids: ``y_pred`` already holds class ids sorted by score
            (best first); a hit is the label among the first ``k`` ids.

    Example:

    >>> cornu.metrics.sparse_top_k_categorical_accuracy([2, 1],
    ...     [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], k=2)  # [1, 1]
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true, _ = _sparse_labels(y_true, y_pred)
    if from_sorted_ids:
        hits = ops.equal(ops.expand_dims(ops.cast(y_true, ops.dtype(y_pred)), -1),
                         y_pred[..., :k])
        return ops.cast(ops.any(hits, axis=-1), backend.floatx())
    matches = ops.cast(_in_top_k(y_true, y_pred, k), backend.floatx())
    return ops.reshape(matches, y_true.shape)


class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels exactly.

    Args:
        name, dtype: as for ``cornu.metrics.Metric``.

    Example:

    >>> m = cornu.metrics.Accuracy()
    >>> m.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]])
    >>> m.result()  # 0.75
    """

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often ``y_pred > threshold`` matches the binary labels.

    Args:
        name, dtype: as for ``cornu.metrics.Metric``.
        threshold: the decision threshold on ``y_pred`` (default 0.5).

    Example:

    >>> m = cornu.metrics.BinaryAccuracy()
    >>> m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])
    >>> m.result()  # 0.75
    """

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the predicted class (argmax) is the one-hot label's class.

    Args:
        name, dtype: as for ``cornu.metrics.Metric``.

    Example:

    >>> m = cornu.metrics.CategoricalAccuracy()
    >>> m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
    >>> m.result()  # 0.5
    """

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the predicted class (argmax) equals the integer label.

    Args:
        name, dtype: as for ``cornu.metrics.Metric``.

    Example:

    >>> m = cornu.metrics.SparseCategoricalAccuracy()
    >>> m.update_state([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
    >>> m.result()  # 0.5
    """

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label's class is among the ``k`` top predictions.

    Args:
        k: how many top predictions count (default 5).
        name, dtype: as for ``cornu.metrics.Metric``.

    Example:

    >>> m = cornu.metrics.TopKCategoricalAccuracy(k=1)
    >>> m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
    >>> m.result()  # 0.5
    """

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the ``k`` top predictions.

    Args:
        k: how many top predictions count (default 5).
        name, dtype: as for ``cornu.metrics.Metric``.
        from_sorted_ids: ``y_pred`` holds class ids sorted by score, best first.

    Example:

    >>> m = cornu.metrics.SparseTopKCategoricalAccuracy(k=1)
    >>> m.update_state([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
    >>> m.result()  # 0.5
    """

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None,
                 from_sorted_ids=False):
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=from_sorted_ids)
