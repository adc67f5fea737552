"""Metrics counted from a thresholded confusion matrix: TP/FP/TN/FN, Precision,
Recall, and the "X at fixed Y" family (SensitivityAtSpecificity, ...)."""
from cornu import ops
from cornu.losses.loss import squeeze_or_expand_to_same_rank
from cornu.metrics.metric import Metric

NEG_INF = -1e10
TP, FP, TN, FN = "tp", "fp", "tn", "fn"


def parse_init_thresholds(thresholds, default_threshold=0.5):
    """``thresholds`` as a list of floats in [0, 1] (``default_threshold`` when None)."""
    if thresholds is None:
        return [default_threshold]
    thresholds = list(thresholds) if isinstance(thresholds, (list, tuple)) else [thresholds]
    bad = [t for t in thresholds if t is None or t < 0 or t > 1]
    if bad:
        raise ValueError(f"Threshold values must be in [0, 1]. Received: {bad}")
    return [float(t) for t in thresholds]


def thresholds_tensor(thresholds, dtype):
    """The thresholds as a tensor on the current device, made once per metric."""
    return ops.convert_to_tensor(list(thresholds), dtype=dtype)


def filter_top_k(x, k):
    """``x`` with all but the ``k`` largest entries of its last axis set to -1e10
    (ties go to the lower index)."""
    top = ops.argsort(-x, axis=-1)[..., :k]  # (..., k)
    keep = ops.sum(ops.one_hot(top, x.shape[-1], dtype=ops.dtype(x)), axis=-2)  # (..., C)
    return x * keep + NEG_INF * (1.0 - keep)


def update_confusion_matrix_variables(variables, y_true, y_pred, thresholds, top_k=None,
                                      class_id=None, sample_weight=None, multi_label=False,
                                      label_weights=None):
    """Add this batch's weighted counts to ``variables`` (keys ``"tp"``, ``"fp"``,
    ``"tn"``, ``"fn"``), one count per threshold. Metrics pass ``thresholds`` as a
    tensor made once (``thresholds_tensor``): building it from a list on every
    update would copy it to the device, and wait for it, each time.

    A prediction is positive at threshold ``t`` when ``y_pred > t``; ``y_true`` is
    cast to bool. With ``multi_label``, counts are kept per label (last axis),
    otherwise all entries are pooled.
    """
    dtype = next(iter(variables.values())).dtype
    y_true = ops.cast(y_true, dtype)
    y_pred = ops.cast(y_pred, dtype)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = ops.expand_dims(ops.cast(sample_weight, dtype), -1)
        _, sample_weight = squeeze_or_expand_to_same_rank(y_true, sample_weight,
                                                          expand_rank_1=False)
    if top_k is not None:
        y_pred = filter_top_k(y_pred, top_k)
    if class_id is not None:
        if len(y_pred.shape) == 1:
            raise ValueError("When class_id is provided, y_pred must be a 2D array with shape "
                             f"(num_samples, num_classes); received shape {tuple(y_pred.shape)}.")
        y_true = y_true[..., class_id:class_id + 1]
        y_pred = y_pred[..., class_id:class_id + 1]

    weights = None
    if sample_weight is not None:
        weights = ops.broadcast_to(sample_weight, y_pred.shape)
    if label_weights is not None and not multi_label:
        lw = ops.broadcast_to(ops.cast(label_weights, dtype), y_pred.shape)
        weights = lw if weights is None else weights * lw

    if not ops.is_tensor(thresholds):
        thresholds = ops.convert_to_tensor(thresholds, dtype=dtype)
    num_thresholds = thresholds.shape[0]
    positive = ops.cast(ops.not_equal(y_true, 0), dtype)
    if multi_label:  # counts per label: (T, N, L) summed over N
        pred_pos = ops.cast(ops.greater(ops.expand_dims(y_pred, 0),
                                        ops.reshape(thresholds, (num_thresholds, 1, 1))), dtype)
    else:  # all entries pooled: (T, M)
        y_pred = ops.reshape(y_pred, (1, -1))
        positive = ops.reshape(positive, (-1,))
        weights = None if weights is None else ops.reshape(weights, (-1,))
        pred_pos = ops.cast(ops.greater(y_pred, ops.reshape(thresholds, (num_thresholds, 1))),
                            dtype)
    pos_w = positive if weights is None else positive * weights
    neg_w = (1.0 - positive) if weights is None else (1.0 - positive) * weights

    # Each count is accumulated directly from its own indicator (as Keras does), never
    # derived by subtracting float sums: a count of nothing must be exactly 0, whatever
    # order the engine sums in.
    def count(w, predicted):  # weighted number of entries per threshold
        if multi_label:
            return ops.sum(predicted * ops.expand_dims(w, 0), axis=1)  # (T, L)
        return ops.matmul(predicted, w)  # (T,)

    pred_neg = 1.0 - pred_pos if (FN in variables or TN in variables) else None
    for key, w, predicted in ((TP, pos_w, pred_pos), (FN, pos_w, pred_neg),
                              (FP, neg_w, pred_pos), (TN, neg_w, pred_neg)):
        if key in variables:
            variables[key].assign_add(count(w, predicted))


class _ConfusionMatrixConditionCount(Metric):
    """One cell of the confusion matrix, counted at each threshold."""

    _condition = None

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = parse_init_thresholds(thresholds, default_threshold=0.5)
        self.accumulator = self.add_variable(shape=(len(self.thresholds),),
                                             initializer="zeros", name="accumulator")
        self._thresholds_tensor = thresholds_tensor(self.thresholds, self.dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        update_confusion_matrix_variables({self._condition: self.accumulator}, y_true, y_pred,
                                          self._thresholds_tensor, sample_weight=sample_weight)

    def result(self):
        value = self.accumulator.value
        return ops.copy(value[0] if len(self.thresholds) == 1 else value)

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConfusionMatrixConditionCount):
    """The (weighted) number of true positives: label 1 and ``y_pred > threshold``.

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5); a list gives
            one count per threshold.
        name, dtype: as for ``cornu.metrics.Metric``.

    Example:

    >>> m = cornu.metrics.TruePositives()
    >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    >>> m.result()  # 2.0
    """

    _condition = TP


class FalsePositives(_ConfusionMatrixConditionCount):
    """The (weighted) number of false positives: label 0 and ``y_pred > threshold``.

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5).
        name, dtype: as for ``cornu.metrics.Metric``.

    Example:

    >>> m = cornu.metrics.FalsePositives()
    >>> m.update_state([0, 1, 0, 0], [0, 0, 1, 1])
    >>> m.result()  # 2.0
    """

    _condition = FP


class TrueNegatives(_ConfusionMatrixConditionCount):
    """The (weighted) number of true negatives: label 0 and ``y_pred <= threshold``.

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5).
        name, dtype: as for ``cornu.metrics.Metric``.

    Example:

    >>> m = cornu.metrics.TrueNegatives()
    >>> m.update_state([0, 1, 0, 0], [1, 1, 0, 0])
    >>> m.result()  # 2.0
    """

    _condition = TN


class FalseNegatives(_ConfusionMatrixConditionCount):
    """The (weighted) number of false negatives: label 1 and ``y_pred <= threshold``.

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5).
        name, dtype: as for ``cornu.metrics.Metric``.

    Example:

    >>> m = cornu.metrics.FalseNegatives()
    >>> m.update_state([0, 1, 1, 1], [0, 1, 0, 0])
    >>> m.result()  # 2.0
    """

    _condition = FN


class _PrecisionRecallBase(Metric):
    """Shared state of Precision and Recall: true positives and one error count."""

    _error = None  # "fp" for precision, "fn" for recall

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        # With top_k and no thresholds, every kept (top-k) entry is a positive prediction.
        self.thresholds = parse_init_thresholds(thresholds, 0.5 if top_k is None else NEG_INF)
        n = len(self.thresholds)
        self.true_positives = self.add_variable((n,), "zeros", name="true_positives")
        self._errors = self.add_variable(
            (n,), "zeros", name="false_positives" if self._error == FP else "false_negatives")
        self._thresholds_tensor = thresholds_tensor(self.thresholds, self.dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        update_confusion_matrix_variables(
            {TP: self.true_positives, self._error: self._errors}, y_true, y_pred,
            self._thresholds_tensor, top_k=self.top_k, class_id=self.class_id,
            sample_weight=sample_weight)

    def result(self):
        tp = self.true_positives.value
        value = ops.divide_no_nan(tp, tp + self._errors.value)
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


class Precision(_PrecisionRecallBase):
    """Precision ``tp / (tp + fp)``: how many predicted positives are right.

    Args:
        thresholds: a float or list of floats in [0, 1]; ``y_pred > threshold`` is a
            positive prediction (default 0.5, or every top-k entry when ``top_k``).
        top_k: count only the ``k`` highest predictions of each sample as positive.
        class_id: compute the metric for this class (last axis) only.
        name, dtype: as for ``cornu.metrics.Metric``.

    Example:

    >>> m = cornu.metrics.Precision()
    >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    >>> m.result()  # 0.6667
    """

    _error = FP

    @property
    def false_positives(self):
        return self._errors


class Recall(_PrecisionRecallBase):
    """Recall ``tp / (tp + fn)``: how many actual positives are found.

    Args:
        thresholds, top_k, class_id: as for ``Precision``.
        name, dtype: as for ``cornu.metrics.Metric``.

    Example:

    >>> m = cornu.metrics.Recall()
    >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    >>> m.result()  # 0.6667
    """

    _error = FN

    @property
    def false_negatives(self):
        return self._errors


def evenly_spaced_thresholds(num_thresholds):
    """``num_thresholds`` thresholds from 0 to 1 inclusive (just 0.5 for one)."""
    if num_thresholds == 1:
        return [0.5]
    return [0.0] + [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)] + [1.0]


class SensitivitySpecificityBase(Metric):
    """Counts TP/FP/TN/FN at evenly spaced thresholds; subclasses pick the best
    operating point under a constraint."""

    _value_name = None  # the constructor argument holding the constraint value

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        if num_thresholds <= 0:
            raise ValueError("Argument `num_thresholds` must be an integer > 0. "
                             f"Received: num_thresholds={num_thresholds}")
        if not 0 <= value <= 1:
            raise ValueError(f"Argument `{self._value_name}` must be in the range [0, 1]. "
                             f"Received: {self._value_name}={value}")
        super().__init__(name=name, dtype=dtype)
        self.value = value
        self.num_thresholds = num_thresholds
        self.class_id = class_id
        self.thresholds = evenly_spaced_thresholds(num_thresholds)
        n = len(self.thresholds)
        self.true_positives = self.add_variable((n,), "zeros", name="true_positives")
        self.false_positives = self.add_variable((n,), "zeros", name="false_positives")
        self.true_negatives = self.add_variable((n,), "zeros", name="true_negatives")
        self.false_negatives = self.add_variable((n,), "zeros", name="false_negatives")
        self._thresholds_tensor = thresholds_tensor(self.thresholds, self.dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        update_confusion_matrix_variables(
            {TP: self.true_positives, FP: self.false_positives, TN: self.true_negatives,
             FN: self.false_negatives}, y_true, y_pred, self._thresholds_tensor,
            class_id=self.class_id, sample_weight=sample_weight)

    def _rates(self):
        tp, fp = self.true_positives.value, self.false_positives.value
        tn, fn = self.true_negatives.value, self.false_negatives.value
        return {"sensitivity": ops.divide_no_nan(tp, tp + fn),  # = recall
                "specificity": ops.divide_no_nan(tn, tn + fp),
                "precision": ops.divide_no_nan(tp, tp + fp)}

    def _max_where_at_least(self, constrained, dependent):
        """The largest ``dependent`` over thresholds where ``constrained >= value``
        (0 when there is none). Both are non-negative rates."""
        feasible = ops.cast(ops.greater_equal(constrained, self.value), ops.dtype(dependent))
        return ops.max(dependent * feasible)

    def get_config(self):
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                "class_id": self.class_id, self._value_name: self.value}


class SensitivityAtSpecificity(SensitivitySpecificityBase):
    """The best sensitivity (recall) among thresholds where specificity >= ``specificity``.

    Args:
        specificity: the minimum specificity, in [0, 1].
        num_thresholds: how many evenly spaced thresholds to try (default 200).
        class_id: compute the metric for this class (last axis) only.
        name, dtype: as for ``cornu.metrics.Metric``.

    Example:

    >>> m = cornu.metrics.SensitivityAtSpecificity(0.5)
    >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
    >>> m.result()  # 0.5
    """

    _value_name = "specificity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name, dtype)
        self.specificity = specificity

    def result(self):
        rates = self._rates()
        return self._max_where_at_least(rates["specificity"], rates["sensitivity"])


class SpecificityAtSensitivity(SensitivitySpecificityBase):
    """The best specificity among thresholds where sensitivity >= ``sensitivity``.

    Args:
        sensitivity: the minimum sensitivity, in [0, 1].
        num_thresholds, class_id: as for ``SensitivityAtSpecificity``.
        name, dtype: as for ``cornu.metrics.Metric``.

    Example:

    >>> m = cornu.metrics.SpecificityAtSensitivity(0.5)
    >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
    >>> m.result()  # 0.6667
    """

    _value_name = "sensitivity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)
        self.sensitivity = sensitivity

    def result(self):
        rates = self._rates()
        return self._max_where_at_least(rates["sensitivity"], rates["specificity"])


class PrecisionAtRecall(SensitivitySpecificityBase):
    """The best precision among thresholds where recall >= ``recall``.

    Args:
        recall: the minimum recall, in [0, 1].
        num_thresholds, class_id: as for ``SensitivityAtSpecificity``.
        name, dtype: as for ``cornu.metrics.Metric``.

    Example:

    >>> m = cornu.metrics.PrecisionAtRecall(0.5)
    >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
    >>> m.result()  # 0.5
    """

    _value_name = "recall"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds, class_id, name, dtype)
        self.recall = recall

    def result(self):
        rates = self._rates()
        return self._max_where_at_least(rates["sensitivity"], rates["precision"])


class RecallAtPrecision(SensitivitySpecificityBase):
    """The best recall among thresholds where precision >= ``precision``.

    Args:
        precision: the minimum precision, in [0, 1].
        num_thresholds, class_id: as for ``SensitivityAtSpecificity``.
        name, dtype: as for ``cornu.metrics.Metric``.

    Example:

    >>> m = cornu.metrics.RecallAtPrecision(0.8)
    >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    >>> m.result()  # 0.5
    """

    _value_name = "precision"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(precision, num_thresholds, class_id, name, dtype)
        self.precision = precision

    def result(self):
        rates = self._rates()
        return self._max_where_at_least(rates["precision"], rates["sensitivity"])
