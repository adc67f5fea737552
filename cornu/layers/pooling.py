"""Pooling layers: max and average pooling over windows, and over whole inputs (global).

``"same"`` padding is TensorFlow's: the output has ``ceil(size / stride)`` positions,
the odd padding pixel goes at the end, and average pooling counts only the real
pixels of each window.
"""
from cornu import backend, ops
from cornu.layers._conv_base import conv_length
from cornu.layers._sizes import integral_sizes
from cornu.layers.input_spec import InputSpec
from cornu.layers.layer import Layer

__all__ = [
    "MaxPooling1D", "MaxPooling2D", "MaxPooling3D",
    "AveragePooling1D", "AveragePooling2D", "AveragePooling3D",
    "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D",
    "MaxPool1D", "MaxPool2D", "MaxPool3D", "AvgPool1D", "AvgPool2D", "AvgPool3D",
    "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D",
    "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalAvgPool3D",
]


class BasePooling(Layer):
    """Windowed pooling; ``rank`` and ``pool_mode`` ('max' or 'average') come from the
    public class.

    Args:
        pool_size: an int or ``rank`` ints: the window size.
        strides: an int or ``rank`` ints; None means ``pool_size``.
        padding: ``"valid"`` or ``"same"``.
        data_format: ``"channels_last"`` (default: ``image_data_format()``) or
            ``"channels_first"``.
    """

    rank = None
    pool_mode = None

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = self._tuple(pool_size, "pool_size")
        self.strides = self.pool_size if strides is None else self._tuple(strides, "strides")
        mode = padding.lower() if isinstance(padding, str) else padding
        if mode not in ("valid", "same"):
            raise ValueError(
                f"{type(self).__name__} layer '{self.name}': `padding` must be 'valid' or "
                f"'same'; received padding={padding!r}.")
        self.padding = mode
        self.data_format = backend.standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.built = True
        self._op = ops.max_pool if self.pool_mode == "max" else ops.average_pool

    def _tuple(self, value, name):
        value = integral_sizes(value, name)
        items = (value,) * self.rank if isinstance(value, int) else value
        try:
            items = tuple(items)
        except TypeError:
            items = ()
        if len(items) != self.rank or not all(
                isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in items):
            raise ValueError(
                f"{type(self).__name__} layer '{self.name}': `{name}` must be a positive int "
                f"or a tuple of {self.rank} positive ints; received {name}={value!r}.")
        return items

    def call(self, inputs):
        return self._op(inputs, self.pool_size, self.strides, self.padding, self.data_format)

    def compute_output_shape(self, input_shape):
        last = self.data_format == "channels_last"
        spatial = input_shape[1:-1] if last else input_shape[2:]
        lengths = tuple(conv_length(n, k, s, 1, self.padding)
                        for n, k, s in zip(spatial, self.pool_size, self.strides))
        if any(n is not None and n <= 0 for n in lengths):
            raise ValueError(
                f"{type(self).__name__} layer '{self.name}': the output would have a zero or "
                f"negative size {lengths}: the input shape {tuple(input_shape)} is smaller "
                f"than pool_size={self.pool_size} (padding='{self.padding}').")
        if last:
            return (input_shape[0], *lengths, input_shape[-1])
        return (input_shape[0], input_shape[1], *lengths)


class MaxPooling1D(BasePooling):
    """Max over windows of ``pool_size`` steps: (batch, steps, channels) by default."""
    rank, pool_mode = 1, "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class MaxPooling2D(BasePooling):
    """Max over ``pool_size`` windows of images.

    Example:
        >>> tuple(MaxPooling2D(3)(np.ones((2, 24, 24, 32))).shape)
        (2, 8, 8, 32)
    """
    rank, pool_mode = 2, "max"

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class MaxPooling3D(BasePooling):
    """Max over ``pool_size`` windows of volumes."""
    rank, pool_mode = 3, "max"

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling1D(BasePooling):
    """Mean over windows of ``pool_size`` steps (``"same"``: real pixels only)."""
    rank, pool_mode = 1, "average"

    # Keras 3 makes pool_size required; Keras 2 (and MaxPooling) default it.
    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling2D(BasePooling):
    """Mean over ``pool_size`` windows of images (``"same"``: real pixels only).

    Example:
        >>> tuple(AveragePooling2D(2, padding="same")(np.ones((2, 5, 5, 3))).shape)
        (2, 3, 3, 3)
    """
    rank, pool_mode = 2, "average"

    # Keras 3 makes pool_size required; Keras 2 (and MaxPooling) default it.
    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling3D(BasePooling):
    """Mean over ``pool_size`` windows of volumes (``"same"``: real pixels only)."""
    rank, pool_mode = 3, "average"

    # Keras 3 makes pool_size required; Keras 2 (and MaxPooling) default it.
    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class BaseGlobalPooling(Layer):
    """Pooling over all spatial positions.

    Args:
        data_format: ``"channels_last"`` (default: ``image_data_format()``) or
            ``"channels_first"``.
        keepdims: keep the spatial dims (as size 1): ``(batch, 1, ..., channels)``.
    """

    rank = None

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = backend.standardize_data_format(data_format)
        self.keepdims = bool(keepdims)
        self.input_spec = InputSpec(ndim=self.rank + 2)
        first = 1 if self.data_format == "channels_last" else 2
        self._axes = tuple(range(first, first + self.rank))
        self.built = True

    def compute_output_shape(self, input_shape):
        channels = input_shape[-1] if self.data_format == "channels_last" else input_shape[1]
        if not self.keepdims:
            return (input_shape[0], channels)
        if self.data_format == "channels_last":
            return (input_shape[0],) + (1,) * self.rank + (channels,)
        return (input_shape[0], channels) + (1,) * self.rank


class _GlobalMax(BaseGlobalPooling):
    def call(self, inputs):
        return ops.max(inputs, axis=self._axes, keepdims=self.keepdims)


class _GlobalAverage(BaseGlobalPooling):
    def call(self, inputs):
        return ops.mean(inputs, axis=self._axes, keepdims=self.keepdims)


class GlobalMaxPooling1D(_GlobalMax):
    """Max over steps: (batch, steps, channels) -> (batch, channels)."""
    rank = 1


class GlobalMaxPooling2D(_GlobalMax):
    """Max over rows and columns: (batch, rows, cols, channels) -> (batch, channels).

    Example:
        >>> tuple(GlobalMaxPooling2D()(np.ones((2, 4, 4, 16))).shape)
        (2, 16)
    """
    rank = 2


class GlobalMaxPooling3D(_GlobalMax):
    """Max over the three spatial dims: -> (batch, channels)."""
    rank = 3


class GlobalAveragePooling1D(_GlobalAverage):
    """Mean over steps: (batch, steps, channels) -> (batch, channels).

    Given a mask (batch, steps), only the unmasked steps are averaged; the output
    carries no mask.
    """
    rank = 1

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return ops.mean(inputs, axis=self._axes, keepdims=self.keepdims)
        # (batch, steps) -> (batch, steps, 1) or (batch, 1, steps)
        mask = ops.expand_dims(ops.cast(mask, "bool"), -1 if self._axes[0] == 1 else 1)
        total = ops.sum(ops.where(mask, inputs, 0), axis=self._axes, keepdims=self.keepdims)
        count = ops.sum(ops.cast(mask, inputs.dtype), axis=self._axes, keepdims=self.keepdims)
        return ops.divide(total, count)

    def compute_mask(self, inputs, previous_mask=None):
        return None


class GlobalAveragePooling2D(_GlobalAverage):
    """Mean over rows and columns: (batch, rows, cols, channels) -> (batch, channels)."""
    rank = 2


class GlobalAveragePooling3D(_GlobalAverage):
    """Mean over the three spatial dims: -> (batch, channels)."""
    rank = 3


MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D = (
    GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D)
GlobalAvgPool1D, GlobalAvgPool2D, GlobalAvgPool3D = (
    GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAveragePooling3D)
