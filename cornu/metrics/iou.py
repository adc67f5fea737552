"""Intersection-over-union metrics from an accumulated class confusion matrix."""
from cornu import backend, ops
from cornu.metrics.metric import Metric


def confusion_matrix(labels, predictions, num_classes, weights=None, dtype="float32"):
    """The ``(num_classes, num_classes)`` matrix of (weighted) counts, rows indexed by
    the true label and columns by the predicted one; out-of-range ids are dropped."""
    true_hot = ops.one_hot(ops.cast(labels, "int32"), num_classes, dtype=dtype)  # (M, C)
    pred_hot = ops.one_hot(ops.cast(predictions, "int32"), num_classes, dtype=dtype)  # (M, C)
    if weights is not None:
        pred_hot = pred_hot * ops.expand_dims(ops.cast(weights, dtype), -1)
    return ops.matmul(ops.transpose(true_hot), pred_hot)


class _IoUBase(Metric):
    """Accumulates the confusion matrix the IoU metrics are computed from."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(name=name, dtype=dtype or "float32")
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_variable((num_classes, num_classes), "zeros",
                                          name="total_confusion_matrix")

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not self.sparse_y_true:
            y_true = ops.argmax(y_true, axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = ops.argmax(y_pred, axis=self.axis)
        y_true = ops.convert_to_tensor(y_true, dtype=self.dtype)
        if sample_weight is None:
            sample_weight = ops.ones_like(y_true)
        else:  # a weight per entry, or per sample (leading axis) for N-D labels
            sample_weight = ops.convert_to_tensor(sample_weight, dtype=self.dtype)
            extra = len(y_true.shape) - len(sample_weight.shape)
            if extra > 0 and len(sample_weight.shape) > 0:
                sample_weight = ops.reshape(sample_weight,
                                            tuple(sample_weight.shape) + (1,) * extra)
            sample_weight = ops.broadcast_to(sample_weight, y_true.shape)
        y_true = ops.reshape(y_true, (-1,))
        y_pred = ops.reshape(ops.convert_to_tensor(y_pred, dtype=self.dtype), (-1,))
        sample_weight = ops.reshape(sample_weight, (-1,))
        if self.ignore_class is not None:
            valid = ops.cast(ops.not_equal(y_true, self.ignore_class), self.dtype)
            y_true, y_pred, sample_weight = y_true * valid, y_pred * valid, sample_weight * valid
        self.total_cm.assign_add(confusion_matrix(y_true, y_pred, self.num_classes,
                                                  sample_weight, dtype=self.dtype))

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class IoU(_IoUBase):
    """The mean intersection-over-union ``tp / (tp + fp + fn)`` of the classes in
    ``target_class_ids`` (classes never seen nor predicted are left out).

    Args:
        num_classes: the number of classes.
        target_class_ids: the classes whose IoUs are averaged.
        name, dtype: as for ``cornu.metrics.Metric``.
        ignore_class: a label whose entries are not counted (e.g. 255).
        sparse_y_true: labels are class ids (else one-hot / scores: argmax).
        sparse_y_pred: predictions are class ids (else scores: argmax).
        axis: the class axis for the argmax (default -1).

    Example:

    >>> m = cornu.metrics.IoU(num_classes=2, target_class_ids=[0])
    >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    >>> m.result()  # 0.3333
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out of range, which "
                             f"is [0, {num_classes}).")
        self.target_class_ids = list(target_class_ids)
        self._target_ids = ops.convert_to_tensor(self.target_class_ids, dtype="int32")

    def result(self):
        cm = self.total_cm.value
        true_positives = ops.diag(cm)
        # column sums + row sums = 2 * tp + fp + fn
        denominator = ops.sum(cm, axis=0) + ops.sum(cm, axis=1) - true_positives
        true_positives = ops.take(true_positives, self._target_ids)
        denominator = ops.take(denominator, self._target_ids)
        num_valid = ops.sum(ops.cast(ops.greater(denominator, 1e-9), self.dtype))
        iou = true_positives / (denominator + backend.epsilon())
        return ops.sum(iou) / (num_valid + backend.epsilon())

    def get_config(self):
        return {**super().get_config(), "target_class_ids": self.target_class_ids}


class BinaryIoU(IoU):
    """IoU for binary labels, with predictions ``>= threshold`` counted as class 1.

    Args:
        target_class_ids: ``[0]``, ``[1]`` or ``[0, 1]`` (default: both, averaged).
        threshold: the decision threshold on ``y_pred`` (default 0.5).
        name, dtype: as for ``cornu.metrics.Metric``.

    Example:

    >>> m = cornu.metrics.BinaryIoU(target_class_ids=[0, 1], threshold=0.3)
    >>> m.update_state([0, 1, 0, 1], [0.1, 0.2, 0.4, 0.7])
    >>> m.result()  # 0.3333
    """

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name,
                         dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.convert_to_tensor(y_pred, dtype=self.dtype)
        y_pred = ops.cast(ops.greater_equal(y_pred, self.threshold), self.dtype)
        super().update_state(y_true, y_pred, sample_weight)

    def get_config(self):
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold,
                "name": self.name, "dtype": self.dtype}


class MeanIoU(IoU):
    """The IoU averaged over all ``num_classes`` classes.

    Args:
        num_classes: the number of classes.
        name, dtype: as for ``cornu.metrics.Metric``.
        ignore_class, sparse_y_true, sparse_y_pred, axis: as for ``IoU``.

    Example:

    >>> m = cornu.metrics.MeanIoU(num_classes=2)
    >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    >>> m.result()  # 0.3333
    """

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, list(range(num_classes)), name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        config = super().get_config()
        del config["target_class_ids"]
        return config


class OneHotIoU(IoU):
    """IoU for one-hot labels and per-class scores (both reduced by argmax).

    Args:
        num_classes, target_class_ids: as for ``IoU``.
        name, dtype: as for ``cornu.metrics.Metric``.
        ignore_class, sparse_y_pred, axis: as for ``IoU``.

    Example:

    >>> m = cornu.metrics.OneHotIoU(num_classes=3, target_class_ids=[0, 2])
    >>> m.update_state([[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]],
    ...                [[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1], [0.1, 0.4, 0.5]],
    ...                sample_weight=[0.1, 0.2, 0.3, 0.4])
    >>> m.result()  # 0.0714
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, target_class_ids, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        config = super().get_config()
        del config["sparse_y_true"]
        return config


class OneHotMeanIoU(MeanIoU):
    """MeanIoU for one-hot labels and per-class scores (both reduced by argmax).

    Args:
        num_classes: the number of classes.
        name, dtype: as for ``cornu.metrics.Metric``.
        ignore_class, sparse_y_pred, axis: as for ``IoU``.

    Example:

    >>> m = cornu.metrics.OneHotMeanIoU(num_classes=3)
    >>> m.update_state([[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]],
    ...                [[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1], [0.1, 0.4, 0.5]],
    ...                sample_weight=[0.1, 0.2, 0.3, 0.4])
    >>> m.result()  # 0.0476
    """

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        config = super().get_config()
        del config["sparse_y_true"]
        return config
