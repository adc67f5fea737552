"""Accuracy metrics against numpy, over several batches, with sample weights."""
import numpy as np
import pytest

from cornu import backend, metrics

rng = np.random.default_rng(2)


def value(x):
    return backend.convert_to_numpy(x)


def weighted_mean(hits, weights):
    return (hits * weights).sum() / weights.sum()


def run_batches(metric, y_true, y_pred, weights, splits=(0, 3, 7, 10)):
    for a, b in zip(splits[:-1], splits[1:]):
        metric.update_state(y_true[a:b], y_pred[a:b], sample_weight=weights[a:b])
    return value(metric.result())


N, C = 10, 5
SCORES = rng.uniform(size=(N, C)).astype("float32")
LABELS = rng.integers(0, C, N)
ONE_HOT = np.eye(C, dtype="float32")[LABELS]
W = rng.uniform(0.1, 2.0, N).astype("float32")


def np_top_k(labels, scores, k):
    kth = np.sort(scores, -1)[:, -k]
    return (scores[np.arange(len(labels)), labels] >= kth).astype("float32")


def test_accuracy():
    y_true = rng.integers(0, 3, (N, 1))
    y_pred = np.where(rng.uniform(size=(N, 1)) < 0.6, y_true, (y_true + 1) % 3)
    hits = (y_true == y_pred)[:, 0].astype("float32")
    assert np.isclose(run_batches(metrics.Accuracy(), y_true, y_pred, W), weighted_mean(hits, W))


@pytest.mark.parametrize("threshold", [0.5, 0.3])
def test_binary_accuracy(threshold):
    y_true = rng.integers(0, 2, (N, 3)).astype("float32")
    y_pred = rng.uniform(size=(N, 3)).astype("float32")
    hits = (y_true == (y_pred > threshold)).mean(-1)
    m = metrics.BinaryAccuracy(threshold=threshold)
    assert np.isclose(run_batches(m, y_true, y_pred, W), weighted_mean(hits, W), rtol=1e-6)
    np.testing.assert_allclose(value(metrics.binary_accuracy(y_true, y_pred, threshold)),
                               (y_true == (y_pred > threshold)).astype("float32"))


def test_binary_accuracy_rank_mismatch():
    # Labels (N,) against predictions (N, 1): one result per sample.
    y_true = np.array([1, 0, 1, 0])
    y_pred = np.array([[0.9], [0.7], [0.2], [0.1]])
    m = metrics.BinaryAccuracy()
    m.update_state(y_true, y_pred)
    assert np.isclose(value(m.result()), 0.5)


def test_categorical_and_sparse_accuracy():
    hits = (SCORES.argmax(-1) == LABELS).astype("float32")
    assert np.isclose(run_batches(metrics.CategoricalAccuracy(), ONE_HOT, SCORES, W),
                      weighted_mean(hits, W), rtol=1e-6)
    assert np.isclose(run_batches(metrics.SparseCategoricalAccuracy(), LABELS, SCORES, W),
                      weighted_mean(hits, W), rtol=1e-6)
    assert np.isclose(run_batches(metrics.SparseCategoricalAccuracy(), LABELS[:, None], SCORES,
                                  W), weighted_mean(hits, W), rtol=1e-6)
    assert value(metrics.sparse_categorical_accuracy(LABELS[:, None], SCORES)).shape == (N,)


@pytest.mark.parametrize("k", [1, 2, 4])
def test_top_k_accuracy(k):
    hits = np_top_k(LABELS, SCORES, k)
    assert np.isclose(run_batches(metrics.TopKCategoricalAccuracy(k=k), ONE_HOT, SCORES, W),
                      weighted_mean(hits, W), rtol=1e-6)
    assert np.isclose(run_batches(metrics.SparseTopKCategoricalAccuracy(k=k), LABELS, SCORES,
                                  W), weighted_mean(hits, W), rtol=1e-6)
    sorted_ids = np.argsort(-SCORES, -1)
    m = metrics.SparseTopKCategoricalAccuracy(k=k, from_sorted_ids=True)
    assert np.isclose(run_batches(m, LABELS, sorted_ids, W), weighted_mean(hits, W), rtol=1e-6)


def test_top_k_on_sequences():
    scores = rng.uniform(size=(2, 4, C)).astype("float32")  # (N, T, C)
    labels = rng.integers(0, C, (2, 4))
    hits = np_top_k(labels.reshape(-1), scores.reshape(-1, C), 2).reshape(2, 4)
    np.testing.assert_allclose(
        value(metrics.sparse_top_k_categorical_accuracy(labels, scores, k=2)), hits)
    np.testing.assert_allclose(
        value(metrics.top_k_categorical_accuracy(np.eye(C)[labels], scores, k=2)), hits)


def test_keras_documented_values():
    m = metrics.Accuracy()
    m.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]])
    assert np.isclose(value(m.result()), 0.75)
    m.reset_state()
    m.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]], sample_weight=[1, 1, 0, 0])
    assert np.isclose(value(m.result()), 0.5)

    m = metrics.BinaryAccuracy()
    m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])
    assert np.isclose(value(m.result()), 0.75)
    m.reset_state()
    m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]],
                   sample_weight=[1, 0, 0, 1])
    assert np.isclose(value(m.result()), 0.5)

    m = metrics.CategoricalAccuracy()
    m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
    assert np.isclose(value(m.result()), 0.5)
    m.reset_state()
    m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]],
                   sample_weight=[0.7, 0.3])
    assert np.isclose(value(m.result()), 0.3)

    m = metrics.SparseCategoricalAccuracy()
    m.update_state([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
    assert np.isclose(value(m.result()), 0.5)

    m = metrics.TopKCategoricalAccuracy(k=1)
    m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]],
                   sample_weight=[0.7, 0.3])
    assert np.isclose(value(m.result()), 0.3)

    m = metrics.SparseTopKCategoricalAccuracy(k=1)
    m.update_state([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
    assert np.isclose(value(m.result()), 0.5)


def test_names_and_config():
    assert metrics.Accuracy().name == "accuracy"
    assert metrics.BinaryAccuracy().get_config() == {
        "name": "binary_accuracy", "dtype": "float32", "threshold": 0.5}
    m = metrics.SparseTopKCategoricalAccuracy(k=3, name="top3")
    again = metrics.SparseTopKCategoricalAccuracy.from_config(m.get_config())
    assert again.name == "top3" and again.get_config() == m.get_config()
