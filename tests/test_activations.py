"""keras.activations: every name through get(), numerics against numpy, serialization."""
import math

import numpy as np
import pytest

import cornu
from cornu import activations, ops

X = np.concatenate([np.linspace(-7, 7, 57), [-1.0, 0.0, 1.0, 6.0]]).astype("float32")
_sig = 1 / (1 + np.exp(-X.astype("float64")))
_softplus = np.log1p(np.exp(X.astype("float64")))
_hard_sig = np.clip(X / 6 + 0.5, 0, 1)
_erf = np.vectorize(math.erf)
_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772, 1.0507009873554805


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _sparsemax(z):
    top = np.sort(z)[::-1]
    k = max(k for k in range(1, len(z) + 1) if top[k - 1] > (top[:k].sum() - 1) / k)
    return np.maximum(z - (top[:k].sum() - 1) / k, 0)


REFERENCES = {  # name: numpy result on X (threshold and glu are tested on their own)
    "celu": np.maximum(X, 0) + np.minimum(np.exp(X) - 1, 0),
    "elu": np.where(X > 0, X, np.exp(X) - 1),
    "exponential": np.exp(X),
    "gelu": 0.5 * X * (1 + _erf(X / np.sqrt(2))),  # exact by default, unlike ops.gelu
    "hard_shrink": np.where(np.abs(X) > 0.5, X, 0),
    "hard_sigmoid": _hard_sig,
    "hard_silu": X * _hard_sig,
    "hard_swish": X * _hard_sig,
    "hard_tanh": np.clip(X, -1, 1),
    "leaky_relu": np.where(X > 0, X, 0.2 * X),
    "linear": X,
    "log_sigmoid": np.log(_sig),
    "log_softmax": np.log(_softmax(X)),
    "mish": X * np.tanh(_softplus),
    "relu": np.maximum(X, 0),
    "relu6": np.clip(X, 0, 6),
    "selu": _SELU_SCALE * np.where(X > 0, X, _SELU_ALPHA * (np.exp(X) - 1)),
    "sigmoid": _sig,
    "silu": X * _sig,
    "swish": X * _sig,
    "soft_shrink": np.where(X > 0.5, X - 0.5, np.where(X < -0.5, X + 0.5, 0)),
    "softmax": _softmax(X),
    "softplus": _softplus,
    "softsign": X / (1 + np.abs(X)),
    "sparse_plus": np.where(X <= -1, 0, np.where(X >= 1, X, (X + 1) ** 2 / 4)),
    "sparse_sigmoid": np.clip((X + 1) / 2, 0, 1),
    "sparsemax": _sparsemax(X),
    "squareplus": (X + np.sqrt(X ** 2 + 4)) / 2,
    "tanh": np.tanh(X),
    "tanh_shrink": X - np.tanh(X),
}
ALL_NAMES = sorted([*REFERENCES, "glu", "threshold"])


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_get_by_name_matches_numpy(name):
    if name == "exponential" and not hasattr(ops, "exp"):
        pytest.skip("ops.exp is not available yet")
    fn = activations.get(name)
    assert fn is getattr(activations, name)
    np.testing.assert_allclose(ops.convert_to_numpy(fn(X)), REFERENCES[name],
                               rtol=1e-5, atol=1e-5)


def test_glu_and_threshold():
    x = X[:56].reshape(4, 14)
    np.testing.assert_allclose(ops.convert_to_numpy(activations.get("glu")(x)),
                               x[:, :7] / (1 + np.exp(-x[:, 7:])), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ops.convert_to_numpy(activations.threshold(X, 1.0, -2.0)),
                               np.where(X > 1.0, X, -2.0))


@pytest.mark.parametrize("kwargs", [
    {"negative_slope": 0.1}, {"max_value": 6.0}, {"max_value": 2.5}, {"threshold": 1.5},
    {"threshold": -1.0}, {"negative_slope": 0.3, "threshold": 1.0, "max_value": 4.0},
])
def test_relu_options(kwargs):
    slope, top, t = (kwargs.get(k, d) for k, d in
                     (("negative_slope", 0.0), ("max_value", None), ("threshold", 0.0)))
    y = np.where(X > t, X, 0.0)
    if top is not None:
        y = np.clip(y, 0, top)
    y = y - slope * np.maximum(t - X, 0)
    np.testing.assert_allclose(ops.convert_to_numpy(activations.relu(X, **kwargs)), y,
                               rtol=1e-6, atol=1e-6)


def test_gelu_approximate_and_softmax_axis():
    approx = 0.5 * X * (1 + np.tanh(np.sqrt(2 / np.pi) * (X + 0.044715 * X ** 3)))
    np.testing.assert_allclose(ops.convert_to_numpy(activations.gelu(X, approximate=True)),
                               approx, rtol=1e-5, atol=1e-6)
    x = X[:56].reshape(4, 14)
    np.testing.assert_allclose(ops.convert_to_numpy(activations.softmax(x, axis=0)),
                               _softmax(x, axis=0), rtol=1e-5, atol=1e-7)


def test_names_match_keras():
    for name in ALL_NAMES:
        fn = getattr(activations, name)
        assert activations.get(name) is fn
        assert fn.__doc__
    for name in ALL_NAMES:
        if name not in ("swish", "hard_swish"):
            assert getattr(activations, name).__name__ == name
    assert activations.swish is activations.silu
    assert activations.hard_swish is activations.hard_silu


@pytest.mark.parametrize("name", ALL_NAMES)
def test_serialize_round_trip(name):
    fn = activations.get(name)
    saved = activations.serialize(fn)
    assert saved == {"swish": "silu", "hard_swish": "hard_silu"}.get(name, name)
    assert activations.deserialize(saved) is fn
    assert activations.get({"module": "keras.activations", "class_name": "function",
                            "config": saved, "registered_name": "function"}) is fn


def test_get_none_and_callables():
    assert activations.get(None) is activations.linear

    def custom(x):
        return x

    assert activations.get(custom) is custom
    with cornu.saving.custom_object_scope({"custom": custom}):
        assert activations.get("custom") is custom
        assert activations.serialize(custom) == "custom"


def test_unknown_name_error():
    with pytest.raises(ValueError, match="Unknown activation 'rellu'") as info:
        activations.get("rellu")
    message = str(info.value)
    assert "Did you mean 'relu'?" in message
    assert "softmax" in message and "tanh" in message
    with pytest.raises(ValueError, match="Could not interpret"):
        activations.get(3)


def test_on_keras_tensors():
    inputs = cornu.Input((4,))
    for name in ("relu", "mish", "softmax", "gelu"):
        assert activations.get(name)(inputs).shape == (None, 4)
    assert activations.relu(inputs, max_value=1.0, negative_slope=0.1).shape == (None, 4)
