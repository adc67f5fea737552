"""Images as PIL images and arrays: load_img, img_to_array, array_to_img, save_img.

Pillow is imported when one of these is first called.
"""
import pathlib
import warnings

import numpy as np

from cornu.backend import config

_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")


def _pil():
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("Reading and writing images needs Pillow: `pip install pillow`.") \
            from None
    return Image


def _resample(Image, interpolation):
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(f"interpolation must be one of {_INTERPOLATIONS}; received "
                         f"{interpolation!r}.")
    return getattr(Image.Resampling, interpolation.upper())


def load_img(path, grayscale=False, color_mode="rgb", target_size=None,
             interpolation="nearest", keep_aspect_ratio=False):
    """Load an image file as a PIL image.

    Args:
        path: a path or a file-like object.
        grayscale: Keras 1/2's spelling of ``color_mode="grayscale"``.
        color_mode: "grayscale", "rgb" or "rgba".
        target_size: ``(height, width)`` to resize to, or None to keep the size.
        interpolation: the resampling for resizing: "nearest", "bilinear", "bicubic",
            "hamming", "box" or "lanczos".
        keep_aspect_ratio: crop the centre to the target's aspect ratio before resizing.

    Returns:
        A PIL image.
    """
    Image = _pil()
    if grayscale:
        warnings.warn('`load_img(grayscale=True)` is a Keras 1/2 spelling; use '
                      '`color_mode="grayscale"` instead.', DeprecationWarning, stacklevel=2)
        color_mode = "grayscale"
    if isinstance(path, pathlib.Path):
        path = str(path)
    if isinstance(path, str):
        with open(path, "rb") as f:
            img = Image.open(f)
            img.load()
    elif hasattr(path, "read"):
        img = Image.open(path)
    else:
        raise TypeError(f"path should be a path or a file-like object; received "
                        f"{type(path).__name__}.")
    if color_mode == "grayscale":
        if img.mode not in ("L", "I;16", "I"):
            img = img.convert("L")
    elif color_mode == "rgba":
        if img.mode != "RGBA":
            img = img.convert("RGBA")
    elif color_mode == "rgb":
        if img.mode != "RGB":
            img = img.convert("RGB")
    else:
        raise ValueError(f'color_mode must be "grayscale", "rgb" or "rgba"; received '
                         f"{color_mode!r}.")
    if target_size is not None:
        height, width = target_size
        if img.size != (width, height):
            resample = _resample(Image, interpolation)
            if keep_aspect_ratio:
                w, h = img.size
                crop_w, crop_h = min(w, int(h * width / height)), min(h, int(w * height / width))
                left, top = (w - crop_w) // 2, (h - crop_h) // 2
                img = img.crop((left, top, left + crop_w, top + crop_h))
            img = img.resize((width, height), resample)
    return img


def img_to_array(img, data_format=None, dtype=None):
    """A PIL image as an array: (height, width, channels) in channels_last, else
    (channels, height, width); ``dtype`` defaults to floatx ("float32")."""
    data_format = config.standardize_data_format(data_format)
    x = np.asarray(img, dtype=dtype or config.floatx())
    if x.ndim == 2:
        x = x[:, :, None] if data_format == "channels_last" else x[None]
    elif x.ndim == 3:
        if data_format == "channels_first":
            x = x.transpose(2, 0, 1)
    else:
        raise ValueError(f"Unsupported image shape: {x.shape}.")
    return x


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """A 3-D array as a PIL image.

    Args:
        x: an array of shape (height, width, channels) (or channels first), with 1, 3 or
            4 channels.
        data_format: "channels_last" or "channels_first" (default: the global setting).
        scale: rescale the values to 0..255 (min to 0, max to 255).
        dtype: the dtype the array is read as (default floatx).
    """
    Image = _pil()
    data_format = config.standardize_data_format(data_format)
    x = np.asarray(x, dtype=dtype or config.floatx())
    if x.ndim != 3:
        raise ValueError(f"Expected an image array of rank 3 (single image); received an "
                         f"array of shape {x.shape}.")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        peak = np.max(x)
        if peak != 0:
            x = x / peak
        x = x * 255
    channels = x.shape[2]
    if channels == 4:
        return Image.fromarray(x.astype("uint8"), "RGBA")
    if channels == 3:
        return Image.fromarray(x.astype("uint8"), "RGB")
    if channels == 1:
        if np.max(x) > 255:  # 32-bit signed integer greyscale image
            return Image.fromarray(x[:, :, 0].astype("int32"), "I")
        return Image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"Unsupported channel number: {channels}; images have 1, 3 or 4.")


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Save an image array to ``path``; the format comes from the extension unless
    ``file_format`` is given. Extra arguments go to ``PIL.Image.save``."""
    img = array_to_img(x, data_format=data_format, scale=scale)
    if file_format is None and isinstance(path, (str, pathlib.Path)):
        file_format = pathlib.Path(path).suffix[1:].lower() or None
    if file_format == "jpg":
        file_format = "jpeg"
    if img.mode == "RGBA" and file_format == "jpeg":
        warnings.warn("JPEG has no transparency: the alpha channel is dropped.", stacklevel=2)
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)


def smart_resize(x, size, interpolation="bilinear", data_format="channels_last"):
    """Resize an image array (or a batch) to ``size`` = (height, width) without
    distorting it: the centre is cropped to the target aspect ratio first."""
    Image = _pil()
    x = np.asarray(x)
    if x.ndim == 4:
        return np.stack([smart_resize(i, size, interpolation, data_format) for i in x])
    if x.ndim != 3:
        raise ValueError(f"smart_resize expects an image (rank 3) or a batch (rank 4); "
                         f"received shape {x.shape}.")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    height, width = size
    h, w = x.shape[:2]
    crop_h, crop_w = min(h, int(w * height / width)), min(w, int(h * width / height))
    top, left = (h - crop_h) // 2, (w - crop_w) // 2
    x = x[top:top + crop_h, left:left + crop_w]
    resample = _resample(Image, interpolation)
    channels = [np.asarray(Image.fromarray(x[:, :, c].astype("float32"), "F").resize(
        (width, height), resample)) for c in range(x.shape[2])]
    out = np.stack(channels, axis=-1).astype(x.dtype if x.dtype.kind == "f" else "float32")
    return out.transpose(2, 0, 1) if data_format == "channels_first" else out
