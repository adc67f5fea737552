"""Bounding-box format conversion, clipping, cropping, padding and affine transforms.

Every conversion goes through ``xyxy`` (``[left, top, right, bottom]`` in pixels):
a format is described by how it reads from and writes to that one layout, so a
new format is two small functions rather than a row of pairwise converters.
"""
import math

from cornu import ops

SUPPORTED_FORMATS = ("xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw",
                     "rel_xyxy", "rel_yxyx", "rel_xywh", "rel_center_xywh")


def _parts(boxes):
    return ops.split(boxes, 4, axis=-1)


def _join(*parts):
    return ops.concatenate(list(parts), axis=-1)


# Absolute formats: (to_xyxy, from_xyxy) on the four last-axis columns.
def _corners_to_xyxy(a, b, c, d):
    return a, b, c, d


def _yxyx_to_xyxy(y1, x1, y2, x2):
    return x1, y1, x2, y2


def _xyxy_to_yxyx(x1, y1, x2, y2):
    return y1, x1, y2, x2


def _xywh_to_xyxy(x1, y1, w, h):
    return x1, y1, x1 + w, y1 + h


def _xyxy_to_xywh(x1, y1, x2, y2):
    return x1, y1, x2 - x1, y2 - y1


def _center_xywh_to_xyxy(cx, cy, w, h):
    return cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0


def _xyxy_to_center_xywh(x1, y1, x2, y2):
    return x1 + (x2 - x1) / 2.0, y1 + (y2 - y1) / 2.0, x2 - x1, y2 - y1


def _center_yxhw_to_xyxy(cy, cx, h, w):
    return _center_xywh_to_xyxy(cx, cy, w, h)


def _xyxy_to_center_yxhw(x1, y1, x2, y2):
    cx, cy, w, h = _xyxy_to_center_xywh(x1, y1, x2, y2)
    return cy, cx, h, w


_ABSOLUTE = {
    "xyxy": (_corners_to_xyxy, _corners_to_xyxy),
    "yxyx": (_yxyx_to_xyxy, _xyxy_to_yxyx),
    "xywh": (_xywh_to_xyxy, _xyxy_to_xywh),
    "center_xywh": (_center_xywh_to_xyxy, _xyxy_to_center_xywh),
    "center_yxhw": (_center_yxhw_to_xyxy, _xyxy_to_center_yxhw),
}


def _to_xyxy(boxes, source, height, width):
    relative = source.startswith("rel_")
    x1, y1, x2, y2 = _ABSOLUTE[source[4:] if relative else source][0](*_parts(boxes))
    if relative:
        x1, y1, x2, y2 = x1 * width, y1 * height, x2 * width, y2 * height
    return x1, y1, x2, y2


def _from_xyxy(x1, y1, x2, y2, target, height, width):
    relative = target.startswith("rel_")
    if relative:
        x1, y1, x2, y2 = x1 / width, y1 / height, x2 / width, y2 / height
    return _join(*_ABSOLUTE[target[4:] if relative else target][1](x1, y1, x2, y2))


def convert_format(boxes, source, target, height=None, width=None, dtype="float32"):
    """Converts bounding boxes between formats.

    Supported formats (case-insensitive): ``"xyxy"`` (left, top, right, bottom),
    ``"yxyx"``, ``"xywh"`` (left, top, width, height), ``"center_xywh"``,
    ``"center_yxhw"``, and the relative ``"rel_xyxy"``, ``"rel_yxyx"``,
    ``"rel_xywh"``, ``"rel_center_xywh"`` whose coordinates are fractions of the
    image ``height`` and ``width``.

    Args:
        boxes: Boxes of shape ``(..., 4)``, or a dict whose ``"boxes"`` entry is
            converted (the dict is updated in place and returned, as in Keras).
        source: Format of ``boxes``.
        target: Format to convert to.
        height: Image height; required when either format is relative.
        width: Image width; required when either format is relative.
        dtype: Data type of the result. Defaults to ``"float32"``.

    Returns:
        The converted boxes, a tensor of ``dtype`` with the shape of ``boxes``.

    Example:

    >>> convert_format(np.array([[10, 20, 30, 40]]), "xyxy", "xywh")
    tensor([[10., 20., 20., 20.]])
    """
    if isinstance(boxes, dict):
        boxes["boxes"] = convert_format(boxes["boxes"], source, target, height, width, dtype)
        return boxes
    shape = ops.shape(boxes)
    if shape[-1] != 4:
        raise ValueError("`boxes` must have a last dimension of 4 (one box per row). "
                         f"Received: boxes.shape={tuple(shape)}")
    source, target = source.lower(), target.lower()
    for role, name in (("source", source), ("target", target)):
        if name not in SUPPORTED_FORMATS:
            raise ValueError(f"Invalid {role} format {name!r}: expected one of {SUPPORTED_FORMATS}.")
    if (source.startswith("rel_") or target.startswith("rel_")) and (height is None or width is None):
        raise ValueError("convert_format() needs `height` and `width` to convert between relative and "
                         f"absolute formats. Received source={source!r}, target={target!r}, "
                         f"height={height}, width={width}.")
    boxes = ops.cast(boxes, dtype)
    if source == target:
        return boxes
    if source.startswith("rel_") and target.startswith("rel_"):
        source, target = source[4:], target[4:]
    height = None if height is None else ops.cast(height, dtype)
    width = None if width is None else ops.cast(width, dtype)
    return _from_xyxy(*_to_xyxy(boxes, source, height, width), target, height, width)


def _area_xyxy(boxes):
    x1, y1, x2, y2 = _parts(boxes)
    return (x2 - x1) * (y2 - y1)


def clip_to_image_size(bounding_boxes, height=None, width=None, bounding_box_format="xyxy"):
    """Clips bounding boxes to lie within the image.

    Boxes whose area becomes zero get the label ``-1``.

    Args:
        bounding_boxes: A dict with ``"boxes"`` of shape ``(N, 4)`` or
            ``(batch, N, 4)`` and optionally ``"labels"`` of shape ``(N,)`` or
            ``(batch, N)``.
        height: Image height (required for ``"xyxy"``).
        width: Image width (required for ``"xyxy"``).
        bounding_box_format: ``"xyxy"`` or ``"rel_xyxy"``. Defaults to ``"xyxy"``.

    Returns:
        A new dict with the clipped ``"boxes"`` (and updated ``"labels"``).
    """
    if bounding_box_format not in ("xyxy", "rel_xyxy"):
        raise NotImplementedError(
            f"clip_to_image_size() supports 'xyxy' and 'rel_xyxy', received {bounding_box_format!r}: "
            "convert the boxes with convert_format() first.")
    if bounding_box_format == "xyxy" and (height is None or width is None):
        raise ValueError("`height` and `width` must be set if `bounding_box_format='xyxy'`. "
                         f"Received height={height}, width={width}.")
    boxes = ops.convert_to_tensor(bounding_boxes["boxes"])
    labels = bounding_boxes.get("labels", None)
    if bounding_box_format == "xyxy":
        hi_x, hi_y = ops.cast(width, boxes.dtype), ops.cast(height, boxes.dtype)
    else:
        hi_x = hi_y = 1.0
    x1, y1, x2, y2 = _parts(boxes)
    boxes = _join(ops.clip(x1, 0, hi_x), ops.clip(y1, 0, hi_y), ops.clip(x2, 0, hi_x), ops.clip(y2, 0, hi_y))
    result = dict(bounding_boxes)
    result["boxes"] = boxes
    if labels is not None:
        areas = ops.squeeze(_area_xyxy(boxes), axis=-1)
        result["labels"] = ops.where(areas > 0, labels, -1)
    return result


def crop(boxes, top, left, height, width, bounding_box_format="xyxy"):
    """Crops bounding boxes to a region of the image.

    Boxes are shifted by ``(left, top)`` and clipped to ``[0, width] x [0, height]``.

    Args:
        boxes: Boxes of shape ``(N, 4)`` or ``(batch, N, 4)`` in ``"xyxy"``.
        top: Vertical offset of the crop's top-left corner.
        left: Horizontal offset of the crop's top-left corner.
        height: Height of the crop.
        width: Width of the crop.
        bounding_box_format: Only ``"xyxy"`` is supported, as in Keras.

    Returns:
        The cropped boxes.
    """
    _require_xyxy("crop", bounding_box_format)
    x1, y1, x2, y2 = _parts(ops.convert_to_tensor(boxes))
    return _join(ops.clip(x1 - left, 0, width), ops.clip(y1 - top, 0, height),
                 ops.clip(x2 - left, 0, width), ops.clip(y2 - top, 0, height))


def pad(boxes, top, left, height=None, width=None, bounding_box_format="xyxy"):
    """Shifts bounding boxes by the padding added at the top and left of an image.

    Args:
        boxes: Boxes of shape ``(N, 4)`` or ``(batch, N, 4)`` in ``"xyxy"``.
        top: Padding added above the image.
        left: Padding added left of the image.
        height: Unused (kept for Keras's signature).
        width: Unused (kept for Keras's signature).
        bounding_box_format: Only ``"xyxy"`` is supported, as in Keras.

    Returns:
        The shifted boxes.
    """
    _require_xyxy("pad", bounding_box_format)
    x1, y1, x2, y2 = _parts(ops.convert_to_tensor(boxes))
    return _join(x1 + left, y1 + top, x2 + left, y2 + top)


def _require_xyxy(fn, bounding_box_format):
    if bounding_box_format != "xyxy":
        raise NotImplementedError(f"{fn}() supports bounding_box_format='xyxy' only, received "
                                  f"{bounding_box_format!r}: convert the boxes with convert_format() first.")


def _inverse_affine_matrix(center_x, center_y, angle, translate_x, translate_y, scale,
                           shear_x, shear_y, height, width):
    """The (batch, 3, 3) matrix mapping output pixels back to input pixels (as torchvision)."""
    deg = math.pi / 180.0
    rot, sx, sy = -angle * deg, -shear_x * deg, -shear_y * deg
    cx, cy = center_x * (width - 1), center_y * (height - 1)
    tx, ty = -translate_x * (width - 1), -translate_y * (height - 1)
    cos_sy, tan_sx = ops.cos(sy), ops.tan(sx)
    a = ops.cos(rot - sy) / cos_sy
    b = a * tan_sx + ops.sin(rot)
    c = -ops.sin(rot - sy) / cos_sy
    d = ops.cos(rot) - c * tan_sx
    # Inverse of [[a, b], [c, d]] (its determinant is 1) scaled by `scale`.
    a0, a1, b0, b1 = d * scale, -b * scale, -c * scale, a * scale
    a2 = cx - a0 * (cx + tx) - a1 * (cy + ty)
    b2 = cy - b0 * (cx + tx) - b1 * (cy + ty)
    zeros, ones = ops.zeros_like(a0), ops.ones_like(a0)
    matrix = ops.stack([a0, a1, a2, b0, b1, b2, zeros, zeros, ones], axis=-1)
    return ops.reshape(matrix, (-1, 3, 3))


def affine_transform(boxes, angle, translate_x, translate_y, scale, shear_x, shear_y, height, width,
                     center_x=None, center_y=None, bounding_box_format="xyxy"):
    """Applies an affine transformation to bounding boxes.

    Each box's four corners are mapped through the inverse affine matrix that
    `RandomAffine`-style image layers use, and the result is the axis-aligned box
    around them.

    Args:
        boxes: Boxes of shape ``(batch, N, 4)`` in ``"xyxy"``.
        angle: Rotation angles in degrees, shape ``(batch,)``.
        translate_x: Horizontal translations as fractions of the width, ``(batch,)``.
        translate_y: Vertical translations as fractions of the height, ``(batch,)``.
        scale: Scale factors, ``(batch,)``.
        shear_x: Shear angles along x in degrees, ``(batch,)``.
        shear_y: Shear angles along y in degrees, ``(batch,)``.
        height: Image height.
        width: Image width.
        center_x: Transformation centre as a fraction of the width. Defaults to 0.5.
        center_y: Transformation centre as a fraction of the height. Defaults to 0.5.
        bounding_box_format: Only ``"xyxy"`` is supported, as in Keras.

    Returns:
        The transformed boxes, shape ``(batch, N, 4)``.
    """
    _require_xyxy("affine_transform", bounding_box_format)
    angle = ops.convert_to_tensor(angle)
    dtype = angle.dtype
    args = [ops.cast(v, dtype) for v in (translate_x, translate_y, scale, shear_x, shear_y)]
    matrix = _inverse_affine_matrix(0.5 if center_x is None else center_x,
                                    0.5 if center_y is None else center_y,
                                    angle, *args, height, width)
    boxes = ops.cast(boxes, dtype)
    batch, n = ops.shape(boxes)[0], ops.shape(boxes)[1]
    x1, y1, x2, y2 = boxes[..., 0], boxes[..., 1], boxes[..., 2], boxes[..., 3]
    corners = ops.reshape(ops.stack([x1, y1, x2, y1, x2, y2, x1, y2], axis=-1), (batch, n, 4, 2))
    corners = ops.concatenate([corners, ops.ones((batch, n, 4, 1), dtype=dtype)], axis=-1)
    # (B, N, 4 corners, 3) @ (B, 3, 2) -> (B, N, 4, 2)
    moved = ops.einsum("bnky,byz->bnkz", corners, ops.transpose(matrix[:, :2, :], (0, 2, 1)))
    return ops.concatenate([ops.amin(moved, axis=2), ops.amax(moved, axis=2)], axis=-1)


def _check_variance(variance):
    if variance is None:
        return None
    variance = ops.convert_to_tensor(variance, "float32")
    if ops.shape(variance)[-1] != 4:
        raise ValueError(f"`variance` must have length 4 (one factor per box coordinate), got {variance}")
    return variance


def _check_center_format(arg, value):
    if value not in ("center_xywh", "center_yxhw"):
        raise ValueError(f"`{arg}` should be 'center_xywh' or 'center_yxhw', but got {value!r}.")


def _hw(image_shape):
    return (None, None) if image_shape is None else tuple(image_shape)[:2]


def encode_box_to_deltas(anchors, boxes, anchor_format, box_format, encoding_format="center_yxhw",
                         variance=None, image_shape=None):
    """Encodes bounding boxes as deltas relative to anchors.

    Both are converted to ``encoding_format``; the deltas are the centre offset
    divided by the anchor size, and the log of the size ratio.

    Args:
        anchors: Anchor boxes, shape ``(N, 4)``.
        boxes: Boxes to encode, shape ``(N, 4)`` or ``(batch, N, 4)``.
        anchor_format: Format of ``anchors``.
        box_format: Format of ``boxes``.
        encoding_format: ``"center_yxhw"`` (default) or ``"center_xywh"``.
        variance: Optional 4 factors the deltas are divided by.
        image_shape: ``(height, width, channels)``, needed for relative formats.

    Returns:
        The deltas, with the shape of ``boxes``.
    """
    variance = _check_variance(variance)
    _check_center_format("encoding_format", encoding_format)
    height, width = _hw(image_shape)
    anchors = convert_format(anchors, anchor_format, encoding_format, height, width)
    boxes = convert_format(boxes, box_format, encoding_format, height, width)
    from cornu.backend import epsilon
    anchor_size = ops.maximum(anchors[..., 2:], epsilon())
    box_size = ops.maximum(boxes[..., 2:], epsilon())
    deltas = ops.concatenate([(boxes[..., :2] - anchors[..., :2]) / anchor_size,
                              ops.log(box_size / anchor_size)], axis=-1)
    return deltas if variance is None else deltas / variance


def decode_deltas_to_boxes(anchors, boxes_delta, anchor_format, box_format, encoded_format="center_yxhw",
                           variance=None, image_shape=None):
    """Decodes deltas relative to anchors back into boxes (the inverse of `encode_box_to_deltas`).

    Args:
        anchors: Anchor boxes, shape ``(N, 4)``, or a dict of them per level.
        boxes_delta: Deltas, shape ``(N, 4)`` or ``(batch, N, 4)``, or a dict
            with the keys of ``anchors``.
        anchor_format: Format of ``anchors``.
        box_format: Format of the returned boxes.
        encoded_format: ``"center_yxhw"`` (default) or ``"center_xywh"``.
        variance: Optional 4 factors the deltas are multiplied by.
        image_shape: ``(height, width, channels)``, needed for relative formats.

    Returns:
        The boxes in ``box_format`` (a dict per level when given dicts).
    """
    variance = _check_variance(variance)
    _check_center_format("encoded_format", encoded_format)
    height, width = _hw(image_shape)

    def decode(anchor, delta):
        anchor = convert_format(anchor, anchor_format, encoded_format, height, width)
        delta = ops.convert_to_tensor(delta)
        if variance is not None:
            delta = delta * variance
        box = ops.concatenate([delta[..., :2] * anchor[..., 2:] + anchor[..., :2],
                               ops.exp(delta[..., 2:]) * anchor[..., 2:]], axis=-1)
        return convert_format(box, encoded_format, box_format, height, width)

    if isinstance(anchors, dict) and isinstance(boxes_delta, dict):
        return {level: decode(anchor, boxes_delta[level]) for level, anchor in anchors.items()}
    return decode(anchors, boxes_delta)
