"""Filtering augmentations: Gaussian blur and sharpening (random, active when
training), and contrast limited adaptive histogram equalisation (always on)."""
from cornu import ops
from cornu.layers._preprocessing._augmentation import _Augmentation, _factor_pair
from cornu.layers._preprocessing._image import ImageLayer

__all__ = ["RandomGaussianBlur", "RandomSharpness",
           "ContrastLimitedAdaptiveHistogramEqualization"]


def _channels_last(layer, images):
    """Images as channels_last, and a function putting results back in ``layer``'s layout."""
    if layer.data_format != "channels_first":
        return images, lambda x: x
    return ops.moveaxis(images, -3, -1), lambda x: ops.moveaxis(x, -1, -3)


def _depthwise_same(images, kernel):
    """(B, H, W, C) images filtered per channel with a (kh, kw) kernel, zero padding."""
    channels = images.shape[-1]
    kernel = ops.tile(ops.reshape(kernel, tuple(kernel.shape) + (1, 1)), (1, 1, channels, 1))
    return ops.depthwise_conv(images, kernel, strides=1, padding="same")


def _kernel_size(layer, kernel_size):
    error = ValueError(f"{layer}: `kernel_size` must be an odd number or a pair of odd "
                       f"numbers; received kernel_size={kernel_size!r}.")
    sizes = kernel_size if isinstance(kernel_size, (tuple, list)) else (kernel_size,) * 2
    if len(sizes) != 2 or any(not isinstance(k, int) or k < 1 or k % 2 == 0 for k in sizes):
        raise error
    return tuple(sizes)


class RandomGaussianBlur(_Augmentation):
    """Blurs images, each with probability drawn from ``factor``, with a Gaussian kernel
    whose standard deviations (x, y) are drawn from ``sigma`` once per batch; the result
    is clipped to ``value_range``.

    Args:
        factor: the probability of blurring an image: a number in [0, 1] or a pair.
        kernel_size: an odd number, or a pair ``(width taps, height taps)`` of odd numbers.
        sigma: the range of the standard deviation: a number in [0, 1] (``[0, sigma]``)
            or a pair.
        value_range: the (min, max) range of the pixel values.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        seed: an int for a reproducible stream of blurs.
    """

    def __init__(self, factor=1.0, kernel_size=3, sigma=1.0, value_range=(0, 255),
                 data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        where = f"RandomGaussianBlur '{self.name}'"
        self.factor = _factor_pair(where, "factor", factor, (0, 1))
        self.kernel_size = _kernel_size(where, kernel_size)
        self.sigma = _factor_pair(where, "sigma", sigma, (0, 1))
        self.value_range = value_range
        self._init_seed(seed)

    def _draw(self, images):
        batch = images.shape[0] if len(images.shape) == 4 else 1
        probability = self._uniform((batch,), self.factor[0], self.factor[1])
        apply = self._uniform((batch,), 0.0, 1.0) < probability
        return apply, self._uniform((2,), self.sigma[0], self.sigma[1]) + 1e-6

    def blur(self, images, sigma):
        """``images`` blurred with std ``sigma[0]`` along x and ``sigma[1]`` along y."""
        def taps(size, s):
            t = ops.arange(size, dtype="float32") - (size - 1) / 2.0
            g = ops.exp(-0.5 * ops.square(t / s))
            return g / ops.sum(g)
        kernel = ops.outer(taps(self.kernel_size[1], sigma[1]),
                           taps(self.kernel_size[0], sigma[0]))  # (kh, kw)
        return _depthwise_same(images, ops.cast(kernel, images.dtype))

    def _transform(self, images, params, masks):
        if masks:
            return images
        apply, sigma = params
        x, restore = _channels_last(self, images)
        single = len(x.shape) == 3
        x = ops.expand_dims(x, 0) if single else x
        out = ops.where(ops.reshape(apply, (-1, 1, 1, 1)), self.blur(x, sigma), x)
        out = ops.clip(out, self.value_range[0], self.value_range[1])
        return restore(out[0] if single else out)


class RandomSharpness(_Augmentation):
    """Sharpens or softens each image: ``image + (1 - 2f) * (smoothed - image)``, with
    ``f`` drawn from ``factor`` per image and ``smoothed`` the image filtered with
    ``[[1, 1, 1], [1, 5, 1], [1, 1, 1]] / 13``; ``f = 0.5`` keeps the image, smaller
    values blur it and larger ones sharpen it. Clipped to ``value_range``.

    Args:
        factor: a number in [0, 1] (the range ``[0, factor]``) or a pair.
        value_range: the (min, max) range of the pixel values.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        seed: an int for a reproducible stream of factors.
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        where = f"RandomSharpness '{self.name}'"
        self.factor = _factor_pair(where, "factor", factor, (0, 1))
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ValueError(f"{where}: `value_range` must be a pair (min, max); received "
                             f"value_range={value_range!r}.")
        self.value_range = sorted(value_range)
        self._init_seed(seed)

    def _draw(self, images):
        batch = images.shape[0] if len(images.shape) == 4 else 1
        return self._uniform((batch,), self.factor[0], self.factor[1])

    def _transform(self, images, factor, masks):
        if masks:
            return images
        x, restore = _channels_last(self, images)
        single = len(x.shape) == 3
        x = ops.expand_dims(x, 0) if single else x
        a, b = 1.0 / 13.0, 5.0 / 13.0
        kernel = ops.convert_to_tensor([[a, a, a], [a, b, a], [a, a, a]], dtype=x.dtype)
        smoothed = _depthwise_same(x, kernel)
        strength = ops.reshape(1.0 - 2.0 * ops.cast(factor, x.dtype), (-1, 1, 1, 1))
        out = ops.clip(x + strength * (smoothed - x), self.value_range[0], self.value_range[1])
        return restore(out[0] if single else out)


class ContrastLimitedAdaptiveHistogramEqualization(ImageLayer):
    """Contrast limited adaptive histogram equalisation (CLAHE), applied in training and
    inference alike: each channel's histogram is equalised per tile of a
    ``tile_grid_size`` grid (counts clipped at ``clip_limit`` times the mean count, the
    excess spread evenly), and each pixel's value is interpolated bilinearly between the
    four nearest tiles' mappings. Values are mapped as 256 levels of ``value_range``;
    the output has the input's dtype.

    Args:
        value_range: the (min, max) range of the pixel values.
        clip_limit: the histogram clip, as a multiple of the mean bin count; 0 or less
            equalises without a limit.
        tile_grid_size: (rows, columns) of tiles.
        data_format: ``"channels_last"`` or ``"channels_first"``.
    """

    def __init__(self, value_range=(0, 255), clip_limit=4.0, tile_grid_size=(8, 8),
                 data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        where = f"ContrastLimitedAdaptiveHistogramEqualization '{self.name}'"
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ValueError(f"{where}: `value_range` must be a pair (min, max); received "
                             f"value_range={value_range!r}.")
        if (not isinstance(tile_grid_size, (tuple, list)) or len(tile_grid_size) != 2
                or any(not isinstance(n, int) or n < 1 for n in tile_grid_size)):
            raise ValueError(f"{where}: `tile_grid_size` must be a pair of positive ints; "
                             f"received tile_grid_size={tile_grid_size!r}.")
        self.value_range = value_range
        self.clip_limit = clip_limit
        self.tile_grid_size = tile_grid_size

    def call(self, inputs, training=True):
        return self._apply_to_images(inputs, self._equalize)

    def _equalize(self, images, masks=False):
        if masks:
            return images
        dtype = images.dtype
        x, restore = _channels_last(self, images)
        single = len(x.shape) == 3
        x = ops.expand_dims(x, 0) if single else x
        low, high = float(self.value_range[0]), float(self.value_range[1])
        x = (ops.cast(x, "float32") - low) * (255.0 / (high - low))
        out = self._clahe(x) * ((high - low) / 255.0) + low
        return restore(ops.cast(out[0] if single else out, dtype))

    def _clahe(self, x):
        """CLAHE of (B, H, W, C) float images in [0, 255]."""
        batch, height, width, channels = x.shape
        grid_h, grid_w = self.tile_grid_size
        tile_h, tile_w = -(-height // grid_h), -(-width // grid_w)
        pad_h, pad_w = tile_h * grid_h - height, tile_w * grid_w - width
        if pad_h or pad_w:
            x = ops.pad(x, ((0, 0), (0, pad_h), (0, pad_w), (0, 0)), mode="symmetric")
        levels = ops.cast(ops.clip(x, 0, 255), "int32")  # (B, H', W', C)
        tiles = ops.reshape(levels, (batch, grid_h, tile_h, grid_w, tile_w, channels))
        tiles = ops.reshape(ops.transpose(tiles, (0, 1, 3, 5, 2, 4)),
                            (batch, grid_h, grid_w, channels, tile_h * tile_w))
        hist = ops.sum(ops.one_hot(tiles, 256, dtype="float32"), axis=-2)  # (..., 256)
        count = float(tile_h * tile_w)
        if self.clip_limit > 0:
            clipped = ops.minimum(hist, self.clip_limit * count / 256.0)
            hist = clipped + ops.sum(hist - clipped, axis=-1, keepdims=True) / 256.0
        cdf = ops.cumsum(hist, axis=-1)
        cdf_min = ops.min(cdf, axis=-1, keepdims=True)
        span = count - cdf_min
        lut = ops.clip((cdf - cdf_min) * 255.0 / ops.where(span == 0, 1.0, span), 0, 255)
        # Repeat the border tiles so that every pixel has four neighbouring tiles.
        lut = ops.pad(lut, ((0, 0), (1, 1), (1, 1), (0, 0), (0, 0)), mode="edge")
        rows = self._neighbours(tile_h * grid_h, tile_h, grid_h)
        cols = self._neighbours(tile_w * grid_w, tile_w, grid_w)
        flat = ops.reshape(lut, (-1,))
        base = (ops.reshape(ops.arange(batch, dtype="int32"), (-1, 1, 1, 1))
                * ((grid_h + 2) * (grid_w + 2) * channels * 256)
                + ops.arange(channels, dtype="int32") * 256 + levels)  # (B, H', W', C)
        out = 0.0
        for row, row_weight in rows:
            for col, col_weight in cols:
                index = base + ops.reshape(row * ((grid_w + 2) * channels * 256), (1, -1, 1, 1)
                                           ) + ops.reshape(col * (channels * 256),
                                                           (1, 1, -1, 1))
                weight = ops.reshape(row_weight, (1, -1, 1, 1)) * ops.reshape(
                    col_weight, (1, 1, -1, 1))
                out = out + weight * ops.take(flat, index)
        return out[:, :height, :width, :]

    @staticmethod
    def _neighbours(length, tile, grid):
        """[(lower tile index, weight), (upper tile index, weight)] per pixel of an axis,
        tiles numbered in the grid padded by one tile on each side."""
        position = (ops.arange(length, dtype="float32") - tile / 2.0) / tile + 1.0
        lower = ops.floor(position)
        frac = position - lower
        return [(ops.cast(ops.clip(lower, 0, grid + 1), "int32"), 1.0 - frac),
                (ops.cast(ops.clip(lower + 1.0, 0, grid + 1), "int32"), frac)]

    def compute_output_shape(self, input_shape):
        return input_shape
