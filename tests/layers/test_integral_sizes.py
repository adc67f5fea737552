"""NumPy integers (and integral floats, as Keras 2 took them) are sizes for every layer.

``Dense(num_classes)`` with ``num_classes = np.max(y_train) + 1`` is a Keras 2 idiom;
each layer built with NumPy sizes must run and give a JSON ``get_config`` holding
Python ints.
"""
import json

import numpy as np
import pytest

import cornu
from cornu import layers

i64, i32 = np.int64, np.int32

CASES = [
    ("Dense", lambda: layers.Dense(i64(46)), (2, 5), (2, 46)),
    ("Dense_int32", lambda: layers.Dense(units=i32(4)), (2, 5), (2, 4)),
    ("Conv1D", lambda: layers.Conv1D(i64(4), i64(3), strides=i32(1)), (2, 8, 3), (2, 6, 4)),
    ("Conv2D", lambda: layers.Conv2D(i64(4), (i64(3), i32(3)), strides=i64(2),
                                     padding="same"), (2, 8, 8, 3), (2, 4, 4, 4)),
    ("Conv3D", lambda: layers.Conv3D(i32(2), i64(2)), (1, 4, 4, 4, 1), (1, 3, 3, 3, 2)),
    ("Conv2DTranspose", lambda: layers.Conv2DTranspose(i64(2), i64(2), strides=i64(2)),
     (1, 3, 3, 1), (1, 6, 6, 2)),
    ("SeparableConv2D", lambda: layers.SeparableConv2D(i64(4), i64(3),
                                                       depth_multiplier=i64(2)),
     (1, 5, 5, 2), (1, 3, 3, 4)),
    ("DepthwiseConv2D", lambda: layers.DepthwiseConv2D(i64(3)), (1, 5, 5, 2), (1, 3, 3, 2)),
    ("MaxPooling2D", lambda: layers.MaxPooling2D(i64(2), strides=i32(2)), (1, 4, 4, 1),
     (1, 2, 2, 1)),
    ("AveragePooling1D", lambda: layers.AveragePooling1D(pool_size=i64(2)), (1, 6, 2),
     (1, 3, 2)),
    ("Embedding", lambda: layers.Embedding(i64(10), i64(3)), None, None),
    ("LSTM", lambda: layers.LSTM(i64(5)), (2, 4, 3), (2, 5)),
    ("GRU", lambda: layers.GRU(i32(5), return_sequences=True), (2, 4, 3), (2, 4, 5)),
    ("SimpleRNN", lambda: layers.SimpleRNN(i64(5)), (2, 4, 3), (2, 5)),
    ("Bidirectional", lambda: layers.Bidirectional(layers.LSTM(i64(3))), (2, 4, 3), (2, 6)),
    ("RepeatVector", lambda: layers.RepeatVector(i64(3)), (2, 4), (2, 3, 4)),
    ("Reshape", lambda: layers.Reshape((i64(2), i64(-1))), (2, 6), (2, 2, 3)),
    ("Cropping2D", lambda: layers.Cropping2D(i64(1)), (1, 5, 5, 2), (1, 3, 3, 2)),
    ("ZeroPadding2D", lambda: layers.ZeroPadding2D((i64(1), i32(2))), (1, 2, 2, 1),
     (1, 4, 6, 1)),
    ("ZeroPadding1D", lambda: layers.ZeroPadding1D(i64(2)), (1, 3, 2), (1, 7, 2)),
    ("UpSampling2D", lambda: layers.UpSampling2D(i64(2)), (1, 2, 2, 1), (1, 4, 4, 1)),
    ("UpSampling1D", lambda: layers.UpSampling1D(i64(3)), (1, 2, 1), (1, 6, 1)),
    ("MultiHeadAttention", lambda: layers.MultiHeadAttention(i64(2), i64(4)), None, None),
    ("GroupNormalization", lambda: layers.GroupNormalization(groups=i64(2)), (2, 4),
     (2, 4)),
    ("EinsumDense", lambda: layers.EinsumDense("ab,bc->ac", output_shape=i64(3)), (2, 4),
     (2, 3)),
    ("CategoryEncoding", lambda: layers.CategoryEncoding(num_tokens=i64(5),
                                                         output_mode="one_hot"), None, None),
    ("Hashing", lambda: layers.Hashing(num_bins=i64(4)), None, None),
    ("Discretization", lambda: layers.Discretization(num_bins=i64(4)), None, None),
    ("IntegerLookup", lambda: layers.IntegerLookup(max_tokens=i64(10)), None, None),
    ("TextVectorization", lambda: layers.TextVectorization(
        max_tokens=i64(100), output_sequence_length=i64(8)), None, None),
    ("ConvLSTM2D", lambda: layers.ConvLSTM2D(i64(2), i64(3)), (1, 2, 5, 5, 1),
     (1, 3, 3, 2)),
]


def _ints_only(value):
    """No NumPy scalars anywhere in a config."""
    if isinstance(value, dict):
        return all(_ints_only(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(_ints_only(v) for v in value)
    return not isinstance(value, np.generic)


@pytest.mark.parametrize("name, make, input_shape, output_shape", CASES,
                         ids=[c[0] for c in CASES])
def test_numpy_integer_sizes(name, make, input_shape, output_shape):
    layer = make()
    if input_shape is not None:
        x = np.random.default_rng(0).normal(size=input_shape).astype("float32")
        y = layer(x)
        assert tuple(y.shape) == output_shape
    elif name == "Embedding":
        assert tuple(layer(np.array([[1, 9]])).shape) == (1, 2, 3)
    elif name == "MultiHeadAttention":
        q = np.zeros((1, 3, 8), "float32")
        assert tuple(layer(q, q).shape) == (1, 3, 8)
    elif name == "CategoryEncoding":
        np.testing.assert_array_equal(cornu.ops.convert_to_numpy(layer(np.array([3]))),
                                      [[0, 0, 0, 1, 0]])
    config = layer.get_config()
    json.dumps(config)  # plain ints, so the config is JSON
    assert _ints_only(config)
    clone = type(layer).from_config(config)
    assert clone.get_config() == config


def test_dense_units_from_numpy_label_count():
    y_train = np.array([0, 3, 45, 7])
    num_classes = np.max(y_train) + 1
    layer = layers.Dense(num_classes, activation="softmax")
    assert layer.units == 46 and type(layer.units) is int


def test_integral_float_is_taken_with_a_warning():
    with pytest.warns(DeprecationWarning, match="units=32.0"):
        layer = layers.Dense(64 / 2)
    assert layer.units == 32 and type(layer.units) is int


@pytest.mark.parametrize("bad", [2.5, True, "8", 0, -3])
def test_non_integral_sizes_are_still_refused(bad):
    with pytest.raises((ValueError, TypeError), match="units"):
        layers.Dense(bad)
    with pytest.raises((ValueError, TypeError), match="filters"):
        layers.Conv2D(bad, 3)
