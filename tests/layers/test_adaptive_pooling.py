"""Adaptive average / max pooling 1D-3D: Keras fixtures, a numpy reference of the
window rule, the harness, errors."""
import os

import numpy as np
import pytest

import cornu
from cornu import backend, layers
from tests.layers.fixtures import keras_cases
from tests.layers.harness import check_layer

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "misc_fixtures.npz")
CASES, ARRAYS = keras_cases.load(FIXTURES)
POOL_CASES = [c for c in CASES if c["cls"].startswith("Adaptive")]


@pytest.mark.parametrize("case", POOL_CASES, ids=[c["id"] for c in POOL_CASES])
@pytest.mark.parametrize("from_keras_config", [False, True], ids=["args", "keras_config"])
def test_matches_keras(case, from_keras_config):
    keras_cases.check_case(case, ARRAYS, from_keras_config=from_keras_config)


def _windows(length, size):
    """Output i pools [floor(i * L / n), ceil((i + 1) * L / n))."""
    return [(i * length // size, -((-(i + 1) * length) // size)) for i in range(size)]


def _reference(x, output_size, reduce, channels_first):
    """Adaptive pooling in numpy, one spatial axis at a time (both reductions separate)."""
    if channels_first:
        x = np.moveaxis(x, 1, -1)
    for axis, size in enumerate(output_size, start=1):
        parts = [reduce(np.take(x, range(a, b), axis=axis), axis=axis, keepdims=True)
                 for a, b in _windows(x.shape[axis], size)]
        x = np.concatenate(parts, axis=axis)
    return np.moveaxis(x, -1, 1) if channels_first else x


SHAPES = {1: (2, 7, 3), 2: (2, 7, 5, 2), 3: (1, 5, 7, 4, 2)}
SIZES = {1: (3,), 2: (3, 2), 3: (2, 3, 3)}


@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize("mode", ["Average", "Max"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_harness(rank, mode, data_format):
    cls = getattr(layers, f"Adaptive{mode}Pooling{rank}D")
    shape = SHAPES[rank]
    if data_format == "channels_first":
        shape = (shape[0], shape[-1]) + shape[1:-1]
    reduce = np.mean if mode == "Average" else np.max
    size = SIZES[rank]
    expected = (shape[0],) + size + (shape[-1],) if data_format == "channels_last" else (
        shape[:2] + size)
    check_layer(cls, {"output_size": size, "data_format": data_format}, input_shape=shape,
                expected_output_shape=expected, expected_num_trainable_weights=0,
                reference=lambda x, w: _reference(x, size, reduce,
                                                  data_format == "channels_first"))


def test_int_output_size_and_config():
    layer = layers.AdaptiveMaxPooling3D(2)
    assert layer.output_size == (2, 2, 2)
    config = layer.get_config()
    assert config["output_size"] == [2, 2, 2] and config["data_format"] == "channels_last"
    assert layers.AdaptiveAveragePooling1D([4]).output_size == (4,)


def test_unknown_spatial_dims_symbolic():
    out = layers.AdaptiveAveragePooling2D((3, 4))(cornu.Input((None, None, 5)))
    assert tuple(out.shape) == (None, 3, 4, 5)
    model = cornu.Sequential([cornu.Input((None, None, 2)), layers.AdaptiveMaxPooling2D(2),
                              layers.Flatten(), layers.Dense(1)])
    for hw in [(5, 7), (9, 4)]:
        assert model.predict(np.ones((2,) + hw + (2,), "float32"), verbose=0).shape == (2, 1)


def test_gradient_flows():
    x = backend.convert_to_tensor(np.random.default_rng(0).normal(size=(1, 7, 2)).astype(
        "float32"))
    x.requires_grad_(True)
    layers.AdaptiveAveragePooling1D(3)(x).sum().backward()
    # Overlapping windows: positions 2 and 4 lie in two windows of size 3.
    np.testing.assert_allclose(backend.convert_to_numpy(x.grad[0, :, 0]),
                               [1 / 3, 1 / 3, 2 / 3, 1 / 3, 2 / 3, 1 / 3, 1 / 3], rtol=1e-6)


@pytest.mark.parametrize("bad", [(2, 2), "3", 0, (2.5,), None])
def test_bad_output_size(bad):
    with pytest.raises(TypeError, match=r"AdaptiveAveragePooling1D.*output_size"):
        layers.AdaptiveAveragePooling1D(bad)


def test_bad_output_size_2d_names_tuple():
    with pytest.raises(TypeError, match=r"\(height, width\) tuple of 2"):
        layers.AdaptiveMaxPooling2D((1, 2, 3))


def test_bad_data_format():
    with pytest.raises(ValueError, match="data_format"):
        layers.AdaptiveMaxPooling2D(2, data_format="channels_middle")


def test_bad_rank_names_layer():
    layer = layers.AdaptiveMaxPooling2D(2, name="pool")
    with pytest.raises(ValueError, match="pool.*ndim=4"):
        layer(np.ones((2, 5, 3), "float32"))
