"""Image ops on torch tensors (Keras 3 ``keras.ops.image``).

Images are 3-D (one image) or 4-D (a batch) in ``data_format`` (the global
``image_data_format()`` when None). Internally they are handled channels-first,
batched; results come back in the caller's layout and dtype.
"""
import itertools

import torch
import torch.nn.functional as F

from cornu.backend.config import standardize_data_format
from cornu.backend.torch.core import convert_to_tensor
from cornu.backend.torch.numpy import _fold_index, _to_float

_RESIZE_MODES = {"bilinear": "bilinear", "nearest": "nearest-exact", "bicubic": "bicubic",
                 "area": "area"}
_SAMPLE_ORDERS = {"nearest": 0, "bilinear": 1}
# Image fill modes (scipy.ndimage names) as the numpy pad modes that fold indices the same way.
_FILL_MODES = {"constant": None, "nearest": "edge", "wrap": "wrap", "mirror": "reflect",
               "reflect": "symmetric"}


def _nchw(images, data_format):
    """4-D channels-first images, and a function putting results back in the caller's layout."""
    images = convert_to_tensor(images)
    if images.ndim not in (3, 4):
        raise ValueError(f"Expected images of rank 3 (one image) or 4 (a batch); received "
                         f"shape {tuple(images.shape)}.")
    last = standardize_data_format(data_format) == "channels_last"
    batched = images.ndim == 4
    x = images if batched else images.unsqueeze(0)
    if last:
        x = x.permute(0, 3, 1, 2)

    def restore(y):
        if last:
            y = y.permute(0, 2, 3, 1)
        return y if batched else y[0]
    return x, restore


def _cast_back(y, dtype):
    """Float results as ``dtype``: ints rounded and saturated."""
    if y.dtype == dtype:
        return y
    if dtype.is_floating_point:
        return y.to(dtype)
    info = torch.iinfo(dtype)
    return y.round().clamp(info.min, info.max).to(dtype)


def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    """Resize images to ``size = (height, width)`` (bilinear, nearest, bicubic or area),
    optionally centre-cropping or padding first to the target aspect ratio."""
    if interpolation not in _RESIZE_MODES:
        raise ValueError(f"Unsupported interpolation {interpolation!r} for the torch backend. "
                         f"Expected one of {sorted(_RESIZE_MODES)}.")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of crop_to_aspect_ratio and pad_to_aspect_ratio can be True.")
    if fill_mode != "constant":
        raise ValueError(f"Only fill_mode='constant' is supported; received {fill_mode!r}.")
    x, restore = _nchw(images, data_format)
    dtype = x.dtype
    height, width = x.shape[-2:]
    target_h, target_w = (int(s) for s in size)
    if crop_to_aspect_ratio:
        crop_h = min(height, int(width * target_h / target_w))
        crop_w = min(width, int(height * target_w / target_h))
        top, left = (height - crop_h) // 2, (width - crop_w) // 2
        x = x[..., top:top + crop_h, left:left + crop_w]
    elif pad_to_aspect_ratio:
        pad_h = max(height, int(width * target_h / target_w))
        pad_w = max(width, int(height * target_w / target_h))
        top, left = (pad_h - height) // 2, (pad_w - width) // 2
        x = F.pad(x, (left, pad_w - width - left, top, pad_h - height - top), value=fill_value)
    mode = _RESIZE_MODES[interpolation]
    smooth = mode in ("bilinear", "bicubic")
    y = F.interpolate(_to_float(x), size=(target_h, target_w), mode=mode,
                      align_corners=False if smooth else None, antialias=antialias and smooth)
    return restore(_cast_back(y, dtype))


def _sample(x, coords, order, fill_mode, fill_value):
    """Values of ``x`` at positions ``coords`` (one tensor per leading axis of ``x``, all
    broadcastable to one shape S): a tensor of shape ``S + x.shape[len(coords):]``.

    Int coordinates are read exactly; float ones are rounded half to even (``order=0``,
    as Keras does) or linearly interpolated (``order=1``). Positions outside ``x`` read
    ``fill_value`` (``constant``) or fold back inside as ``fill_mode`` says, per
    neighbour, as ``scipy.ndimage`` does.
    """
    if fill_mode not in _FILL_MODES:
        raise ValueError(f"Unknown fill_mode {fill_mode!r}. Expected one of {sorted(_FILL_MODES)}.")
    if order not in (0, 1):
        raise ValueError(f"Only interpolation orders 0 and 1 are supported; received {order}.")
    spatial = x.shape[:len(coords)]
    trailing = x.shape[len(coords):]
    flat = x.reshape((-1,) + trailing)
    corners = []
    for c in coords:
        if not c.is_floating_point():
            corners.append([(c, None)])
        elif order == 0:
            corners.append([(torch.round(c).long(), None)])  # halves to even, as Keras
        else:
            low = torch.floor(c)
            frac = c - low
            corners.append([(low.long(), 1 - frac), (low.long() + 1, frac)])
    fold = _FILL_MODES[fill_mode]
    expand = (...,) + (None,) * len(trailing)
    out = 0
    for corner in itertools.product(*corners):
        index, valid, weight = 0, None, None
        for (i, w), n in zip(corner, spatial):
            if fold is None:
                inside = (i >= 0) & (i < n)
                valid = inside if valid is None else valid & inside
                i = i.clamp(0, n - 1)
            else:
                i = _fold_index(i, n, fold)
            index = index * n + i
            if w is not None:
                weight = w if weight is None else weight * w
        values = flat[index]
        if valid is not None:
            values = torch.where(valid[expand], values, fill_value)
        out = out + (values if weight is None else weight[expand] * values)
    return out


def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    """``inputs`` sampled at ``coordinates`` (shape ``(inputs.ndim, ...)``) with spline
    ``order`` 0 (nearest) or 1 (linear), like ``scipy.ndimage.map_coordinates``."""
    inputs = convert_to_tensor(inputs)
    coords = convert_to_tensor(coordinates)
    if coords.shape[0] != inputs.ndim:
        raise ValueError(f"coordinates must have a first axis of size inputs.ndim="
                         f"{inputs.ndim}; received shape {tuple(coords.shape)}.")
    x = _to_float(inputs)
    coords = coords.to(x.dtype) if coords.is_floating_point() else coords.long()
    out = _sample(x, list(coords.unbind(0)), order, fill_mode, fill_value)
    return _cast_back(out, inputs.dtype)


def _projective(images, transform, interpolation, fill_mode, fill_value, data_format):
    """Images whose output pixel (x, y) reads input ((a0 x + a1 y + a2) / k,
    (b0 x + b1 y + b2) / k), k = c0 x + c1 y + 1, for each row of ``transform``."""
    if interpolation not in _SAMPLE_ORDERS:
        raise ValueError(f"Unsupported interpolation {interpolation!r}. Expected 'nearest' or "
                         "'bilinear'.")
    x, restore = _nchw(images, data_format)
    dtype = x.dtype
    x = _to_float(x).permute(0, 2, 3, 1)  # (N, H, W, C)
    n, h, w = x.shape[:3]
    t = convert_to_tensor(transform).to(x.dtype)
    t = t.reshape(-1, 8).expand(n, 8)[:, :, None, None]  # (N, 8, 1, 1)
    ys = torch.arange(h, dtype=x.dtype, device=x.device)[:, None]
    xs = torch.arange(w, dtype=x.dtype, device=x.device)[None, :]
    k = t[:, 6] * xs + t[:, 7] * ys + 1
    src_x = (t[:, 0] * xs + t[:, 1] * ys + t[:, 2]) / k
    src_y = (t[:, 3] * xs + t[:, 4] * ys + t[:, 5]) / k
    batch = torch.arange(n, device=x.device)[:, None, None]
    out = _sample(x, [batch, src_y, src_x], _SAMPLE_ORDERS[interpolation], fill_mode,
                  fill_value)  # (N, H, W, C)
    return restore(_cast_back(out.permute(0, 3, 1, 2), dtype))


def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant",
                     fill_value=0, data_format=None):
    """Apply projective transforms ``[a0, a1, a2, b0, b1, b2, c0, c1]`` (one, or one per
    image), mapping each output pixel to the input point it reads."""
    return _projective(images, transform, interpolation, fill_mode, fill_value, data_format)


def perspective_transform(images, start_points, end_points, interpolation="bilinear",
                          fill_value=0, data_format=None):
    """Warp images so that the 4 ``start_points`` (x, y) land on the ``end_points``."""
    start = _to_float(start_points).reshape(-1, 4, 2)
    end = _to_float(end_points).to(start.dtype).reshape(-1, 4, 2)
    # Solve for the 8 coefficients mapping each end point (output) to its start point (input).
    ex, ey, sx, sy = end[..., 0], end[..., 1], start[..., 0], start[..., 1]
    zero, one = torch.zeros_like(ex), torch.ones_like(ex)
    rows_x = torch.stack([ex, ey, one, zero, zero, zero, -ex * sx, -ey * sx], -1)
    rows_y = torch.stack([zero, zero, zero, ex, ey, one, -ex * sy, -ey * sy], -1)
    a = torch.cat([rows_x, rows_y], 1).double()  # (N, 8, 8)
    b = torch.cat([sx, sy], 1).double()
    coeffs = torch.linalg.solve(a, b).to(start.dtype)
    return _projective(images, coeffs, interpolation, "constant", fill_value, data_format)


def _same_padding(size, kernel, stride, dilation):
    """(before, after) padding so that a strided window covers ``size`` like TF's 'same'."""
    span = (kernel - 1) * dilation + 1
    total = max((-(-size // stride) - 1) * stride + span - size, 0)
    return total // 2, total - total // 2


def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid",
                    data_format=None):
    """Patches of ``size`` as vectors in the channel axis, ordered (row, column, channel):
    ``(N, out_h, out_w, kh * kw * C)`` for channels_last."""
    kh, kw = (size, size) if isinstance(size, int) else size
    strides = (kh, kw) if strides is None else strides
    sh, sw = (strides, strides) if isinstance(strides, int) else strides
    dh, dw = (dilation_rate,) * 2 if isinstance(dilation_rate, int) else dilation_rate
    x, restore = _nchw(images, data_format)
    n, c, h, w = x.shape
    if padding.lower() == "same":
        top, bottom = _same_padding(h, kh, sh, dh)
        left, right = _same_padding(w, kw, sw, dw)
        x = F.pad(x, (left, right, top, bottom))
    elif padding.lower() != "valid":
        raise ValueError(f"padding must be 'valid' or 'same'; received {padding!r}.")
    out_h = (x.shape[2] - (kh - 1) * dh - 1) // sh + 1
    out_w = (x.shape[3] - (kw - 1) * dw - 1) // sw + 1
    cols = F.unfold(x, (kh, kw), dilation=(dh, dw), stride=(sh, sw))  # (N, C*kh*kw, L)
    cols = cols.reshape(n, c, kh * kw, -1).transpose(1, 2)  # (N, kh*kw, C, L)
    return restore(cols.reshape(n, kh * kw * c, out_h, out_w))


def _triple(value, name):
    value = (value,) * 3 if isinstance(value, int) else tuple(value)
    if len(value) != 3:
        raise ValueError(f"{name} must be an int or a tuple of 3 ints; received {value!r}.")
    return value


def extract_patches_3d(volumes, size, strides=None, dilation_rate=1, padding="valid",
                       data_format=None):
    """Patches of ``size = (d, h, w)`` as vectors in the channel axis, ordered
    (depth, row, column, channel): ``(N, out_d, out_h, out_w, d * h * w * C)`` for
    channels_last.

    Args:
        volumes: ``(N, D, H, W, C)`` or one volume ``(D, H, W, C)`` (or channels-first).
        size: The patch size, an int or 3 ints.
        strides: The step between patches (``size`` when None).
        dilation_rate: The step between the voxels of a patch.
        padding: ``"valid"`` or ``"same"`` (TensorFlow's: the odd voxel at the end).
        data_format: ``"channels_last"`` or ``"channels_first"``; None for the global one.

    Returns:
        The patches, batched as ``volumes`` is.
    """
    x = convert_to_tensor(volumes)
    if x.ndim not in (4, 5):
        raise ValueError(f"extract_patches_3d expects volumes of rank 4 (one volume) or 5 (a "
                         f"batch); received shape {tuple(x.shape)}.")
    batched = x.ndim == 5
    x = x if batched else x.unsqueeze(0)
    last = standardize_data_format(data_format) == "channels_last"
    x = x.movedim(-1, 1) if last else x  # (N, C, D, H, W)
    size = _triple(size, "size")
    strides = size if strides is None else _triple(strides, "strides")
    dilation = _triple(dilation_rate, "dilation_rate")
    if padding.lower() == "same":
        pads = [_same_padding(n, k, s, d) for n, k, s, d in zip(x.shape[2:], size, strides,
                                                                  dilation)]
        x = F.pad(x, [p for pair in reversed(pads) for p in pair])
    elif padding.lower() != "valid":
        raise ValueError(f"padding must be 'valid' or 'same'; received {padding!r}.")
    for axis, k, s, d in zip((2, 3, 4), size, strides, dilation):
        x = x.unfold(axis, (k - 1) * d + 1, s)[..., ::d]  # the window becomes a last axis
    n, c, od, oh, ow = x.shape[:5]
    x = x.permute(0, 2, 3, 4, 5, 6, 7, 1).reshape(n, od, oh, ow, -1)  # (N, D', H', W', k*C)
    x = x if last else x.permute(0, 4, 1, 2, 3)
    return x if batched else x[0]

def _margins(before, after, target, size, names, crop=False):
    """(before, after) margins of one image axis from the two margins or from the target size
    (``names``: the argument names for error messages)."""
    before = before or 0
    if after is not None and target is not None:
        raise ValueError(f"Set only one of {names[1]} and {names[2]}.")
    if target is not None:
        after = size - before - target if crop else target - before - size
        if after < 0:
            raise ValueError(f"{names[2]}={target} and {names[0]}={before} do not fit an image "
                             f"axis of size {size}.")
    return before, after or 0


def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None,
               right_padding=None, target_height=None, target_width=None, data_format=None):
    """Zero-pad images on each side, or up to ``target_height`` / ``target_width``."""
    x, restore = _nchw(images, data_format)
    h, w = x.shape[-2:]
    top, bottom = _margins(top_padding, bottom_padding, target_height, h,
                           ("top_padding", "bottom_padding", "target_height"))
    left, right = _margins(left_padding, right_padding, target_width, w,
                           ("left_padding", "right_padding", "target_width"))
    return restore(F.pad(x, (left, right, top, bottom)))


def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None,
                right_cropping=None, target_height=None, target_width=None, data_format=None):
    """Crop images on each side, or to ``target_height`` / ``target_width`` starting at the
    top and left croppings."""
    x, restore = _nchw(images, data_format)
    h, w = x.shape[-2:]
    top, bottom = _margins(top_cropping, bottom_cropping, target_height, h,
                           ("top_cropping", "bottom_cropping", "target_height"), crop=True)
    left, right = _margins(left_cropping, right_cropping, target_width, w,
                           ("left_cropping", "right_cropping", "target_width"), crop=True)
    if top + bottom >= h or left + right >= w:
        raise ValueError(f"The cropping leaves nothing of images of size {h}x{w}.")
    return restore(x[..., top:h - bottom, left:w - right])


def rgb_to_grayscale(images, data_format=None):
    """Luma of RGB images (ITU-R 601 weights), keeping a channel axis of size 1."""
    x, restore = _nchw(images, data_format)
    weights = torch.tensor([0.2989, 0.5870, 0.1140], device=x.device)
    y = _to_float(x)
    gray = torch.einsum("nchw,c->nhw", y, weights.to(y.dtype)).unsqueeze(1)
    return restore(_cast_back(gray, x.dtype))


def _float_images(images, data_format, op):
    x, restore = _nchw(images, data_format)
    if not x.is_floating_point():
        raise ValueError(f"{op} expects float images (values in [0, 1]); received dtype "
                         f"{x.dtype}. Cast them first.")
    return x, restore


def rgb_to_hsv(images, data_format=None):
    """RGB images (floats in [0, 1]) to HSV, hue in [0, 1)."""
    x, restore = _float_images(images, data_format, "rgb_to_hsv")
    r, g, b = x.unbind(1)
    value = torch.maximum(torch.maximum(r, g), b)
    spread = value - torch.minimum(torch.minimum(r, g), b)
    saturation = torch.where(value > 0, spread / torch.where(value > 0, value, 1), 0)
    safe = torch.where(spread > 0, spread, 1)
    hue = torch.where(r == value, (g - b) / safe,
                      torch.where(g == value, (b - r) / safe + 2, (r - g) / safe + 4)) / 6
    hue = torch.where(spread > 0, hue % 1.0, 0)
    return restore(torch.stack([hue, saturation, value], 1))


def hsv_to_rgb(images, data_format=None):
    """HSV images (floats, hue in [0, 1)) to RGB."""
    x, restore = _float_images(images, data_format, "hsv_to_rgb")
    h, s, v = x.unbind(1)
    h6 = (h % 1.0) * 6
    # Each channel's share of the hue, a piecewise-linear function of the hue sector.
    r = ((h6 - 3).abs() - 1).clamp(0, 1)
    g = (2 - (h6 - 2).abs()).clamp(0, 1)
    b = (2 - (h6 - 4).abs()).clamp(0, 1)
    rgb = torch.stack([r, g, b], 1)
    return restore(((1 - s).unsqueeze(1) + s.unsqueeze(1) * rgb) * v.unsqueeze(1))


def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    """Blur each channel with a Gaussian kernel (zero padding, same size)."""
    x, restore = _nchw(images, data_format)
    dtype = x.dtype
    y = _to_float(x)
    kh, kw = (kernel_size,) * 2 if isinstance(kernel_size, int) else kernel_size
    sy, sx = (sigma,) * 2 if isinstance(sigma, (int, float)) else sigma

    def kernel1d(k, s):
        t = torch.arange(k, dtype=y.dtype, device=y.device) - (k - 1) / 2
        g = torch.exp(-t * t / (2 * float(s) ** 2))
        return g / g.sum()
    c = y.shape[1]
    kernel = torch.outer(kernel1d(kh, sy), kernel1d(kw, sx)).expand(c, 1, kh, kw)
    out = F.conv2d(F.pad(y, ((kw - 1) // 2, kw // 2, (kh - 1) // 2, kh // 2)), kernel,
                   groups=c)
    return restore(_cast_back(out, dtype))
