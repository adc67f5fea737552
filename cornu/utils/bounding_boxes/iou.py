"""Intersection-over-union of bounding boxes: the pairwise IoU table and the complete IoU (CIoU)."""
import math

from cornu import ops
from cornu.utils.bounding_boxes.converters import convert_format


def _epsilon():
    from cornu.backend import epsilon
    return epsilon()


def _area_yxyx(boxes):
    y1, x1, y2, x2 = ops.split(boxes[..., :4], 4, axis=-1)
    return ops.squeeze((y2 - y1) * (x2 - x1), axis=-1)


def _swap_last_two(rank):
    return (1, 0) if rank == 2 else (0, 2, 1)


def _intersection_yxyx(boxes1, boxes2):
    """Pairwise intersection areas: (N, 4) x (M, 4) -> (N, M), batched alike."""
    y_min1, x_min1, y_max1, x_max1 = ops.split(boxes1[..., :4], 4, axis=-1)
    y_min2, x_min2, y_max2, x_max2 = ops.split(boxes2[..., :4], 4, axis=-1)
    perm = _swap_last_two(len(ops.shape(boxes2)))
    h = ops.minimum(y_max1, ops.transpose(y_max2, perm)) - ops.maximum(y_min1, ops.transpose(y_min2, perm))
    w = ops.minimum(x_max1, ops.transpose(x_max2, perm)) - ops.maximum(x_min1, ops.transpose(x_min2, perm))
    return ops.maximum(h, 0.0) * ops.maximum(w, 0.0)


def compute_iou(boxes1, boxes2, bounding_box_format, use_masking=False, mask_val=-1, image_shape=None):
    """Computes the table of pairwise IoUs of two sets of boxes.

    ``boxes1`` of shape ``(M, 4)`` or ``(batch, M, 4)`` and ``boxes2`` of shape
    ``(N, 4)`` or ``(batch, N, 4)`` give a table of shape ``(M, N)``, or
    ``(batch, M, N)`` when either is batched.

    Args:
        boxes1: First set of boxes.
        boxes2: Second set of boxes.
        bounding_box_format: Format of both sets (any of `convert_format`'s).
        use_masking: Whether to give ``mask_val`` to the pairs where a box has
            all of its coordinates below 0 (padding boxes). Defaults to ``False``.
        mask_val: Value of masked pairs. Defaults to -1.
        image_shape: ``(height, width, channels)``, required for relative formats.

    Returns:
        The IoU table.
    """
    ranks = len(ops.shape(boxes1)), len(ops.shape(boxes2))
    for i, rank in enumerate(ranks, start=1):
        if rank not in (2, 3):
            raise ValueError(f"compute_iou() expects boxes{i} of rank 2 (N, 4) or 3 (batch, N, 4). "
                             f"Received len(boxes1.shape)={ranks[0]}, len(boxes2.shape)={ranks[1]}.")
    if "rel" in bounding_box_format and image_shape is None:
        raise ValueError("Relative bounding box formats (e.g. `rel_yxyx`) need the `image_shape` argument. "
                         f"Received image_shape={image_shape}.")
    height, width = (None, None) if image_shape is None else tuple(image_shape)[:2]
    boxes1 = convert_format(boxes1, bounding_box_format, "yxyx", height, width)
    boxes2 = convert_format(boxes2, bounding_box_format, "yxyx", height, width)
    intersection = _intersection_yxyx(boxes1, boxes2)
    area1 = ops.expand_dims(_area_yxyx(boxes1), axis=-1)
    area2 = _area_yxyx(boxes2)
    area2 = ops.expand_dims(area2, axis=1 if len(ops.shape(area2)) == 2 else 0)
    iou = ops.divide(intersection, area1 + area2 - intersection + _epsilon())
    if not use_masking:
        return iou
    mask1 = ops.less(ops.max(boxes1, axis=-1, keepdims=True), 0.0)
    mask2 = ops.less(ops.max(boxes2, axis=-1, keepdims=True), 0.0)
    # As in Keras, the transpose follows boxes1's rank.
    background = ops.logical_or(mask1, ops.transpose(mask2, _swap_last_two(ranks[0])))
    return ops.where(background, ops.cast(mask_val, iou.dtype) * ops.ones_like(iou), iou)


def compute_ciou(boxes1, boxes2, bounding_box_format, image_shape=None):
    """Computes the complete IoU (CIoU) of matching boxes.

    CIoU is the IoU less a penalty for the distance between the centres (over the
    squared diagonal of the enclosing box) and for the difference in aspect ratio.
    Unlike `compute_iou`, boxes are compared element-wise, not pairwise.

    Args:
        boxes1: Boxes of shape ``(..., 4)``.
        boxes2: Boxes of the same shape.
        bounding_box_format: An absolute format (as in Keras, relative formats raise).
        image_shape: Unused for absolute formats.

    Returns:
        The CIoU, of shape ``boxes1.shape[:-1]``.
    """
    if "rel" in bounding_box_format:
        raise ValueError("compute_ciou() does not support relative bounding box formats "
                         f"(received {bounding_box_format!r}): convert the boxes to an absolute format first.")
    height, width = (None, None) if image_shape is None else tuple(image_shape)[:2]
    eps = _epsilon()
    boxes1 = convert_format(boxes1, bounding_box_format, "xyxy", height, width)
    boxes2 = convert_format(boxes2, bounding_box_format, "xyxy", height, width)
    x_min1, y_min1, x_max1, y_max1 = ops.split(boxes1[..., :4], 4, axis=-1)
    x_min2, y_min2, x_max2, y_max2 = ops.split(boxes2[..., :4], 4, axis=-1)
    w1, h1 = x_max1 - x_min1, y_max1 - y_min1 + eps
    w2, h2 = x_max2 - x_min2, y_max2 - y_min2 + eps
    intersection = (ops.maximum(ops.minimum(x_max1, x_max2) - ops.maximum(x_min1, x_min2), 0)
                    * ops.maximum(ops.minimum(y_max1, y_max2) - ops.maximum(y_min1, y_min2), 0))
    union = w1 * h1 + w2 * h2 - intersection + eps
    iou = ops.squeeze(ops.divide(intersection, union + eps), axis=-1)
    convex_w = ops.maximum(x_max1, x_max2) - ops.minimum(x_min1, x_min2)
    convex_h = ops.maximum(y_max1, y_max2) - ops.minimum(y_min1, y_min2)
    diagonal2 = ops.squeeze(convex_w ** 2 + convex_h ** 2 + eps, axis=-1)
    centres2 = ops.squeeze(((x_min1 + x_max1) / 2 - (x_min2 + x_max2) / 2) ** 2
                           + ((y_min1 + y_max1) / 2 - (y_min2 + y_max2) / 2) ** 2, axis=-1)
    v = ops.squeeze((4 / math.pi ** 2) * ops.power(ops.arctan(w2 / h2) - ops.arctan(w1 / h1), 2), axis=-1)
    alpha = v / (v - iou + (1 + eps))
    return iou - (centres2 / diagonal2 + v * alpha)
