"""Regression metrics against numpy, over several batches, with sample weights."""
import numpy as np
import pytest

from cornu import backend, metrics

rng = np.random.default_rng(4)
EPS = 1e-7
N, D = 9, 3
Y_TRUE = rng.normal(0, 2, (N, D)).astype("float32")
Y_PRED = rng.normal(0, 2, (N, D)).astype("float32")
W = rng.uniform(0.1, 2.0, N).astype("float32")


def value(x):
    return backend.convert_to_numpy(x)


def feed(metric, y_true, y_pred, weights=None, splits=(0, 4, N)):
    for a, b in zip(splits[:-1], splits[1:]):
        metric.update_state(y_true[a:b], y_pred[a:b],
                            sample_weight=None if weights is None else weights[a:b])
    return value(metric.result())


def unit(x):
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), EPS)


POSITIVE_TRUE, POSITIVE_PRED = np.abs(Y_TRUE), np.abs(Y_PRED)
CASES = {
    "mse": (metrics.MeanSquaredError, Y_TRUE, Y_PRED, lambda t, p: ((t - p) ** 2).mean(-1)),
    "mae": (metrics.MeanAbsoluteError, Y_TRUE, Y_PRED, lambda t, p: np.abs(t - p).mean(-1)),
    "mape": (metrics.MeanAbsolutePercentageError, Y_TRUE, Y_PRED,
             lambda t, p: 100 * np.abs((t - p) / np.abs(t)).mean(-1)),
    "msle": (metrics.MeanSquaredLogarithmicError, POSITIVE_TRUE, POSITIVE_PRED,
             lambda t, p: ((np.log1p(t) - np.log1p(p)) ** 2).mean(-1)),
    "cosine": (metrics.CosineSimilarity, Y_TRUE, Y_PRED,
               lambda t, p: (unit(t) * unit(p)).sum(-1)),
    "logcosh": (metrics.LogCoshError, Y_TRUE, Y_PRED,
                lambda t, p: np.log(np.cosh(p - t)).mean(-1)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_mean_of_per_sample_values(name):
    cls, y_true, y_pred, ref = CASES[name]
    per = ref(y_true, y_pred)
    np.testing.assert_allclose(feed(cls(), y_true, y_pred), per.mean(), rtol=1e-5)
    np.testing.assert_allclose(feed(cls(), y_true, y_pred, W), (per * W).sum() / W.sum(),
                               rtol=1e-5)


def test_root_mean_squared_error():
    sq = (Y_TRUE - Y_PRED) ** 2
    np.testing.assert_allclose(feed(metrics.RootMeanSquaredError(), Y_TRUE, Y_PRED),
                               np.sqrt(sq.mean()), rtol=1e-5)
    np.testing.assert_allclose(feed(metrics.RootMeanSquaredError(), Y_TRUE, Y_PRED, W),
                               np.sqrt((sq.mean(-1) * W).sum() / W.sum()), rtol=1e-5)


def test_r2_score():
    def r2_columns(t, p, w):
        w = w[:, None]
        mean = (w * t).sum(0) / w.sum()
        return 1 - (w * (t - p) ** 2).sum(0) / (w * (t - mean) ** 2).sum(0)

    ones = np.ones(N, dtype="float32")
    cols = r2_columns(Y_TRUE, Y_PRED, ones)
    np.testing.assert_allclose(feed(metrics.R2Score(), Y_TRUE, Y_PRED), cols.mean(), rtol=1e-4)
    np.testing.assert_allclose(feed(metrics.R2Score(class_aggregation=None), Y_TRUE, Y_PRED),
                               cols, rtol=1e-4)
    var = ((Y_TRUE - Y_TRUE.mean(0)) ** 2).sum(0)
    np.testing.assert_allclose(
        feed(metrics.R2Score(class_aggregation="variance_weighted_average"), Y_TRUE, Y_PRED),
        (cols * var).sum() / var.sum(), rtol=1e-4)
    wcols = r2_columns(Y_TRUE, Y_PRED, W)
    np.testing.assert_allclose(feed(metrics.R2Score(), Y_TRUE, Y_PRED, W), wcols.mean(),
                               rtol=1e-4)
    n, p = N * D, 2  # Keras counts every entry as a sample
    np.testing.assert_allclose(feed(metrics.R2Score(num_regressors=p), Y_TRUE, Y_PRED),
                               1 - (1 - cols.mean()) * (n - 1) / (n - p - 1), rtol=1e-4)
    # More regressors than samples: the plain score.
    np.testing.assert_allclose(feed(metrics.R2Score(num_regressors=100), Y_TRUE, Y_PRED),
                               cols.mean(), rtol=1e-4)
    with pytest.raises(ValueError, match="2D"):
        metrics.R2Score().update_state(np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="class_aggregation"):
        metrics.R2Score(class_aggregation="median")


def test_keras_documented_values():
    y_true, y_pred = [[0, 1], [0, 0]], [[1, 1], [0, 0]]

    def check(metric, expected, sample_weight=None, y=(y_true, y_pred)):
        metric.update_state(*y, sample_weight=sample_weight)
        np.testing.assert_allclose(value(metric.result()), expected, rtol=1e-5)

    check(metrics.MeanSquaredError(), 0.25)
    check(metrics.MeanAbsoluteError(), 0.25)
    check(metrics.MeanAbsoluteError(), 0.5, [1, 0])
    check(metrics.MeanAbsolutePercentageError(), 250000000.0)
    check(metrics.MeanAbsolutePercentageError(), 500000000.0, [1, 0])
    check(metrics.MeanSquaredLogarithmicError(), 0.12011322)
    check(metrics.MeanSquaredLogarithmicError(), 0.24022643, [1, 0])
    check(metrics.RootMeanSquaredError(), 0.5)
    check(metrics.RootMeanSquaredError(), 0.70710677, [1, 0])
    check(metrics.LogCoshError(), 0.10844523)
    check(metrics.LogCoshError(), 0.21689045, [1, 0])
    cos = ([[0., 1.], [1., 1.]], [[1., 0.], [1., 1.]])
    check(metrics.CosineSimilarity(axis=1), 0.5, y=cos)
    check(metrics.CosineSimilarity(axis=1), 0.7, [0.3, 0.7], y=cos)
    check(metrics.R2Score(), 0.57142854,
          y=(np.array([[1], [4], [3]], "float32"), np.array([[2], [4], [4]], "float32")))


def test_names_and_config():
    assert metrics.LogCoshError().name == "logcosh"
    assert metrics.RootMeanSquaredError().name == "root_mean_squared_error"
    assert metrics.MeanSquaredError().get_config() == {"name": "mean_squared_error",
                                                       "dtype": "float32"}
    config = metrics.R2Score(num_regressors=2).get_config()
    assert config == {"name": "r2_score", "dtype": "float32",
                      "class_aggregation": "uniform_average", "num_regressors": 2}
    assert metrics.CosineSimilarity.from_config(
        metrics.CosineSimilarity(axis=0).get_config())._fn_kwargs == {"axis": 0}
