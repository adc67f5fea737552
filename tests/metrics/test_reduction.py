"""Metric base behaviour (state, reset, config, no host syncs) and Sum / Mean /
MeanMetricWrapper."""
import numpy as np
import pytest
import torch

from cornu import backend, losses, metrics, ops

rng = np.random.default_rng(1)


def value(x):
    return backend.convert_to_numpy(x)


def test_sum_and_mean_accumulate_and_reset():
    m = metrics.Mean()
    m.update_state([1, 3, 5, 7])
    m.update_state([[2.0, 4.0]], sample_weight=[0.5])  # one sample: mean 3, weight 0.5
    expected = (1 + 3 + 5 + 7 + 0.5 * 3) / (4 + 0.5)
    assert np.isclose(value(m.result()), expected)
    assert backend.is_tensor(m.result())
    m.reset_state()
    assert value(m.result()) == 0.0
    m.update_state(2.0)
    assert value(m.result()) == 2.0

    s = metrics.Sum()
    s.update_state([1, 3, 5, 7])
    s.update_state([1, 1], sample_weight=[2, 0])
    assert value(s.result()) == 18.0
    s.reset_state()
    assert value(s.result()) == 0.0


def test_python_number_weights(monkeypatch):
    m = metrics.Mean(name="loss")
    with monkeypatch.context() as patch:  # a number weight is never copied to the device
        patch.setattr(torch, "as_tensor", None)
        m.update_state(torch.tensor(2.0), sample_weight=32)
        m.update_state(torch.tensor(5.0), sample_weight=16)
        m.update_state(torch.tensor([1.0, 3.0]), sample_weight=0.5)
    assert np.isclose(value(m.result()), (2 * 32 + 5 * 16 + 0.5 * 4) / (48 + 1))
    s = metrics.Sum()
    s.update_state([[1.0, 3.0]], sample_weight=2)
    assert value(s.result()) == 8.0


def test_mean_weights_per_sample_and_per_entry():
    values = rng.normal(size=(3, 4)).astype("float32")
    w_sample = np.array([1.0, 0.0, 2.0], dtype="float32")
    m = metrics.Mean()
    m.update_state(values, sample_weight=w_sample)
    expected = (values.mean(1) * w_sample).sum() / w_sample.sum()
    assert np.isclose(value(m.result()), expected, rtol=1e-6)
    w_entry = rng.uniform(size=(3, 4)).astype("float32")
    m = metrics.Mean()
    m.update_state(values, sample_weight=w_entry)
    expected = (values * w_entry).mean(1).sum() / w_entry.mean(1).sum()
    assert np.isclose(value(m.result()), expected, rtol=1e-6)


def test_mean_metric_wrapper_of_loss_functions():
    y_true = rng.normal(size=(5, 3)).astype("float32")
    y_pred = rng.normal(size=(5, 3)).astype("float32")
    w = np.array([1.0, 2.0, 0.0, 1.0, 0.5], dtype="float32")
    m = metrics.MeanMetricWrapper(losses.huber, name="my_huber", delta=0.5)
    m.update_state(y_true[:2], y_pred[:2], sample_weight=w[:2])
    m.update_state(y_true[2:], y_pred[2:], sample_weight=w[2:])
    e = np.abs(y_pred - y_true)
    per = np.where(e <= 0.5, 0.5 * e ** 2, 0.5 * e - 0.125).mean(-1)
    assert np.isclose(value(m.result()), (per * w).sum() / w.sum(), rtol=1e-6)
    assert m.name == "my_huber"
    config = m.get_config()
    assert config == {"name": "my_huber", "dtype": "float32", "fn": "huber", "delta": 0.5}
    again = metrics.MeanMetricWrapper.from_config(config)
    again.update_state(y_true, y_pred, sample_weight=w)
    assert np.isclose(value(again.result()), value(m.result()), rtol=1e-6)


def test_mask_of_y_pred_is_respected():
    y_true = np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])
    y_pred = ops.convert_to_tensor(np.array([[1.5, 2.0, 9.0], [2.0, 1.0, 9.0]], "float32"))
    mask = np.array([[True, True, False], [True, True, False]])
    y_pred._keras_mask = ops.convert_to_tensor(mask)

    def squared(t, p):
        return ops.square(ops.convert_to_tensor(t, "float32") - p)  # per timestep

    m = metrics.MeanMetricWrapper(squared)
    m.update_state(y_true, y_pred)
    err = (np.array([[1.5, 2.0, 9.0], [2.0, 1.0, 9.0]]) - y_true) ** 2
    assert np.isclose(value(m.result()), err[mask].mean(), rtol=1e-6)


def test_variables_names_and_custom_metric():
    m = metrics.Mean(name="loss")
    assert [v.name for v in m.variables] == ["total", "count"]
    assert all(not v.trainable for v in m.variables)

    class CountPositives(metrics.Metric):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.positives = self.add_variable(shape=(), initializer="zeros", name="positives")
            self.inner = metrics.Sum()

        def update_state(self, y_true, y_pred, sample_weight=None):
            self.positives.assign_add(ops.sum(ops.cast(ops.greater(y_pred, 0), "float32")))
            self.inner.update_state(y_pred)

        def result(self):
            return ops.copy(self.positives.value)

    c = CountPositives()
    assert c.name == "count_positives" and CountPositives().name == "count_positives_1"
    assert len(c.variables) == 2  # its own and the sub-metric's
    assert value(c(None, [1.0, -1.0, 2.0])) == 2.0
    c.reset_state()
    assert value(c.result()) == 0.0 and value(c.inner.result()) == 0.0
    assert c.get_config() == {"name": "count_positives", "dtype": "float32"}
    with pytest.raises(RuntimeError, match="super"):
        class Broken(metrics.Metric):
            def __init__(self):
                self.v = self.add_variable((), "zeros")
        Broken()


def test_result_is_not_aliased_to_state():
    s = metrics.Sum()
    s.update_state([1.0])
    first = s.result()
    s.update_state([1.0])
    assert value(first) == 1.0 and value(s.result()) == 2.0


def test_dtype():
    m = metrics.Mean(dtype="float64")
    m.update_state([1, 2])
    assert ops.dtype(m.result()) == "float64"
    assert m.get_config()["dtype"] == "float64"
    assert metrics.Mean().dtype == backend.floatx()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_mean_metric_wrapper_does_not_sync_on_cuda():
    with backend.device_scope("cuda"):
        m = metrics.MeanSquaredError()
        y = torch.rand(8, 3, device="cuda")
        torch.cuda.synchronize()
        torch.cuda.set_sync_debug_mode("error")
        try:
            m.update_state(y, y * 2, sample_weight=torch.ones(8, device="cuda"))
        finally:
            torch.cuda.set_sync_debug_mode("default")
