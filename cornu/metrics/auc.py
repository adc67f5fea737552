"""AUC: the area under the ROC or precision-recall curve, by a Riemann sum over
thresholds."""
from cornu import backend, ops
from cornu.metrics.confusion import (
    FN, FP, TN, TP, thresholds_tensor, update_confusion_matrix_variables,
)
from cornu.metrics.metric import Metric

_CURVES = {"roc": "ROC", "pr": "PR"}
_SUMMATIONS = ("interpolation", "majoring", "minoring")


class AUC(Metric):
    """The area under the ROC curve (default) or the precision-recall curve.

    TP/FP/TN/FN are counted at ``num_thresholds`` thresholds (``y_pred > t``) and
    the curve through those points is integrated.

    Args:
        num_thresholds: how many thresholds discretize the curve (default 200, > 1).
        curve: ``"ROC"`` or ``"PR"``.
        summation_method: ``"interpolation"`` (mid-point for ROC; Davis & Goadrich
            interpolation for PR), ``"minoring"`` or ``"majoring"`` (lower or upper
            Riemann bound).
        name, dtype: as for ``cornu.metrics.Metric``.
        thresholds: explicit thresholds in [0, 1] (``num_thresholds`` is then ignored);
            -epsilon and 1 + epsilon are added at the ends.
        multi_label: compute one AUC per label (last axis) and average them, instead
            of pooling every entry.
        num_labels: the number of labels when ``multi_label`` (else found on first use).
        label_weights: per-label weights, for the average when ``multi_label`` and for
            the pooled counts otherwise.
        from_logits: apply a sigmoid to ``y_pred`` first.

    Example:

    >>> m = cornu.metrics.AUC(num_thresholds=3)
    >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    >>> m.result()  # 0.75
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        curve_name = _CURVES.get(str(getattr(curve, "value", curve)).lower())
        if curve_name is None:
            raise ValueError(f"Invalid AUC curve value: {curve!r}. Expected 'ROC' or 'PR'.")
        method = str(getattr(summation_method, "value", summation_method)).lower()
        if method not in _SUMMATIONS:
            raise ValueError(f"Invalid AUC summation method value: {summation_method!r}. "
                             f"Expected one of {list(_SUMMATIONS)}.")
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            inner = sorted(float(t) for t in thresholds)
            self.num_thresholds = len(inner) + 2
        else:
            if num_thresholds <= 1:
                raise ValueError("Argument `num_thresholds` must be an integer > 1. "
                                 f"Received: num_thresholds={num_thresholds}")
            self.num_thresholds = num_thresholds
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        # End points just outside [0, 1] so that predictions of exactly 0 or 1 count.
        eps = backend.epsilon()
        self._thresholds = [0.0 - eps] + inner + [1.0 + eps]
        self.curve = curve_name
        self.summation_method = method
        super().__init__(name=name, dtype=dtype)
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = (None if label_weights is None
                              else ops.convert_to_tensor(label_weights, dtype=self.dtype))
        self._from_logits = from_logits
        self._thresholds_tensor = thresholds_tensor(self._thresholds, self.dtype)
        self._built = False
        if multi_label:
            if num_labels:
                self._build([None, num_labels])
        elif num_labels:
            raise ValueError("`num_labels` is needed only when `multi_label` is True.")
        else:
            self._build(None)

    @property
    def thresholds(self):
        """The thresholds used, end points included."""
        return list(self._thresholds)

    def _build(self, shape):
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError("`y_pred` must have rank 2 when `multi_label=True`. Found "
                                 f"rank {len(shape)}. Full shape received for `y_pred`: "
                                 f"{tuple(shape)}")
            self._num_labels = shape[1]
            var_shape = (self.num_thresholds, shape[1])
        else:
            var_shape = (self.num_thresholds,)
        self.true_positives = self.add_variable(var_shape, "zeros", name="true_positives")
        self.false_positives = self.add_variable(var_shape, "zeros", name="false_positives")
        self.true_negatives = self.add_variable(var_shape, "zeros", name="true_negatives")
        self.false_negatives = self.add_variable(var_shape, "zeros", name="false_negatives")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.convert_to_tensor(y_pred)
        if not self._built:
            self._build(y_pred.shape)
        if self._from_logits:
            y_pred = ops.sigmoid(y_pred)
        update_confusion_matrix_variables(
            {TP: self.true_positives, FP: self.false_positives, TN: self.true_negatives,
             FN: self.false_negatives}, y_true, y_pred, self._thresholds_tensor,
            sample_weight=sample_weight, multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights)

    def _average_labels(self, terms):
        """Sum the curve's pieces; with ``multi_label``, average the per-label areas."""
        if not self.multi_label:
            return ops.sum(terms)
        by_label = ops.sum(terms, axis=0)
        if self.label_weights is None:
            return ops.mean(by_label)
        return ops.divide_no_nan(ops.sum(by_label * self.label_weights),
                                 ops.sum(self.label_weights))

    def interpolate_pr_auc(self):
        """PR-AUC with precision interpolated between thresholds as Davis & Goadrich
        (2006) describe: TP and FP vary linearly, their ratio does not."""
        tp, fp, fn = (self.true_positives.value, self.false_positives.value,
                      self.false_negatives.value)
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = ops.divide_no_nan(dtp, ops.maximum(dp, 0.0))
        intercept = tp[1:] - slope * p[1:]
        both_positive = ops.logical_and(ops.greater(p[:-1], 0), ops.greater(p[1:], 0))
        ratio = ops.where(both_positive, ops.divide_no_nan(p[:-1], ops.maximum(p[1:], 0.0)),
                          ops.ones_like(p[1:]))
        increments = ops.divide_no_nan(slope * (dtp + intercept * ops.log(ratio)),
                                       ops.maximum(tp[1:] + fn[1:], 0.0))
        return self._average_labels(increments)

    def result(self):
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self.interpolate_pr_auc()
        tp, fp = self.true_positives.value, self.false_positives.value
        tn, fn = self.true_negatives.value, self.false_negatives.value
        recall = ops.divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = ops.divide_no_nan(fp, fp + tn), recall
        else:
            x, y = recall, ops.divide_no_nan(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = ops.minimum(y[:-1], y[1:])
        else:
            heights = ops.maximum(y[:-1], y[1:])
        return self._average_labels((x[:-1] - x[1:]) * heights)

    def reset_state(self):
        if self._built:
            super().reset_state()

    def get_config(self):
        label_weights = (None if self.label_weights is None
                         else ops.convert_to_numpy(self.label_weights).tolist())
        config = {**super().get_config(), "num_thresholds": self.num_thresholds,
                  "curve": self.curve, "summation_method": self.summation_method,
                  "multi_label": self.multi_label, "num_labels": self.num_labels,
                  "label_weights": label_weights, "from_logits": self._from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = self._thresholds[1:-1]
        return config
