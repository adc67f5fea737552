"""Geometric augmentations beyond rotation, zoom and translation: shear, a random
perspective warp and an elastic distortion. Active when training (the default of
a direct call), the identity otherwise, as Keras 3's."""
from cornu import backend, ops
from cornu.layers._preprocessing._augmentation import (
    _INTERPOLATIONS, _AffineAugmentation, _Augmentation, _factor_pair)

__all__ = ["RandomShear", "RandomPerspective", "RandomElasticTransform"]


def _shear_pair(layer, name, factor):
    """(lower, upper) shear range: a number f reads as (-f, f) and a pair as given.

    Keras asks for values in [0, 1]; a pair's entries may be negative here, so that the
    (-f, f) pair Keras writes into its config loads back."""
    values = factor if isinstance(factor, (tuple, list)) else [factor]
    if len(values) not in (1, 2) or any(
            not isinstance(v, (int, float)) or isinstance(v, bool) for v in values) or (
            isinstance(factor, (tuple, list)) and any(abs(v) > 1 for v in values)) or (
            not isinstance(factor, (tuple, list)) and not 0 <= factor <= 1):
        raise ValueError(f"{layer}: `{name}` must be a number in [0, 1] or a pair of numbers "
                         f"in [0, 1]; received {name}={factor!r}.")
    if isinstance(factor, (tuple, list)):
        return tuple(sorted(factor))
    return -abs(factor), abs(factor)


def _probability_draw(layer, batch, factor):
    """(B,) booleans: each image is transformed with a probability drawn from ``factor``."""
    probability = layer._uniform((batch,), factor[0], factor[1])
    return layer._uniform((batch,), 0.0, 1.0) < probability


def _batched(images):
    """4-D images, and a function giving results back the input's rank."""
    if len(images.shape) == 4:
        return images, lambda x: x
    return ops.expand_dims(images, 0), lambda x: x[0]


class RandomShear(_AffineAugmentation):
    """Shears each image along x and/or y by a random factor (about the top-left corner,
    as Keras does); one coin per image flips the sign of both shears.

    Args:
        x_factor: the horizontal shear range: a number ``f`` in [0, 1] draws from
            ``[-f, f]``; a pair ``(lower, upper)`` sets the range. A shear of 0.3 moves
            pixels up to 30% of the image across.
        y_factor: the vertical shear range, the same way.
        interpolation: ``"bilinear"`` or ``"nearest"``.
        fill_mode: ``"reflect"``, ``"wrap"``, ``"constant"`` or ``"nearest"``.
        fill_value: the value for ``fill_mode="constant"``.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        seed: an int for a reproducible stream of shears.

    Example:
        >>> layer = RandomShear(x_factor=0.2, seed=1)
        >>> layer(np.zeros((2, 8, 8, 3), "float32")).shape
        (2, 8, 8, 3)
    """

    def __init__(self, x_factor=0.0, y_factor=0.0, interpolation="bilinear",
                 fill_mode="reflect", fill_value=0.0, data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        where = f"RandomShear '{self.name}'"
        self.x_factor = x_factor
        self.y_factor = y_factor
        self._x_range = _shear_pair(where, "x_factor", x_factor)
        self._y_range = _shear_pair(where, "y_factor", y_factor)
        self._init_affine(fill_mode, interpolation, fill_value, seed)

    def _draw(self, images):
        batch = self._size(images)[0]
        sign = ops.where(self._uniform((batch, 1), 0.0, 1.0) > 0.5, -1.0, 1.0)
        shear_y = self._uniform((batch, 1), *self._y_range)
        shear_x = self._uniform((batch, 1), *self._x_range)
        return self.shear_matrix(shear_x * sign, shear_y * sign)

    @staticmethod
    def shear_matrix(shear_x, shear_y):
        """(B, 8) transforms ``[1, sx, 0, sy, 1, 0, 0, 0]`` from (B, 1) shears."""
        ones, zeros = ops.ones_like(shear_x), ops.zeros_like(shear_x)
        return ops.concatenate([ones, shear_x, zeros, shear_y, ones, zeros, zeros, zeros],
                               axis=1)


class RandomPerspective(_Augmentation):
    """Warps each image, with probability drawn from ``factor``, by moving its four
    corners by random offsets (up to ``scale / 2`` of the corner's coordinates) and
    filling the uncovered area with ``fill_value``.

    Args:
        factor: the probability of warping an image: a number in [0, 1] (the range
            ``[0, factor]``) or a pair.
        scale: the strength of the warp, in [0, 1].
        interpolation: ``"bilinear"`` or ``"nearest"``.
        fill_value: the value of points outside the image.
        seed: an int for a reproducible stream of warps.
        data_format: ``"channels_last"`` or ``"channels_first"``.
    """

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_value=0.0,
                 seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        where = f"RandomPerspective '{self.name}'"
        self.factor = _factor_pair(where, "factor", factor, (0, 1))
        if not isinstance(scale, (int, float)) or not 0.0 <= scale <= 1.0:
            raise ValueError(f"{where}: `scale` must be a number in [0, 1]; received "
                             f"scale={scale!r}.")
        if interpolation not in _INTERPOLATIONS:
            raise NotImplementedError(f"{where}: unknown `interpolation` {interpolation!r}. "
                                      f"Expected one of {_INTERPOLATIONS}.")
        self.scale = scale
        self.interpolation = interpolation
        self.fill_value = fill_value
        self._init_seed(seed)

    def _draw(self, images):
        h_axis, w_axis = self._hw_axes(len(images.shape))
        batch = images.shape[0] if len(images.shape) == 4 else 1
        height, width = images.shape[h_axis], images.shape[w_axis]
        apply = _probability_draw(self, batch, self.factor)
        offsets = self._uniform((batch, 4, 2), -0.5 * self.scale, 0.5 * self.scale)
        corners = ops.convert_to_tensor(
            [[0.0, 0.0], [width - 1.0, 0.0], [0.0, height - 1.0],
             [width - 1.0, height - 1.0]], dtype="float32")
        start = ops.broadcast_to(corners, (batch, 4, 2))  # (B, 4, 2) as (x, y)
        return apply, start, start + start * offsets

    def _transform(self, images, params, masks):
        apply, start, end = params
        images, restore = _batched(images)
        warped = ops.image.perspective_transform(
            images, start, end, interpolation="nearest" if masks else self.interpolation,
            fill_value=self.fill_value, data_format=self.data_format)
        return restore(ops.where(ops.reshape(apply, (-1, 1, 1, 1)), warped, images))


def _gaussian_taps(sigma, size):
    """(size,) normalised Gaussian weights of std ``sigma`` (a scalar tensor), cut to
    the ``int(6 sigma) | 1`` taps Keras uses (``size`` is that count's upper bound)."""
    t = ops.arange(size, dtype="float32") - (size - 1) / 2.0
    span = ops.floor(6.0 * sigma)
    span = span + 1.0 - ops.mod(span, 2.0)  # int(6 sigma) | 1
    g = ops.exp(-0.5 * ops.square(t / sigma)) * ops.cast(
        ops.abs(t) <= (span - 1.0) / 2.0, "float32")
    return g / ops.sum(g)


class RandomElasticTransform(_Augmentation):
    """Distorts each image, with probability drawn from ``factor``, by a smooth random
    displacement field: Gaussian noise blurred with std ``sigma = 0.05 * min(h, w) * s``
    and scaled by ``alpha = 0.1 * max(h, w) * s``, ``s`` drawn from ``scale`` per batch.

    Args:
        factor: the probability of distorting an image: a number in [0, 1] or a pair.
        scale: the strength of the distortion: a number in [0, 1] or a pair.
        interpolation: ``"bilinear"`` or ``"nearest"``.
        fill_mode: ``"reflect"``, ``"mirror"``, ``"wrap"``, ``"constant"`` or
            ``"nearest"``.
        fill_value: the value for ``fill_mode="constant"``.
        value_range: the (min, max) range the outputs are clipped to.
        seed: an int for a reproducible stream of distortions.
        data_format: ``"channels_last"`` or ``"channels_first"``.
    """

    _FILL = ("constant", "nearest", "wrap", "mirror", "reflect")

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_mode="reflect",
                 fill_value=0.0, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        where = f"RandomElasticTransform '{self.name}'"
        self.factor = _factor_pair(where, "factor", factor, (0, 1))
        self.scale = _factor_pair(where, "scale", scale, (0, 1))
        if interpolation not in _INTERPOLATIONS:
            raise NotImplementedError(f"{where}: unknown `interpolation` {interpolation!r}. "
                                      f"Expected one of {_INTERPOLATIONS}.")
        if fill_mode not in self._FILL:
            raise NotImplementedError(f"{where}: unknown `fill_mode` {fill_mode!r}. "
                                      f"Expected one of {self._FILL}.")
        self.interpolation = interpolation
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.value_range = value_range
        self._init_seed(seed)

    def call(self, inputs, training=True):
        if self.scale[1] == 0 or self.factor[1] == 0:
            training = False
        return super().call(inputs, training=training)

    def _draw(self, images):
        h_axis, w_axis = self._hw_axes(len(images.shape))
        batch = images.shape[0] if len(images.shape) == 4 else 1
        height, width = images.shape[h_axis], images.shape[w_axis]
        apply = _probability_draw(self, batch, self.factor)
        strength = self._uniform((), self.scale[0], self.scale[1])
        noise = backend.random.normal((2, batch, height, width), dtype="float32",
                                      seed=self.generator)  # dx then dy
        return (apply,) + self.displacements(noise, strength, height, width)

    def displacements(self, noise, strength, height, width):
        """(dx, dy), each (B, H, W, 1), from (2, B, H, W) standard normal noise."""
        alpha = max(height, width) * 0.1 * strength
        sigma = min(height, width) * 0.05 * strength
        size = int(6 * min(height, width) * 0.05 * self.scale[1]) | 1
        taps = _gaussian_taps(sigma, size)
        kernel = ops.reshape(ops.outer(taps, taps), (size, size, 1, 1))
        noise = ops.reshape(noise * sigma, (-1, height, width, 1))
        field = ops.conv(noise, kernel, padding="same") * alpha  # (2B, H, W, 1)
        field = ops.reshape(field, (2, -1, height, width, 1))
        return field[0], field[1]

    def displace(self, images, dx, dy, masks=False):
        """``images`` sampled at (y + dy, x + dx), (B, H, W, 1) displacements."""
        images, restore = _batched(images)
        if self.data_format == "channels_first":
            images = ops.transpose(images, (0, 2, 3, 1))
        batch, height, width, channels = images.shape
        shape = (batch, height, width, channels)
        grid = ops.meshgrid(ops.arange(batch, dtype="float32"),
                            ops.arange(height, dtype="float32"),
                            ops.arange(width, dtype="float32"),
                            ops.arange(channels, dtype="float32"), indexing="ij")
        coords = ops.stack([grid[0], grid[1] + ops.broadcast_to(dy, shape),
                            grid[2] + ops.broadcast_to(dx, shape), grid[3]])
        out = ops.image.map_coordinates(
            images, coords, order=0 if masks or self.interpolation == "nearest" else 1,
            fill_mode=self.fill_mode, fill_value=self.fill_value)
        if self.data_format == "channels_first":
            out = ops.transpose(out, (0, 3, 1, 2))
        return restore(out)

    def _transform(self, images, params, masks):
        apply, dx, dy = params
        out = self.displace(images, dx, dy, masks)
        keep = ops.reshape(apply, (-1, 1, 1, 1) if len(images.shape) == 4 else (1, 1, 1))
        out = ops.where(keep, out, images)
        if masks:
            return out
        return ops.clip(out, self.value_range[0], self.value_range[1])
