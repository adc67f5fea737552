"""Colour augmentations (random, active when training, the identity otherwise:
Solarization, RandomInvert, RandomPosterization, RandomGrayscale,
RandomColorDegeneration, RandomSaturation, RandomHue, RandomColorJitter) and the
always-on colour transforms AutoContrast and Equalization, as Keras 3's.

Each random layer draws its parameters in ``_draw`` and applies them in
``_transform`` (the ``_Augmentation`` protocol), so the policy layers (RandAugment,
AugMix) can chain them; AutoContrast and Equalization follow the same protocol with
no draws. Segmentation masks pass through unchanged."""
from cornu import backend, ops
from cornu.layers._preprocessing._augmentation import (
    RandomBrightness, RandomContrast, _Augmentation, _factor_pair)

__all__ = ["Solarization", "RandomInvert", "RandomPosterization", "RandomGrayscale",
           "AutoContrast", "Equalization", "RandomColorDegeneration", "RandomSaturation",
           "RandomHue", "RandomColorJitter"]


def _value_range(where, value_range, sort=True):
    """``value_range`` checked as a (min, max) pair; sorted as Keras stores it where it does."""
    if (not isinstance(value_range, (tuple, list)) or len(value_range) != 2
            or any(isinstance(v, bool) or not isinstance(v, (int, float))
                   for v in value_range)):
        raise ValueError(f"{where}: `value_range` must be a pair of numbers (min, max); "
                         f"received value_range={value_range!r}.")
    return sorted(value_range) if sort else value_range


def _unit_pair(where, name, factor):
    """(lower, upper) in [0, 1]: a number f reads as (0, f), a pair as given (sorted)."""
    values = list(factor) if isinstance(factor, (tuple, list)) else [factor]
    if (len(values) != (2 if isinstance(factor, (tuple, list)) else 1) or any(
            isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1
            for v in values)):
        raise ValueError(f"{where}: `{name}` must be a number or a pair of numbers in "
                         f"[0, 1]; received {name}={factor!r}.")
    return tuple(sorted(values)) if len(values) == 2 else (0, values[0])


def _rescale(images, source, target):
    """``images`` mapped linearly from the ``source`` range to the ``target`` range."""
    if source[0] == target[0] and source[1] == target[1]:
        return images
    unit = (images - source[0]) / float(source[1] - source[0])
    return unit * float(target[1] - target[0]) + target[0]


class _ColorAugmentation(_Augmentation):
    """Colour layers: one draw per image, masks untouched, RGB checks."""

    def _batch(self, images):
        return images.shape[0] if len(images.shape) == 4 else 1

    def _channels_last(self, images):
        """Images as channels_last, and a function putting results back in the layer's layout."""
        if self.data_format != "channels_first":
            return images, lambda x: x
        return ops.moveaxis(images, -3, -1), lambda x: ops.moveaxis(x, -1, -3)

    def _init_factor(self, factor, value_range, seed, bounds=(-1, 1), sort=True):
        """The common constructor tail: ``factor`` parsed within ``bounds``,
        ``value_range`` checked (sorted unless ``sort=False``), the seed stream."""
        where = f"{type(self).__name__} '{self.name}'"
        self.factor = _factor_pair(where, "factor", factor, bounds)
        self.value_range = _value_range(where, value_range, sort=sort)
        self._init_seed(seed)

    def _check_rgb(self, images):
        axis = -3 if self.data_format == "channels_first" else -1
        if images.shape[axis] != 3:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' expects RGB images (3 channels on "
                f"axis {axis}); received shape {tuple(images.shape)}.")


class Solarization(_ColorAugmentation):
    """Inverts pixels above a threshold: each image (seen in [0, 255]) gets a random
    ``addition`` (clipped to [0, 255] after adding), then every value ``v`` not below a
    random ``threshold`` becomes ``255 - v``. Both are drawn per image from their
    factor range times 255; with the defaults every pixel is inverted.

    Args:
        addition_factor: a number in [0, 1] (the range ``[0, f]``) or a pair.
        threshold_factor: a number in [0, 1] (the range ``[0, f]``) or a pair.
        value_range: the (min, max) range of the pixel values.
        seed: an int for a reproducible stream of draws.

    Example:
        >>> layer = Solarization(value_range=(0, 255))
        >>> layer(np.full((1, 2, 2, 3), 55.0, "float32"))[0, 0, 0]  # -> [200, 200, 200]
    """

    def __init__(self, addition_factor=0.0, threshold_factor=0.0, value_range=(0, 255),
                 seed=None, **kwargs):
        super().__init__(**kwargs)
        where = f"Solarization '{self.name}'"
        self.addition_factor = _unit_pair(where, "addition_factor", addition_factor)
        self.threshold_factor = _unit_pair(where, "threshold_factor", threshold_factor)
        self.value_range = _value_range(where, value_range)
        self._init_seed(seed)

    def _draw(self, images):
        shape = self._batch_shape(images)
        additions = self._uniform(shape, self.addition_factor[0] * 255.0,
                                  self.addition_factor[1] * 255.0)
        thresholds = self._uniform(shape, self.threshold_factor[0] * 255.0,
                                   self.threshold_factor[1] * 255.0)
        return additions, thresholds

    def _transform(self, images, params, masks):
        if masks:
            return images
        additions, thresholds = (ops.cast(p, images.dtype) for p in params)
        x = ops.clip(_rescale(images, self.value_range, (0, 255)) + additions, 0, 255)
        x = ops.where(x < thresholds, x, 255.0 - x)
        return _rescale(x, (0, 255), self.value_range)


class RandomInvert(_ColorAugmentation):
    """Inverts each image (``value_range[1] - x``) with a probability drawn per image
    from ``factor``.

    Args:
        factor: the probability: a number in [0, 1] (the range ``[0, f]``) or a pair.
        value_range: the (min, max) range of the pixel values.
        seed: an int for a reproducible stream of draws.
        data_format: ``"channels_last"`` or ``"channels_first"``.
    """

    def __init__(self, factor=1.0, value_range=(0, 255), seed=None, data_format=None,
                 **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self._init_factor(factor, value_range, seed, bounds=(0, 1), sort=False)

    def _draw(self, images):
        batch = self._batch(images)
        probability = self._uniform((batch,), self.factor[0], self.factor[1])
        return self._uniform((batch,), 0.0, 1.0) < probability

    def _transform(self, images, apply, masks):
        if masks:
            return images
        return ops.where(ops.reshape(apply, self._batch_shape(images)),
                         self.value_range[1] - images, images)


class RandomPosterization(_ColorAugmentation):
    """Keeps the ``bits`` high bits of each 8-bit channel value (images seen in
    [0, 255]), ``bits`` drawn per image from ``[factor[0], factor[1])`` (or fixed when
    the two are equal).

    Args:
        factor: the bits to keep, an int in [1, 8] (the range ``[1, factor]``) or a pair.
        value_range: the (min, max) range of the pixel values.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        seed: an int for a reproducible stream of draws.
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self._init_factor(factor, value_range, seed, bounds=(1, 8))

    def _draw(self, images):
        batch = self._batch(images)
        low, high = int(self.factor[0]), int(self.factor[1])
        if low == high:
            bits = ops.full((batch,), low, dtype="int32")
        else:
            bits = backend.random.randint((batch,), low, high, dtype="int32",
                                          seed=self.generator)
        return 8 - bits  # the low bits to drop

    def _transform(self, images, shift, masks):
        if masks:
            return images
        x = _rescale(images, self.value_range, (0, 255))
        x = ops.cast(ops.cast(x, "uint8"), images.dtype)  # 8-bit values, as Keras casts
        step = ops.reshape(ops.power(2.0, ops.cast(shift, images.dtype)),
                           self._batch_shape(images))
        return _rescale(ops.floor(x / step) * step, (0, 255), self.value_range)


class RandomGrayscale(_ColorAugmentation):
    """Turns each image, with probability ``factor``, into its grayscale (ITU-R 601
    luma) repeated over the 3 channels.

    Args:
        factor: the probability of converting an image, in [0, 1].
        data_format: ``"channels_last"`` or ``"channels_first"``.
        seed: an int for a reproducible stream of draws.
    """

    def __init__(self, factor=0.5, data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not (
                0 <= factor <= 1):
            raise ValueError(f"RandomGrayscale '{self.name}': `factor` must be a number in "
                             f"[0, 1]; received factor={factor!r}.")
        self.factor = factor
        self._init_seed(seed)

    def _draw(self, images):
        self._check_rgb(images)
        return self._uniform((self._batch(images),), 0.0, 1.0) < self.factor

    def _transform(self, images, apply, masks):
        if masks:
            return images
        gray = ops.image.rgb_to_grayscale(images, data_format=self.data_format)
        return ops.where(ops.reshape(apply, self._batch_shape(images)), gray, images)


class _Deterministic(_ColorAugmentation):
    """AutoContrast and Equalization: no draws, applied in training and inference."""

    def call(self, inputs, training=True):
        return super().call(inputs, training=True)

    def _draw(self, images):
        return None


class AutoContrast(_Deterministic):
    """Stretches each channel of each image to span the whole ``value_range``
    (``(x - min) * 255 / (max - min)`` on the image seen in [0, 255]); a flat channel
    is left as it is. Active in training and inference.

    Args:
        value_range: the (min, max) range of the pixel values.
    """

    def __init__(self, value_range=(0, 255), **kwargs):
        super().__init__(**kwargs)
        self.value_range = _value_range(f"AutoContrast '{self.name}'", value_range)

    def _transform(self, images, params, masks):
        if masks:
            return images
        x = _rescale(images, self.value_range, (0, 255))
        axes = self._hw_axes(len(images.shape))
        low = ops.min(x, axis=axes, keepdims=True)
        high = ops.max(x, axis=axes, keepdims=True)
        scale = 255.0 / (high - low)
        out = _rescale(ops.clip(x * scale - low * scale, 0.0, 255.0), (0, 255),
                       self.value_range)
        return ops.where(ops.isnan(out), images, out)  # flat channels: 0 * inf


class Equalization(_Deterministic):
    """Histogram equalisation of each channel: values (seen in [0, 255]) fall into
    ``bins`` bins and are mapped through the normalised cumulative histogram. As in
    Keras, the histogram of a channel is taken over the whole batch; a channel with a
    single occupied bin is left as it is. Active in training and inference.

    Args:
        value_range: the (min, max) range of the pixel values.
        bins: the number of histogram bins.
        data_format: ``"channels_last"`` or ``"channels_first"``.
    """

    def __init__(self, value_range=(0, 255), bins=256, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if isinstance(bins, bool) or not isinstance(bins, int) or bins < 2:
            raise ValueError(f"Equalization '{self.name}': `bins` must be an int >= 2; "
                             f"received bins={bins!r}.")
        self.bins = bins
        self.value_range = _value_range(f"Equalization '{self.name}'", value_range)

    def _transform(self, images, params, masks):
        if masks:
            return images
        x, restore = self._channels_last(images)
        shape, channels, bins = x.shape, x.shape[-1], self.bins
        x = self._scale(ops.reshape(x, (-1, channels)), self.value_range, (0, 255))  # (N, C)
        offsets = ops.arange(channels, dtype="int32") * bins
        counted = ops.clip(ops.cast(x * (bins - 1) / 255.0, "int32"), 0, bins - 1)
        hist = ops.reshape(ops.bincount(ops.reshape(counted + offsets, (-1,)),
                                        minlength=channels * bins), (channels, bins))
        cdf = ops.cumsum(hist, axis=1)  # (C, bins), integer counts
        cdf_min = ops.min(ops.where(cdf > 0, cdf, cdf[:, -1:]), axis=1, keepdims=True)
        span = cdf[:, -1:] - cdf_min
        lut = ops.cast((cdf - cdf_min) * 255, x.dtype) / ops.cast(
            ops.where(span == 0, 1, span), x.dtype)
        lut = ops.clip(ops.round(lut), 0, 255)
        looked = ops.cast(ops.clip(x / 255.0 * (bins - 1), 0, bins - 1), "int32")
        equalized = ops.take(ops.reshape(lut, (-1,)), looked + offsets)
        out = ops.where(ops.count_nonzero(hist, axis=1) <= 1, x, equalized)
        out = self._scale(out, (0, 255), self.value_range)
        return restore(ops.reshape(out, shape))

    @staticmethod
    def _scale(values, source, target):
        scale = (target[1] - target[0]) / (source[1] - source[0])
        return values * scale + (target[0] - source[0] * scale)


class RandomColorDegeneration(_ColorAugmentation):
    """Blends each image towards its grayscale: ``x + f * (gray - x)``, ``f`` drawn per
    image from ``factor`` (negative values push colours away from gray), clipped to
    ``value_range``.

    Args:
        factor: a number in [-1, 1] (the range ``[-|f|, |f|]``) or a pair; to use one
            fixed value pass a pair of equal numbers, e.g. ``(0.5, 0.5)``.
        value_range: the (min, max) range of the pixel values.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        seed: an int for a reproducible stream of draws.
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self._init_factor(factor, value_range, seed)

    def _draw(self, images):
        self._check_rgb(images)
        return self._uniform(self._batch_shape(images), self.factor[0], self.factor[1])

    def _transform(self, images, factor, masks):
        if masks:
            return images
        gray = ops.image.rgb_to_grayscale(images, data_format=self.data_format)
        out = images + ops.cast(factor, images.dtype) * (gray - images)
        return ops.clip(out, self.value_range[0], self.value_range[1])


class _HSVAugmentation(_ColorAugmentation):
    """Saturation and hue: edit one HSV channel of channels_last images."""

    def _edit_hsv(self, images, channel, edit):
        self._check_rgb(images)
        x, restore = self._channels_last(images)
        hsv = ops.image.rgb_to_hsv(x, data_format="channels_last")
        parts = [hsv[..., 0], hsv[..., 1], hsv[..., 2]]
        parts[channel] = edit(parts[channel])
        return restore(ops.image.hsv_to_rgb(ops.stack(parts, axis=-1),
                                            data_format="channels_last"))

    def _factors(self, factor, ndim):
        """(B,) factors shaped for a rank-``ndim`` channel of a batch or a single image."""
        return ops.reshape(factor, (-1, 1, 1)) if ndim == 4 else factor


class RandomSaturation(_HSVAugmentation):
    """Scales each image's HSV saturation by ``f / (1 - f)``, ``f`` drawn per image
    from ``factor``: 0.5 keeps the image, 0 makes it gray, 1 fully saturated. The
    scaled saturation is clipped to [0, 1] (Keras clips it to ``value_range``, which
    for (0, 255) lets oversaturated pixels leave the range; the two agree otherwise).

    Args:
        factor: a number in [-1, 1] (the range ``[-|f|, |f|]``, negative values act
            as 0) or a pair; pass ``(f, f)`` for one fixed value.
        value_range: the (min, max) range of the pixel values.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        seed: an int for a reproducible stream of draws.
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self._init_factor(factor, value_range, seed)

    def _draw(self, images):
        factor = self._uniform((self._batch(images),), self.factor[0], self.factor[1])
        return factor / (1.0 - factor + backend.epsilon())

    def _transform(self, images, factor, masks):
        if masks:
            return images
        factor = self._factors(ops.cast(factor, images.dtype), len(images.shape))
        return self._edit_hsv(images, 1, lambda s: ops.clip(s * factor, 0.0, 1.0))


class RandomHue(_HSVAugmentation):
    """Rotates each image's hue by ``±f / 2`` of a turn, ``f`` drawn per image from
    ``factor`` and the sign by a coin; the result is clipped to ``value_range``.

    Args:
        factor: a number in [0, 1] (the range ``[0, f]``) or a pair; 0 keeps the image.
        value_range: the (min, max) range of the pixel values.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        seed: an int for a reproducible stream of draws.
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self._init_factor(factor, value_range, seed, bounds=(0, 1), sort=False)

    def _draw(self, images):
        batch = self._batch(images)
        sign = ops.where(self._uniform((batch,), 0.0, 1.0) > 0.5, -1.0, 1.0)
        return sign * self._uniform((batch,), self.factor[0], self.factor[1]) * 0.5

    def _transform(self, images, shift, masks):
        if masks:
            return images
        shift = self._factors(ops.cast(shift, images.dtype), len(images.shape))

        def rotate(hue):
            hue = hue + shift
            hue = ops.where(hue > 1.0, hue - 1.0, hue)
            return ops.where(hue < 0.0, hue + 1.0, hue)

        x = _rescale(images, self.value_range, (0, 1))
        x = ops.clip(self._edit_hsv(x, 0, rotate), 0.0, 1.0)
        return _rescale(x, (0, 1), self.value_range)


class RandomColorJitter(_ColorAugmentation):
    """Applies, in this order, RandomBrightness, RandomContrast, RandomSaturation and
    RandomHue, each only when its factor is given; the four draw from one stream.

    Args:
        value_range: the (min, max) range of the pixel values.
        brightness_factor: ``RandomBrightness``'s ``factor`` (in [-1, 1]), or None.
        contrast_factor: ``RandomContrast``'s ``factor`` (in [0, 1]), or None.
        saturation_factor: ``RandomSaturation``'s ``factor``, or None.
        hue_factor: ``RandomHue``'s ``factor``, or None.
        seed: an int for a reproducible stream of draws.
        data_format: ``"channels_last"`` or ``"channels_first"``.
    """

    def __init__(self, value_range=(0, 255), brightness_factor=None, contrast_factor=None,
                 saturation_factor=None, hue_factor=None, seed=None, data_format=None,
                 **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = _value_range(f"RandomColorJitter '{self.name}'", value_range,
                                        sort=False)
        self.brightness_factor = brightness_factor
        self.contrast_factor = contrast_factor
        self.saturation_factor = saturation_factor
        self.hue_factor = hue_factor
        self._init_seed(seed)
        common = {"value_range": value_range, "data_format": self.data_format}
        self._steps = [cls(factor=factor, name=f"{self.name}_{cls.__name__}", **common)
                       for cls, factor in ((RandomBrightness, brightness_factor),
                                           (RandomContrast, contrast_factor),
                                           (RandomSaturation, saturation_factor),
                                           (RandomHue, hue_factor)) if factor is not None]
        for step in self._steps:
            step.generator = self.generator  # one stream, as Keras seeds each from it

    def _draw(self, images):
        return [step._draw(images) for step in self._steps]

    def _transform(self, images, params, masks):
        for step, drawn in zip(self._steps, params):
            images = step._transform(images, drawn, masks)
        return images
