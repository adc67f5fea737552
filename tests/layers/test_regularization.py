"""Regularization layers: identity at inference, the right noise while training."""
import os

import numpy as np
import pytest

import cornu
from cornu import backend, layers
from tests.layers.fixtures import keras_cases
from tests.layers.harness import check_layer

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "regularization_fixtures.npz")
CASES, ARRAYS = keras_cases.load(FIXTURES)
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
@pytest.mark.parametrize("from_keras_config", [False, True], ids=["args", "keras_config"])
def test_matches_keras(case, from_keras_config):
    keras_cases.check_case(case, ARRAYS, from_keras_config=from_keras_config)


def _np(x):
    return backend.convert_to_numpy(x)


NOISE_LAYERS = [
    (layers.Dropout, {"rate": 0.5}, (4, 6)),
    (layers.SpatialDropout1D, {"rate": 0.5}, (2, 5, 3)),
    (layers.SpatialDropout2D, {"rate": 0.5}, (2, 4, 4, 3)),
    (layers.SpatialDropout2D, {"rate": 0.5, "data_format": "channels_first"}, (2, 3, 4, 4)),
    (layers.SpatialDropout3D, {"rate": 0.5}, (2, 3, 3, 3, 2)),
    (layers.GaussianDropout, {"rate": 0.3}, (4, 6)),
    (layers.GaussianNoise, {"stddev": 0.2}, (4, 6)),
    (layers.AlphaDropout, {"rate": 0.2}, (4, 6)),
    (layers.ActivityRegularization, {"l1": 0.01}, (4, 6)),
]


@pytest.mark.parametrize("cls, kwargs, shape", NOISE_LAYERS,
                         ids=[c.__name__ for c, _, _ in NOISE_LAYERS])
def test_harness_identity_at_inference(cls, kwargs, shape):
    check_layer(cls, kwargs, input_shape=shape, expected_output_shape=shape,
                expected_num_trainable_weights=0, reference=lambda x, w: x)


def _big(shape=(200, 50), value=1.0):
    return np.full(shape, value, dtype="float32")


def test_dropout_statistics_and_seed():
    y = _np(layers.Dropout(0.25)(_big(), training=True))
    assert set(np.unique(y)) <= {0.0, np.float32(1 / 0.75)}
    assert abs((y == 0).mean() - 0.25) < 0.02
    a = _np(layers.Dropout(0.5, seed=3)(_big(), training=True))
    b = _np(layers.Dropout(0.5, seed=3)(_big(), training=True))
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match=r"Dropout: `rate` must be a float in \[0, 1\]"):
        layers.Dropout(1.5)


@pytest.mark.parametrize("cls, shape, channel_axis", [
    (layers.SpatialDropout1D, (50, 8, 6), -1), (layers.SpatialDropout2D, (50, 4, 4, 6), -1),
    (layers.SpatialDropout3D, (50, 3, 3, 3, 6), -1)])
def test_spatial_dropout_drops_whole_channels(cls, shape, channel_axis):
    y = _np(cls(0.5, seed=1)(np.ones(shape, "float32"), training=True))
    per_channel = np.moveaxis(y, channel_axis, 1).reshape(shape[0], shape[channel_axis], -1)
    assert np.all(per_channel.min(-1) == per_channel.max(-1))  # all or nothing per map
    assert 0.35 < (per_channel[..., 0] == 0).mean() < 0.65
    y = _np(layers.SpatialDropout2D(0.5, data_format="channels_first", seed=1)(
        np.ones((50, 6, 4, 4), "float32"), training=True)).reshape(50, 6, -1)
    assert np.all(y.min(-1) == y.max(-1))


def test_spatial_dropout_rank_error():
    with pytest.raises(ValueError, match="spatial_dropout2d.*expected ndim=4"):
        layers.SpatialDropout2D(0.5)(np.ones((2, 3, 4)))


def test_gaussian_noise_and_dropout_statistics():
    y = _np(layers.GaussianNoise(0.5, seed=0)(_big((400, 100), 2.0), training=True))
    assert abs(y.mean() - 2.0) < 0.02 and abs(y.std() - 0.5) < 0.02
    y = _np(layers.GaussianDropout(0.2, seed=0)(_big((400, 100), 2.0), training=True))
    assert abs(y.mean() - 2.0) < 0.02 and abs(y.std() - 2.0 * np.sqrt(0.2 / 0.8)) < 0.02
    with pytest.raises(ValueError, match="GaussianNoise.*stddev"):
        layers.GaussianNoise(-1)


def test_alpha_dropout_keeps_mean_and_variance():
    x = np.random.default_rng(0).normal(size=(400, 100)).astype("float32")
    y = _np(layers.AlphaDropout(0.3, seed=0)(x, training=True))
    assert abs(y.mean()) < 0.03 and abs(y.std() - 1.0) < 0.03
    assert np.any(y != x)


def test_activity_regularization_penalty():
    layer = layers.ActivityRegularization(l1=0.1, l2=0.01)
    x = np.arange(-3, 3, dtype="float32").reshape(2, 3)
    layer(x)
    total = float(sum(_np(v) for v in layer.losses))
    raw = 0.1 * np.abs(x).sum() + 0.01 * (x ** 2).sum()
    assert np.isclose(total, raw) or np.isclose(total, raw / 2)
    config = layer.get_config()
    assert config["l1"] == 0.1 and "activity_regularizer" not in config
    model = cornu.Sequential([cornu.Input((3,)), layers.Dense(2), layer])
    model.compile(optimizer="sgd", loss="mse")
    model.train_on_batch(x, np.zeros((2, 2), "float32"))
