"""F-beta and F1 scores against numpy."""
import numpy as np
import pytest

from cornu import backend, metrics

rng = np.random.default_rng(6)
EPS = 1e-7
N, C = 12, 4
Y_TRUE = rng.integers(0, 2, (N, C)).astype("float32")
Y_PRED = rng.uniform(size=(N, C)).astype("float32")
W = rng.uniform(0.1, 2.0, N).astype("float32")


def value(x):
    return backend.convert_to_numpy(x)


def np_fbeta(t, p, w, beta=1.0, threshold=None, average=None):
    if threshold is None:
        pred = ((p >= p.max(-1, keepdims=True)) & (np.abs(p) > 1e-9)).astype("float32")
    else:
        pred = (p > threshold).astype("float32")
    axis = None if average == "micro" else 0
    w = w[:, None]
    tp = (w * pred * t).sum(axis)
    fp = (w * pred * (1 - t)).sum(axis)
    fn = (w * (1 - pred) * t).sum(axis)
    precision, recall = tp / (tp + fp + EPS), tp / (tp + fn + EPS)
    f = (1 + beta ** 2) * precision * recall / (beta ** 2 * precision + recall + EPS)
    if average == "weighted":
        support = (w * t).sum(0)
        return (f * support / (support.sum() + EPS)).sum()
    return f if average is None else f.mean()


@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted"])
@pytest.mark.parametrize("beta, threshold", [(1.0, None), (2.0, 0.5), (0.5, 0.3)])
def test_fbeta_matches_numpy(average, beta, threshold):
    m = metrics.FBetaScore(average=average, beta=beta, threshold=threshold)
    m.update_state(Y_TRUE[:5], Y_PRED[:5], sample_weight=W[:5])
    m.update_state(Y_TRUE[5:], Y_PRED[5:], sample_weight=W[5:])
    np.testing.assert_allclose(value(m.result()),
                               np_fbeta(Y_TRUE, Y_PRED, W, beta, threshold, average), rtol=1e-5)
    m.reset_state()
    m.update_state(Y_TRUE, Y_PRED)
    np.testing.assert_allclose(value(m.result()),
                               np_fbeta(Y_TRUE, Y_PRED, np.ones(N), beta, threshold, average),
                               rtol=1e-5)


def test_keras_documented_values():
    y_true = np.array([[1, 1, 1], [1, 0, 0], [1, 1, 0]], np.int32)
    y_pred = np.array([[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]], np.float32)
    m = metrics.F1Score(threshold=0.5)
    m.update_state(y_true, y_pred)
    np.testing.assert_allclose(value(m.result()), [0.5, 0.8, 0.6666667], rtol=1e-5)
    m = metrics.FBetaScore(beta=2.0, threshold=0.5)
    m.update_state(y_true, y_pred)
    np.testing.assert_allclose(value(m.result()), [0.3846154, 0.90909094, 0.8333334],
                               rtol=1e-5)


def test_validation_and_config():
    with pytest.raises(ValueError, match="average"):
        metrics.F1Score(average="mean")
    with pytest.raises(ValueError, match="beta"):
        metrics.FBetaScore(beta=2)
    with pytest.raises(ValueError, match="threshold"):
        metrics.F1Score(threshold=1.5)
    with pytest.raises(ValueError, match="2D"):
        metrics.F1Score().update_state(np.zeros(3), np.zeros(3))
    config = metrics.F1Score(average="macro").get_config()
    assert config == {"name": "f1_score", "dtype": "float32", "average": "macro",
                      "threshold": None}
    assert metrics.FBetaScore().name == "fbeta_score"
