"""keras.ops.nn against independent references: numpy math and loops, hand-worked
TensorFlow cases, brute force (CTC), and autograd (transposed convolution)."""
import itertools
import math

import numpy as np
import pytest
import torch

import cornu
from cornu import ops

RNG = np.random.default_rng(0)


def rand(*shape):
    return RNG.standard_normal(shape).astype("float32")


def close(actual, expected, atol=1e-5, rtol=1e-5):
    np.testing.assert_allclose(ops.convert_to_numpy(actual), expected, atol=atol, rtol=rtol)


# ----------------------------------------------------------------- activations

X = np.concatenate([np.linspace(-5, 5, 41), [-1.0, 1.0, 0.5, -0.5, 6.0]]).astype("float32")
_sig = 1 / (1 + np.exp(-X.astype("float64")))
_erf = np.vectorize(math.erf)
_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772, 1.0507009873554805

ACTIVATIONS = {  # name: (kwargs, numpy reference on X)
    "relu": ({}, np.maximum(X, 0)),
    "relu6": ({}, np.clip(X, 0, 6)),
    "sigmoid": ({}, _sig),
    "sparse_sigmoid": ({}, np.clip((X + 1) / 2, 0, 1)),
    "tanh": ({}, np.tanh(X)),
    "softplus": ({}, np.log1p(np.exp(X))),
    "softsign": ({}, X / (1 + np.abs(X))),
    "silu": ({}, X * _sig),
    "swish": ({}, X * _sig),
    "gelu": ({}, 0.5 * X * (1 + np.tanh(np.sqrt(2 / np.pi) * (X + 0.044715 * X ** 3)))),
    "elu": ({"alpha": 0.5}, np.where(X > 0, X, 0.5 * (np.exp(X) - 1))),
    "selu": ({}, _SELU_SCALE * np.where(X > 0, X, _SELU_ALPHA * (np.exp(X) - 1))),
    "leaky_relu": ({}, np.where(X >= 0, X, 0.2 * X)),
    "hard_sigmoid": ({}, np.clip(X / 6 + 0.5, 0, 1)),
    "hard_silu": ({}, X * np.clip(X / 6 + 0.5, 0, 1)),
    "hard_swish": ({}, X * np.clip(X / 6 + 0.5, 0, 1)),
    "log_sigmoid": ({}, np.log(_sig)),
    "celu": ({"alpha": 2.0}, np.maximum(X, 0) + np.minimum(2.0 * (np.exp(X / 2.0) - 1), 0)),
    "tanh_shrink": ({}, X - np.tanh(X)),
    "hard_tanh": ({}, np.clip(X, -1, 1)),
    "soft_shrink": ({"threshold": 1.0}, np.where(X > 1, X - 1, np.where(X < -1, X + 1, 0))),
    "hard_shrink": ({}, np.where(np.abs(X) > 0.5, X, 0)),
    "squareplus": ({"b": 2}, (X + np.sqrt(X ** 2 + 2)) / 2),
    "sparse_plus": ({}, np.where(X <= -1, 0, np.where(X >= 1, X, (X + 1) ** 2 / 4))),
    "threshold": ({"threshold": 0.5, "default_value": -3.0}, np.where(X > 0.5, X, -3.0)),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_matches_numpy(name):
    kwargs, expected = ACTIVATIONS[name]
    close(getattr(ops, name)(X, **kwargs), expected)
    close(getattr(ops, name)(torch.from_numpy(X), **kwargs), expected)


def test_gelu_exact():
    close(ops.gelu(X, approximate=False), 0.5 * X * (1 + _erf(X / np.sqrt(2))))


def test_activation_accepts_variable_and_int_input():
    v = cornu.Variable(X)
    close(ops.sigmoid(v), _sig)
    assert ops.convert_to_numpy(ops.softplus(np.array([0, 1]))).dtype == np.float32


def _np_softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize("axis", [-1, 0, 1, None, (1, 2)])
def test_softmax_and_log_softmax(axis):
    x = rand(2, 3, 4)
    expected = _np_softmax(x, axis)
    close(ops.softmax(x, axis=axis), expected)
    close(ops.log_softmax(x, axis=axis), np.log(expected), atol=1e-5)


def test_glu():
    x = rand(3, 6)
    a, b = x[:, :3], x[:, 3:]
    close(ops.glu(x), a / (1 + np.exp(-b)))
    with pytest.raises(ValueError, match="even"):
        ops.glu(rand(3, 5))


def _np_sparsemax(z):
    # the simplex projection, found by trying every support size
    for k in range(len(z), 0, -1):
        top = np.sort(z)[::-1][:k]
        tau = (top.sum() - 1) / k
        if top[-1] > tau:
            return np.maximum(z - tau, 0)


def test_sparsemax():
    close(ops.sparsemax(np.array([-1.0, 0.0, 1.0], "float32")), [0.0, 0.0, 1.0])
    x = rand(4, 5)
    out = ops.convert_to_numpy(ops.sparsemax(x))
    np.testing.assert_allclose(out, np.stack([_np_sparsemax(r) for r in x]), atol=1e-6)
    np.testing.assert_allclose(out.sum(-1), 1.0, atol=1e-6)
    close(ops.sparsemax(x.T, axis=0), out.T, atol=1e-6)


# ----------------------------------------------------------------- encodings, statistics

def test_one_hot():
    out = ops.one_hot(np.array([1, 3, -1, 0]), 4)
    close(out, [[0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 0, 0], [1, 0, 0, 0]])
    assert out.dtype == torch.float32
    assert ops.one_hot(np.array([[1, 2]]), 3, axis=0, dtype="int32").shape == (3, 1, 2)
    assert ops.one_hot(np.array([1]), 3, dtype="int32").dtype == torch.int32


def test_multi_hot():
    close(ops.multi_hot(np.array([0, 4]), 5), [1, 0, 0, 0, 1])
    close(ops.multi_hot(np.array([[0, 1], [2, 2]]), num_classes=3), [[1, 1, 0], [0, 0, 1]])


@pytest.mark.parametrize("keepdims", [False, True])
def test_moments(keepdims):
    x = rand(4, 5, 6)
    mean, var = ops.moments(x, axes=[0, 2], keepdims=keepdims)
    close(mean, x.mean(axis=(0, 2), keepdims=keepdims))
    close(var, x.var(axis=(0, 2), keepdims=keepdims))
    mean16, _ = ops.moments(x.astype("float16"), axes=[0])
    assert mean16.dtype == torch.float16


def test_batch_normalization():
    x, mean, var, beta, gamma = rand(4, 3, 5), rand(3), np.abs(rand(3)), rand(3), rand(3)
    out = ops.batch_normalization(x, mean, var, axis=1, offset=beta, scale=gamma, epsilon=1e-3)
    b = lambda v: v[None, :, None]  # noqa: E731
    close(out, (x - b(mean)) / np.sqrt(b(var) + 1e-3) * b(gamma) + b(beta), atol=1e-4)
    close(ops.batch_normalization(x, mean[None, :, None], var[None, :, None], axis=1),
          (x - b(mean)) / np.sqrt(b(var) + 1e-3), atol=1e-4)


@pytest.mark.parametrize("axis", [-1, (1, 2), 1])
def test_layer_normalization(axis):
    x = rand(2, 3, 4)
    mean = x.mean(axis=axis, keepdims=True)
    var = x.var(axis=axis, keepdims=True)
    expected = (x - mean) / np.sqrt(var + 1e-7)
    close(ops.layer_normalization(x, axis=axis), expected, atol=1e-4)
    gamma = rand(*[x.shape[a] if a in np.atleast_1d(axis) % 3 else 1 for a in range(3)])
    close(ops.layer_normalization(x, gamma=gamma, beta=gamma, axis=axis),
          expected * gamma + gamma, atol=1e-4)


def test_rms_normalization():
    x, scale = rand(2, 5), rand(5)
    expected = x / np.sqrt((x ** 2).mean(-1, keepdims=True) + 1e-7)
    close(ops.rms_normalization(x), expected, atol=1e-5)
    close(ops.rms_normalization(x, scale=scale), expected * scale, atol=1e-5)
    close(ops.rms_normalization(x, scale=2.0, axis=0, epsilon=1e-3),
          2 * x / np.sqrt((x ** 2).mean(0, keepdims=True) + 1e-3), atol=1e-5)


def test_normalize():
    x = np.array([[1, 2, 3], [4, 5, 6]], "float32")
    close(ops.normalize(x), x / np.linalg.norm(x, axis=-1, keepdims=True))
    close(ops.normalize(x, axis=0, order=1), x / np.abs(x).sum(0, keepdims=True))
    close(ops.normalize(np.zeros((1, 3), "float32")), np.zeros((1, 3)))


def test_psnr():
    a, b = rand(2, 4, 4, 3), rand(2, 4, 4, 3)
    close(ops.psnr(a, b, 1.0), 20 * np.log10(1.0) - 10 * np.log10(((a - b) ** 2).mean()),
          atol=1e-4)


# ----------------------------------------------------------------- convolution references

def _tf_pads(size, k, s, d, padding):
    """TensorFlow's padding, as its documentation states it."""
    if padding == "valid":
        return 0, 0
    k = (k - 1) * d + 1
    if padding == "causal":
        return k - 1, 0
    out = math.ceil(size / s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def np_conv(x, kernel, strides, padding, dilation=1):
    """channels_last N-D convolution by explicit loops over output positions and taps."""
    n = x.ndim - 2
    ksize, cin_g, cout = kernel.shape[:n], kernel.shape[-2], kernel.shape[-1]
    groups = x.shape[-1] // cin_g
    s, d = (strides,) * n if isinstance(strides, int) else strides, (dilation,) * n
    pads = [_tf_pads(x.shape[1 + i], ksize[i], s[i], d[i], padding) for i in range(n)]
    xp = np.pad(x, [(0, 0), *pads, (0, 0)])
    out_shape = [(xp.shape[1 + i] - (ksize[i] - 1) * d[i] - 1) // s[i] + 1 for i in range(n)]
    out = np.zeros((x.shape[0], *out_shape, cout))
    for pos in itertools.product(*map(range, out_shape)):
        for tap in itertools.product(*map(range, ksize)):
            idx = tuple(p * s[i] + t * d[i] for i, (p, t) in enumerate(zip(pos, tap)))
            patch = xp[(slice(None), *idx)]  # (N, C)
            for g in range(groups):
                cols = slice(g * cout // groups, (g + 1) * cout // groups)
                out[(slice(None), *pos, cols)] += (
                    patch[:, g * cin_g:(g + 1) * cin_g] @ kernel[tap][:, cols])
    return out


def test_conv_same_matches_tensorflow_by_hand():
    x = np.array([1, 2, 3, 4, 5], "float32").reshape(1, 5, 1)
    k = np.array([1, 10], "float32").reshape(2, 1, 1)
    # even kernel, stride 1: TF pads (0, 1)
    close(ops.conv(x, k, padding="same")[0, :, 0], [21, 32, 43, 54, 5])
    # even kernel, stride 2, odd length: 3 outputs, pad (0, 1)
    close(ops.conv(x, k, strides=2, padding="same")[0, :, 0], [21, 43, 5])
    # kernel 3, stride 2, length 4: pad (0, 1)
    k3 = np.array([1, 10, 100], "float32").reshape(3, 1, 1)
    close(ops.conv(x[:, :4], k3, strides=2, padding="same")[0, :, 0], [321, 43])
    # causal: the output at t sees inputs up to t
    close(ops.conv(x, k, padding="causal")[0, :, 0], [10, 21, 32, 43, 54])


@pytest.mark.parametrize("shape,kernel,strides,padding,dilation", [
    ((2, 7, 3), (4, 3, 5), 2, "same", 1),
    ((2, 8, 3), (3, 3, 4), 1, "causal", 2),
    ((1, 7, 6, 3), (4, 4, 3, 2), 2, "same", 1),
    ((1, 8, 8, 3), (2, 3, 3, 2), (2, 1), "same", 1),
    ((1, 9, 9, 2), (3, 3, 2, 3), 1, "same", 2),
    ((1, 9, 8, 2), (3, 2, 2, 3), 2, "valid", 1),
    ((1, 6, 6, 4), (3, 3, 2, 6), 1, "same", 1),  # 2 groups
    ((1, 5, 6, 4, 2), (2, 3, 2, 2, 3), 2, "same", 1),
])
def test_conv_matches_loop(shape, kernel, strides, padding, dilation):
    x, k = rand(*shape), rand(*kernel)
    expected = np_conv(x, k, strides, padding, dilation)
    close(ops.conv(x, k, strides, padding, dilation_rate=dilation), expected, atol=1e-4)


def test_conv_channels_first_and_torch():
    x, k = rand(2, 3, 9, 8), rand(3, 3, 3, 4)
    out = ops.conv(x, k, strides=1, padding="same", data_format="channels_first")
    expected = torch.nn.functional.conv2d(
        torch.from_numpy(x), torch.from_numpy(k).permute(3, 2, 0, 1), padding=1)
    close(out, expected.numpy(), atol=1e-5)
    cornu.backend.set_image_data_format("channels_first")
    close(ops.conv(x, k, padding="same"), expected.numpy(), atol=1e-5)


def test_conv_errors():
    with pytest.raises(ValueError, match="padding"):
        ops.conv(rand(1, 5, 5, 2), rand(3, 3, 2, 2), padding="full")
    with pytest.raises(ValueError, match="not a multiple"):
        ops.conv(rand(1, 5, 5, 3), rand(3, 3, 2, 2))
    with pytest.raises(ValueError, match="kernel of rank 4"):
        ops.conv(rand(1, 5, 5, 3), rand(3, 3, 3))


def test_depthwise_and_separable_conv():
    x, k, pw = rand(2, 7, 6, 3), rand(4, 3, 3, 2), rand(1, 1, 6, 5)
    expected = np.concatenate(
        [np_conv(x[..., c:c + 1], k[:, :, c:c + 1, :], 2, "same") for c in range(3)], axis=-1)
    close(ops.depthwise_conv(x, k, 2, "same"), expected, atol=1e-4)  # channel c * M + m
    close(ops.separable_conv(x, k, pw, 2, "same"), expected @ pw[0, 0], atol=1e-4)
    x1, k1 = rand(1, 9, 2), rand(3, 2, 2)
    expected1 = np.concatenate(
        [np_conv(x1[..., c:c + 1], k1[:, c:c + 1], 1, "valid", 2) for c in range(2)], -1)
    close(ops.depthwise_conv(x1, k1, dilation_rate=2), expected1, atol=1e-4)


def _conv_transpose_by_autograd(g, kernel, strides, padding, length_shape):
    """conv_transpose is the gradient of conv: checked with autograd, not by formula."""
    z = torch.zeros(length_shape, requires_grad=True)
    y = ops.conv(z, torch.from_numpy(kernel), strides, padding)
    assert tuple(y.shape) == g.shape
    (y * torch.from_numpy(g)).sum().backward()
    return z.grad.numpy()


@pytest.mark.parametrize("in_shape,ksize,strides,padding", [
    ((1, 5, 5, 2), (3, 3), 2, "same"),
    ((1, 5, 5, 2), (4, 4), 2, "same"),
    ((1, 4, 6, 2), (2, 3), (2, 3), "same"),
    ((1, 4, 4, 2), (3, 3), 2, "valid"),
    ((1, 4, 4, 2), (2, 2), 3, "valid"),
    ((2, 6, 2), (5,), 2, "same"),
])
def test_conv_transpose_is_gradient_of_conv(in_shape, ksize, strides, padding):
    n = len(ksize)
    k = rand(*ksize, 3, in_shape[-1])  # (*K, filters=3, in_channels)
    g = rand(*in_shape)
    out = ops.conv_transpose(g, k, strides, padding)
    s = (strides,) * n if isinstance(strides, int) else strides
    lengths = [i * st if padding == "same" else i * st + max(kk - st, 0)
               for i, kk, st in zip(in_shape[1:-1], ksize, s)]  # Keras's output length
    assert tuple(out.shape) == (in_shape[0], *lengths, 3)
    expected = _conv_transpose_by_autograd(g, k, strides, padding, (in_shape[0], *lengths, 3))
    close(out, expected, atol=1e-4)


def test_conv_transpose_output_padding_dilation_and_channels_first():
    g, k = rand(1, 4, 4, 2), rand(3, 3, 3, 2)
    out = ops.conv_transpose(g, k, 2, "same", output_padding=0)
    assert out.shape == (1, 7, 7, 3)  # (4 - 1) * 2 + 3 - 2 * 1 + 0
    close(out, _conv_transpose_by_autograd(g, k, 2, "same", (1, 7, 7, 3)), atol=1e-4)
    out = ops.conv_transpose(g, k, 1, "valid", dilation_rate=2)
    expected = torch.nn.functional.conv_transpose2d(
        torch.from_numpy(g).permute(0, 3, 1, 2), torch.from_numpy(k).permute(3, 2, 0, 1),
        dilation=2).permute(0, 2, 3, 1)
    close(out, expected.numpy(), atol=1e-4)
    out_cf = ops.conv_transpose(g.transpose(0, 3, 1, 2), k, 2, "same",
                                data_format="channels_first")
    close(out_cf, ops.convert_to_numpy(ops.conv_transpose(g, k, 2, "same")).transpose(0, 3, 1, 2),
          atol=1e-5)


# ----------------------------------------------------------------- pooling

def np_pool(x, size, strides, padding, kind):
    """channels_last pooling by loops; 'same' windows see only real pixels (TF)."""
    n = x.ndim - 2
    pads = [_tf_pads(x.shape[1 + i], size[i], strides[i], 1, padding) for i in range(n)]
    valid = np.pad(np.ones(x.shape[1:-1]), pads).astype(bool)
    xp = np.pad(x, [(0, 0), *pads, (0, 0)])
    out_shape = [(xp.shape[1 + i] - size[i]) // strides[i] + 1 for i in range(n)]
    out = np.zeros((x.shape[0], *out_shape, x.shape[-1]))
    for pos in itertools.product(*map(range, out_shape)):
        window = tuple(slice(p * s, p * s + k) for p, s, k in zip(pos, strides, size))
        vals = xp[(slice(None), *window)][:, valid[window]]  # (N, real pixels, C)
        out[(slice(None), *pos)] = vals.max(1) if kind == "max" else vals.mean(1)
    return out


@pytest.mark.parametrize("shape,size,strides,padding", [
    ((2, 7, 3), (2,), (2,), "same"),
    ((1, 6, 7, 2), (2, 2), (2, 2), "same"),
    ((1, 5, 5, 2), (3, 3), (2, 2), "same"),
    ((1, 6, 6, 2), (2, 2), (1, 1), "same"),
    ((1, 7, 7, 2), (3, 2), (2, 1), "valid"),
    ((1, 5, 4, 6, 2), (2, 2, 3), (2, 2, 2), "same"),
])
@pytest.mark.parametrize("kind", ["max", "average"])
def test_pool_matches_loop(shape, size, strides, padding, kind):
    x = rand(*shape)
    op = ops.max_pool if kind == "max" else ops.average_pool
    close(op(x, size, strides, padding), np_pool(x, size, strides, padding, kind), atol=1e-5)


def test_pool_defaults_and_channels_first():
    x = rand(1, 3, 6, 6)
    out = ops.max_pool(x, 2, data_format="channels_first")  # strides default to pool_size
    expected = np_pool(x.transpose(0, 2, 3, 1), (2, 2), (2, 2), "valid", "max")
    close(out, expected.transpose(0, 3, 1, 2))


def test_adaptive_pools():
    x = rand(2, 6, 4, 3)
    close(ops.adaptive_average_pool(x, (3, 2)), x.reshape(2, 3, 2, 2, 2, 3).mean((2, 4)))
    close(ops.adaptive_max_pool(x, 1), x.max((1, 2), keepdims=True))


def test_conv_and_pool_shapes_on_meta_and_keras_tensors():
    meta = torch.empty((2, 9, 9, 3), device="meta")
    assert ops.conv(meta, torch.empty((4, 4, 3, 8), device="meta"), 2, "same").shape == (2, 5, 5, 8)
    assert ops.depthwise_conv(meta, torch.empty((3, 3, 3, 2), device="meta")).shape == (2, 7, 7, 6)
    assert ops.conv_transpose(meta, torch.empty((3, 3, 4, 3), device="meta"), 2,
                              "same").shape == (2, 18, 18, 4)
    assert ops.average_pool(meta, 2, padding="same").shape == (2, 5, 5, 3)
    assert ops.max_pool(meta, 3, 2).shape == (2, 4, 4, 3)
    inputs = cornu.Input((8, 8, 3))
    assert ops.conv(inputs, rand(3, 3, 3, 5), 2, "same").shape == (None, 4, 4, 5)


# ----------------------------------------------------------------- losses

def test_binary_crossentropy():
    t = np.array([[0, 1, 1], [1, 0, 0]], "float32")
    p = np.array([[0.1, 0.8, 1.0], [0.0, 0.3, 0.5]], "float32")
    eps = 1e-7
    pc = np.clip(p, eps, 1 - eps).astype("float64")
    close(ops.binary_crossentropy(t, p), -(t * np.log(pc) + (1 - t) * np.log(1 - pc)),
          rtol=1e-4)
    logits = rand(2, 3)
    sig = 1 / (1 + np.exp(-logits.astype("float64")))
    close(ops.binary_crossentropy(t, logits, from_logits=True),
          -(t * np.log(sig) + (1 - t) * np.log(1 - sig)), rtol=1e-5)
    with pytest.raises(ValueError, match="same shape"):
        ops.binary_crossentropy(t, p[:, :2])


def test_categorical_crossentropy():
    t = np.eye(4, dtype="float32")[[0, 3, 1]]
    p = np.abs(rand(3, 4)) + np.array([0, 0, 0, 5], "float32")  # not normalised
    p[0, 0] = 0.0  # clipped to epsilon
    pn = np.clip(p / p.sum(-1, keepdims=True), 1e-7, 1 - 1e-7)
    close(ops.categorical_crossentropy(t, p), -(t * np.log(pn)).sum(-1), rtol=1e-5)
    logits = rand(3, 4)
    expected = -(t * np.log(_np_softmax(logits, -1))).sum(-1)
    close(ops.categorical_crossentropy(t, logits, from_logits=True), expected, rtol=1e-5)
    close(ops.categorical_crossentropy(t.T, logits.T, from_logits=True, axis=0), expected,
          rtol=1e-5)


def test_sparse_categorical_crossentropy():
    logits = rand(2, 3, 5)
    labels = np.array([[0, 4, 2], [1, 1, 3]])
    logp = np.log(_np_softmax(logits, -1))
    expected = -np.take_along_axis(logp, labels[..., None], -1)[..., 0]
    close(ops.sparse_categorical_crossentropy(labels, logits, from_logits=True), expected,
          rtol=1e-5)
    close(ops.sparse_categorical_crossentropy(labels[..., None], _np_softmax(logits, -1)),
          expected, rtol=1e-4)
    close(ops.sparse_categorical_crossentropy(labels[0], logits[0].T, True, axis=0), expected[0],
          rtol=1e-5)
    close(ops.sparse_categorical_crossentropy(np.array(2), logits[0, 0], True), -logp[0, 0, 2],
          rtol=1e-5)
    with pytest.raises(ValueError, match="does not match"):
        ops.sparse_categorical_crossentropy(labels[:, :2], logits)


def _np_ctc(logits, label, blank=0):
    """-log P(label) by summing over every alignment (tiny sizes only)."""
    logp = np.log(_np_softmax(logits.astype("float64"), -1))
    total = 0.0
    for path in itertools.product(range(logits.shape[-1]), repeat=len(logits)):
        collapsed = [c for i, c in enumerate(path) if c != blank and (i == 0 or c != path[i - 1])]
        if collapsed == list(label):
            total += np.exp(sum(logp[t, c] for t, c in enumerate(path)))
    return -np.log(total)


def test_ctc_loss_matches_brute_force():
    logits = rand(2, 5, 3)
    target = np.array([[1, 2, 0], [2, 2, 0]])
    out = ops.ctc_loss(target, logits, np.array([2, 2]), np.array([5, 4]))
    close(out, [_np_ctc(logits[0], [1, 2]), _np_ctc(logits[1, :4], [2, 2])], rtol=1e-4)
    meta = torch.empty((2, 5, 3), device="meta")
    assert ops.ctc_loss(target, meta, [2, 2], [5, 5]).shape == (2,)


def test_ctc_decode_greedy():
    best = np.array([[1, 1, 0, 1, 2, 2], [2, 0, 2, 2, 1, 1]])  # blank is 0
    logits = np.eye(3, dtype="float32")[best] * 2.0
    decoded, scores = ops.ctc_decode(logits, np.array([6, 4]))
    close(decoded, [[[1, 1, 2, -1, -1, -1], [2, 2, -1, -1, -1, -1]]])
    close(scores, [[-12.0], [-8.0]])
    decoded, _ = ops.ctc_decode(logits, np.array([6, 4]), merge_repeated=False)
    close(decoded[0, 0], [1, 1, 1, 2, 2, -1])
    with pytest.raises(ValueError, match="strategy"):  # beam search: tests/ops/test_new_ops.py
        ops.ctc_decode(logits, np.array([6, 4]), strategy="best")


# ----------------------------------------------------------------- attention

def np_attention(q, k, v, bias=None, mask=None, scale=None, causal=False):
    """(B, T, N, H) attention written out with numpy."""
    scale = 1 / np.sqrt(q.shape[-1]) if scale is None else scale
    groups = q.shape[2] // k.shape[2]
    k, v = np.repeat(k, groups, axis=2), np.repeat(v, groups, axis=2)
    logits = np.einsum("btnh,bsnh->bnts", q, k) * scale
    if bias is not None:
        logits = logits + bias
    allowed = np.ones(logits.shape, bool)
    if mask is not None:
        allowed &= mask
    if causal:
        allowed &= np.tril(np.ones(logits.shape[-2:], bool))
    probs = _np_softmax(np.where(allowed, logits, -np.inf), -1)
    return np.einsum("bnts,bsnh->btnh", probs, v)


@pytest.mark.parametrize("kv_heads", [4, 2])
def test_dot_product_attention(kv_heads):
    q, k, v = rand(2, 5, 4, 8), rand(2, 6, kv_heads, 8), rand(2, 6, kv_heads, 8)
    close(ops.dot_product_attention(q, k, v), np_attention(q, k, v), atol=1e-5)
    mask = RNG.random((2, 1, 5, 6)) > 0.3
    mask[..., 0] = True
    bias = rand(1, 4, 5, 6)
    close(ops.dot_product_attention(q, k, v, bias=bias, mask=mask, scale=0.5),
          np_attention(q, k, v, bias, mask, 0.5), atol=1e-5)
    close(ops.dot_product_attention(q, k, v, is_causal=True),
          np_attention(q, k, v, causal=True), atol=1e-5)
    close(ops.dot_product_attention(q, k, v, mask=mask, is_causal=True),
          np_attention(q, k, v, mask=mask, causal=True), atol=1e-5)
    close(ops.dot_product_attention(q[0], k[0], v[0]), np_attention(q, k, v)[0], atol=1e-5)


def test_dot_product_attention_soft_cap():
    q, k, v = rand(1, 3, 2, 4), rand(1, 3, 2, 4), rand(1, 3, 2, 4)
    logits = np.einsum("btnh,bsnh->bnts", q, k) / 2.0
    probs = _np_softmax(np.tanh(logits / 0.5) * 0.5, -1)
    close(ops.dot_product_attention(q, k, v, attn_logits_soft_cap=0.5),
          np.einsum("bnts,bsnh->btnh", probs, v), atol=1e-5)
