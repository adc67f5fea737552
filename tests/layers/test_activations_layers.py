"""Activation layers: ReLU, LeakyReLU, PReLU, ELU, Softmax (and Keras 2's ThresholdedReLU)."""
import os

import numpy as np
import pytest

from cornu import backend, layers
from tests.layers.fixtures import keras_cases
from tests.layers.harness import check_layer

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "activations_fixtures.npz")
CASES, ARRAYS = keras_cases.load(FIXTURES)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
@pytest.mark.parametrize("from_keras_config", [False, True], ids=["args", "keras_config"])
def test_matches_keras(case, from_keras_config):
    keras_cases.check_case(case, ARRAYS, from_keras_config=from_keras_config)


def _np(x):
    return backend.convert_to_numpy(x)


def _softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _relu(x, max_value=None, negative_slope=0.0, threshold=0.0):
    y = np.where(x >= threshold, x, negative_slope * (x - threshold))
    return y if max_value is None else np.minimum(y, max_value)


HARNESS = [
    (layers.ReLU, {}, lambda x: np.maximum(x, 0)),
    (layers.ReLU, {"max_value": 0.5, "negative_slope": 0.1, "threshold": 0.2},
     lambda x: _relu(x, 0.5, 0.1, 0.2)),
    (layers.LeakyReLU, {}, lambda x: np.where(x > 0, x, 0.3 * x)),
    (layers.ELU, {"alpha": 0.7}, lambda x: np.where(x > 0, x, 0.7 * (np.exp(x) - 1))),
    (layers.Softmax, {}, lambda x: _softmax(x, -1)),
    (layers.Softmax, {"axis": 1}, lambda x: _softmax(x, 1)),
    (layers.Softmax, {"axis": (1, 2)}, lambda x: _softmax(x, (1, 2))),
    (layers.ThresholdedReLU, {"theta": 0.5}, lambda x: np.where(x > 0.5, x, 0)),
]


@pytest.mark.parametrize("cls, kwargs, reference", HARNESS,
                         ids=[f"{c.__name__}-{i}" for i, (c, _, _) in enumerate(HARNESS)])
def test_harness(cls, kwargs, reference):
    check_layer(cls, kwargs, input_shape=(2, 3, 4), expected_num_trainable_weights=0,
                reference=lambda x, w: reference(x))


@pytest.mark.parametrize("shared_axes, weight_shape", [(None, (3, 4)), ([1], (1, 4)),
                                                       (2, (3, 1))])
def test_prelu_harness(shared_axes, weight_shape):
    check_layer(layers.PReLU, {"shared_axes": shared_axes,
                               "alpha_initializer": "random_normal"},
                input_shape=(2, 3, 4), expected_weight_shapes=[weight_shape],
                reference=lambda x, w: np.where(x > 0, x, w[0] * x))


def test_prelu_errors():
    with pytest.raises(ValueError, match="PReLU 'p'.*shared axis 3 is out of range"):
        layers.PReLU(shared_axes=3, name="p")(np.ones((2, 3)))
    layer = layers.PReLU(shared_axes=[1])
    layer(np.ones((2, 5, 4)))
    layer(np.ones((2, 7, 4)))  # the shared axis may change size
    with pytest.raises(ValueError, match="p_re_lu.*axis 2 of input shape to have value 4"):
        layer(np.ones((2, 5, 3)))


def test_leaky_relu_keras2_alpha():
    with pytest.warns(DeprecationWarning, match="negative_slope"):
        layer = layers.LeakyReLU(alpha=0.1)
    assert layer.negative_slope == 0.1 and "alpha" not in layer.get_config()
    np.testing.assert_allclose(_np(layer(np.array([-1.0, 2.0], "float32"))), [-0.1, 2.0],
                               rtol=1e-6)
    with pytest.raises(ValueError, match="LeakyReLU: `negative_slope`"):
        layers.LeakyReLU(negative_slope=-1)


@pytest.mark.parametrize("kwargs", [{"max_value": -1}, {"negative_slope": -0.1},
                                    {"threshold": None}])
def test_relu_bad_arguments(kwargs):
    with pytest.raises(ValueError, match=f"ReLU: `{next(iter(kwargs))}`"):
        layers.ReLU(**kwargs)


def test_softmax_mask_gives_zero_probability():
    x = np.random.default_rng(0).normal(size=(2, 5)).astype("float32")
    mask = np.array([[True, True, False, True, False], [False] * 4 + [True]])
    y = _np(layers.Softmax()(x, mask=mask))
    assert np.all(y[~mask] == 0)
    np.testing.assert_allclose(y.sum(-1), 1.0, rtol=1e-6)
    expected = np.where(mask, np.exp(x), 0)
    np.testing.assert_allclose(y, expected / expected.sum(-1, keepdims=True), rtol=1e-5)
    y = _np(layers.Softmax()(x, mask=np.array([1.0, 0.0, 1.0, 1.0, 1.0], "float32")))
    assert np.all(y[:, 1] == 0)
    with pytest.raises(ValueError, match="softmax.*broadcastable"):
        layers.Softmax()(x, mask=np.ones((2, 3), bool))
