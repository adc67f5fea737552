"""Convolution layers: Conv1D/2D/3D, their transposes, depthwise and separable ones.

The shared machinery (argument checks, weights, output shapes) lives in
``_conv_base.py``; each class here only fixes the rank. Weights have Keras's
layouts, so Keras files load as they are: ``kernel (*kernel_size, in // groups,
filters)``, transposed ``kernel (*kernel_size, filters, in)``, depthwise ``kernel
(*kernel_size, in, depth_multiplier)``, separable ``depthwise_kernel``,
``pointwise_kernel (*ones, in * depth_multiplier, filters)``, then ``bias``.
"""
from cornu.layers._conv_base import (
    BaseConv, BaseConvTranspose, BaseDepthwiseConv, BaseSeparableConv,
)

__all__ = [
    "Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
    "SeparableConv1D", "SeparableConv2D", "DepthwiseConv1D", "DepthwiseConv2D",
    # Keras 1/2 names
    "Convolution1D", "Convolution2D", "Convolution3D", "Convolution1DTranspose",
    "Convolution2DTranspose", "Convolution3DTranspose", "SeparableConvolution1D",
    "SeparableConvolution2D", "Deconvolution2D", "Deconvolution3D",
]

_CONV_ARGS = """
    Args:
        filters: the number of output channels.
        kernel_size: an int or a {n}-tuple of ints: the size of the window.
        strides: an int or a {n}-tuple (``strides > 1`` excludes ``dilation_rate > 1``).
        padding: ``"valid"`` (none) or ``"same"`` (TensorFlow's: the output has
            ``ceil(size / stride)`` positions, the odd padding pixel goes at the end){causal}.
        data_format: ``"channels_last"`` ``{last}`` or ``"channels_first"``
            ``{first}``; None means ``image_data_format()``.
        dilation_rate: an int or a {n}-tuple: the spacing of the kernel taps.
        groups: split the input channels into this many groups, each convolved with
            ``filters // groups`` filters.
        activation: applied to the output (default: none).
        use_bias: whether to add a bias vector.
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
        kernel_constraint, bias_constraint, activity_regularizer: as for ``Dense``.
"""
_FORMATS = {1: ("(batch, steps, channels)", "(batch, channels, steps)"),
            2: ("(batch, rows, cols, channels)", "(batch, channels, rows, cols)"),
            3: ("(batch, d1, d2, d3, channels)", "(batch, channels, d1, d2, d3)")}


_CAUSAL = ',\n            or ``"causal"`` (left padding only: output t sees inputs <= t)'


def _args(n, causal=""):
    last, first = _FORMATS[n]
    return _CONV_ARGS.format(n=n, causal=causal, last=last, first=first)


class Conv1D(BaseConv):
    __doc__ = """1D convolution over steps: ``activation(conv1d(inputs, kernel) + bias)``.
    """ + _args(1, causal=_CAUSAL) + """
    Example:
        >>> tuple(Conv1D(32, 3, activation="relu")(np.ones((4, 10, 128))).shape)
        (4, 8, 32)
    """
    rank = 1
    allow_causal = True


class Conv2D(BaseConv):
    __doc__ = """2D convolution over images: ``activation(conv2d(inputs, kernel) + bias)``.
    """ + _args(2) + """
    Example:
        >>> tuple(Conv2D(32, 3, activation="relu")(np.ones((4, 28, 28, 1))).shape)
        (4, 26, 26, 32)
    """
    rank = 2

    @classmethod
    def _legacy_args(cls, args, kwargs):
        # Keras 1's Conv2D(filters, nb_row, nb_col), which Keras 2 still read that way.
        from cornu.legacy.arguments import keras1_positional_kernel
        return keras1_positional_kernel(cls, args, kwargs)


class Conv3D(BaseConv):
    __doc__ = """3D convolution over volumes: ``activation(conv3d(inputs, kernel) + bias)``.
    """ + _args(3) + """
    Example:
        >>> tuple(Conv3D(8, 3)(np.ones((2, 6, 6, 6, 1))).shape)
        (2, 4, 4, 4, 8)
    """
    rank = 3


_TRANSPOSE_NOTE = """
    Transposed ("deconvolution") layers share the convolution arguments (no
    ``groups``) and add ``output_padding``: an int or one int per spatial dim, each
    smaller than its stride, that sets the output length to ``(size - 1) * stride +
    kernel - 2 * (kernel // 2 if same else 0) + output_padding``; without it the
    length is ``size * stride`` (``"same"``) or ``size * stride + max(kernel - stride,
    0)`` (``"valid"``), as in TensorFlow.
"""


class Conv1DTranspose(BaseConvTranspose):
    __doc__ = """1D transposed convolution: kernel ``(kernel_size, filters, in)``.
    """ + _TRANSPOSE_NOTE + """
    Example:
        >>> tuple(Conv1DTranspose(8, 3, strides=2)(np.ones((2, 5, 4))).shape)
        (2, 11, 8)
    """
    rank = 1


class Conv2DTranspose(BaseConvTranspose):
    __doc__ = """2D transposed convolution: kernel ``(rows, cols, filters, in)``.
    """ + _TRANSPOSE_NOTE + """
    Example:
        >>> tuple(Conv2DTranspose(16, 3, activation="relu")(np.ones((2, 4, 4, 1))).shape)
        (2, 6, 6, 16)
    """
    rank = 2


class Conv3DTranspose(BaseConvTranspose):
    __doc__ = """3D transposed convolution: kernel ``(d1, d2, d3, filters, in)``.
    """ + _TRANSPOSE_NOTE + """
    Example:
        >>> tuple(Conv3DTranspose(4, 2, strides=2)(np.ones((1, 3, 3, 3, 2))).shape)
        (1, 6, 6, 6, 4)
    """
    rank = 3

    # Keras 3 puts data_format before output_padding here (only here).
    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 data_format=None, output_padding=None, dilation_rate=(1, 1, 1),
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(
            filters, kernel_size, strides=strides, padding=padding,
            output_padding=output_padding, data_format=data_format,
            dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint, **kwargs)


_DEPTHWISE_NOTE = """
    Args:
        kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias:
            as for the convolution of the same rank.
        depth_multiplier: filters per input channel; the output has
            ``in * depth_multiplier`` channels, channel ``c * depth_multiplier + m``
            being filter ``m`` of input channel ``c``.
        depthwise_initializer, depthwise_regularizer, depthwise_constraint: for the
            depthwise kernel ``(*kernel_size, in, depth_multiplier)``, named ``kernel``.
        bias_initializer, bias_regularizer, bias_constraint, activity_regularizer.
"""


class DepthwiseConv1D(BaseDepthwiseConv):
    __doc__ = """1D depthwise convolution: each channel filtered on its own.
    """ + _DEPTHWISE_NOTE + """
    Example:
        >>> tuple(DepthwiseConv1D(3, depth_multiplier=2)(np.ones((2, 10, 4))).shape)
        (2, 8, 8)
    """
    rank = 1


class DepthwiseConv2D(BaseDepthwiseConv):
    __doc__ = """2D depthwise convolution (MobileNet's): each channel filtered on its own.
    """ + _DEPTHWISE_NOTE + """
    Example:
        >>> tuple(DepthwiseConv2D(3, padding="same")(np.ones((2, 8, 8, 16))).shape)
        (2, 8, 8, 16)
    """
    rank = 2


_SEPARABLE_NOTE = """
    Args:
        filters: the number of output channels of the pointwise step.
        kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias:
            as for the convolution of the same rank (they apply to the depthwise step).
        depth_multiplier: depthwise filters per input channel.
        depthwise_*, pointwise_*, bias_*: initializers, regularizers and constraints of
            ``depthwise_kernel (*kernel_size, in, depth_multiplier)``, ``pointwise_kernel
            (*ones, in * depth_multiplier, filters)`` and ``bias (filters,)``.
"""


class SeparableConv1D(BaseSeparableConv):
    __doc__ = """1D separable convolution: a depthwise convolution, then a pointwise one.
    """ + _SEPARABLE_NOTE + """
    Example:
        >>> tuple(SeparableConv1D(8, 3)(np.ones((2, 10, 4))).shape)
        (2, 8, 8)
    """
    rank = 1


class SeparableConv2D(BaseSeparableConv):
    __doc__ = """2D separable convolution (Xception's): depthwise, then a 1x1 convolution.
    """ + _SEPARABLE_NOTE + """
    Example:
        >>> tuple(SeparableConv2D(32, 3, padding="same")(np.ones((2, 8, 8, 16))).shape)
        (2, 8, 8, 32)
    """
    rank = 2


Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution3D = Conv3D
Convolution1DTranspose = Conv1DTranspose
Convolution2DTranspose = Conv2DTranspose
Convolution3DTranspose = Conv3DTranspose
SeparableConvolution1D = SeparableConv1D
SeparableConvolution2D = SeparableConv2D
Deconvolution2D = Conv2DTranspose
Deconvolution3D = Conv3DTranspose


# Keras 2 kept these classes in this module (`from keras.layers.convolutional import ...`).
_KERAS2_NAMES = {
    "Cropping1D": "reshaping",
    "Cropping2D": "reshaping",
    "Cropping3D": "reshaping",
    "UpSampling1D": "reshaping",
    "UpSampling2D": "reshaping",
    "UpSampling3D": "reshaping",
    "ZeroPadding1D": "reshaping",
    "ZeroPadding2D": "reshaping",
    "ZeroPadding3D": "reshaping",
    "MaxPooling1D": "pooling",
    "MaxPooling2D": "pooling",
    "MaxPooling3D": "pooling",
    "AveragePooling1D": "pooling",
    "AveragePooling2D": "pooling",
    "AveragePooling3D": "pooling",
}


def __getattr__(name):
    if name in _KERAS2_NAMES:
        import importlib
        return getattr(importlib.import_module("cornu.layers." + _KERAS2_NAMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
