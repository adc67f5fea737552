"""Reshaping layers against Keras fixtures and numpy, and their argument errors."""
import os

import numpy as np
import pytest

import cornu
from cornu import layers
from tests.layers.fixtures import keras_cases
from tests.layers.harness import check_layer

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "reshaping_fixtures.npz")
CASES, ARRAYS = keras_cases.load(FIXTURES)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
@pytest.mark.parametrize("from_keras_config", [False, True], ids=["args", "keras_config"])
def test_matches_keras(case, from_keras_config):
    keras_cases.check_case(case, ARRAYS, from_keras_config=from_keras_config)


def _pad(x, width):
    return np.pad(x, width)


CF = "channels_first"
HARNESS = [
    (layers.Flatten, {}, (2, 3, 4), lambda x: x.reshape(2, -1)),
    (layers.Reshape, {"target_shape": (4, 3)}, (2, 3, 4), lambda x: x.reshape(2, 4, 3)),
    (layers.Permute, {"dims": (2, 1)}, (2, 3, 4), lambda x: x.transpose(0, 2, 1)),
    (layers.RepeatVector, {"n": 3}, (2, 4), lambda x: np.repeat(x[:, None], 3, 1)),
    (layers.Cropping1D, {"cropping": 1}, (2, 5, 3), lambda x: x[:, 1:-1]),
    (layers.Cropping2D, {"cropping": ((1, 0), (0, 2))}, (2, 4, 5, 3), lambda x: x[:, 1:, :-2]),
    (layers.Cropping2D, {"cropping": (1, 2), "data_format": CF}, (2, 3, 4, 5),
     lambda x: x[:, :, 1:-1, 2:-2]),
    (layers.Cropping3D, {"cropping": 1}, (1, 3, 4, 5, 2), lambda x: x[:, 1:-1, 1:-1, 1:-1]),
    (layers.ZeroPadding1D, {"padding": (1, 2)}, (2, 3, 2),
     lambda x: _pad(x, ((0, 0), (1, 2), (0, 0)))),
    (layers.ZeroPadding2D, {"padding": 1}, (2, 3, 3, 2),
     lambda x: _pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))),
    (layers.ZeroPadding2D, {"padding": ((0, 1), (2, 0)), "data_format": CF}, (2, 2, 3, 3),
     lambda x: _pad(x, ((0, 0), (0, 0), (0, 1), (2, 0)))),
    (layers.ZeroPadding3D, {"padding": (1, 0, 2)}, (1, 2, 2, 2, 3),
     lambda x: _pad(x, ((0, 0), (1, 1), (0, 0), (2, 2), (0, 0)))),
    (layers.UpSampling1D, {"size": 3}, (2, 3, 2), lambda x: np.repeat(x, 3, 1)),
    (layers.UpSampling2D, {"size": (2, 3)}, (2, 2, 3, 2),
     lambda x: np.repeat(np.repeat(x, 2, 1), 3, 2)),
    (layers.UpSampling2D, {"size": 2, "data_format": CF}, (2, 2, 3, 2),
     lambda x: np.repeat(np.repeat(x, 2, 2), 2, 3)),
    (layers.UpSampling3D, {"size": 2}, (1, 2, 2, 2, 3),
     lambda x: np.repeat(np.repeat(np.repeat(x, 2, 1), 2, 2), 2, 3)),
]


@pytest.mark.parametrize("cls, kwargs, shape, reference", HARNESS,
                         ids=[f"{c.__name__}-{i}" for i, (c, _, _, _) in enumerate(HARNESS)])
def test_harness(cls, kwargs, shape, reference):
    check_layer(cls, kwargs, input_shape=shape, expected_num_trainable_weights=0,
                reference=lambda x, w: reference(x))


def test_bilinear_upsampling_harness():
    out = check_layer(layers.UpSampling2D, {"size": 2, "interpolation": "bilinear"},
                      input_shape=(1, 2, 2, 1), expected_output_shape=(1, 4, 4, 1))
    assert out.min() >= -10 and out.shape == (1, 4, 4, 1)


def test_symbolic_shapes_with_unknown_axes():
    inp = cornu.Input((None, 4, 3))
    assert layers.ZeroPadding2D(2)(inp).shape == (None, None, 8, 3)
    assert layers.Cropping2D(1)(inp).shape == (None, None, 2, 3)
    assert layers.UpSampling2D(2)(inp).shape == (None, None, 8, 3)
    assert layers.Permute((3, 1, 2))(inp).shape == (None, 3, None, 4)
    seq = cornu.Input((None, 5))
    assert layers.Cropping1D((1, 1))(seq).shape == (None, None, 5)


@pytest.mark.parametrize("make, match", [
    (lambda: layers.Permute((1, 3)), "Permute: `dims` must be a permutation"),
    (lambda: layers.RepeatVector(0), "RepeatVector: `n` must be a positive integer"),
    (lambda: layers.ZeroPadding2D((1, 2, 3)), "ZeroPadding2D: `padding` must be"),
    (lambda: layers.Cropping3D(-1), "Cropping3D: `cropping` must be"),
    (lambda: layers.UpSampling2D((2, 0)), "UpSampling2D: `size` must be"),
])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()
    with pytest.raises(TypeError, match="UpSampling1D"):
        layers.UpSampling1D(2.5)


def test_rank_and_cropping_errors():
    with pytest.raises(ValueError, match="zero_padding2d.*expected ndim=4.*shape \\(2, 3\\)"):
        layers.ZeroPadding2D(1)(np.ones((2, 3)))
    with pytest.raises(ValueError, match="repeat_vector.*expected ndim=2"):
        layers.RepeatVector(2)(np.ones((2, 3, 4)))
    with pytest.raises(ValueError, match="Cropping2D layer 'cropping2d.*leaves nothing"):
        layers.Cropping2D(((2, 2), (0, 0)))(np.ones((1, 4, 4, 1)))
