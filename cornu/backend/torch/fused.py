"""Fused kernels for the hottest layers: one engine call where the ops would take several.

``dense`` is ``activation(x @ kernel + bias)`` as a single ``addmm`` (plus the
activation), which is what a hand-written ``nn.Linear`` costs.
"""
import torch

from cornu.backend.torch.core import Variable, convert_to_tensor

_NATIVE = {
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "softmax": lambda x: torch.softmax(x, dim=-1),
}


def native_activation(fn):
    """The torch function for one of cornu's own activations, with default arguments
    (None for the identity); ``fn`` itself for anything else."""
    name = getattr(fn, "__name__", None)
    module = getattr(fn, "__module__", "") or ""
    if not module.startswith("cornu.activations"):
        return fn
    if name == "linear":
        return None
    return _NATIVE.get(name, fn)


def dense(x, kernel, bias=None, activation=None):
    """``activation(x @ kernel + bias)`` with a Keras-layout kernel (in, out)."""
    if x.__class__ is not torch.Tensor:
        x = convert_to_tensor(x)
    k = kernel.value if kernel.__class__ is Variable else kernel
    if bias is not None:
        b = bias.value if bias.__class__ is Variable else bias
        if x.ndim == 2:
            y = torch.addmm(b, x, k)           # (B, in) @ (in, out) + (out,)
        else:
            y = torch.matmul(x, k) + b         # (..., in) @ (in, out)
    else:
        y = torch.matmul(x, k)
    return y if activation is None else activation(y)


# ------------------------------------------------------------ convolutions
# The conv layers' kernels: the Keras-layout kernel is permuted to torch's layout
# inside the call (a view; weights change every step, so nothing is cached), the
# bias rides along in the torch conv, and channels_last inputs go in as a
# permuted view, which torch runs in its channels_last memory format (no copies).
import torch.nn.functional as _F  # noqa: E402

from cornu.backend.torch import nn as _nn  # noqa: E402

_CONV_ND = (None, _F.conv1d, _F.conv2d, _F.conv3d)


def _weights(kernel, bias):
    k = kernel.value if kernel.__class__ is Variable else kernel
    if bias is not None and bias.__class__ is Variable:
        bias = bias.value
    return k, bias


def _conv_input(x, k):
    if x.__class__ is not torch.Tensor:
        x = convert_to_tensor(x)
    return x if x.dtype == k.dtype else x.to(k.dtype)


def _conv_cf(x, weight, bias, strides, padding, dilation, groups):
    """``x`` (N, C, *S) convolved with a torch-layout ``weight``; TensorFlow's padding."""
    pairs = _nn._pad_pairs(padding, x.shape[2:], weight.shape[2:], strides, dilation)
    x, pad = _nn._padded(x, pairs)
    return _CONV_ND[x.ndim - 2](x, weight, bias, strides, pad, dilation, groups)


def conv(x, kernel, bias, strides, padding, dilation_rate, groups=1,
         data_format="channels_last", activation=None):
    """``activation(conv(x, kernel) + bias)``, kernel ``(*kernel_size, C / groups, filters)``;
    ``strides`` and ``dilation_rate`` are tuples of one int per spatial dim."""
    k, b = _weights(kernel, bias)
    x = _conv_input(x, k)
    n = k.ndim - 2
    weight = k.permute(n + 1, n, *range(n))  # (*K, C/g, F) -> (F, C/g, *K)
    if data_format == "channels_last":
        y = _conv_cf(x.movedim(-1, 1), weight, b, strides, padding, dilation_rate, groups)
        y = y.movedim(1, -1)  # (N, F, *S) -> (N, *S, F)
    else:
        y = _conv_cf(x, weight, b, strides, padding, dilation_rate, groups)
    return y if activation is None else activation(y)


def depthwise_conv(x, kernel, bias, strides, padding, dilation_rate,
                   data_format="channels_last", activation=None):
    """``activation(depthwise_conv(x, kernel) + bias)``, kernel
    ``(*kernel_size, C, depth_multiplier)``; output channel ``c * depth_multiplier + m``."""
    k, b = _weights(kernel, bias)
    x = _conv_input(x, k)
    n = k.ndim - 2
    weight = _nn._depthwise_weight(k, n)  # (C * M, 1, *K)
    channels = k.shape[-2]
    if data_format == "channels_last":
        y = _conv_cf(x.movedim(-1, 1), weight, b, strides, padding, dilation_rate, channels)
        y = y.movedim(1, -1)
    else:
        y = _conv_cf(x, weight, b, strides, padding, dilation_rate, channels)
    return y if activation is None else activation(y)


def separable_conv(x, depthwise_kernel, pointwise_kernel, bias, strides, padding,
                   dilation_rate, data_format="channels_last", activation=None):
    """A depthwise convolution (no bias), then a 1x1 convolution with
    ``pointwise_kernel`` ``(*ones, C * depth_multiplier, filters)`` plus ``bias``."""
    dk, b = _weights(depthwise_kernel, bias)
    pk, _ = _weights(pointwise_kernel, None)
    x = _conv_input(x, dk)
    n = dk.ndim - 2
    last = data_format == "channels_last"
    if last:
        x = x.movedim(-1, 1)
    y = _conv_cf(x, _nn._depthwise_weight(dk, n), None, strides, padding, dilation_rate,
                 dk.shape[-2])
    y = _CONV_ND[n](y, pk.permute(n + 1, n, *range(n)), b)  # (F, C * M, *ones)
    if last:
        y = y.movedim(1, -1)
    return y if activation is None else activation(y)
