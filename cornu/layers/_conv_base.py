"""The bases of the convolution layers: argument checks, weights, output shapes.

``convolutional.py`` holds the public classes; each sets ``rank`` (1, 2 or 3) and
inherits everything else from one of the four bases here. Shapes follow
TensorFlow: ``"same"`` pads ``(k - 1) // 2`` before and the rest after.
"""
from cornu import activations, backend, constraints, initializers, ops, regularizers
from cornu.layers._sizes import integral, integral_sizes
from cornu.layers.core import Dense
from cornu.layers.input_spec import InputSpec
from cornu.layers.layer import Layer


def _positive_int(layer, name, value):
    value = integral(value, name)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise layer._error(f"`{name}` must be a positive integer; received {name}={value!r}.")
    return value


def conv_length(size, kernel, stride, dilation, padding):
    """The output length of a convolution or pooling along one spatial dim (None stays None)."""
    if size is None:
        return None
    if padding == "valid":
        return (size - (kernel - 1) * dilation - 1) // stride + 1
    return -(-size // stride)  # "same" and "causal": ceil(size / stride)


def transpose_length(size, kernel, stride, dilation, padding, output_padding):
    """The output length of a transposed convolution along one spatial dim, as Keras 3."""
    if size is None:
        return None
    kernel = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = max(kernel, stride) - kernel if output_padding is None else output_padding
        return (size - 1) * stride + kernel + extra
    if output_padding is None:
        return size * stride
    return (size - 1) * stride + kernel % 2 + output_padding


class ConvBase(Layer):
    """What every convolution layer shares: geometry, activation, bias, data format."""

    rank = None  # 1, 2 or 3, set by each public class
    allow_causal = False

    # The torch function for a built-in activation, cached (Dense's logic).
    _activation_fn = Dense._activation_fn

    def _error(self, message):
        return ValueError(f"{type(self).__name__} layer '{self.name}': {message}")

    def _tuple(self, value, name, allow_zero=False):
        """``value`` (an int or ``rank`` ints) as a tuple of ``rank`` ints."""
        n = self.rank
        value = integral_sizes(value, name)
        items = (value,) * n if isinstance(value, int) and not isinstance(value, bool) else value
        try:
            items = tuple(items)
        except TypeError:
            items = ()
        if len(items) != n or not all(
                isinstance(v, int) and not isinstance(v, bool) for v in items):
            raise self._error(f"`{name}` must be an int or a tuple of {n} ints; received "
                              f"{name}={value!r}.")
        if any(v < 0 or (v == 0 and not allow_zero) for v in items):
            kind = "non-negative" if allow_zero else "positive"
            raise self._error(f"`{name}` must contain only {kind} values; received "
                              f"{name}={value!r}.")
        return items

    def _setup(self, kernel_size, strides, padding, data_format, dilation_rate, activation,
               use_bias, bias_initializer, bias_regularizer, bias_constraint):
        self.kernel_size = self._tuple(kernel_size, "kernel_size")
        self.strides = self._tuple(strides, "strides")
        self.dilation_rate = self._tuple(dilation_rate, "dilation_rate")
        allowed = ("valid", "same", "causal") if self.allow_causal else ("valid", "same")
        mode = padding.lower() if isinstance(padding, str) else padding
        if mode not in allowed:
            raise self._error(f"`padding` must be one of {', '.join(map(repr, allowed))}; "
                              f"received padding={padding!r}.")
        self.padding = mode
        self.data_format = backend.standardize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.bias_initializer = initializers.get(bias_initializer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.bias_constraint = constraints.get(bias_constraint)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise self._error(
                "`strides > 1` is not supported together with `dilation_rate > 1`; received "
                f"strides={self.strides} and dilation_rate={self.dilation_rate}.")
        self.input_spec = InputSpec(ndim=self.rank + 2)

    @property
    def _channel_axis(self):
        return -1 if self.data_format == "channels_last" else 1

    def _input_channels(self, input_shape):
        if len(input_shape) != self.rank + 2:
            raise self._error(
                f"expected an input of rank {self.rank + 2} (batch, {self.rank} spatial "
                f"dims, channels); received input shape {tuple(input_shape)}.")
        channels = input_shape[self._channel_axis]
        if channels is None:
            raise self._error(
                "the channel dimension of the input must be known; received input shape "
                f"{tuple(input_shape)} with data_format='{self.data_format}'.")
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis: channels})
        return channels

    def _spatial(self, input_shape):
        return input_shape[1:-1] if self.data_format == "channels_last" else input_shape[2:]

    def _shape(self, input_shape, channels, lengths):
        """The full output shape from the spatial ``lengths``; refuses empty outputs."""
        if any(n is not None and n <= 0 for n in lengths):
            raise self._error(
                f"the output would have a zero or negative size {tuple(lengths)}: the input "
                f"shape {tuple(input_shape)} is too small for kernel_size={self.kernel_size}, "
                f"strides={self.strides}, dilation_rate={self.dilation_rate}, "
                f"padding='{self.padding}'.")
        if self.data_format == "channels_last":
            return (input_shape[0], *lengths, channels)
        return (input_shape[0], channels, *lengths)

    def _conv_shape(self, input_shape, channels):
        lengths = [conv_length(n, k, s, d, self.padding) for n, k, s, d in zip(
            self._spatial(input_shape), self.kernel_size, self.strides, self.dilation_rate)]
        return self._shape(input_shape, channels, lengths)

    def _add_weight(self, name, shape, prefix):
        """A kernel-like weight named ``name``, using ``<prefix>_initializer`` etc."""
        return self.add_weight(
            name=name, shape=shape, initializer=getattr(self, f"{prefix}_initializer"),
            regularizer=getattr(self, f"{prefix}_regularizer"),
            constraint=getattr(self, f"{prefix}_constraint"))

    def _add_bias(self, size):
        self.bias = self._add_weight("bias", (size,), "bias") if self.use_bias else None


class BaseConv(ConvBase):
    """Convolution: ``activation(conv(inputs, kernel) + bias)``, kernel
    ``(*kernel_size, in_channels // groups, filters)``."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.filters = _positive_int(self, "filters", filters)
        self.groups = _positive_int(self, "groups", groups)
        if filters % groups:
            raise self._error(f"`filters` must be divisible by `groups`; received "
                              f"filters={filters}, groups={groups}.")
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self._setup(kernel_size, strides, padding, data_format, dilation_rate, activation,
                    use_bias, bias_initializer, bias_regularizer, bias_constraint)

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        if channels % self.groups:
            raise self._error(
                f"the number of input channels ({channels}) must be divisible by "
                f"groups={self.groups} (input shape {tuple(input_shape)}).")
        self.compute_output_shape(input_shape)  # refuses inputs too small for the kernel
        self.kernel = self._add_weight(
            "kernel", self.kernel_size + (channels // self.groups, self.filters), "kernel")
        self._add_bias(self.filters)
        self.built = True

    def call(self, inputs):
        return backend.fused.conv(inputs, self.kernel, self.bias, self.strides, self.padding,
                                  self.dilation_rate, self.groups, self.data_format,
                                  self._activation_fn)

    def compute_output_shape(self, input_shape):
        return self._conv_shape(input_shape, self.filters)


class BaseConvTranspose(ConvBase):
    """Transposed convolution (the gradient of a convolution), kernel
    ``(*kernel_size, filters, in_channels)``."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.filters = _positive_int(self, "filters", filters)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self._setup(kernel_size, strides, padding, data_format, dilation_rate, activation,
                    use_bias, bias_initializer, bias_regularizer, bias_constraint)
        self.output_padding = None if output_padding is None else self._tuple(
            output_padding, "output_padding", allow_zero=True)
        if self.output_padding is not None and any(
                p >= s for p, s in zip(self.output_padding, self.strides)):
            raise self._error(
                "each value of `output_padding` must be strictly less than the matching "
                f"`strides` value; received output_padding={self.output_padding}, "
                f"strides={self.strides}.")

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self.kernel = self._add_weight(
            "kernel", self.kernel_size + (self.filters, channels), "kernel")
        self._add_bias(self.filters)
        self.built = True

    def call(self, inputs):
        y = ops.conv_transpose(inputs, self.kernel, strides=self.strides, padding=self.padding,
                               output_padding=self.output_padding,
                               data_format=self.data_format, dilation_rate=self.dilation_rate)
        if self.bias is not None:
            bias = self.bias if self.data_format == "channels_last" else ops.reshape(
                self.bias, (self.filters,) + (1,) * self.rank)
            y = ops.add(y, bias)
        fn = self._activation_fn
        return y if fn is None else fn(y)

    def compute_output_shape(self, input_shape):
        paddings = self.output_padding or (None,) * self.rank
        lengths = [transpose_length(n, k, s, d, self.padding, p) for n, k, s, d, p in zip(
            self._spatial(input_shape), self.kernel_size, self.strides, self.dilation_rate,
            paddings)]
        return self._shape(input_shape, self.filters, lengths)


class BaseDepthwiseConv(ConvBase):
    """Depthwise convolution: each input channel convolved with its own
    ``depth_multiplier`` filters; kernel ``(*kernel_size, in_channels, depth_multiplier)``."""

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.depth_multiplier = _positive_int(self, "depth_multiplier", depth_multiplier)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self._setup(kernel_size, strides, padding, data_format, dilation_rate, activation,
                    use_bias, bias_initializer, bias_regularizer, bias_constraint)

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)
        # Keras 3 names this weight "kernel" (Keras 2: "depthwise_kernel").
        self.kernel = self._add_weight(
            "kernel", self.kernel_size + (channels, self.depth_multiplier), "depthwise")
        self._add_bias(channels * self.depth_multiplier)
        self.built = True

    @property
    def depthwise_kernel(self):
        """Keras 2's name for ``kernel``."""
        return self.kernel

    def call(self, inputs):
        return backend.fused.depthwise_conv(
            inputs, self.kernel, self.bias, self.strides, self.padding, self.dilation_rate,
            self.data_format, self._activation_fn)

    def compute_output_shape(self, input_shape):
        channels = input_shape[self._channel_axis]
        return self._conv_shape(
            input_shape, None if channels is None else channels * self.depth_multiplier)


class BaseSeparableConv(ConvBase):
    """Depthwise convolution then a pointwise (1x1) one: ``depthwise_kernel``
    ``(*kernel_size, in, depth_multiplier)``, ``pointwise_kernel`` ``(*ones, in * dm, filters)``."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.filters = _positive_int(self, "filters", filters)
        self.depth_multiplier = _positive_int(self, "depth_multiplier", depth_multiplier)
        for prefix, init, reg, con in (
                ("depthwise", depthwise_initializer, depthwise_regularizer, depthwise_constraint),
                ("pointwise", pointwise_initializer, pointwise_regularizer, pointwise_constraint)):
            setattr(self, f"{prefix}_initializer", initializers.get(init))
            setattr(self, f"{prefix}_regularizer", regularizers.get(reg))
            setattr(self, f"{prefix}_constraint", constraints.get(con))
        self._setup(kernel_size, strides, padding, data_format, dilation_rate, activation,
                    use_bias, bias_initializer, bias_regularizer, bias_constraint)

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)
        self.depthwise_kernel = self._add_weight(
            "depthwise_kernel", self.kernel_size + (channels, self.depth_multiplier),
            "depthwise")
        self.pointwise_kernel = self._add_weight(
            "pointwise_kernel", (1,) * self.rank + (channels * self.depth_multiplier,
                                                    self.filters), "pointwise")
        self._add_bias(self.filters)
        self.built = True

    def call(self, inputs):
        return backend.fused.separable_conv(
            inputs, self.depthwise_kernel, self.pointwise_kernel, self.bias, self.strides,
            self.padding, self.dilation_rate, self.data_format, self._activation_fn)

    def compute_output_shape(self, input_shape):
        return self._conv_shape(input_shape, self.filters)
