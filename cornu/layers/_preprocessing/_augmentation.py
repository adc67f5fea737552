"""Random image augmentation: active when called with ``training=True`` (the
default of a direct call, as in Keras; ``fit`` passes True, ``predict`` and
``evaluate`` pass False), the identity otherwise, except ``RandomCrop``, which
crops the centre at inference. ``seed`` makes the stream of transforms
reproducible; without it the global generator (``cornu.utils.set_random_seed``)
serves."""
import math
import random

from cornu import backend, ops
from cornu.layers._preprocessing._image import ImageLayer, smart_resize

__all__ = ["RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation",
           "RandomContrast", "RandomBrightness", "RandomCrop"]

_FILL_MODES = ("reflect", "wrap", "constant", "nearest")
_INTERPOLATIONS = ("nearest", "bilinear")


def _factor_pair(layer, name, factor, bounds=(-1, 1)):
    """(lower, upper) of a factor given as one number or a pair, as Keras reads it."""
    error = ValueError(
        f"{layer}: `{name}` must be a number or a pair of numbers in [{bounds[0]}, "
        f"{bounds[1]}]; received {name}={factor!r}.")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or factor[0] > bounds[1] or factor[1] < bounds[0]:
            raise error
        return tuple(sorted(factor))
    if isinstance(factor, (int, float)) and not isinstance(factor, bool):
        if factor < bounds[0] or factor > bounds[1]:
            raise error
        factor = abs(factor)
        return max(-factor, bounds[0]), factor
    raise error


def _signed_pair(layer, name, factor):
    """(lower, upper) of a zoom or translation factor: each value in (-1, 1]."""
    values = factor if isinstance(factor, (tuple, list)) else [factor]
    if len(values) not in (1, 2) or any(
            not isinstance(v, (int, float)) or v > 1.0 or v <= -1.0 for v in values):
        raise ValueError(f"{layer}: `{name}` must be a number or a pair of numbers in "
                         f"(-1, 1]; received {name}={factor!r}.")
    if isinstance(factor, (tuple, list)):
        return tuple(sorted(factor))
    return -abs(factor), abs(factor)


class _Augmentation(ImageLayer):
    """Shared by the random layers: the seed stream and the training switch."""

    def _init_seed(self, seed):
        self.seed = seed
        # Without a seed the global generator serves, so set_random_seed governs it.
        self.generator = backend.SeedGenerator(seed) if seed is not None else None

    def _uniform(self, shape, low, high):
        return backend.random.uniform(shape, minval=low, maxval=high, dtype="float32",
                                      seed=self.generator)

    def call(self, inputs, training=True):
        if not training:
            return self._apply_to_images(inputs, lambda x, masks=False: (
                x if masks else ops.cast(x, self.dtype_name)))
        images = inputs["images"] if isinstance(inputs, dict) else inputs
        params = self._draw(self._tensor(images))
        return self._apply_to_images(inputs, lambda x, masks=False: self._transform(
            x if masks else ops.cast(x, self.dtype_name), params, masks))

    def _batch_shape(self, images):
        """(B,) + ones to broadcast one value per image; B = 1 for a single image."""
        return (images.shape[0], 1, 1, 1) if len(images.shape) == 4 else (1, 1, 1)

    def compute_output_shape(self, input_shape):
        return input_shape


class _AffineAugmentation(_Augmentation):
    """Rotation, zoom and translation: one projective transform per image."""

    def _init_affine(self, fill_mode, interpolation, fill_value, seed):
        if fill_mode not in _FILL_MODES:
            raise NotImplementedError(f"{type(self).__name__}: unknown `fill_mode` "
                                      f"{fill_mode!r}. Expected one of {_FILL_MODES}.")
        if interpolation not in _INTERPOLATIONS:
            raise NotImplementedError(f"{type(self).__name__}: unknown `interpolation` "
                                      f"{interpolation!r}. Expected one of {_INTERPOLATIONS}.")
        self.fill_mode = fill_mode
        self.interpolation = interpolation
        self.fill_value = fill_value
        self._init_seed(seed)

    def _size(self, images):
        h, w = self._hw_axes(len(images.shape))
        batch = images.shape[0] if len(images.shape) == 4 else 1
        return batch, images.shape[h], images.shape[w]

    def _transform(self, images, transform, masks):
        return ops.image.affine_transform(
            images, transform, interpolation="nearest" if masks else self.interpolation,
            fill_mode=self.fill_mode, fill_value=self.fill_value,
            data_format=self.data_format)


def _matrix(a0, a1, a2, b0, b1, b2):
    """(B, 8) projective transforms from (B, 1) columns (the last two entries 0)."""
    zeros = ops.zeros_like(a0)
    return ops.concatenate([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)


class RandomFlip(_Augmentation):
    """Flips each image horizontally and/or vertically with probability 1/2.

    Args:
        mode: ``"horizontal"``, ``"vertical"`` or ``"horizontal_and_vertical"``
            (one coin per image decides both flips).
        seed: an int for a reproducible stream of flips.
        data_format: ``"channels_last"`` or ``"channels_first"``.
    """

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if mode not in ("horizontal", "vertical", "horizontal_and_vertical"):
            raise ValueError(
                f"RandomFlip '{self.name}': `mode` must be 'horizontal', 'vertical' or "
                f"'horizontal_and_vertical'; received mode={mode!r}.")
        self.mode = mode
        self._init_seed(seed)

    def _draw(self, images):
        return self._uniform(self._batch_shape(images), 0.0, 1.0) <= 0.5

    def _transform(self, images, flips, masks):
        single = len(images.shape) == 3
        if single:
            images = ops.expand_dims(images, 0)
        h_axis, w_axis = self._hw_axes(4)
        out = images
        if self.mode in ("horizontal", "horizontal_and_vertical"):
            out = ops.where(flips, ops.flip(out, axis=w_axis), out)
        if self.mode in ("vertical", "horizontal_and_vertical"):
            out = ops.where(flips, ops.flip(out, axis=h_axis), out)
        return out[0] if single else out


class RandomRotation(_AffineAugmentation):
    """Rotates each image by a random angle about its centre.

    Args:
        factor: a fraction of a full turn: ``0.1`` draws angles in [-36°, 36°];
            a pair ``(lower, upper)`` sets the range.
        fill_mode: how points outside the image are filled: ``"reflect"``,
            ``"wrap"``, ``"constant"`` or ``"nearest"``.
        interpolation: ``"bilinear"`` or ``"nearest"``.
        seed: an int for a reproducible stream of rotations.
        fill_value: the value for ``fill_mode="constant"``.
        data_format: ``"channels_last"`` or ``"channels_first"``.
    """

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = _factor_pair(f"RandomRotation '{self.name}'", "factor", factor)
        self._init_affine(fill_mode, interpolation, fill_value, seed)

    def _draw(self, images):
        batch, h, w = self._size(images)
        angle = self._uniform((batch, 1), self.factor[0] * 360.0, self.factor[1] * 360.0)
        angle = angle * (math.pi / 180.0)
        cx, cy = 0.5 * (w - 1), 0.5 * (h - 1)
        cos, sin = ops.cos(angle), ops.sin(angle)
        return _matrix(cos, -sin, cx - cx * cos + cy * sin,
                       sin, cos, cy - cx * sin - cy * cos)


class RandomZoom(_AffineAugmentation):
    """Zooms each image in or out by a random factor about its centre.

    Args:
        height_factor: the vertical zoom range as a fraction: ``0.2`` draws
            from [-20%, +20%]; positive values zoom out, negative ones zoom in.
        width_factor: the horizontal range (default: zoom keeping the aspect ratio).
        fill_mode, interpolation, seed, fill_value, data_format: as for ``RandomRotation``.
    """

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        where = f"RandomZoom '{self.name}'"
        self.height_factor = height_factor
        self.height_lower, self.height_upper = _signed_pair(where, "height_factor",
                                                            height_factor)
        self.width_factor = width_factor
        if width_factor is not None:
            self.width_lower, self.width_upper = _signed_pair(where, "width_factor",
                                                              width_factor)
        self._init_affine(fill_mode, interpolation, fill_value, seed)

    def _draw(self, images):
        batch, h, w = self._size(images)
        zy = self._uniform((batch, 1), 1.0 + self.height_lower, 1.0 + self.height_upper)
        zx = zy if self.width_factor is None else self._uniform(
            (batch, 1), 1.0 + self.width_lower, 1.0 + self.width_upper)
        zeros = ops.zeros_like(zx)
        return _matrix(zx, zeros, (w - 1) / 2.0 * (1.0 - zx),
                       zeros, zy, (h - 1) / 2.0 * (1.0 - zy))


class RandomTranslation(_AffineAugmentation):
    """Shifts each image by a random offset.

    Args:
        height_factor: the vertical shift range as a fraction of the height:
            ``0.2`` draws from [-20%, +20%]; a pair sets lower and upper bounds.
        width_factor: the horizontal shift range, as a fraction of the width.
        fill_mode, interpolation, seed, fill_value, data_format: as for ``RandomRotation``.
    """

    def __init__(self, height_factor, width_factor, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        where = f"RandomTranslation '{self.name}'"
        self.height_factor = height_factor
        self.height_lower, self.height_upper = _signed_pair(where, "height_factor",
                                                            height_factor)
        self.width_factor = width_factor
        self.width_lower, self.width_upper = _signed_pair(where, "width_factor", width_factor)
        self._init_affine(fill_mode, interpolation, fill_value, seed)

    def _draw(self, images):
        batch, h, w = self._size(images)
        dy = self._uniform((batch, 1), self.height_lower, self.height_upper) * h
        dx = self._uniform((batch, 1), self.width_lower, self.width_upper) * w
        ones, zeros = ops.ones_like(dx), ops.zeros_like(dx)
        return _matrix(ones, zeros, -dx, zeros, ones, -dy)


class RandomContrast(_Augmentation):
    """Scales each image's deviation from its mean (per channel) by a random factor
    in ``[1 - lower, 1 + upper]``, then clips to ``value_range``.

    Args:
        factor: a number in [0, 1] or a pair ``(lower, upper)``.
        value_range: the (min, max) range of the pixel values.
        seed: an int for a reproducible stream of factors.
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(**kwargs)
        self.factor = _factor_pair(f"RandomContrast '{self.name}'", "factor", factor, (0, 1))
        self.value_range = value_range
        self._init_seed(seed)

    def _draw(self, images):
        return self._uniform(self._batch_shape(images), 1.0 - self.factor[0],
                             1.0 + self.factor[1])

    def _transform(self, images, factor, masks):
        if masks:
            return images
        h, w = self._hw_axes(len(images.shape))
        mean = ops.mean(images, axis=(h, w), keepdims=True)
        out = (images - mean) * ops.cast(factor, images.dtype) + mean
        return ops.clip(out, self.value_range[0], self.value_range[1])


class RandomBrightness(_Augmentation):
    """Adds a random offset, a fraction of ``value_range``'s width, to each image and
    clips to ``value_range``.

    Args:
        factor: a number in [-1, 1] (``0.2`` draws from [-0.2, 0.2]) or a pair.
        value_range: the (min, max) range of the pixel values.
        seed: an int for a reproducible stream of offsets.
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(**kwargs)
        self.factor = _factor_pair(f"RandomBrightness '{self.name}'", "factor", factor)
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ValueError(f"RandomBrightness '{self.name}': `value_range` must be a pair "
                             f"(min, max); received value_range={value_range!r}.")
        self.value_range = sorted(value_range)
        self._init_seed(seed)

    def _draw(self, images):
        delta = self._uniform(self._batch_shape(images), self.factor[0], self.factor[1])
        return delta * (self.value_range[1] - self.value_range[0])

    def _transform(self, images, delta, masks):
        if masks:
            return images
        return ops.clip(images + ops.cast(delta, images.dtype), self.value_range[0],
                        self.value_range[1])


class RandomCrop(_Augmentation):
    """Crops a random ``(height, width)`` window (the same for the whole batch) while
    training. At inference, and in training when the image is not larger than the
    target, it crops the largest centred window with the target's aspect ratio
    and resizes it to ``(height, width)``.

    Args:
        height, width: the output size.
        seed: an int for a reproducible stream of crops.
        data_format: ``"channels_last"`` or ``"channels_first"``.
    """

    def __init__(self, height, width, seed=None, data_format=None, name=None, **kwargs):
        super().__init__(data_format=data_format, name=name, **kwargs)
        self.height = height
        self.width = width
        self._init_seed(seed)
        if seed is None:  # Keras records a drawn seed in the config
            self.seed = random.randint(1, int(1e9))

    def call(self, inputs, training=True):
        images = self._tensor(inputs["images"] if isinstance(inputs, dict) else inputs)
        h_axis, w_axis = self._hw_axes(len(images.shape))
        height, width = images.shape[h_axis], images.shape[w_axis]
        if training and height > self.height and width > self.width:
            top = ops.cast(self._uniform((), 0.0, float(height - self.height + 1)), "int32")
            left = ops.cast(self._uniform((), 0.0, float(width - self.width + 1)), "int32")
            rows, cols = top + ops.arange(self.height), left + ops.arange(self.width)
            return self._apply_to_images(inputs, lambda x, masks=False: ops.take(
                ops.take(ops.cast(x, self.dtype_name), rows, axis=h_axis), cols, axis=w_axis))
        return self._apply_to_images(inputs, self._center)

    def _center(self, images, masks=False):
        images = ops.cast(images, self.dtype_name)
        axes = self._hw_axes(len(images.shape))
        if (images.shape[axes[0]], images.shape[axes[1]]) == (self.height, self.width):
            return images
        return smart_resize(self, images, self.height, self.width)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        h, w = self._hw_axes(len(shape))
        shape[h], shape[w] = self.height, self.width
        return tuple(shape)
