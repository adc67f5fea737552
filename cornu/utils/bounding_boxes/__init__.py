"""keras.utils.bounding_boxes: convert, clip, crop, pad, transform and compare bounding boxes."""
from cornu.utils.bounding_boxes.converters import (  # noqa: F401
    affine_transform, clip_to_image_size, convert_format, crop, decode_deltas_to_boxes,
    encode_box_to_deltas, pad)
from cornu.utils.bounding_boxes.iou import compute_ciou, compute_iou  # noqa: F401
