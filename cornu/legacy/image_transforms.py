"""Keras 2's image augmentation transforms on numpy images (no scipy needed).

``apply_affine_transform`` follows Keras 2 (which called
``scipy.ndimage.affine_transform``): the matrix maps each output pixel's
(row, column) to the input position it is read from, about the image centre.
"""
import numpy as np


def transform_matrix_offset_center(matrix, x, y):
    """``matrix`` applied about the centre of an x-by-y image instead of its corner."""
    o_x, o_y = float(x) / 2 + 0.5, float(y) / 2 + 0.5
    offset = np.array([[1, 0, o_x], [0, 1, o_y], [0, 0, 1]])
    reset = np.array([[1, 0, -o_x], [0, 1, -o_y], [0, 0, 1]])
    return offset @ matrix @ reset


def _fill_index(index, size, fill_mode):
    """Integer source indices mapped into [0, size) by the fill mode."""
    if fill_mode == "nearest":
        return np.clip(index, 0, size - 1)
    if fill_mode == "reflect":  # d c b a | a b c d | d c b a
        index = np.mod(index, 2 * size)
        return np.where(index >= size, 2 * size - 1 - index, index)
    raise ValueError(f'fill_mode must be "constant", "nearest", "reflect" or "wrap"; '
                     f"received {fill_mode!r}.")


def _wrap(position, size):
    period = max(size - 1, 1)
    return np.where((position < 0) | (position > size - 1), np.mod(position, period), position)


def _sample(x, rows, cols, order, fill_mode, cval):
    """``x`` (h, w, c) read at float positions ``rows``/``cols`` (h', w'), nearest or
    bilinear."""
    h, w = x.shape[:2]
    # scipy's "constant": positions outside [0, size - 1] read cval, no blending at the edge
    outside = (rows < 0) | (rows > h - 1) | (cols < 0) | (cols > w - 1)
    edge_mode = "nearest" if fill_mode in ("constant", "wrap") else fill_mode
    if fill_mode == "wrap":  # scipy's "wrap": positions outside repeat with period size - 1
        rows, cols = _wrap(rows, h), _wrap(cols, w)
    if order == 0:
        r = _fill_index(np.floor(rows + 0.5).astype(np.int64), h, edge_mode)
        c = _fill_index(np.floor(cols + 0.5).astype(np.int64), w, edge_mode)
        out = x[r, c]
    else:
        r0, c0 = np.floor(rows).astype(np.int64), np.floor(cols).astype(np.int64)
        fr, fc = (rows - r0)[..., None], (cols - c0)[..., None]
        out = 0.0
        for dr, wr in ((0, 1 - fr), (1, fr)):
            for dc, wc in ((0, 1 - fc), (1, fc)):
                r = _fill_index(r0 + dr, h, edge_mode)
                c = _fill_index(c0 + dc, w, edge_mode)
                out = out + wr * wc * x[r, c]
    if fill_mode == "constant":
        out = np.where(outside[..., None], cval, out)
    return out


def apply_affine_transform(x, theta=0, tx=0, ty=0, shear=0, zx=1, zy=1, row_axis=1,
                           col_axis=2, channel_axis=0, fill_mode="nearest", cval=0.0, order=1):
    """Rotate by ``theta`` degrees, shift by (tx, ty) pixels along (rows, columns), shear
    by ``shear`` degrees and zoom by (zx, zy), as Keras 2 does.

    Args:
        x: a 3-D image; ``row_axis``, ``col_axis`` and ``channel_axis`` name its axes.
        fill_mode: how points outside the input are filled: "constant" (with ``cval``),
            "nearest", "reflect" or "wrap".
        order: 0 for nearest-neighbour, 1 for bilinear interpolation.
    """
    matrix = np.eye(3)
    if theta:
        t = np.deg2rad(theta)
        matrix = matrix @ np.array([[np.cos(t), -np.sin(t), 0], [np.sin(t), np.cos(t), 0],
                                    [0, 0, 1]])
    if tx or ty:
        matrix = matrix @ np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]])
    if shear:
        s = np.deg2rad(shear)
        matrix = matrix @ np.array([[1, -np.sin(s), 0], [0, np.cos(s), 0], [0, 0, 1]])
    if zx != 1 or zy != 1:
        matrix = matrix @ np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]])
    if np.array_equal(matrix, np.eye(3)):
        return x
    h, w = x.shape[row_axis], x.shape[col_axis]
    matrix = transform_matrix_offset_center(matrix, h, w)
    image = np.moveaxis(x, (row_axis, col_axis, channel_axis), (0, 1, 2))  # (h, w, c)
    rows, cols = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    src_rows = matrix[0, 0] * rows + matrix[0, 1] * cols + matrix[0, 2]
    src_cols = matrix[1, 0] * rows + matrix[1, 1] * cols + matrix[1, 2]
    out = _sample(image, src_rows, src_cols, order, fill_mode, cval).astype(x.dtype)
    return np.moveaxis(out, (0, 1, 2), (row_axis, col_axis, channel_axis))


def apply_channel_shift(x, intensity, channel_axis=0):
    """Add ``intensity`` to every channel, clipped to the image's own range."""
    low, high = np.min(x), np.max(x)
    return np.clip(x + intensity, low, high).astype(x.dtype)


def apply_brightness_shift(x, brightness, scale=True):
    """Scale the brightness by ``brightness`` (1 keeps it), through PIL's ImageEnhance."""
    from PIL import ImageEnhance

    from cornu.utils.image_utils import array_to_img, img_to_array
    x_min, x_max = np.min(x), np.max(x)
    local_scale = (x_min < 0) or (x_max > 255)
    img = array_to_img(x, scale=local_scale or scale)
    img = ImageEnhance.Brightness(img).enhance(brightness)
    x = img_to_array(img)
    if not scale and local_scale:
        x = x / 255 * (x_max - x_min) + x_min
    return x


def flip_axis(x, axis):
    return np.flip(x, axis).copy()


def random_rotation(x, rg, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                    cval=0.0, interpolation_order=1):
    """Rotate by a random angle in [-rg, rg] degrees."""
    return apply_affine_transform(x, theta=np.random.uniform(-rg, rg), row_axis=row_axis,
                                  col_axis=col_axis, channel_axis=channel_axis,
                                  fill_mode=fill_mode, cval=cval, order=interpolation_order)


def random_shift(x, wrg, hrg, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                 cval=0.0, interpolation_order=1):
    """Shift by random fractions of the width (``wrg``) and height (``hrg``)."""
    h, w = x.shape[row_axis], x.shape[col_axis]
    tx = np.random.uniform(-hrg, hrg) * h
    ty = np.random.uniform(-wrg, wrg) * w
    return apply_affine_transform(x, tx=tx, ty=ty, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval,
                                  order=interpolation_order)


def random_zoom(x, zoom_range, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                cval=0.0, interpolation_order=1):
    """Zoom by random factors drawn from ``zoom_range`` = (low, high)."""
    if len(zoom_range) != 2:
        raise ValueError(f"`zoom_range` should be a tuple or list of two floats; received "
                         f"{zoom_range}.")
    zx, zy = (1, 1) if zoom_range[0] == 1 and zoom_range[1] == 1 else np.random.uniform(
        zoom_range[0], zoom_range[1], 2)
    return apply_affine_transform(x, zx=zx, zy=zy, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval,
                                  order=interpolation_order)
