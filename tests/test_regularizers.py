"""cornu.regularizers: penalties against numpy, gradients, names and configs."""
import numpy as np
import pytest
import torch

from cornu import backend, regularizers

RNG = np.random.default_rng(0)
W = RNG.normal(size=(6, 4)).astype("float32")


def value(reg, w=W):
    return float(backend.convert_to_numpy(reg(backend.convert_to_tensor(w))))


def test_l1_l2_l1l2_match_numpy():
    assert value(regularizers.L1(0.3)) == pytest.approx(0.3 * np.abs(W).sum(), rel=1e-6)
    assert value(regularizers.L2(0.3)) == pytest.approx(0.3 * np.square(W).sum(), rel=1e-6)
    assert value(regularizers.L1L2(l1=0.1, l2=0.2)) == pytest.approx(
        0.1 * np.abs(W).sum() + 0.2 * np.square(W).sum(), rel=1e-6)
    assert value(regularizers.L1L2()) == 0.0
    assert value(regularizers.Regularizer()) == 0.0


def _orthogonal_penalty(w, factor):
    unit = w / np.maximum(np.linalg.norm(w, axis=1, keepdims=True), 1e-7)
    cos = unit @ unit.T
    n = len(w)
    return factor * 0.5 * np.abs(cos - np.diag(np.diag(cos))).sum() / (n * (n - 1) / 2)


def test_orthogonal_regularizer_matches_numpy():
    assert value(regularizers.OrthogonalRegularizer(0.2, "rows")) == pytest.approx(
        _orthogonal_penalty(W, 0.2), rel=1e-5)
    assert value(regularizers.OrthogonalRegularizer(0.2, "columns")) == pytest.approx(
        _orthogonal_penalty(W.T, 0.2), rel=1e-5)
    assert value(regularizers.OrthogonalRegularizer(1.0), np.eye(3, dtype="float32")) == 0.0
    with pytest.raises(ValueError, match="2D"):
        regularizers.OrthogonalRegularizer()(backend.convert_to_tensor(np.ones((2, 2, 2))))
    with pytest.raises(ValueError, match="mode"):
        regularizers.OrthogonalRegularizer(mode="diagonal")


def test_penalty_is_a_differentiable_scalar():
    w = torch.tensor(W, requires_grad=True)
    penalty = regularizers.L1L2(l1=0.1, l2=0.2)(w)
    assert tuple(penalty.shape) == ()
    penalty.backward()
    np.testing.assert_allclose(w.grad.numpy(), 0.1 * np.sign(W) + 0.4 * W, rtol=1e-5)


def test_penalty_of_a_variable():
    v = backend.Variable(W)
    assert value(regularizers.L2(0.5), v) == pytest.approx(0.5 * np.square(W).sum(), rel=1e-6)


def test_defaults_and_validation():
    assert regularizers.L1().get_config() == {"l1": 0.01}
    assert regularizers.L2().get_config() == {"l2": 0.01}
    assert regularizers.L1L2().get_config() == {"l1": 0.0, "l2": 0.0}
    assert regularizers.OrthogonalRegularizer().get_config() == {"factor": 0.01, "mode": "rows"}
    for bad in (-0.1, float("nan"), "0.1"):
        with pytest.raises(ValueError, match="l2"):
            regularizers.L2(bad)
    with pytest.warns(DeprecationWarning, match="l1="):
        assert regularizers.l1(l=0.2).l1 == 0.2  # Keras 1/2's l1(l=...)


def test_get_names_and_objects():
    assert regularizers.get(None) is None
    for name, cls in [("l1", regularizers.L1), ("l2", regularizers.L2),
                      ("l1_l2", regularizers.L1L2), ("l1l2", regularizers.L1L2),
                      ("L1L2", regularizers.L1L2),
                      ("orthogonal_regularizer", regularizers.OrthogonalRegularizer)]:
        assert type(regularizers.get(name)) is cls
    obj = regularizers.L2(0.1)
    assert regularizers.get(obj) is obj
    fn = lambda w: 0.0  # noqa: E731
    assert regularizers.get(fn) is fn
    assert regularizers.l2 is regularizers.L2 and regularizers.l1_l2 is regularizers.L1L2
    with pytest.raises(ValueError, match="Did you mean 'l1_l2'"):
        regularizers.get("l1_l3")


@pytest.mark.parametrize("reg", [
    regularizers.L1(0.2), regularizers.L2(0.3), regularizers.L1L2(0.1, 0.4),
    regularizers.OrthogonalRegularizer(0.5, "columns"),
])
def test_round_trips(reg):
    config = regularizers.serialize(reg)
    assert config == {"module": "keras.regularizers", "class_name": type(reg).__name__,
                      "config": reg.get_config(), "registered_name": None}
    rebuilt = regularizers.deserialize(config)
    assert type(rebuilt) is type(reg) and rebuilt.get_config() == reg.get_config()
    assert regularizers.get(config).get_config() == reg.get_config()
    assert value(rebuilt) == value(reg)


def test_custom_regularizer_without_config():
    class Sum(regularizers.Regularizer):
        def __call__(self, x):
            return 0.0
    with pytest.raises(NotImplementedError, match="get_config"):
        Sum().get_config()
    assert repr(Sum()) == "Sum()"
