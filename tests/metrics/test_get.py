"""cornu.metrics.get / serialize / deserialize, and every loss usable as a metric."""
import numpy as np
import pytest

from cornu import backend, losses, metrics

rng = np.random.default_rng(9)


def value(x):
    return backend.convert_to_numpy(x)


@pytest.mark.parametrize("name, cls", [
    ("mse", metrics.MeanSquaredError), ("MSE", metrics.MeanSquaredError),
    ("mean_squared_error", metrics.MeanSquaredError), ("mae", metrics.MeanAbsoluteError),
    ("mape", metrics.MeanAbsolutePercentageError), ("msle", metrics.MeanSquaredLogarithmicError),
    ("auc", metrics.AUC), ("AUC", metrics.AUC), ("precision", metrics.Precision),
    ("recall", metrics.Recall), ("binary_accuracy", metrics.BinaryAccuracy),
    ("accuracy", metrics.Accuracy), ("acc", metrics.Accuracy),
    ("categorical_accuracy", metrics.CategoricalAccuracy),
    ("sparse_categorical_accuracy", metrics.SparseCategoricalAccuracy),
    ("top_k_categorical_accuracy", metrics.TopKCategoricalAccuracy),
    ("binary_crossentropy", metrics.BinaryCrossentropy), ("bce", metrics.BinaryCrossentropy),
    ("sparse_categorical_crossentropy", metrics.SparseCategoricalCrossentropy),
    ("kl_divergence", metrics.KLDivergence), ("hinge", metrics.Hinge),
    ("logcosh", metrics.LogCoshError), ("root_mean_squared_error", metrics.RootMeanSquaredError),
    ("cosine_similarity", metrics.CosineSimilarity), ("r2_score", metrics.R2Score),
    ("f1_score", metrics.F1Score),
])
def test_names_give_metric_instances_named_after_the_string(name, cls):
    metric = metrics.get(name)
    assert type(metric) is cls and metric.name == name


# "cosine_similarity" names the CosineSimilarity metric (+1 when aligned), the negated loss
# is a loss only; CTC needs sequences; circle needs integer labels and masks out zero
# losses (tests/losses/test_new_losses.py).
LOSS_NAMES = sorted(n for n in losses.ALL_OBJECTS_DICT
                    if n[:1].islower() and n not in ("ctc", "cosine_similarity", "circle"))


@pytest.mark.parametrize("name", LOSS_NAMES)
def test_every_loss_name_is_a_metric(name):
    metric = metrics.get(name)
    assert isinstance(metric, metrics.Metric) and metric.name == name
    y_true = rng.uniform(0.1, 1, (6, 3)).astype("float32")
    y_pred = rng.uniform(0.1, 1, (6, 3)).astype("float32")
    if "sparse" in name:
        y_true = rng.integers(0, 3, 6)
    fn = losses.get(name)
    w = rng.uniform(size=6).astype("float32")
    metric.update_state(y_true, y_pred, sample_weight=w)
    per = value(fn(y_true, y_pred))
    expected = (per * w).sum() / w.sum() if per.ndim else per
    np.testing.assert_allclose(value(metric.result()), expected, rtol=1e-5)


def test_loss_classes_and_instances_as_metrics():
    y_true = rng.normal(size=(5, 2)).astype("float32")
    y_pred = rng.normal(size=(5, 2)).astype("float32")
    m = metrics.get(losses.Huber(delta=0.5))
    assert isinstance(m, metrics.MeanMetricWrapper) and m.name == "huber_loss"
    m.update_state(y_true, y_pred)
    np.testing.assert_allclose(value(m.result()),
                               value(losses.Huber(delta=0.5)(y_true, y_pred)), rtol=1e-6)
    m = metrics.get("Huber")
    assert isinstance(m, metrics.MeanMetricWrapper) and m.name == "Huber"
    with pytest.warns(DeprecationWarning):
        assert metrics.get("kullback_leibler_divergence").name == "kullback_leibler_divergence"


def test_functions_instances_classes_and_configs():
    m = metrics.get(metrics.binary_accuracy)
    assert isinstance(m, metrics.MeanMetricWrapper) and m.name == "binary_accuracy"

    def my_metric(y_true, y_pred):
        return backend.convert_to_tensor(np.ones(len(y_true), "float32"))

    m = metrics.get(my_metric)
    assert m.name == "my_metric"
    m.update_state([0, 1], [1, 1])
    assert value(m.result()) == 1.0
    instance = metrics.AUC(curve="PR")
    assert metrics.get(instance) is instance
    assert isinstance(metrics.get(metrics.Recall), metrics.Recall)
    assert metrics.get(None) is None
    m = metrics.get({"class_name": "AUC", "config": {"curve": "PR", "name": "prauc"}})
    assert isinstance(m, metrics.AUC) and m.curve == "PR" and m.name == "prauc"
    with pytest.raises(ValueError, match="Did you mean 'precision'"):
        metrics.get("precison")
    with pytest.raises(ValueError, match="Could not interpret"):
        metrics.get(42)


def test_serialize_deserialize_round_trip():
    for metric in (metrics.AUC(num_thresholds=50, multi_label=True, num_labels=2),
                   metrics.Precision(thresholds=[0.3], class_id=1),
                   metrics.MeanMetricWrapper(losses.huber, name="h", delta=2.0),
                   metrics.F1Score(average="weighted", threshold=0.4),
                   metrics.SparseTopKCategoricalAccuracy(k=3)):
        config = metrics.serialize(metric)
        assert config["module"] == "keras.metrics"
        assert config["class_name"] == type(metric).__name__
        again = metrics.deserialize(config)
        assert type(again) is type(metric) and again.get_config() == metric.get_config()
    assert metrics.serialize(metrics.binary_accuracy) == "binary_accuracy"
    assert metrics.deserialize_function("binary_accuracy") is metrics.binary_accuracy
    assert metrics.deserialize_function("huber") is losses.huber
    wrapper = metrics.MeanMetricWrapper.from_config(
        {"name": "w", "dtype": "float32", "fn": "sparse_categorical_accuracy"})
    assert wrapper._fn is metrics.sparse_categorical_accuracy
