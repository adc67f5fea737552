"""``keras.utils.conv_utils`` (Keras 2): the helpers custom convolution layers of that era
import (tuple and padding normalization, output lengths, kernel flipping)."""
import numpy as np

from cornu.legacy.modules import warn_module

__all__ = ["normalize_tuple", "normalize_data_format", "normalize_padding",
           "conv_output_length", "conv_input_length", "deconv_output_length",
           "convert_kernel"]


def normalize_tuple(value, n, name, allow_zero=False):
    """``value`` (an int or ``n`` ints) as a tuple of ``n`` ints, all positive (or
    non-negative with ``allow_zero``)."""
    values = (value,) * n if isinstance(value, (int, np.integer)) else tuple(value)
    bad = len(values) != n or any(not isinstance(v, (int, np.integer)) or v < 0 or (
        v == 0 and not allow_zero) for v in values)
    if bad:
        req = "non-negative" if allow_zero else "positive"
        raise ValueError(f"The `{name}` argument must be a tuple of {n} {req} integers. "
                         f"Received: {name}={value}")
    return tuple(int(v) for v in values)


def normalize_data_format(value):
    """``'channels_last'`` or ``'channels_first'`` (None: the configured format)."""
    from cornu.backend.config import image_data_format
    value = (value or image_data_format()).lower()
    if value not in ("channels_first", "channels_last"):
        raise ValueError("The `data_format` argument must be one of 'channels_first', "
                         f"'channels_last'. Received: data_format={value}")
    return value


def normalize_padding(value):
    """``'valid'``, ``'same'`` or ``'causal'``."""
    padding = value.lower() if isinstance(value, str) else value
    if padding not in ("valid", "same", "causal"):
        raise ValueError("The `padding` argument must be one of 'valid', 'same' or 'causal'. "
                         f"Received: padding={value}")
    return padding


def conv_output_length(input_length, filter_size, padding, stride, dilation=1):
    """The length of a convolution's output along one axis."""
    if input_length is None:
        return None
    dilated = filter_size + (filter_size - 1) * (dilation - 1)
    length = {"same": input_length, "causal": input_length,
              "valid": input_length - dilated + 1, "full": input_length + dilated - 1}[padding]
    return (length + stride - 1) // stride


def conv_input_length(output_length, filter_size, padding, stride):
    """The input length a convolution needs for ``output_length``."""
    if output_length is None:
        return None
    pad = {"same": filter_size // 2, "valid": 0, "full": filter_size - 1}[padding]
    return (output_length - 1) * stride - 2 * pad + filter_size


def deconv_output_length(input_length, filter_size, padding, output_padding=None, stride=0,
                         dilation=1):
    """The length of a transposed convolution's output along one axis."""
    if input_length is None:
        return None
    filter_size = filter_size + (filter_size - 1) * (dilation - 1)
    if output_padding is None:
        if padding == "valid":
            return input_length * stride + max(filter_size - stride, 0)
        if padding == "full":
            return input_length * stride - (stride + filter_size - 2)
        return input_length * stride
    pad = {"same": filter_size // 2, "valid": 0, "full": filter_size - 1}[padding]
    return (input_length - 1) * stride + filter_size - 2 * pad + output_padding


def convert_kernel(kernel):
    """The kernel with its spatial axes flipped (between convolution and correlation)."""
    kernel = np.asarray(kernel)
    if not 3 <= kernel.ndim <= 5:
        raise ValueError(f"Invalid kernel shape: {kernel.shape}")
    return np.copy(kernel[tuple([slice(None, None, -1)] * (kernel.ndim - 2) + [slice(None)] * 2)])


warn_module("keras.utils.conv_utils", "keras.layers` arguments and `keras.ops")
