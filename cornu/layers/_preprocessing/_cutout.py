"""Augmentations that cut into or blend images: MixUp and CutMix mix each image (and
its label) with another image of the batch; RandomErasing fills a random box.
Active when training (the default of a direct call), the identity otherwise."""
from cornu import backend, ops
from cornu.layers._preprocessing._augmentation import _Augmentation, _factor_pair

__all__ = ["MixUp", "CutMix", "RandomErasing"]


class _BatchMix(_Augmentation):
    """MixUp and CutMix: ``_mix(images, params, masks)`` and ``_mix_labels``; inputs are
    images or a dict with ``"images"`` and ``"labels"`` (one-hot or soft labels)."""

    def call(self, inputs, training=True):
        images = self._tensor(inputs["images"] if isinstance(inputs, dict) else inputs)
        if not training or len(images.shape) != 4:
            return super().call(inputs, training=False)
        params = self._draw(images)
        out = self._apply_to_images(inputs, lambda x, masks=False: self._mix(
            x if masks else ops.cast(x, self.dtype_name), params, masks))
        if isinstance(inputs, dict) and "labels" in inputs:
            labels = ops.cast(ops.convert_to_tensor(inputs["labels"]), self.dtype_name)
            weight = ops.reshape(params[0], (-1,) + (1,) * (len(labels.shape) - 1))
            out["labels"] = weight * labels + (1.0 - weight) * ops.take(labels, params[1],
                                                                         axis=0)
        return out

    def _permutation(self, batch):
        return backend.random.shuffle(ops.arange(batch, dtype="int32"), seed=self.generator)


class MixUp(_BatchMix):
    """MixUp (Zhang et al., 2017): each image and label becomes ``w * own + (1 - w) *
    other's``, ``other`` a random permutation of the batch and ``w ~ Beta(alpha, alpha)``
    per image.

    Args:
        alpha: the Beta distribution's parameter: small values keep images nearly whole.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        seed: an int for a reproducible stream of permutations.

    Example:
        >>> out = MixUp()({"images": images, "labels": one_hot_labels})
    """

    def __init__(self, alpha=0.2, data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.alpha = alpha
        self._init_seed(seed)

    def _draw(self, images):
        batch = images.shape[0]
        permutation = self._permutation(batch)
        weight = backend.random.beta((batch,), self.alpha, self.alpha, dtype="float32",
                                     seed=self.generator)
        return weight, permutation

    def _mix(self, images, params, masks):
        weight, permutation = params
        images = ops.cast(images, self.dtype_name)
        weight = ops.reshape(ops.cast(weight, images.dtype), (-1, 1, 1, 1))
        return weight * images + (1.0 - weight) * ops.take(images, permutation, axis=0)


def _box_mask(layer, shape, ratio_x, ratio_y):
    """One random box per image covering ``ratio_x`` of the width and ``ratio_y`` of the
    height (each (B,)): ``box_mask`` of its corners."""
    h_axis, w_axis = layer._hw_axes(4)
    bounds = []
    for ratio, length in ((ratio_x, shape[w_axis]), (ratio_y, shape[h_axis])):
        size = ratio * length
        start = layer._uniform((shape[0],), 0.0, 1.0) * (length - size)
        bounds += [start, start + size]
    return box_mask(layer, shape, *bounds)


def box_mask(layer, shape, x0, x1, y0, y1):
    """(B, H, W, 1) or (B, 1, H, W) booleans, true on pixels with x0 <= x < x1 and
    y0 <= y < y1 (corners (B,) each), and the (B,) area fractions of the boxes."""
    h_axis, w_axis = layer._hw_axes(4)
    height, width = shape[h_axis], shape[w_axis]
    xs = ops.arange(width, dtype="float32")[None, None, :]  # (1, 1, W)
    ys = ops.arange(height, dtype="float32")[None, :, None]  # (1, H, 1)
    x0, x1, y0, y1 = (ops.reshape(v, (-1, 1, 1)) for v in (x0, x1, y0, y1))
    mask = (xs >= x0) & (xs < x1) & (ys >= y0) & (ys < y1)  # (B, H, W)
    mask = ops.expand_dims(mask, 1 if layer.data_format == "channels_first" else -1)
    area = (x1 - x0) * (y1 - y0) / float(width * height)
    return mask, ops.reshape(area, (-1,))


class CutMix(_BatchMix):
    """CutMix (Yun et al., 2019): pastes a random box of another image of the batch into
    each image, and mixes the labels by the areas kept. The box covers ``1 - w`` of the
    image, ``w ~ Beta(a, a)`` with ``a`` drawn from ``factor`` per batch. Single
    (unbatched) images pass unchanged.

    Args:
        factor: the range of the Beta parameter ``a``: a number in [0, 1] reads as
            ``[0, factor]``; a pair sets the range.
        seed: an int for a reproducible stream of boxes.
        data_format: ``"channels_last"`` or ``"channels_first"``.
    """

    def __init__(self, factor=1.0, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = _factor_pair(f"CutMix '{self.name}'", "factor", factor, (0, 1))
        self._init_seed(seed)

    def _draw(self, images):
        batch = images.shape[0]
        alpha = self._uniform((), self.factor[0], self.factor[1]) + 1e-6
        weight = backend.random.beta((batch,), alpha, alpha, dtype="float32",
                                     seed=self.generator)
        ratio = ops.sqrt(1.0 - weight)
        mask, area = _box_mask(self, images.shape, ratio, ratio)
        return 1.0 - area, self._permutation(batch), mask

    def _mix(self, images, params, masks):
        _, permutation, mask = params
        return ops.where(mask, ops.take(images, permutation, axis=0), images)


class RandomErasing(_Augmentation):
    """Random erasing (Zhong et al., 2017): with probability drawn from ``factor``, fills
    one random box per image (its sides ``sqrt(s)`` of the image's, ``s`` drawn from
    ``scale`` per side) with ``fill_value``, or with Gaussian noise times
    ``value_range[1]`` when ``fill_value`` is None; the fill is clipped to
    ``value_range``.

    Args:
        factor: the probability of erasing: a number in [0, 1] or a pair.
        scale: the range of the box's area fraction per side: a number or a pair in [0, 1].
        fill_value: a number, three numbers (one per channel) or None (noise).
        value_range: the (min, max) range of the pixel values.
        seed: an int for a reproducible stream of boxes.
        data_format: ``"channels_last"`` or ``"channels_first"``.
    """

    def __init__(self, factor=1.0, scale=(0.02, 0.33), fill_value=None, value_range=(0, 255),
                 seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        where = f"RandomErasing '{self.name}'"
        self.factor = _factor_pair(where, "factor", factor, (0, 1))
        self.scale = _factor_pair(where, "scale", scale, (0, 1))
        if fill_value is not None and not (
                isinstance(fill_value, (int, float)) and not isinstance(fill_value, bool)
                or isinstance(fill_value, (tuple, list)) and len(fill_value) == 3):
            raise ValueError(f"{where}: `fill_value` must be a number, a list of three "
                             f"numbers or None; received fill_value={fill_value!r}.")
        self.fill_value = fill_value
        self.value_range = value_range
        self._init_seed(seed)

    def _draw(self, images):
        shape = tuple(images.shape) if len(images.shape) == 4 else (1,) + tuple(images.shape)
        batch = shape[0]
        sides = ops.sqrt(self._uniform((batch, 2), self.scale[0], self.scale[1]))
        mask, _ = _box_mask(self, shape, sides[:, 0], sides[:, 1])
        probability = self._uniform((batch,), self.factor[0], self.factor[1])
        apply = self._uniform((batch,), 0.0, 1.0) < probability
        return mask & ops.reshape(apply, (-1, 1, 1, 1)), self.fill(shape)

    def fill(self, shape):
        """The values of erased pixels, broadcastable to ``shape``, clipped to
        ``value_range``."""
        if self.fill_value is None:
            fill = backend.random.normal(shape, dtype="float32", seed=self.generator) * (
                self.value_range[1])
        else:
            fill = ops.convert_to_tensor(self.fill_value, dtype="float32")
            if isinstance(self.fill_value, (tuple, list)):
                fill = ops.reshape(fill, (1, -1, 1, 1) if self.data_format ==
                                   "channels_first" else (1, 1, 1, -1))
        return ops.clip(fill, self.value_range[0], self.value_range[1])

    def _transform(self, images, params, masks):
        if masks:
            return images
        erase, fill = params
        single = len(images.shape) == 3
        out = ops.where(erase, ops.cast(fill, images.dtype),
                        ops.expand_dims(images, 0) if single else images)
        return out[0] if single else out
