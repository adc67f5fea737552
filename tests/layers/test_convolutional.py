"""Convolution layers: Keras 3 fixtures, numpy references, the harness, the seed models."""
import itertools
import os
import warnings

import numpy as np
import pytest

import cornu
from cornu import backend, layers, ops
from tests.layers.fixtures.make_conv_fixtures import load_cases
from tests.layers.harness import check_layer

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "conv_fixtures.npz")


# ------------------------------------------------------------ numpy references
# TensorFlow's semantics, written out independently of cornu and torch.

def tf_pads(sizes, kernel, strides, dilation, padding):
    """(before, after) per spatial dim: 'same' puts the odd pixel at the end."""
    pads = []
    for n, k, s, d in zip(sizes, kernel, strides, dilation):
        k = (k - 1) * d + 1
        if padding == "valid":
            pads.append((0, 0))
        elif padding == "causal":
            pads.append((k - 1, 0))
        else:
            total = max((-(-n // s) - 1) * s + k - n, 0)
            pads.append((total // 2, total - total // 2))
    return pads


def _to_last(x, data_format):
    return np.moveaxis(x, 1, -1) if data_format == "channels_first" else x


def np_conv(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1, groups=1,
            data_format="channels_last", depthwise=False):
    """Cross-correlation, kernel (*K, C/groups, F) (or (*K, C, M) when depthwise)."""
    x = _to_last(np.asarray(x, np.float64), data_format)
    rank = x.ndim - 2
    strides = (strides,) * rank if isinstance(strides, int) else tuple(strides)
    dil = (dilation_rate,) * rank if isinstance(dilation_rate, int) else tuple(dilation_rate)
    ksize = kernel.shape[:rank]
    pads = tf_pads(x.shape[1:-1], ksize, strides, dil, padding)
    xp = np.pad(x, [(0, 0), *pads, (0, 0)])
    out_sizes = [(xp.shape[1 + i] - (ksize[i] - 1) * dil[i] - 1) // strides[i] + 1
                 for i in range(rank)]
    channels = x.shape[-1]
    if depthwise:
        mult = kernel.shape[-1]
        out = np.zeros((x.shape[0], *out_sizes, channels, mult))
    else:
        filters = kernel.shape[-1]
        out = np.zeros((x.shape[0], *out_sizes, filters))
        cg, fg = channels // groups, filters // groups
    for tap in itertools.product(*[range(k) for k in ksize]):
        index = tuple(slice(t * d, t * d + (o - 1) * s + 1, s)
                      for t, d, o, s in zip(tap, dil, out_sizes, strides))
        patch = xp[(slice(None), *index)]                 # (B, *out, C)
        if depthwise:
            out += patch[..., None] * kernel[tap]         # (B, *out, C, M)
        else:
            for g in range(groups):
                out[..., g * fg:(g + 1) * fg] += patch[..., g * cg:(g + 1) * cg] @ kernel[tap][
                    :, g * fg:(g + 1) * fg]
    if depthwise:
        out = out.reshape(*out.shape[:-2], -1)            # channel c * M + m
    if bias is not None:
        out = out + bias
    return np.moveaxis(out, -1, 1) if data_format == "channels_first" else out


def np_conv_transpose(x, kernel, bias=None, strides=1, padding="valid", output_padding=None,
                      dilation_rate=1, data_format="channels_last"):
    """The gradient of a convolution: scatter every input pixel through the kernel
    (*K, F, C), then crop (or zero-extend) to TensorFlow's output length."""
    x = _to_last(np.asarray(x, np.float64), data_format)
    rank = x.ndim - 2
    as_tuple = lambda v: (v,) * rank if isinstance(v, int) else tuple(v)  # noqa: E731
    strides, dil = as_tuple(strides), as_tuple(dilation_rate)
    ops_ = (None,) * rank if output_padding is None else as_tuple(output_padding)
    ksize = kernel.shape[:rank]
    sizes = x.shape[1:-1]
    full = [(n - 1) * s + (k - 1) * d + 1 for n, s, k, d in zip(sizes, strides, ksize, dil)]
    out = np.zeros((x.shape[0], *full, kernel.shape[-2]))
    for tap in itertools.product(*[range(k) for k in ksize]):
        index = tuple(slice(t * d, t * d + (n - 1) * s + 1, s)
                      for t, d, n, s in zip(tap, dil, sizes, strides))
        out[(slice(None), *index)] += x @ kernel[tap].T   # (B, *in, C) @ (C, F)
    for i, (n, s, k, d, op) in enumerate(zip(sizes, strides, ksize, dil, ops_)):
        k = (k - 1) * d + 1
        if op is None:
            length = n * s if padding == "same" else n * s + max(k - s, 0)
        else:
            length = (n - 1) * s + k - 2 * (k // 2 if padding == "same" else 0) + op
        start = max(full[i] - length, 0) // 2 if padding == "same" else 0
        out = np.take(out, range(start, min(start + length, full[i])), axis=1 + i)
        grow = length - out.shape[1 + i]
        if grow > 0:
            out = np.pad(out, [(0, 0)] * (1 + i) + [(0, grow)] + [(0, 0)] * (rank - i))
    if bias is not None:
        out = out + bias
    return np.moveaxis(out, -1, 1) if data_format == "channels_first" else out


# ------------------------------------------------------------ Keras 3 fixtures

_CASES = load_cases(FIXTURES)


@pytest.mark.parametrize("case,arrays", _CASES, ids=[c["name"] for c, _ in _CASES])
def test_matches_keras(case, arrays):
    x, weights, expected = arrays[0], arrays[1:-1], arrays[-1]
    layer = getattr(layers, case["class_name"])(**case["kwargs"])
    layer.build(x.shape)
    assert [tuple(w.shape) for w in layer.weights] == [w.shape for w in weights]
    layer.set_weights(weights)
    got = ops.convert_to_numpy(layer(x))
    np.testing.assert_allclose(got, expected, atol=1e-5, rtol=1e-5)


# ------------------------------------------------------------ the harness, with references

def _conv_ref(**kw):
    def reference(x, w):
        return np_conv(x, w[0], w[1] if len(w) > 1 else None, **kw)
    return reference


@pytest.mark.parametrize("cls,kwargs,shape", [
    (layers.Conv1D, dict(filters=3, kernel_size=3, padding="causal", dilation_rate=2), (2, 9, 2)),
    (layers.Conv2D, dict(filters=4, kernel_size=3, strides=2, padding="same"), (2, 8, 7, 3)),
    (layers.Conv2D, dict(filters=4, kernel_size=(3, 2), groups=2, use_bias=False), (2, 5, 5, 4)),
    (layers.Conv2D, dict(filters=2, kernel_size=3, padding="same",
                         data_format="channels_first"), (2, 3, 5, 4)),
    (layers.Conv3D, dict(filters=2, kernel_size=2, strides=(1, 2, 1)), (1, 3, 5, 3, 2)),
])
def test_conv_harness(cls, kwargs, shape):
    ref_kwargs = {k: v for k, v in kwargs.items() if k not in ("filters", "kernel_size",
                                                                "use_bias")}
    check_layer(cls, kwargs, input_shape=shape, reference=_conv_ref(**ref_kwargs),
                expected_num_trainable_weights=2 if kwargs.get("use_bias", True) else 1)


@pytest.mark.parametrize("cls,kwargs,shape", [
    (layers.Conv1DTranspose, dict(filters=2, kernel_size=3, strides=2, padding="same"),
     (2, 5, 3)),
    (layers.Conv2DTranspose, dict(filters=3, kernel_size=2, strides=3), (1, 3, 4, 2)),
    (layers.Conv2DTranspose, dict(filters=2, kernel_size=3, strides=2, padding="same",
                                  output_padding=1), (1, 3, 3, 2)),
    (layers.Conv2DTranspose, dict(filters=2, kernel_size=4, strides=2, padding="valid",
                                  output_padding=(1, 0), data_format="channels_first"),
     (1, 2, 3, 3)),
    (layers.Conv3DTranspose, dict(filters=2, kernel_size=3, strides=2, padding="same"),
     (1, 2, 3, 2, 2)),
])
def test_conv_transpose_harness(cls, kwargs, shape):
    ref_kwargs = {k: v for k, v in kwargs.items() if k not in ("filters", "kernel_size")}

    def reference(x, w):
        return np_conv_transpose(x, w[0], w[1], **ref_kwargs)
    check_layer(cls, kwargs, input_shape=shape, reference=reference,
                expected_weight_shapes=[
                    (*((kwargs["kernel_size"],) * cls.rank), kwargs["filters"],
                     shape[-1] if kwargs.get("data_format") != "channels_first" else shape[1]),
                    (kwargs["filters"],)])


@pytest.mark.parametrize("cls,kwargs,shape", [
    (layers.DepthwiseConv1D, dict(kernel_size=3, depth_multiplier=2, padding="same"),
     (2, 6, 3)),
    (layers.DepthwiseConv2D, dict(kernel_size=3, strides=2, padding="same"), (2, 6, 5, 3)),
    (layers.DepthwiseConv2D, dict(kernel_size=2, depth_multiplier=3,
                                  data_format="channels_first"), (1, 2, 4, 4)),
])
def test_depthwise_harness(cls, kwargs, shape):
    ref_kwargs = {k: v for k, v in kwargs.items() if k not in ("kernel_size",
                                                                "depth_multiplier")}

    def reference(x, w):
        return np_conv(x, w[0], w[1], depthwise=True, **ref_kwargs)
    check_layer(cls, kwargs, input_shape=shape, reference=reference,
                expected_num_trainable_weights=2)


@pytest.mark.parametrize("cls,kwargs,shape", [
    (layers.SeparableConv1D, dict(filters=4, kernel_size=3, depth_multiplier=2), (2, 7, 3)),
    (layers.SeparableConv2D, dict(filters=3, kernel_size=3, strides=2, padding="same"),
     (1, 6, 5, 2)),
    (layers.SeparableConv2D, dict(filters=2, kernel_size=2, dilation_rate=2,
                                  data_format="channels_first"), (1, 3, 5, 5)),
])
def test_separable_harness(cls, kwargs, shape):
    ref_kwargs = {k: v for k, v in kwargs.items() if k in ("strides", "padding",
                                                            "dilation_rate", "data_format")}
    fmt = kwargs.get("data_format", "channels_last")

    def reference(x, w):
        y = np_conv(x, w[0], None, depthwise=True, **ref_kwargs)
        return np_conv(y, w[1], w[2], data_format=fmt)
    check_layer(cls, kwargs, input_shape=shape, reference=reference,
                expected_num_trainable_weights=3)


def test_weight_names_and_order():
    sep = layers.SeparableConv2D(4, 3)
    sep.build((None, 8, 8, 3))
    assert [w.name for w in sep.weights] == ["depthwise_kernel", "pointwise_kernel", "bias"]
    assert [tuple(w.shape) for w in sep.weights] == [(3, 3, 3, 1), (1, 1, 3, 4), (4,)]
    dw = layers.DepthwiseConv2D(3, depth_multiplier=2)
    dw.build((None, 8, 8, 3))
    assert [w.name for w in dw.weights] == ["kernel", "bias"]
    assert dw.depthwise_kernel is dw.kernel  # Keras 2's attribute name
    assert tuple(dw.bias.shape) == (6,)
    t = layers.Conv2DTranspose(5, (2, 3), use_bias=False)
    t.build((None, 4, 4, 7))
    assert [tuple(w.shape) for w in t.weights] == [(2, 3, 5, 7)]


# ------------------------------------------------------------ fused kernels equal the ops

def test_fused_conv_equals_ops_path():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 7, 6, 4)).astype("float32")
    for kwargs in [dict(strides=2, padding="same"), dict(padding="valid", dilation_rate=2),
                   dict(padding="same", groups=2)]:
        layer = layers.Conv2D(4, 3, **kwargs)
        got = ops.convert_to_numpy(layer(x))
        kernel, bias = layer.kernel, layer.bias
        want = ops.add(ops.conv(x, kernel, strides=layer.strides, padding=layer.padding,
                                dilation_rate=layer.dilation_rate), bias)
        np.testing.assert_allclose(got, ops.convert_to_numpy(want), atol=1e-5)
    dw = layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same")
    got = ops.convert_to_numpy(dw(x))
    want = ops.add(ops.depthwise_conv(x, dw.kernel, padding="same"), dw.bias)
    np.testing.assert_allclose(got, ops.convert_to_numpy(want), atol=1e-5)
    sep = layers.SeparableConv2D(3, 3, strides=2, padding="same")
    got = ops.convert_to_numpy(sep(x))
    want = ops.add(ops.separable_conv(x, sep.depthwise_kernel, sep.pointwise_kernel,
                                      strides=2, padding="same"), sep.bias)
    np.testing.assert_allclose(got, ops.convert_to_numpy(want), atol=1e-5)


def test_float64_input_is_cast_to_the_layer_dtype():
    layer = layers.Conv1D(2, 2)
    y = layer(backend.convert_to_tensor(np.ones((1, 4, 3)), dtype="float64"))
    assert backend.standardize_dtype(y.dtype) == "float32"


# ------------------------------------------------------------ seed models

def _encoder():
    inp = cornu.Input(shape=(28, 28, 1))
    convs = [layers.Conv2D(16, 3, activation="relu"), layers.Conv2D(32, 3, activation="relu"),
             layers.MaxPooling2D(3), layers.Conv2D(32, 3, activation="relu"),
             layers.Conv2D(16, 3, activation="relu"), layers.GlobalMaxPool2D()]
    x, shapes = inp, []
    for layer in convs:
        x = layer(x)
        shapes.append(tuple(x.shape))
    return inp, x, convs, shapes


def test_seed_encoder_shapes_and_params():
    inp, out, convs, shapes = _encoder()
    assert shapes == [(None, 26, 26, 16), (None, 24, 24, 32), (None, 8, 8, 32),
                      (None, 6, 6, 32), (None, 4, 4, 16), (None, 16)]
    assert [layer.count_params() for layer in convs] == [160, 4640, 0, 9248, 4624, 0]
    model = cornu.Model(inp, out)
    assert model.count_params() == 160 + 4640 + 9248 + 4624
    y = model.predict(np.random.default_rng(0).random((3, 28, 28, 1)).astype("float32"),
                      verbose=0)
    assert y.shape == (3, 16)


def test_seed_autoencoder():
    if not hasattr(layers, "UpSampling2D"):
        pytest.skip("cornu.layers.UpSampling2D is not written yet (reshaping layers)")
    inp, enc, _, _ = _encoder()
    x = layers.Reshape((4, 4, 1))(enc)
    x = layers.Conv2DTranspose(16, 3, activation="relu")(x)
    x = layers.Conv2DTranspose(32, 3, activation="relu")(x)
    x = layers.UpSampling2D(3)(x)
    x = layers.Conv2DTranspose(16, 3, activation="relu")(x)
    out = layers.Conv2DTranspose(1, 3, activation="relu")(x)
    model = cornu.Model(inp, out)
    assert tuple(out.shape) == (None, 28, 28, 1)
    assert model.count_params() == 28241


def test_seed_decoder_part_without_upsampling():
    x = cornu.Input(shape=(16,))
    y = layers.Reshape((4, 4, 1))(x)
    y = layers.Conv2DTranspose(16, 3, activation="relu")(y)
    y = layers.Conv2DTranspose(32, 3, activation="relu")(y)
    assert tuple(y.shape) == (None, 8, 8, 32)
    assert cornu.Model(x, y).count_params() == 160 + 4640


def test_seed_003_sequential_250():
    model = cornu.Sequential([
        cornu.Input(shape=(250, 250, 3)),
        layers.Conv2D(32, 5, strides=2, activation="relu"),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(3),
        layers.Conv2D(32, 3, activation="relu"),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(3),
        layers.Conv2D(32, 3, activation="relu"),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(2),
    ])
    shapes = [tuple(layer.output.shape) for layer in model.layers]
    assert shapes[2] == (None, 40, 40, 32)
    assert shapes[-1] == (None, 4, 4, 32)
    assert model.count_params() == 48672


def test_seed_001_keras1_conv2d_channels_first():
    backend.set_image_data_format("channels_first")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        layer = layers.Conv2D(64, 3, 3, border_mode="same", input_shape=(3, 32, 32))
    messages = [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)]
    assert any("padding" in m for m in messages), messages
    model = cornu.Sequential([layer])
    assert tuple(model.output_shape) == (None, 64, 32, 32)
    assert layer.kernel_size == (3, 3) and layer.padding == "same"
    assert layer.data_format == "channels_first"
    y = model.predict(np.ones((2, 3, 32, 32), "float32"), verbose=0)
    assert y.shape == (2, 64, 32, 32)


def test_keras1_and_keras2_spellings():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        conv = layers.Convolution2D(8, 3, 3, subsample=(2, 2), border_mode="valid",
                                    dim_ordering="tf")
        c1 = layers.Convolution1D(nb_filter=4, filter_length=3, border_mode="same")
    assert conv.strides == (2, 2) and conv.kernel_size == (3, 3)
    assert conv.data_format == "channels_last"
    assert c1.filters == 4 and c1.kernel_size == (3,) and c1.padding == "same"
    assert layers.Deconvolution2D is layers.Conv2DTranspose
    assert layers.Deconvolution3D is layers.Conv3DTranspose
    assert layers.SeparableConvolution2D is layers.SeparableConv2D
    assert layers.Convolution3D is layers.Conv3D


def test_squeezenet_style_names():
    inp = cornu.Input(shape=(8, 8, 3))
    layer = layers.Conv2D(16, 1, name="fire2/squeeze1x1")
    out = layer(inp)
    assert layer.name == "fire2/squeeze1x1"
    assert layer.kernel.path == "fire2/squeeze1x1/kernel"
    assert tuple(out.shape) == (None, 8, 8, 16)
    config = layer.get_config()
    assert layers.Conv2D.from_config(config).name == "fire2/squeeze1x1"


def test_conv3d_transpose_argument_order():
    # Keras 3: (filters, kernel_size, strides, padding, data_format, output_padding, ...)
    layer = layers.Conv3DTranspose(2, 3, 2, "same", "channels_last", 1)
    assert layer.output_padding == (1, 1, 1) and layer.data_format == "channels_last"
    assert tuple(layer(np.ones((1, 2, 2, 2, 1), "float32")).shape) == (1, 4, 4, 4, 2)


def test_config_matches_keras_keys():
    config = layers.Conv2D(8, 3).get_config()
    assert {"filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
            "groups", "activation", "use_bias", "kernel_initializer", "bias_initializer",
            "kernel_regularizer", "bias_regularizer", "activity_regularizer",
            "kernel_constraint", "bias_constraint"} <= set(config)
    assert config["kernel_size"] == [3, 3] and config["strides"] == [1, 1]
    keras_config = {"name": "c", "trainable": True, "dtype": {
        "module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},
        "registered_name": None}, "filters": 4, "kernel_size": [3, 3], "strides": [1, 1],
        "padding": "same", "data_format": "channels_last", "dilation_rate": [1, 1],
        "groups": 1, "activation": "relu", "use_bias": True, "kernel_initializer": {
            "module": "keras.initializers", "class_name": "GlorotUniform",
            "config": {"seed": None}, "registered_name": None}, "bias_initializer": {
            "module": "keras.initializers", "class_name": "Zeros", "config": {},
            "registered_name": None}, "kernel_regularizer": None, "bias_regularizer": None,
        "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None}
    layer = layers.Conv2D.from_config(keras_config)
    assert layer.padding == "same" and layer.kernel_size == (3, 3)


def test_regularizer_and_constraint():
    layer = layers.Conv2D(2, 3, kernel_regularizer="l2", bias_constraint="non_neg")
    layer(np.ones((1, 4, 4, 1), "float32"))
    assert len(layer.losses) == 1
    assert layer.bias.constraint is not None


# ------------------------------------------------------------ errors

def test_errors_name_the_layer():
    with pytest.raises(ValueError, match="Conv2D.*filters.*positive"):
        layers.Conv2D(0, 3)
    with pytest.raises(ValueError, match="kernel_size.*2 ints"):
        layers.Conv2D(4, (3, 3, 3))
    with pytest.raises(ValueError, match="padding.*'valid', 'same'"):
        layers.Conv2D(4, 3, padding="causal")
    with pytest.raises(ValueError, match="padding.*'causal'"):
        layers.Conv1D(4, 3, padding="full")
    with pytest.raises(ValueError, match="strides > 1.*dilation_rate > 1"):
        layers.Conv2D(4, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="divisible by `groups`"):
        layers.Conv2D(5, 3, groups=2)
    with pytest.raises(ValueError, match="output_padding.*strictly less"):
        layers.Conv2DTranspose(4, 3, strides=2, output_padding=2)
    with pytest.raises(ValueError, match="depth_multiplier"):
        layers.DepthwiseConv2D(3, depth_multiplier=0)
    with pytest.raises(ValueError, match="Unknown data_format"):
        layers.Conv2D(4, 3, data_format="NHWC")
    with pytest.raises(TypeError, match="kernel_initializer"):
        layers.Conv2D(4, 3, kernel_initialiser="zeros")


def test_input_errors_name_the_layer():
    layer = layers.Conv2D(4, 3, name="my_conv")
    with pytest.raises(ValueError, match="my_conv.*rank 4"):
        layer(np.ones((2, 8, 3), "float32"))
    layer(np.ones((2, 8, 8, 3), "float32"))
    with pytest.raises(ValueError, match="my_conv.*axis -1.*value 3"):
        layer(np.ones((2, 8, 8, 5), "float32"))
    with pytest.raises(ValueError, match="my_conv.*zero or negative"):
        layers.Conv2D(4, 5, name="my_conv")(cornu.Input(shape=(3, 8, 1)))
    with pytest.raises(ValueError, match="divisible by groups=2"):
        layers.Conv2D(4, 3, groups=2)(np.ones((1, 5, 5, 3), "float32"))
    with pytest.raises(ValueError, match="channel dimension of the input must be known"):
        layers.Conv1D(4, 3)(cornu.Input(batch_shape=(None, 10, None)))
