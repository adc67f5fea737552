"""Cross-entropy, KL, Poisson and hinge metrics: the weighted mean of the loss
function, checked against numpy and Keras's documented values."""
import numpy as np
import pytest

from cornu import backend, metrics

rng = np.random.default_rng(8)
EPS = 1e-7
N, C = 7, 3
PROBS = rng.uniform(0.05, 0.95, (N, C)).astype("float32")
BINARY = rng.integers(0, 2, (N, C)).astype("float32")
LABELS = rng.integers(0, C, N)
ONE_HOT = np.eye(C, dtype="float32")[LABELS]
LOGITS = rng.normal(0, 2, (N, C)).astype("float32")
W = rng.uniform(0.1, 2.0, N).astype("float32")


def value(x):
    return backend.convert_to_numpy(x)


def log_softmax(x):
    x = x - x.max(-1, keepdims=True)
    return x - np.log(np.exp(x).sum(-1, keepdims=True))


def bce(t, p):
    p = np.clip(p, EPS, 1 - EPS)
    return -(t * np.log(p) + (1 - t) * np.log(1 - p)).mean(-1)


def hinge_labels(t):
    return 2 * t - 1


CASES = {
    "bce": (metrics.BinaryCrossentropy(), BINARY, PROBS, bce),
    "bce_logits_smoothing": (
        metrics.BinaryCrossentropy(from_logits=True, label_smoothing=0.2), BINARY, LOGITS,
        lambda t, p: bce(t * 0.8 + 0.1, 1 / (1 + np.exp(-p)))),
    "cce": (metrics.CategoricalCrossentropy(), ONE_HOT, PROBS,
            lambda t, p: -(t * np.log(p / p.sum(-1, keepdims=True))).sum(-1)),
    "cce_logits": (metrics.CategoricalCrossentropy(from_logits=True), ONE_HOT, LOGITS,
                   lambda t, p: -(t * log_softmax(p)).sum(-1)),
    "scce_logits": (metrics.SparseCategoricalCrossentropy(from_logits=True), LABELS, LOGITS,
                    lambda t, p: -log_softmax(p)[np.arange(N), t]),
    "kld": (metrics.KLDivergence(), PROBS[::-1].copy(), PROBS,
            lambda t, p: (t * np.log(t / p)).sum(-1)),
    "poisson": (metrics.Poisson(), PROBS[::-1].copy(), PROBS,
                lambda t, p: (p - t * np.log(p + EPS)).mean(-1)),
    "hinge": (metrics.Hinge(), BINARY, LOGITS,
              lambda t, p: np.maximum(1 - hinge_labels(t) * p, 0).mean(-1)),
    "squared_hinge": (metrics.SquaredHinge(), BINARY, LOGITS,
                      lambda t, p: (np.maximum(1 - hinge_labels(t) * p, 0) ** 2).mean(-1)),
    "categorical_hinge": (metrics.CategoricalHinge(), ONE_HOT, LOGITS,
                          lambda t, p: np.maximum(((1 - t) * p).max(-1) - (t * p).sum(-1) + 1,
                                                  0)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_weighted_mean_of_loss(name):
    metric, y_true, y_pred, ref = CASES[name]
    per = ref(y_true, y_pred)
    metric.reset_state()
    metric.update_state(y_true[:3], y_pred[:3], sample_weight=W[:3])
    metric.update_state(y_true[3:], y_pred[3:], sample_weight=W[3:])
    np.testing.assert_allclose(value(metric.result()), (per * W).sum() / W.sum(), rtol=1e-5)
    metric.reset_state()
    metric.update_state(y_true, y_pred)
    np.testing.assert_allclose(value(metric.result()), per.mean(), rtol=1e-5)


def test_keras_documented_values():
    y_true, y_pred = [[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]

    def check(metric, expected, sample_weight=None, y=(y_true, y_pred)):
        metric.update_state(*y, sample_weight=sample_weight)
        np.testing.assert_allclose(value(metric.result()), expected, rtol=1e-4)

    check(metrics.BinaryCrossentropy(), 0.81492424)
    check(metrics.BinaryCrossentropy(), 0.9162905, [1, 0])
    check(metrics.KLDivergence(), 0.45814306)
    check(metrics.KLDivergence(), 0.9162892, [1, 0])
    check(metrics.Hinge(), 1.3)
    check(metrics.Hinge(), 1.1, [1, 0])
    check(metrics.SquaredHinge(), 1.86)
    check(metrics.SquaredHinge(), 1.46, [1, 0])
    check(metrics.CategoricalHinge(), 1.4)
    check(metrics.CategoricalHinge(), 1.2, [1, 0])
    check(metrics.Poisson(), 0.49999997, y=([[0, 1], [0, 0]], [[1, 1], [0, 0]]))
    cat = ([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    check(metrics.CategoricalCrossentropy(), 1.1769392, y=cat)
    check(metrics.CategoricalCrossentropy(), 1.6271976, [0.3, 0.7], y=cat)
    check(metrics.SparseCategoricalCrossentropy(), 1.1769392, y=([1, 2], cat[1]))
    check(metrics.SparseCategoricalCrossentropy(), 1.6271976, [0.3, 0.7], y=([1, 2], cat[1]))


def test_names_and_config():
    assert metrics.KLDivergence().name == "kl_divergence"
    assert metrics.CategoricalHinge().name == "categorical_hinge"
    config = metrics.CategoricalCrossentropy(from_logits=True).get_config()
    assert config == {"name": "categorical_crossentropy", "dtype": "float32",
                      "from_logits": True, "label_smoothing": 0, "axis": -1}
    again = metrics.CategoricalCrossentropy.from_config(config)
    assert again.get_config() == config
