"""Deterministic image layers: Resizing and CenterCrop, and the base they share
with the augmentation layers (data_format, dict inputs, output shapes)."""
from cornu import backend, ops
from cornu.layers.layer import Layer

__all__ = ["Resizing", "CenterCrop"]


class ImageLayer(Layer):
    """Images of rank 3 (one image) or 4 (a batch) in ``data_format``.

    Inputs may also be a dict with ``"images"`` (and optionally ``"labels"``,
    passed through, and ``"segmentation_masks"``, transformed like the images
    with nearest-neighbour sampling), as Keras's image layers take them.
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = backend.standardize_data_format(data_format)
        self.built = True

    def _hw_axes(self, ndim):
        return (ndim - 2, ndim - 1) if self.data_format == "channels_first" else (
            ndim - 3, ndim - 2)

    def _check_rank(self, images):
        if len(images.shape) not in (3, 4):
            raise ValueError(
                f"{type(self).__name__} '{self.name}' expects images of rank 3 (one image) "
                f"or 4 (a batch); received shape {tuple(images.shape)}.")

    def _apply_to_images(self, data, fn):
        """``fn(images, masks=False)`` on plain images or on the entries of a dict."""
        if isinstance(data, dict):
            if "bounding_boxes" in data:
                raise NotImplementedError(
                    f"{type(self).__name__}: bounding boxes are not supported by cornu yet.")
            out = dict(data)
            out["images"] = fn(self._tensor(data["images"]))
            if "segmentation_masks" in data:
                out["segmentation_masks"] = fn(self._tensor(data["segmentation_masks"]),
                                               masks=True)
            return out
        return fn(self._tensor(data))

    def _tensor(self, x):
        x = x if backend.is_tensor(x) else ops.convert_to_tensor(x)
        self._check_rank(x)
        return x

    def _convert_input(self, x):
        if isinstance(x, dict):
            return x
        return super()._convert_input(x)

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


class Resizing(ImageLayer):
    """Resizes images to ``(height, width)``.

    Args:
        height, width: the output size.
        interpolation: ``"bilinear"`` (default), ``"nearest"``, ``"bicubic"`` or ``"area"``.
        crop_to_aspect_ratio: centre-crop to the target aspect ratio first (no distortion).
        pad_to_aspect_ratio: pad with ``fill_value`` to the target aspect ratio first.
        fill_mode: how padding is filled (only ``"constant"``).
        fill_value: the padding value.
        antialias: low-pass filter when downsampling.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global one).
    """

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0,
                 antialias=False, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height = height
        self.width = width
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = bool(antialias)

    def call(self, inputs):
        return self._apply_to_images(inputs, self._resize)

    def _resize(self, images, masks=False):
        return ops.image.resize(
            images, (self.height, self.width),
            interpolation="nearest" if masks else self.interpolation,
            antialias=self.antialias, crop_to_aspect_ratio=self.crop_to_aspect_ratio,
            pad_to_aspect_ratio=self.pad_to_aspect_ratio, fill_mode=self.fill_mode,
            fill_value=self.fill_value, data_format=self.data_format)


def crop_window(height, width, target_height, target_width):
    """(top, left, crop height, crop width) of the largest centred window with the
    target's aspect ratio (``keras.utils.smart_resize``)."""
    crop_h = max(min(height, int(float(width * target_height) / target_width)), 1)
    crop_w = max(min(width, int(float(height * target_width) / target_height)), 1)
    return int(float(height - crop_h) / 2), int(float(width - crop_w) / 2), crop_h, crop_w


def crop(images, top, left, crop_h, crop_w, axes):
    """``images`` cut to rows ``[top, top + crop_h)`` and columns ``[left, left + crop_w)``."""
    index = [slice(None)] * len(images.shape)
    index[axes[0]] = slice(top, top + crop_h)
    index[axes[1]] = slice(left, left + crop_w)
    return images[tuple(index)]


def smart_resize(layer, images, height, width):
    """Centre-crop to the target aspect ratio, then resize (bilinear)."""
    axes = layer._hw_axes(len(images.shape))
    window = crop_window(images.shape[axes[0]], images.shape[axes[1]], height, width)
    images = crop(images, *window, axes)
    return ops.image.resize(images, (height, width), data_format=layer.data_format)


class CenterCrop(ImageLayer):
    """Crops the centre ``(height, width)`` of images; an image smaller than that is
    centre-cropped to the target aspect ratio and resized up. Outputs are floats.

    Args:
        height, width: the output size.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global one).
    """

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height = height
        self.width = width

    def call(self, inputs):
        return self._apply_to_images(inputs, self._crop)

    def _crop(self, images, masks=False):
        images = ops.cast(images, self.dtype_name)
        axes = self._hw_axes(len(images.shape))
        h_diff = images.shape[axes[0]] - self.height
        w_diff = images.shape[axes[1]] - self.width
        if h_diff >= 0 and w_diff >= 0:
            return crop(images, h_diff // 2, w_diff // 2, self.height, self.width, axes)
        return smart_resize(self, images, self.height, self.width)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        if len(shape) not in (3, 4):
            raise ValueError(f"CenterCrop '{self.name}' expects images of rank 3 or 4; "
                             f"received input shape {tuple(input_shape)}.")
        h, w = self._hw_axes(len(shape))
        shape[h], shape[w] = self.height, self.width
        return tuple(shape)
