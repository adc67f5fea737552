"""PearsonCorrelation / ConcordanceCorrelation and their functions against Keras 3.15.1
(fixtures made by ``fixtures/make_correlation_fixtures.py``)."""
import json
import os

import numpy as np
import pytest

import cornu
from cornu import metrics

HERE = os.path.dirname(os.path.abspath(__file__))
A = np.load(os.path.join(HERE, "fixtures", "correlation.npz"))
with open(os.path.join(HERE, "fixtures", "correlation.json")) as _f:
    CONFIGS = json.load(_f)["configs"]
BATCHES = [(A[f"batch{i}__y_true"], A[f"batch{i}__y_pred"], A[f"batch{i}__weight"])
           for i in range(3)]
CASES = {
    "pearson": ("PearsonCorrelation", {}),
    "pearson_axis0": ("PearsonCorrelation", {"axis": 0}),
    "concordance": ("ConcordanceCorrelation", {}),
    "concordance_axis0": ("ConcordanceCorrelation", {"axis": 0, "name": "ccc"}),
}
TOL = dict(rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("fn", ["pearson_correlation", "concordance_correlation"])
@pytest.mark.parametrize("axis", [-1, 0])
def test_functions_match_keras(fn, axis):
    for i, (t, p, _) in enumerate(BATCHES):
        value = getattr(metrics, fn)(t, p, axis=axis)
        np.testing.assert_allclose(np.asarray(value), A[f"fn__{fn}__axis{axis}__batch{i}"],
                                   **TOL)


def test_pearson_function_against_numpy():
    t, p, _ = BATCHES[0]
    expected = [np.corrcoef(a, b)[0, 1] for a, b in zip(t, p)]
    np.testing.assert_allclose(np.asarray(metrics.pearson_correlation(t, p)), expected, **TOL)


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("weighted", [False, True])
def test_stateful_result_over_batches_matches_keras(case, weighted):
    cls, kwargs = CASES[case]
    if weighted and "axis" in kwargs:
        pytest.skip("along axis 0 the values are per feature: Keras takes no sample weight")
    metric = getattr(metrics, cls)(**kwargs)
    for t, p, w in BATCHES:
        metric.update_state(t, p, sample_weight=w if weighted else None)
    key = f"{case}__{'weighted' if weighted else 'plain'}"
    np.testing.assert_allclose(float(metric.result()), A[key], **TOL)
    # Keras averages the per-sample coefficients over all batches, not a pooled one
    if case == "pearson" and not weighted:
        per_sample = np.concatenate([np.asarray(metrics.pearson_correlation(t, p))
                                     for t, p, _ in BATCHES])
        np.testing.assert_allclose(float(metric.result()), per_sample.mean(), **TOL)
    metric.reset_state()
    np.testing.assert_allclose(float(metric.result()), A[key + "__after_reset"])
    metric.update_state(*BATCHES[0][:2])  # usable again after the reset
    assert np.isfinite(float(metric.result()))


@pytest.mark.parametrize("case", sorted(CASES))
def test_config_round_trip(case):
    cls, kwargs = CASES[case]
    metric = getattr(metrics, cls)(**kwargs)
    assert metric.get_config() == CONFIGS[case]
    again = type(metric).from_config(metric.get_config())
    assert again.get_config() == CONFIGS[case]
    restored = metrics.deserialize(metrics.serialize(metric))
    assert type(restored) is type(metric) and restored.axis == metric.axis


@pytest.mark.parametrize("cls", ["PearsonCorrelation", "ConcordanceCorrelation"])
def test_docstring_example(cls):
    metric = getattr(metrics, cls)()
    metric.update_state([[0, 1, 0.5], [1, 1, 0.2]], [[0.1, 0.9, 0.5], [1, 0.9, 0.2]])
    np.testing.assert_allclose(float(metric.result()), A[f"example__{cls}"], **TOL)


@pytest.mark.parametrize("name,cls", [("pearson_correlation", "PearsonCorrelation"),
                                      ("concordance_correlation", "ConcordanceCorrelation")])
def test_in_compile(name, cls):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 4)).astype("float32")
    y = np.concatenate([x, -x], axis=1)
    model = cornu.Sequential([cornu.Input((4,)), cornu.layers.Dense(8)])
    model.compile(optimizer="adam", loss="mse", metrics=[name, getattr(metrics, cls)()])
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert name in logs and -1.0 <= logs[name] <= 1.0
    predictions = model.predict(x, verbose=0)
    expected = np.asarray(getattr(metrics, name)(y, predictions)).mean()
    np.testing.assert_allclose(logs[name], expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", ["pearson_correlation", "val_concordance_correlation"])
def test_callbacks_maximise_correlations_in_auto_mode(name):
    # Keras reads the metric's direction ("up"); cornu's callbacks go by the name
    from cornu.callbacks.monitor import Monitor
    assert Monitor("EarlyStopping", name).mode == "max"
    assert metrics.PearsonCorrelation()._direction == "up"
