"""Confusion-matrix metrics and AUC against numpy counts, and Keras's documented values."""
import numpy as np
import pytest

from cornu import backend, metrics

rng = np.random.default_rng(3)
EPS = 1e-7
N, L = 40, 3
Y_TRUE = rng.integers(0, 2, (N, L)).astype("float32")
# Scores correlated with the labels, rounded off the threshold grids.
Y_PRED = np.clip(0.35 * Y_TRUE + rng.uniform(0, 0.65, (N, L)), 0, 1).astype("float32")
W = rng.uniform(0.1, 2.0, N).astype("float32")


def value(x):
    return backend.convert_to_numpy(x)


def np_counts(y_true, y_pred, thresholds, weights=None, axis=None):
    """tp, fp, tn, fn at each threshold, with ``y_pred > t`` positive."""
    weights = np.ones_like(y_pred) if weights is None else np.broadcast_to(
        weights.reshape(weights.shape + (1,) * (y_pred.ndim - weights.ndim)), y_pred.shape)
    pos = y_true != 0
    out = []
    for t in thresholds:
        pp = y_pred > t
        out.append([(weights * (c)).sum(axis=axis) for c in
                    (pos & pp, ~pos & pp, ~pos & ~pp, pos & ~pp)])
    return [np.array(x) for x in zip(*out)]  # each (T,) or (T, L)


def feed(metric, y_true, y_pred, weights, splits=(0, 15, 28, N)):
    for a, b in zip(splits[:-1], splits[1:]):
        metric.update_state(y_true[a:b], y_pred[a:b], sample_weight=weights[a:b])
    return value(metric.result())


@pytest.mark.parametrize("cls, index", [(metrics.TruePositives, 0),
                                        (metrics.FalsePositives, 1),
                                        (metrics.TrueNegatives, 2),
                                        (metrics.FalseNegatives, 3)])
def test_condition_counts(cls, index):
    thresholds = [0.2, 0.5, 0.8]
    expected = np_counts(Y_TRUE, Y_PRED, thresholds, W)[index]
    np.testing.assert_allclose(feed(cls(thresholds), Y_TRUE, Y_PRED, W), expected, rtol=1e-5)
    expected = np_counts(Y_TRUE, Y_PRED, [0.5], W)[index][0]
    m = cls()
    np.testing.assert_allclose(feed(m, Y_TRUE, Y_PRED, W), expected, rtol=1e-5)
    m.reset_state()
    assert value(m.result()) == 0.0


def test_precision_recall_thresholds_and_class_id():
    tp, fp, _, fn = np_counts(Y_TRUE, Y_PRED, [0.3, 0.6], W)
    np.testing.assert_allclose(feed(metrics.Precision([0.3, 0.6]), Y_TRUE, Y_PRED, W),
                               tp / (tp + fp), rtol=1e-5)
    np.testing.assert_allclose(feed(metrics.Recall([0.3, 0.6]), Y_TRUE, Y_PRED, W),
                               tp / (tp + fn), rtol=1e-5)
    tp, fp, _, fn = np_counts(Y_TRUE[:, 1], Y_PRED[:, 1], [0.5], W)
    np.testing.assert_allclose(feed(metrics.Precision(class_id=1), Y_TRUE, Y_PRED, W),
                               (tp / (tp + fp))[0], rtol=1e-5)
    np.testing.assert_allclose(feed(metrics.Recall(class_id=1), Y_TRUE, Y_PRED, W),
                               (tp / (tp + fn))[0], rtol=1e-5)


def test_precision_recall_top_k():
    top = np.argsort(-Y_PRED, -1, kind="stable")[:, :2]
    kept = np.full_like(Y_PRED, -1e10)
    np.put_along_axis(kept, top, np.take_along_axis(Y_PRED, top, -1), -1)
    tp, fp, _, fn = np_counts(Y_TRUE, kept, [-1e10], W)
    np.testing.assert_allclose(feed(metrics.Precision(top_k=2), Y_TRUE, Y_PRED, W),
                               (tp / (tp + fp))[0], rtol=1e-5)
    np.testing.assert_allclose(feed(metrics.Recall(top_k=2), Y_TRUE, Y_PRED, W),
                               (tp / (tp + fn))[0], rtol=1e-5)
    tp, fp, _, _ = np_counts(Y_TRUE, kept, [0.6], W)
    np.testing.assert_allclose(feed(metrics.Precision(thresholds=0.6, top_k=2), Y_TRUE, Y_PRED,
                                    W), (tp / (tp + fp))[0], rtol=1e-5)


def np_at_constraint(y_true, y_pred, weights, num_thresholds, constrained, dependent, value_):
    thresholds = [0.0] + [(i + 1) / (num_thresholds - 1)
                          for i in range(num_thresholds - 2)] + [1.0]
    tp, fp, tn, fn = np_counts(y_true, y_pred, thresholds, weights)
    with np.errstate(invalid="ignore", divide="ignore"):
        rates = {"sensitivity": np.nan_to_num(tp / (tp + fn)),
                 "specificity": np.nan_to_num(tn / (tn + fp)),
                 "precision": np.nan_to_num(tp / (tp + fp))}
    feasible = rates[constrained] >= value_
    return rates[dependent][feasible].max() if feasible.any() else 0.0


@pytest.mark.parametrize("cls, constrained, dependent", [
    (metrics.SensitivityAtSpecificity, "specificity", "sensitivity"),
    (metrics.SpecificityAtSensitivity, "sensitivity", "specificity"),
    (metrics.PrecisionAtRecall, "sensitivity", "precision"),
    (metrics.RecallAtPrecision, "precision", "sensitivity"),
])
@pytest.mark.parametrize("target", [0.3, 0.8])
def test_x_at_y(cls, constrained, dependent, target):
    expected = np_at_constraint(Y_TRUE, Y_PRED, W, 50, constrained, dependent, target)
    np.testing.assert_allclose(feed(cls(target, num_thresholds=50), Y_TRUE, Y_PRED, W),
                               expected, rtol=1e-5)
    expected = np_at_constraint(Y_TRUE[:, 2], Y_PRED[:, 2], W, 20, constrained, dependent,
                                target)
    np.testing.assert_allclose(
        feed(cls(target, num_thresholds=20, class_id=2), Y_TRUE, Y_PRED, W), expected,
        rtol=1e-5)


def test_x_at_y_validates_its_value():
    with pytest.raises(ValueError, match="specificity"):
        metrics.SensitivityAtSpecificity(1.5)
    with pytest.raises(ValueError, match="num_thresholds"):
        metrics.PrecisionAtRecall(0.5, num_thresholds=0)


# ---------------------------------------------------------------- AUC

def np_auc(y_true, y_pred, weights, num_thresholds=200, curve="ROC", method="interpolation",
           axis=None):
    thresholds = [-EPS] + [(i + 1) / (num_thresholds - 1)
                           for i in range(num_thresholds - 2)] + [1 + EPS]
    tp, fp, tn, fn = np_counts(y_true, y_pred, thresholds, weights, axis=axis)

    def div(a, b):
        return np.where(b > 0, a / np.where(b > 0, b, 1), 0.0)

    if curve == "PR" and method == "interpolation":  # Davis & Goadrich
        dtp, p = tp[:-1] - tp[1:], tp + fp
        dp = p[:-1] - p[1:]
        slope = div(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        ratio = np.where((p[:-1] > 0) & (p[1:] > 0), div(p[:-1], np.maximum(p[1:], 0)), 1.0)
        return div(slope * (dtp + intercept * np.log(ratio)), np.maximum(tp[1:] + fn[1:], 0)
                   ).sum(0)
    recall = div(tp, tp + fn)
    x, y = (div(fp, fp + tn), recall) if curve == "ROC" else (recall, div(tp, tp + fp))
    heights = {"interpolation": (y[:-1] + y[1:]) / 2, "minoring": np.minimum(y[:-1], y[1:]),
               "majoring": np.maximum(y[:-1], y[1:])}[method]
    return ((x[:-1] - x[1:]) * heights).sum(0)


@pytest.mark.parametrize("curve", ["ROC", "PR"])
@pytest.mark.parametrize("method", ["interpolation", "minoring", "majoring"])
def test_auc_matches_numpy(curve, method):
    m = metrics.AUC(num_thresholds=30, curve=curve, summation_method=method)
    expected = np_auc(Y_TRUE, Y_PRED, W, 30, curve, method)
    np.testing.assert_allclose(feed(m, Y_TRUE, Y_PRED, W), expected, rtol=1e-5)


def test_roc_auc_approaches_the_exact_area():
    y_true = Y_TRUE[:, 0]
    scores = Y_PRED[:, 0]
    pos, neg = scores[y_true == 1], scores[y_true == 0]
    exact = ((pos[:, None] > neg[None]).sum() + 0.5 * (pos[:, None] == neg[None]).sum()) / (
        len(pos) * len(neg))
    m = metrics.AUC(num_thresholds=2000)
    m.update_state(y_true, scores)
    assert abs(value(m.result()) - exact) < 2e-3


def test_auc_multi_label_label_weights_logits_and_thresholds():
    per_label = np_auc(Y_TRUE, Y_PRED, W, 25, axis=0)
    m = metrics.AUC(num_thresholds=25, multi_label=True)
    np.testing.assert_allclose(feed(m, Y_TRUE, Y_PRED, W), per_label.mean(), rtol=1e-5)
    lw = np.array([0.2, 0.5, 1.0], dtype="float32")
    m = metrics.AUC(num_thresholds=25, multi_label=True, num_labels=3, label_weights=lw)
    np.testing.assert_allclose(feed(m, Y_TRUE, Y_PRED, W), (per_label * lw).sum() / lw.sum(),
                               rtol=1e-5)
    # Without multi_label, label weights weight the pooled entries.
    m = metrics.AUC(num_thresholds=25, label_weights=lw)
    np.testing.assert_allclose(feed(m, Y_TRUE, Y_PRED, W),
                               np_auc(Y_TRUE, Y_PRED, W[:, None] * lw, 25), rtol=1e-5)
    logits = np.log(Y_PRED + 1e-3) - np.log1p(-Y_PRED + 1e-3)
    m = metrics.AUC(num_thresholds=25, from_logits=True)
    np.testing.assert_allclose(feed(m, Y_TRUE, logits, W),
                               np_auc(Y_TRUE, 1 / (1 + np.exp(-logits)), W, 25), rtol=1e-5)
    m = metrics.AUC(thresholds=[0.7, 0.25, 0.5])
    assert m.num_thresholds == 5 and np.allclose(m.thresholds, [-EPS, 0.25, 0.5, 0.7, 1 + EPS])
    tp, fp, tn, fn = np_counts(Y_TRUE, Y_PRED, m.thresholds, W)
    tpr, fpr = tp / (tp + fn), fp / (fp + tn)
    expected = ((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2).sum()
    np.testing.assert_allclose(feed(m, Y_TRUE, Y_PRED, W), expected, rtol=1e-5)
    assert m.get_config()["thresholds"] == [0.25, 0.5, 0.7]


def test_auc_state_and_config():
    m = metrics.AUC(multi_label=True)
    assert m.variables == []  # built on first use
    m.reset_state()
    m.update_state(Y_TRUE, Y_PRED)
    assert [v.shape for v in m.variables] == [(200, 3)] * 4
    first = value(m.result())
    m.update_state(Y_TRUE, Y_PRED)
    np.testing.assert_allclose(value(m.result()), first, rtol=1e-6)  # same data twice
    m.reset_state()
    assert value(m.result()) == 0.0
    config = metrics.AUC(curve="pr", summation_method="majoring", name="prauc").get_config()
    assert config["curve"] == "PR" and config["summation_method"] == "majoring"
    assert metrics.AUC.from_config(config).get_config() == config
    with pytest.raises(ValueError, match="curve"):
        metrics.AUC(curve="XY")
    with pytest.raises(ValueError, match="num_labels"):
        metrics.AUC(num_labels=3)


def test_keras_documented_values():
    def check(metric, y_true, y_pred, expected, sample_weight=None):
        metric.reset_state()
        metric.update_state(y_true, y_pred, sample_weight=sample_weight)
        np.testing.assert_allclose(value(metric.result()), expected, rtol=1e-5, atol=1e-6)

    check(metrics.TruePositives(), [0, 1, 1, 1], [1, 0, 1, 1], 2.0)
    check(metrics.TruePositives(), [0, 1, 1, 1], [1, 0, 1, 1], 1.0, [0, 0, 1, 0])
    check(metrics.FalsePositives(), [0, 1, 0, 0], [0, 0, 1, 1], 2.0)
    check(metrics.TrueNegatives(), [0, 1, 0, 0], [1, 1, 0, 0], 2.0)
    check(metrics.FalseNegatives(), [0, 1, 1, 1], [0, 1, 0, 0], 2.0)
    check(metrics.Precision(), [0, 1, 1, 1], [1, 0, 1, 1], 2 / 3)
    check(metrics.Precision(), [0, 1, 1, 1], [1, 0, 1, 1], 1.0, [0, 0, 1, 0])
    check(metrics.Precision(top_k=2), [0, 0, 1, 1], [1, 1, 1, 1], 0.0)
    check(metrics.Precision(top_k=4), [0, 0, 1, 1], [1, 1, 1, 1], 0.5)
    check(metrics.Precision(class_id=2, top_k=2), [[0, 0, 1, 1]], [[0.1, 0.9, 0.8, 0.2]], 1.0)
    check(metrics.Recall(), [0, 1, 1, 1], [1, 0, 1, 1], 2 / 3)
    check(metrics.Recall(), [0, 1, 1, 1], [1, 0, 1, 1], 1.0, [0, 0, 1, 0])
    y, p = [0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8]
    check(metrics.SensitivityAtSpecificity(0.5), y, p, 0.5)
    check(metrics.SensitivityAtSpecificity(0.5), y, p, 1 / 3, [1, 1, 2, 2, 1])
    check(metrics.SpecificityAtSensitivity(0.5), y, p, 2 / 3)
    check(metrics.SpecificityAtSensitivity(0.5), y, p, 0.5, [1, 1, 2, 2, 2])
    check(metrics.PrecisionAtRecall(0.5), y, p, 0.5)
    check(metrics.PrecisionAtRecall(0.5), y, p, 1 / 3, [2, 2, 2, 1, 1])
    y, p = [0, 0, 1, 1], [0, 0.5, 0.3, 0.9]
    check(metrics.RecallAtPrecision(0.8), y, p, 0.5)
    check(metrics.RecallAtPrecision(0.8), y, p, 1.0, [1, 0, 0, 1])
    check(metrics.AUC(num_thresholds=3), y, p, 0.75)
    check(metrics.AUC(num_thresholds=3), y, p, 1.0, [1, 0, 0, 1])


def test_names():
    assert metrics.TruePositives().name == "true_positives"
    assert metrics.Precision().name == "precision"
    assert metrics.AUC().name == "auc" and metrics.AUC().name == "auc_1"
    assert metrics.Recall(thresholds=[0.2, 0.4], name="r").get_config() == {
        "name": "r", "dtype": "float32", "thresholds": [0.2, 0.4], "top_k": None,
        "class_id": None}
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        metrics.Precision(thresholds=[1.5])


@pytest.mark.parametrize("cls", [metrics.FalseNegatives, metrics.TrueNegatives])
def test_a_count_of_nothing_is_exactly_zero(cls):
    # Every prediction is positive, so there are no false or true negatives at all. Had
    # the count been derived by subtracting two float sums of these 4,000 weights (as it
    # once was), round-off would leave ~1e-6 instead of 0.
    rng = np.random.default_rng(3)
    y_true = (rng.random(4000) > 0.5).astype("float32")
    y_pred = rng.uniform(0.6, 1.0, 4000).astype("float32")
    weights = rng.uniform(0.1, 3.0, 4000).astype("float32")
    m = cls([0.2, 0.5])
    for a in range(0, 4000, 1000):
        m.update_state(y_true[a:a + 1000], y_pred[a:a + 1000], sample_weight=weights[a:a + 1000])
    assert value(m.result()).tolist() == [0.0, 0.0]
