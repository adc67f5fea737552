"""Pooling layers: Keras 3 fixtures, numpy references (TensorFlow's 'same'), the harness."""
import itertools
import os
import warnings

import numpy as np
import pytest

import cornu
from cornu import layers, ops
from tests.layers.fixtures.make_conv_fixtures import load_cases
from tests.layers.harness import check_layer

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "pooling_fixtures.npz")


def np_pool(x, pool_size, strides=None, padding="valid", mode="max",
            data_format="channels_last"):
    """Pooling as TensorFlow does it: 'same' pads the odd pixel at the end, and the
    padded pixels take no part (neither in the max nor in the average's count)."""
    x = np.asarray(x, np.float64)
    if data_format == "channels_first":
        x = np.moveaxis(x, 1, -1)
    rank = x.ndim - 2
    pool_size = (pool_size,) * rank if isinstance(pool_size, int) else tuple(pool_size)
    strides = pool_size if strides is None else (
        (strides,) * rank if isinstance(strides, int) else tuple(strides))
    sizes = x.shape[1:-1]
    if padding == "same":
        outs = [-(-n // s) for n, s in zip(sizes, strides)]
        starts = [[o * s - max((out - 1) * s + k - n, 0) // 2 for o in range(out)]
                  for n, s, k, out in zip(sizes, strides, pool_size, outs)]
    else:
        outs = [(n - k) // s + 1 for n, s, k in zip(sizes, strides, pool_size)]
        starts = [[o * s for o in range(out)] for s, out in zip(strides, outs)]
    out = np.zeros((x.shape[0], *outs, x.shape[-1]))
    for pos in itertools.product(*[range(o) for o in outs]):
        window = tuple(slice(max(st[p], 0), min(st[p] + k, n))
                       for st, p, k, n in zip(starts, pos, pool_size, sizes))
        patch = x[(slice(None), *window)].reshape(x.shape[0], -1, x.shape[-1])
        out[(slice(None), *pos)] = patch.max(1) if mode == "max" else patch.mean(1)
    return np.moveaxis(out, -1, 1) if data_format == "channels_first" else out


# ------------------------------------------------------------ Keras 3 fixtures

_CASES = load_cases(FIXTURES)


@pytest.mark.parametrize("case,arrays", _CASES, ids=[c["name"] for c, _ in _CASES])
def test_matches_keras(case, arrays):
    x, expected = arrays[0], arrays[-1]
    layer = getattr(layers, case["class_name"])(**case["kwargs"])
    kwargs = {}
    if case["mask"] is not None:
        kwargs["mask"] = ops.convert_to_tensor(np.array(case["mask"], dtype=bool))
    got = ops.convert_to_numpy(layer(x, **kwargs))
    np.testing.assert_allclose(got, expected, atol=1e-5, rtol=1e-5)


# ------------------------------------------------------------ the harness, with references

_WINDOWED = [
    (layers.MaxPooling1D, dict(pool_size=3, strides=2, padding="same"), (2, 8, 3)),
    (layers.MaxPooling2D, dict(pool_size=(3, 2), padding="same"), (2, 7, 5, 2)),
    (layers.MaxPooling2D, dict(data_format="channels_first"), (1, 2, 5, 4)),
    (layers.MaxPooling3D, dict(pool_size=2, strides=1), (1, 3, 3, 4, 2)),
    # uneven 'same' windows: TensorFlow averages the real pixels only
    (layers.AveragePooling1D, dict(pool_size=2, strides=1, padding="same"), (2, 5, 3)),
    (layers.AveragePooling2D, dict(pool_size=3, strides=2, padding="same"), (2, 6, 7, 2)),
    (layers.AveragePooling2D, dict(pool_size=2, padding="same",
                                   data_format="channels_first"), (1, 2, 5, 3)),
    (layers.AveragePooling3D, dict(pool_size=(2, 2, 3), padding="same"), (1, 3, 4, 4, 2)),
]


@pytest.mark.parametrize("cls,kwargs,shape", _WINDOWED)
def test_windowed_pooling(cls, kwargs, shape):
    defaults = {1: 2, 2: (2, 2), 3: (2, 2, 2)}
    ref = dict(kwargs, mode="max" if cls.pool_mode == "max" else "average")
    ref.setdefault("pool_size", defaults[cls.rank])
    check_layer(cls, kwargs, input_shape=shape,
                reference=lambda x, w: np_pool(x, **ref),
                expected_num_trainable_weights=0, expected_num_non_trainable_weights=0)


@pytest.mark.parametrize("cls,rank,fn", [
    (layers.GlobalMaxPooling1D, 1, np.max), (layers.GlobalMaxPooling2D, 2, np.max),
    (layers.GlobalMaxPooling3D, 3, np.max), (layers.GlobalAveragePooling1D, 1, np.mean),
    (layers.GlobalAveragePooling2D, 2, np.mean), (layers.GlobalAveragePooling3D, 3, np.mean),
])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("keepdims", [False, True])
def test_global_pooling(cls, rank, fn, data_format, keepdims):
    shape = (2,) + (3,) * rank + (4,) if data_format == "channels_last" else (2, 4) + (3,) * rank
    axes = tuple(range(1, 1 + rank)) if data_format == "channels_last" else tuple(
        range(2, 2 + rank))
    out = check_layer(cls, dict(data_format=data_format, keepdims=keepdims),
                      input_shape=shape,
                      reference=lambda x, w: fn(x, axis=axes, keepdims=keepdims))
    assert out.shape == ((2, 4) if not keepdims else fn(np.zeros(shape), axis=axes,
                                                       keepdims=True).shape)


def test_global_average_1d_mask():
    x = np.arange(2 * 4 * 3, dtype="float32").reshape(2, 4, 3)
    mask = np.array([[True, False, True, False], [True, True, True, True]])
    layer = layers.GlobalAveragePooling1D()
    got = ops.convert_to_numpy(layer(x, mask=ops.convert_to_tensor(mask)))
    want = np.stack([x[0, [0, 2]].mean(0), x[1].mean(0)])
    np.testing.assert_allclose(got, want, rtol=1e-6)
    # channels_first: the mask is still (batch, steps)
    layer = layers.GlobalAveragePooling1D(data_format="channels_first", keepdims=True)
    got = ops.convert_to_numpy(layer(np.moveaxis(x, 1, 2), mask=ops.convert_to_tensor(mask)))
    np.testing.assert_allclose(got[..., 0], want, rtol=1e-6)


def test_global_average_1d_takes_the_mask_of_its_input():
    if not hasattr(layers, "Embedding"):
        pytest.skip("cornu.layers.Embedding is not written yet")
    embedding = layers.Embedding(10, 3, mask_zero=True)
    x = embedding(np.array([[1, 2, 0, 0]]))  # eager: the mask rides on the tensor
    y = layers.GlobalAveragePooling1D()(x)
    assert getattr(y, "_keras_mask", None) is None
    table = embedding.get_weights()[0]
    np.testing.assert_allclose(ops.convert_to_numpy(y), table[[1, 2]].mean(0)[None],
                               rtol=1e-5)


# ------------------------------------------------------------ arguments, config, errors

def test_defaults_and_aliases():
    assert layers.MaxPooling2D().pool_size == (2, 2)
    assert layers.MaxPooling1D().pool_size == (2,)
    assert layers.MaxPooling3D().strides == (2, 2, 2)
    assert layers.MaxPooling2D(3, strides=1).strides == (1, 1)
    for alias, cls in [("MaxPool1D", "MaxPooling1D"), ("MaxPool2D", "MaxPooling2D"),
                       ("MaxPool3D", "MaxPooling3D"), ("AvgPool1D", "AveragePooling1D"),
                       ("AvgPool2D", "AveragePooling2D"), ("AvgPool3D", "AveragePooling3D"),
                       ("GlobalMaxPool1D", "GlobalMaxPooling1D"),
                       ("GlobalMaxPool2D", "GlobalMaxPooling2D"),
                       ("GlobalMaxPool3D", "GlobalMaxPooling3D"),
                       ("GlobalAvgPool1D", "GlobalAveragePooling1D"),
                       ("GlobalAvgPool2D", "GlobalAveragePooling2D"),
                       ("GlobalAvgPool3D", "GlobalAveragePooling3D")]:
        assert getattr(layers, alias) is getattr(layers, cls)
    # Keras 3 requires pool_size; cornu keeps Keras 2's default so old programs run.
    assert layers.AveragePooling2D().pool_size == (2, 2)


def test_config():
    config = layers.MaxPooling2D(3, padding="SAME").get_config()
    assert config["pool_size"] == [3, 3] and config["strides"] == [3, 3]
    assert config["padding"] == "same" and config["data_format"] == "channels_last"
    keras_config = {"name": "p", "trainable": True, "dtype": "float32",
                    "pool_size": [2, 2], "padding": "valid", "strides": [2, 2],
                    "data_format": "channels_last"}
    assert layers.MaxPooling2D.from_config(keras_config).get_config() == keras_config
    assert layers.GlobalAveragePooling2D(keepdims=True).get_config()["keepdims"] is True


def test_keras1_spellings():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pool = layers.MaxPooling1D(pool_length=3, stride=1, border_mode="same")
    assert pool.pool_size == (3,) and pool.strides == (1,) and pool.padding == "same"
    assert any(issubclass(w.category, DeprecationWarning) for w in caught)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        pool = layers.MaxPooling2D(pool_size=(2, 2), dim_ordering="th")
    assert pool.data_format == "channels_first"


def test_errors_name_the_layer():
    with pytest.raises(ValueError, match="MaxPooling2D layer 'p'.*padding"):
        layers.MaxPooling2D(padding="full", name="p")
    with pytest.raises(ValueError, match="pool_size.*2 positive ints"):
        layers.MaxPooling2D((2, 2, 2))
    with pytest.raises(ValueError, match="strides"):
        layers.AveragePooling1D(2, strides=0)
    with pytest.raises(ValueError, match="'pool'.*ndim=4"):
        layers.MaxPooling2D(name="pool")(np.ones((2, 8, 3), "float32"))
    with pytest.raises(ValueError, match="'pool'.*zero or negative"):
        layers.MaxPooling2D(3, name="pool")(cornu.Input(shape=(2, 8, 1)))
    with pytest.raises(ValueError, match="'g'.*ndim=3"):
        layers.GlobalAveragePooling1D(name="g")(np.ones((2, 3, 4, 5), "float32"))


def test_symbolic_unknown_spatial_dims():
    x = cornu.Input(shape=(None, None, 3))
    assert tuple(layers.MaxPooling2D(2, padding="same")(x).shape) == (None, None, None, 3)
    assert tuple(layers.GlobalMaxPooling2D()(x).shape) == (None, 3)
    y = layers.Conv2D(4, 3, padding="same")(x)
    assert tuple(y.shape) == (None, None, None, 4)
