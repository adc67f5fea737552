"""Neural-network ops on torch tensors (Keras 3 ``keras.ops.nn`` names and signatures).

Layouts are Keras's: images are ``(N, *spatial, C)`` for ``channels_last`` (the
default) and conv kernels are ``(*spatial, in_channels / groups, out_channels)``;
each op moves them to torch's channels-first layout with views, not copies.
Padding follows TensorFlow: ``"same"`` puts the odd extra pixel at the end.
"""
import math

import torch
import torch.nn.functional as F

from cornu.backend.config import epsilon as _epsilon
from cornu.backend.config import floatx as _floatx
from cornu.backend.config import standardize_data_format as _data_format
from cornu.backend.torch.core import convert_to_tensor, to_torch_dtype
from cornu.backend.torch.logits import logits_of as _logits_of


def _float(x):
    """``x`` as a tensor of a floating dtype (integers become floatx)."""
    x = convert_to_tensor(x)
    return x if x.is_floating_point() else x.to(to_torch_dtype(_floatx()))


def _over_axes(fn, x, axis):
    """``fn(x, dim)`` over one axis, over all of them (None), or over several (a tuple)."""
    if axis is None:
        return fn(x.reshape(-1), 0).reshape(x.shape)
    if not isinstance(axis, (tuple, list)):
        return fn(x, int(axis))
    axes = [a % x.ndim for a in axis]
    perm = [a for a in range(x.ndim) if a not in axes] + axes
    moved = x.permute(*perm)  # (*kept, *axes)
    y = fn(moved.reshape(*moved.shape[:x.ndim - len(axes)], -1), -1).reshape(moved.shape)
    return y.permute(*sorted(range(x.ndim), key=perm.__getitem__))


# ----------------------------------------------------------------- activations

def relu(x):
    """Rectified linear unit: ``max(x, 0)``."""
    return torch.relu(convert_to_tensor(x))


def relu6(x):
    """ReLU capped at 6: ``min(max(x, 0), 6)``."""
    return F.relu6(_float(x))


def sigmoid(x):
    """Logistic sigmoid: ``1 / (1 + exp(-x))``."""
    return torch.sigmoid(convert_to_tensor(x))


def sparse_sigmoid(x):
    """Piecewise-linear sigmoid: 0 below -1, 1 above 1, ``(x + 1) / 2`` between."""
    return torch.clamp(_float(x).add(1.0).mul(0.5), 0.0, 1.0)


def softplus(x):
    """``log(exp(x) + 1)``."""
    return F.softplus(_float(x))


def softsign(x):
    """``x / (abs(x) + 1)``."""
    return F.softsign(_float(x))


def silu(x):
    """Sigmoid linear unit (swish): ``x * sigmoid(x)``."""
    return F.silu(_float(x))


swish = silu


def gelu(x, approximate=True):
    """Gaussian error linear unit; the tanh approximation when ``approximate`` (default)."""
    return F.gelu(_float(x), approximate="tanh" if approximate else "none")


def elu(x, alpha=1.0):
    """Exponential linear unit: ``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``."""
    return F.elu(_float(x), alpha)


def selu(x):
    """Scaled ELU with the self-normalising constants (alpha ~1.6733, scale ~1.0507)."""
    return F.selu(_float(x))


def leaky_relu(x, negative_slope=0.2):
    """``x`` if ``x >= 0`` else ``negative_slope * x``."""
    return F.leaky_relu(_float(x), negative_slope)


def hard_sigmoid(x):
    """Piecewise-linear sigmoid: ``relu6(x + 3) / 6``."""
    return F.hardsigmoid(_float(x))


def hard_silu(x):
    """Hard SiLU (hard swish): ``x * relu6(x + 3) / 6``."""
    return F.hardswish(_float(x))


hard_swish = hard_silu


def log_sigmoid(x):
    """``log(sigmoid(x))``, computed stably."""
    return F.logsigmoid(_float(x))


def softmax(x, axis=-1):
    """Softmax over ``axis`` (an int, a tuple of ints, or None for all axes)."""
    x = _float(x)
    if axis.__class__ is int:
        return torch.softmax(x, axis)
    return _over_axes(torch.softmax, x, axis)


def log_softmax(x, axis=-1):
    """Log of the softmax over ``axis`` (an int, a tuple of ints, or None for all axes)."""
    x = _float(x)
    if axis.__class__ is int:
        return torch.log_softmax(x, axis)
    return _over_axes(torch.log_softmax, x, axis)


def celu(x, alpha=1.0):
    """Continuously differentiable ELU: ``max(x, 0) + min(alpha * (exp(x / alpha) - 1), 0)``."""
    return F.celu(_float(x), alpha)


def glu(x, axis=-1):
    """Gated linear unit: split ``x`` in halves ``a, b`` along ``axis``; ``a * sigmoid(b)``."""
    x = _float(x)
    if x.shape[axis] % 2:
        raise ValueError(
            f"glu: axis {axis} must have an even size to be split in two; received shape "
            f"{tuple(x.shape)}.")
    return F.glu(x, axis)


def tanh_shrink(x):
    """``x - tanh(x)``."""
    return F.tanhshrink(_float(x))


def hard_tanh(x):
    """``x`` clipped to [-1, 1]."""
    return F.hardtanh(_float(x))


def soft_shrink(x, threshold=0.5):
    """``x - threshold`` above ``threshold``, ``x + threshold`` below ``-threshold``, else 0."""
    return F.softshrink(_float(x), threshold)


def hard_shrink(x, threshold=0.5):
    """``x`` where ``abs(x) > threshold``, else 0."""
    return F.hardshrink(_float(x), threshold)


def squareplus(x, b=4):
    """Smooth ReLU: ``(x + sqrt(x ** 2 + b)) / 2``."""
    x = _float(x)
    return (x + torch.sqrt(x * x + b)) * 0.5


def sparse_plus(x):
    """Piecewise softplus: 0 for ``x <= -1``, ``(x + 1) ** 2 / 4`` on (-1, 1), ``x`` for ``x >= 1``."""
    x = _float(x)
    middle = (x + 1.0) ** 2 * 0.25
    return torch.where(x <= -1.0, torch.zeros_like(x), torch.where(x >= 1.0, x, middle))


def sparsemax(x, axis=-1):
    """Euclidean projection of ``x`` onto the probability simplex along ``axis``
    (Martins & Astudillo, 2016): like softmax, but can give exact zeros."""
    x = _float(x)
    z = torch.sort(x, dim=axis, descending=True).values
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    k = torch.arange(1, x.shape[axis] + 1, dtype=x.dtype, device=x.device).reshape(shape)
    cumsum = z.cumsum(axis) - 1.0
    support = (k * z > cumsum).sum(dim=axis, keepdim=True)  # size of the support, >= 1
    tau = cumsum.gather(axis, support - 1) / support.to(x.dtype)
    return torch.clamp(x - tau, min=0.0)


def threshold(x, threshold, default_value):
    """``x`` where ``x > threshold``, else ``default_value``."""
    return F.threshold(_float(x), threshold, default_value)


# ----------------------------------------------------------------- encodings, statistics

def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """One-hot encode integer ``x`` into a new axis of size ``num_classes``.

    Indices outside ``[0, num_classes)`` (negative ones included) encode as all zeros.
    """
    if sparse:
        raise ValueError("one_hot: sparse=True is not supported by the torch backend.")
    x = convert_to_tensor(x)
    classes = torch.arange(num_classes, device=x.device, dtype=x.dtype)
    out = (x.unsqueeze(-1) == classes).to(to_torch_dtype(dtype))  # (*x.shape, num_classes)
    if axis != -1 and axis != out.ndim - 1:
        out = out.movedim(-1, axis)
    return out


def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    """Multi-hot encode integer labels: 1 for each class present in a sample.

    A 1-D input is one sample; a 2-D input ``(batch, labels)`` gives ``(batch, num_classes)``.
    """
    if num_classes is None:
        num_classes = kwargs.pop("num_tokens", None)
    if num_classes is None:
        raise ValueError("multi_hot: `num_classes` is required.")
    x = convert_to_tensor(inputs)
    encoded = one_hot(x, num_classes, axis=axis, dtype=dtype, sparse=sparse)
    return torch.amax(encoded, dim=1 if x.ndim > 1 else 0)


def moments(x, axes, keepdims=False, synchronized=False):
    """Mean and (population) variance of ``x`` over ``axes``, as a tuple.

    Half-precision inputs are reduced in float32 and the results cast back.
    ``synchronized`` matters only for multi-device training and is ignored here.
    """
    x = _float(x)
    dtype = x.dtype
    if dtype in (torch.float16, torch.bfloat16):
        x = x.float()
    dims = tuple(axes) if isinstance(axes, (list, tuple)) else (axes,)
    variance, mean = torch.var_mean(x, dim=dims, keepdim=keepdims, correction=0)
    return mean.to(dtype), variance.to(dtype)


def _along(v, x, axis):
    """A 1-D per-channel tensor reshaped to broadcast against ``x`` at ``axis``."""
    v = convert_to_tensor(v).to(x.dtype)
    if v.ndim != 1:
        return v
    shape = [1] * x.ndim
    shape[axis] = v.shape[0]
    return v.reshape(shape)


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """``(x - mean) / sqrt(variance + epsilon) * scale + offset``; the statistics are
    1-D tensors for channel ``axis`` (or already broadcastable)."""
    x = _float(x)
    inv = torch.rsqrt(_along(variance, x, axis) + epsilon)
    if scale is not None:
        inv = inv * _along(scale, x, axis)
    shift = -_along(mean, x, axis) * inv
    if offset is not None:
        shift = shift + _along(offset, x, axis)
    return torch.addcmul(shift, x, inv)  # x * inv + shift, one pass over x


def _fused_shape(x, axis, *params):
    """The trailing shape named by ``axis`` when torch's fused norms apply: the axes are
    the last ones and every parameter is None or has exactly that shape. Else None."""
    axes = sorted(a % x.ndim for a in (axis if isinstance(axis, (list, tuple)) else (axis,)))
    shape = tuple(x.shape[x.ndim - len(axes):])
    if axes != list(range(x.ndim - len(axes), x.ndim)):
        return None
    return shape if all(p is None or tuple(p.shape) == shape for p in params) else None


def _optional(v, dtype):
    return None if v is None else convert_to_tensor(v).to(dtype)


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    """Normalise each sample over ``axis`` to zero mean and unit variance, then
    ``* gamma + beta`` (Ba et al., 2016). ``epsilon`` defaults to ``config.epsilon()``."""
    if kwargs.pop("rms_scaling", False):
        return rms_normalization(x, scale=gamma, axis=axis, epsilon=epsilon)
    x = _float(x)
    gamma, beta = _optional(gamma, x.dtype), _optional(beta, x.dtype)
    eps = _epsilon() if epsilon is None else epsilon
    shape = _fused_shape(x, axis, gamma, beta)
    if shape is not None:
        return F.layer_norm(x, shape, gamma, beta, eps)
    mean, variance = moments(x, axis, keepdims=True)
    y = (x - mean) * torch.rsqrt(variance + eps)
    y = y if gamma is None else y * gamma
    return y if beta is None else y + beta


def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """``x * rsqrt(mean(square(x), axis) + epsilon) * scale`` (Zhang & Sennrich, 2019)."""
    x = _float(x)
    scale = _optional(scale, x.dtype)
    eps = _epsilon() if epsilon is None else epsilon
    shape = _fused_shape(x, axis, scale)
    if shape is not None:
        return F.rms_norm(x, shape, scale, eps)
    dims = tuple(axis) if isinstance(axis, (list, tuple)) else (axis,)
    y = x * torch.rsqrt(torch.mean(x * x, dim=dims, keepdim=True) + eps)
    return y if scale is None else y * scale


def normalize(x, axis=-1, order=2, epsilon=None):
    """``x / max(norm(x, order, axis), epsilon)``; ``epsilon`` defaults to ``config.epsilon()``."""
    x = _float(x)
    eps = _epsilon() if epsilon is None else epsilon
    norm = torch.linalg.vector_norm(x, ord=order, dim=axis, keepdim=True)
    return x / norm.clamp_min(eps)


def psnr(x1, x2, max_val):
    """Peak signal-to-noise ratio, in dB, between two signals of the same shape."""
    x1, x2 = _float(x1), _float(x2)
    if x1.shape != x2.shape:
        raise ValueError(
            f"psnr: x1 and x2 must have the same shape; received {tuple(x1.shape)} and "
            f"{tuple(x2.shape)}.")
    mse = torch.mean((x1 - x2) ** 2)
    max_val = torch.as_tensor(max_val, dtype=x1.dtype, device=x1.device)
    return 20.0 * torch.log10(max_val) - 10.0 * torch.log10(mse)


def polar(abs_, angle):
    """The complex number of magnitude ``abs_`` and phase ``angle``."""
    return torch.polar(_float(abs_), _float(angle))


# ----------------------------------------------------------------- convolution and pooling

_CONV = (None, F.conv1d, F.conv2d, F.conv3d)
_CONV_T = (None, F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d)
_MAX_POOL = (None, F.max_pool1d, F.max_pool2d, F.max_pool3d)
_AVG_POOL = (None, F.avg_pool1d, F.avg_pool2d, F.avg_pool3d)


def _tuple(value, n, name):
    if isinstance(value, int):
        return (value,) * n
    value = tuple(int(v) for v in value)
    if len(value) == 1:
        return value * n
    if len(value) != n:
        raise ValueError(f"`{name}` must be an int or a tuple of {n} ints; received {value}.")
    return value


def _channels_first(x, data_format, op):
    """``x`` as ``(N, C, *spatial)``, the number of spatial dims, and whether it was moved."""
    n = x.ndim - 2
    if not 1 <= n <= 3:
        raise ValueError(
            f"{op}: expected a 3D, 4D or 5D input (batch, spatial dims, channels); received "
            f"shape {tuple(x.shape)}.")
    if _data_format(data_format) == "channels_last":
        return x.movedim(-1, 1), n, True  # (N, *S, C) -> (N, C, *S), a view
    return x, n, False


def _pad_pairs(padding, sizes, kernel, strides, dilation):
    """(before, after) padding per spatial dim, as TensorFlow computes it; None for 'valid'."""
    mode = str(padding).lower()
    if mode == "valid":
        return None
    if mode == "same":
        pairs = []
        for size, k, s, d in zip(sizes, kernel, strides, dilation):
            total = max((-(-size // s) - 1) * s + (k - 1) * d + 1 - size, 0)
            pairs.append((total // 2, total - total // 2))  # the extra pixel goes at the end
        return pairs
    if mode == "causal" and len(sizes) == 1:
        return [((kernel[0] - 1) * dilation[0], 0)]
    raise ValueError(
        f"padding must be 'valid' or 'same' ('causal' for 1D convolution); received {padding!r}.")


def _padded(x, pairs, value=0.0):
    """``(x, torch_padding)``: symmetric pads go to torch; uneven ones pad ``x`` here."""
    if pairs is None:
        return x, 0
    if all(a == b for a, b in pairs):
        return x, tuple(a for a, _ in pairs)
    return F.pad(x, [p for pair in reversed(pairs) for p in pair], value=value), 0


def _match_dtypes(x, kernel):
    x, kernel = _float(x), convert_to_tensor(kernel)
    if kernel.dtype != x.dtype:
        dtype = torch.promote_types(x.dtype, kernel.dtype)
        x, kernel = x.to(dtype), kernel.to(dtype)
    return x, kernel


def _conv_cf(x, weight, n, strides, padding, dilation_rate, groups=1):
    """Convolution of channels-first ``x`` with a torch-layout ``weight``."""
    strides = _tuple(strides, n, "strides")
    dilation = _tuple(dilation_rate, n, "dilation_rate")
    pairs = _pad_pairs(padding, x.shape[2:], weight.shape[2:], strides, dilation)
    x, pad = _padded(x, pairs)
    return _CONV[n](x, weight, None, strides, pad, dilation, groups)


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution (1D, 2D or 3D by the input rank).

    Args:
        inputs: ``(N, *spatial, C)`` (channels_last) or ``(N, C, *spatial)``.
        kernel: ``(*kernel_size, C / groups, filters)``; ``groups`` is inferred.
        strides, dilation_rate: an int or one int per spatial dim.
        padding: ``"valid"``, ``"same"`` (TensorFlow's), or ``"causal"`` (1D only).
        data_format: ``"channels_last"`` or ``"channels_first"``; None means the config's.
    """
    x, kernel = _match_dtypes(inputs, kernel)
    x, n, moved = _channels_first(x, data_format, "conv")
    if kernel.ndim != n + 2:
        raise ValueError(
            f"conv: a {n}D convolution needs a kernel of rank {n + 2}; received kernel shape "
            f"{tuple(kernel.shape)}.")
    channels, per_group = x.shape[1], kernel.shape[-2]
    if channels % per_group:
        raise ValueError(
            f"conv: the input has {channels} channels, which is not a multiple of the "
            f"kernel's input channels {per_group} (kernel shape {tuple(kernel.shape)}).")
    weight = kernel.permute(n + 1, n, *range(n))  # (*K, C/g, F) -> (F, C/g, *K)
    y = _conv_cf(x, weight, n, strides, padding, dilation_rate, channels // per_group)
    return y.movedim(1, -1) if moved else y


def _depthwise_weight(kernel, n):
    # (*K, C, M) -> (C * M, 1, *K): output channel c * M + m, as TensorFlow orders them
    return kernel.reshape(*kernel.shape[:n], 1, -1).permute(n + 1, n, *range(n))


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1):
    """Depthwise convolution: each input channel convolved with its own
    ``depth_multiplier`` filters. ``kernel`` is ``(*kernel_size, C, depth_multiplier)``."""
    x, kernel = _match_dtypes(inputs, kernel)
    x, n, moved = _channels_first(x, data_format, "depthwise_conv")
    if kernel.ndim != n + 2 or kernel.shape[-2] != x.shape[1]:
        raise ValueError(
            f"depthwise_conv: expected a kernel of shape (*kernel_size, {x.shape[1]}, "
            f"depth_multiplier); received {tuple(kernel.shape)}.")
    y = _conv_cf(x, _depthwise_weight(kernel, n), n, strides, padding, dilation_rate,
                 x.shape[1])
    return y.movedim(1, -1) if moved else y


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1):
    """Depthwise convolution followed by a 1x1 convolution with ``pointwise_kernel``
    (``(*ones, C * depth_multiplier, filters)``)."""
    x, depthwise_kernel = _match_dtypes(inputs, depthwise_kernel)
    x, n, moved = _channels_first(x, data_format, "separable_conv")
    y = _conv_cf(x, _depthwise_weight(depthwise_kernel, n), n, strides, padding,
                 dilation_rate, x.shape[1])
    pointwise = convert_to_tensor(pointwise_kernel).to(y.dtype)
    y = _CONV[n](y, pointwise.permute(n + 1, n, *range(n)))
    return y.movedim(1, -1) if moved else y


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    """Transposed convolution (the gradient of ``conv``), as TensorFlow computes it.

    ``kernel`` is ``(*kernel_size, filters, C)``. The output length per spatial dim is
    ``in * stride`` for ``"same"`` and ``in * stride + max(k - stride, 0)`` for
    ``"valid"`` (``k`` the dilated kernel size), unless ``output_padding`` is given.
    """
    x, kernel = _match_dtypes(inputs, kernel)
    x, n, moved = _channels_first(x, data_format, "conv_transpose")
    strides = _tuple(strides, n, "strides")
    dilation = _tuple(dilation_rate, n, "dilation_rate")
    extra = (None,) * n if output_padding is None else _tuple(output_padding, n, "output_padding")
    same = str(padding).lower() == "same"
    if not same and str(padding).lower() != "valid":
        raise ValueError(f"conv_transpose: padding must be 'valid' or 'same'; received {padding!r}.")
    crops, torch_extra, lengths = [], [], []
    for size, k, s, d, op in zip(x.shape[2:], kernel.shape[:n], strides, dilation, extra):
        k = (k - 1) * d + 1
        full = (size - 1) * s + k  # every position a kernel tap reaches
        if op is None:
            length = size * s if same else size * s + max(k - s, 0)
        else:
            length = full - 2 * (k // 2 if same else 0) + op
        crop = max(full - length, 0) // 2 if same else 0  # TensorFlow crops the start less
        crops.append(crop)
        torch_extra.append(length - full + 2 * crop)
        lengths.append(length)
    weight = kernel.permute(n + 1, n, *range(n))  # (*K, F, C) -> (C, F, *K)
    if all(0 <= e < max(s, d) for e, s, d in zip(torch_extra, strides, dilation)):
        y = _CONV_T[n](x, weight, None, strides, crops, torch_extra, 1, dilation)
    else:  # torch cannot crop the end more than the start: crop or zero-pad here
        y = _CONV_T[n](x, weight, None, strides, crops, 0, 1, dilation)
        y = y[(..., *(slice(0, length) for length in lengths))]
        grow = [max(length - size, 0) for length, size in zip(lengths, y.shape[2:])]
        if any(grow):
            y = F.pad(y, [p for g in reversed(grow) for p in (0, g)])
    return y.movedim(1, -1) if moved else y


def _pool(inputs, pool_size, strides, padding, data_format, op):
    x, n, moved = _channels_first(_float(inputs), data_format, op)
    size = _tuple(pool_size, n, "pool_size")
    strides = size if strides is None else _tuple(strides, n, "strides")
    pairs = _pad_pairs(padding, x.shape[2:], size, strides, (1,) * n)
    if op == "max_pool":
        x, pad = _padded(x, pairs, value=-math.inf)
        y = _MAX_POOL[n](x, size, strides, pad)
    elif pairs is None or all(a == b for a, b in pairs):
        pad = 0 if pairs is None else tuple(a for a, _ in pairs)
        y = _AVG_POOL[n](x, size, strides, pad, count_include_pad=False)
    else:  # uneven 'same': average over the real pixels only, as TensorFlow does
        flat = [p for pair in reversed(pairs) for p in pair]
        ones = torch.ones((1, 1, *x.shape[2:]), dtype=x.dtype, device=x.device)
        y = _AVG_POOL[n](F.pad(x, flat), size, strides) / _AVG_POOL[n](F.pad(ones, flat), size, strides)
    return y.movedim(1, -1) if moved else y


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Max pooling over 1, 2 or 3 spatial dims; ``strides`` defaults to ``pool_size``."""
    return _pool(inputs, pool_size, strides, padding, data_format, "max_pool")


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Average pooling; with ``"same"`` padding the padded pixels are not counted."""
    return _pool(inputs, pool_size, strides, padding, data_format, "average_pool")


def _adaptive_pool(inputs, output_size, data_format, fns, op):
    x, n, moved = _channels_first(_float(inputs), data_format, op)
    y = fns[n - 1](x, _tuple(output_size, n, "output_size"))
    return y.movedim(1, -1) if moved else y


def adaptive_average_pool(inputs, output_size, data_format=None):
    """Average pooling whose windows are chosen so the output has ``output_size``."""
    return _adaptive_pool(inputs, output_size, data_format, (
        F.adaptive_avg_pool1d, F.adaptive_avg_pool2d, F.adaptive_avg_pool3d),
        "adaptive_average_pool")


def adaptive_max_pool(inputs, output_size, data_format=None):
    """Max pooling whose windows are chosen so the output has ``output_size``."""
    return _adaptive_pool(inputs, output_size, data_format, (
        F.adaptive_max_pool1d, F.adaptive_max_pool2d, F.adaptive_max_pool3d),
        "adaptive_max_pool")


# ----------------------------------------------------------------- losses

def _check_same_shape(target, output, op):
    if target.shape != output.shape:
        raise ValueError(
            f"{op}: target and output must have the same shape; received target shape "
            f"{tuple(target.shape)} and output shape {tuple(output.shape)}.")


def binary_crossentropy(target, output, from_logits=False):
    """Element-wise binary cross-entropy. Probabilities are clipped to
    ``[epsilon, 1 - epsilon]``; logits use the stable ``max(x, 0) - x * t + log1p(exp(-|x|))``."""
    output = _float(output)
    target = convert_to_tensor(target).to(output.dtype)
    _check_same_shape(target, output, "binary_crossentropy")
    if not from_logits:
        logits = _logits_of(output)
        if logits is not None:
            output, from_logits = logits, True
    if from_logits:
        return F.binary_cross_entropy_with_logits(output, target, reduction="none")
    eps = _epsilon()
    return F.binary_cross_entropy(output.clamp(eps, 1.0 - eps), target, reduction="none")


def _log_probs(output, from_logits, axis):
    if not from_logits:
        logits = _logits_of(output, axis)
        if logits is not None:
            output, from_logits = logits, True
    if from_logits:
        return torch.log_softmax(output, axis)
    eps = _epsilon()
    output = output / output.sum(dim=axis, keepdim=True)
    return torch.log(output.clamp(eps, 1.0 - eps))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy between one-hot (or soft) ``target`` and ``output`` along ``axis``.

    Probabilities are renormalised to sum to 1 and clipped to ``[epsilon, 1 - epsilon]``.
    """
    output = _float(output)
    target = convert_to_tensor(target).to(output.dtype)
    _check_same_shape(target, output, "categorical_crossentropy")
    return -(target * _log_probs(output, from_logits, axis)).sum(dim=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy between integer class ``target`` and ``output`` along ``axis``.

    ``target`` has ``output``'s shape without ``axis`` (a trailing 1 is accepted).
    """
    output = _float(output)
    target = convert_to_tensor(target)
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = target.squeeze(-1)
    expected = output.shape[:axis % output.ndim] + output.shape[axis % output.ndim + 1:]
    if target.shape != expected:
        raise ValueError(
            f"sparse_categorical_crossentropy: target shape {tuple(target.shape)} does not "
            f"match output shape {tuple(output.shape)} without axis {axis}; expected "
            f"{tuple(expected)}.")
    log_probs = _log_probs(output, from_logits, axis)
    if output.ndim == 1:
        return -log_probs[target.long()]
    return F.nll_loss(log_probs.movedim(axis, 1), target.long(), reduction="none")


def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """Connectionist temporal classification loss per sample.

    Args:
        target: ``(batch, max_label_length)`` integer labels.
        output: ``(batch, max_time, num_classes)`` logits.
        target_length, output_length: ``(batch,)`` lengths.
        mask_index: the blank class.
    """
    output = _float(output)
    if output.device.type == "meta":
        return torch.empty(output.shape[:1], dtype=output.dtype, device="meta")
    log_probs = torch.log_softmax(output, -1).transpose(0, 1)  # (T, B, C), torch's layout
    return F.ctc_loss(log_probs, convert_to_tensor(target).long(),
                      convert_to_tensor(output_length).long(),
                      convert_to_tensor(target_length).long(),
                      blank=mask_index, reduction="none")


def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1,
               merge_repeated=True, mask_index=0):
    """Decode CTC outputs ``(batch, max_time, num_classes)``.

    Args:
        inputs: The model's scores (logits or probabilities' logs) per step and class.
        sequence_lengths: ``(batch,)`` ints, the valid steps of each item.
        strategy: ``"greedy"`` (best class per step) or ``"beam_search"`` (prefix beam search
            over log-softmax scores).
        beam_width: Prefixes kept per step (beam search).
        top_paths: Sequences returned per item (beam search; greedy returns 1).
        merge_repeated: Greedy only: merge repeated labels. Beam search always merges
            labels repeated without a blank between them, as Keras does.
        mask_index: The blank class (the last class when None).

    Returns:
        ``(decoded, scores)``: ``decoded`` is ``(top_paths, batch, max_time)`` int32 labels
        padded with -1; ``scores`` is ``(batch, top_paths)``: minus the sum of the best
        logits (greedy) or the sequences' log-probabilities (beam search).
    """
    if strategy not in ("greedy", "beam_search"):
        raise ValueError(f"ctc_decode: strategy must be 'greedy' or 'beam_search'; received "
                         f"{strategy!r}.")
    if strategy == "beam_search":
        from cornu.backend.torch.ctc import beam_search
        x = torch.log_softmax(_float(inputs), -1)
        blank = x.shape[2] - 1 if mask_index is None else mask_index
        return beam_search(x, convert_to_tensor(sequence_lengths), int(beam_width),
                           int(top_paths), blank)
    x = _float(inputs)
    steps, classes = x.shape[1], x.shape[2]
    blank = classes - 1 if mask_index is None else mask_index
    lengths = convert_to_tensor(sequence_lengths).to(device=x.device, dtype=torch.long)
    best, labels = x.max(dim=-1)  # (B, T)
    past_end = torch.arange(steps, device=x.device) >= lengths[:, None]
    labels = labels.masked_fill(past_end, blank)
    keep = labels != blank
    if merge_repeated:
        keep[:, 1:] &= labels[:, 1:] != labels[:, :-1]
    # kept labels move to the front, in order; the rest become -1
    order = torch.argsort((~keep).to(torch.uint8), dim=1, stable=True)
    decoded = labels.gather(1, order).masked_fill(~keep.gather(1, order), -1)
    scores = -best.masked_fill(past_end, 0.0).sum(dim=1, keepdim=True)
    return decoded.to(torch.int32)[None], scores


# ----------------------------------------------------------------- attention

def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                          flash_attention=None, attn_logits_soft_cap=None):
    """Scaled dot-product attention: ``softmax(q k^T * scale + bias) v``.

    Args:
        query: ``(B, T, N, H)``; key, value: ``(B, S, K, H)`` with ``N`` a multiple of
            ``K`` (grouped-query attention when ``K < N``). Unbatched 3D inputs work too.
        bias: added to the logits; broadcastable to ``(B, N, T, S)``.
        mask: boolean, True where a query may attend; broadcastable to ``(B, N, T, S)``.
        scale: defaults to ``1 / sqrt(H)``.
        is_causal: query ``t`` attends only to keys ``<= t``.
        flash_attention: accepted for compatibility; torch picks its own kernel.
        attn_logits_soft_cap: if set, logits become ``cap * tanh(logits / cap)``.
    """
    q, k, v = _float(query), convert_to_tensor(key), convert_to_tensor(value)
    unbatched = q.ndim == 3
    if unbatched:
        q, k, v = q[None], k[None], v[None]
    q, k, v = q.transpose(1, 2), k.transpose(1, 2).to(q.dtype), v.transpose(1, 2).to(q.dtype)
    if k.shape[1] != q.shape[1]:  # grouped-query attention: share each key head
        if q.shape[1] % k.shape[1]:
            raise ValueError(
                f"dot_product_attention: query heads ({q.shape[1]}) must be a multiple of "
                f"key heads ({k.shape[1]}).")
        k = k.repeat_interleave(q.shape[1] // k.shape[1], dim=1)
        v = v.repeat_interleave(q.shape[1] // v.shape[1], dim=1)
    if mask is not None:
        mask = convert_to_tensor(mask).to(torch.bool)
    if is_causal and (mask is not None or bias is not None or attn_logits_soft_cap):
        causal = torch.ones(q.shape[2], k.shape[2], dtype=torch.bool, device=q.device).tril()
        mask = causal if mask is None else mask & causal
        is_causal = False
    if attn_logits_soft_cap:
        logits = torch.matmul(q, k.transpose(-1, -2)) * (
            q.shape[-1] ** -0.5 if scale is None else scale)
        logits = torch.tanh(logits / attn_logits_soft_cap) * attn_logits_soft_cap
        if bias is not None:
            logits = logits + convert_to_tensor(bias).to(q.dtype)
        if mask is not None:
            logits = torch.where(mask, logits, torch.finfo(q.dtype).min)
        out = torch.matmul(torch.softmax(logits, -1), v)
    else:
        attn_mask = mask
        if bias is not None:
            bias = convert_to_tensor(bias).to(q.dtype)
            attn_mask = bias if mask is None else torch.where(mask, bias, -math.inf)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, is_causal=is_causal,
                                             scale=scale)
    out = out.transpose(1, 2)  # (B, N, T, H) -> (B, T, N, H)
    return out[0] if unbatched else out


# ----------------------------------------------------------------- layers' building blocks

def dense(x, kernel, bias=None):
    """``x @ kernel + bias`` with a Keras-layout kernel of shape (in, out)."""
    x = convert_to_tensor(x)
    if x.ndim == 2:
        return torch.addmm(bias, x, kernel) if bias is not None else torch.mm(x, kernel)
    y = torch.matmul(x, kernel)
    return y if bias is None else y + bias
