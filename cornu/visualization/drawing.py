"""Draw bounding boxes and segmentation masks onto batches of images, as numpy arrays.

Keras draws boxes with OpenCV; cornu draws them with numpy (and writes class labels
with Pillow), so no OpenCV is needed. Edges are bands of ``line_thickness`` pixels
centred on the box coordinates; text placement and glyphs differ from OpenCV's.
"""
import numpy as np

from cornu import ops


def _data_format(data_format):
    from cornu.backend import image_data_format
    data_format = data_format or image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"`data_format` must be 'channels_last' or 'channels_first'; received {data_format!r}.")
    return data_format


def _batched_images(images, fn):
    images = ops.convert_to_numpy(images)
    if images.ndim != 4:
        raise ValueError(f"{fn}() expects `images` as a batched 4D tensor (batch, height, width, channels). "
                         f"Received: images.shape={images.shape}. Add a batch axis with images[None].")
    return images


def _to_uint8(images):
    if images.dtype.kind == "f" and images.size > 0:
        images = np.clip(images, 0, 1) * 255 if images.max() <= 1.0 else np.clip(images, 0, 255)
    return images.astype("uint8")


def _color_for(color, channels):
    color = [int(c) for c in color][:channels]
    return np.array(color + [255] * (channels - len(color)), dtype="uint8")


def _band(coordinate, thickness, limit):
    """The pixel range [start, stop) of a line ``thickness`` wide centred on ``coordinate``."""
    start = coordinate - thickness // 2
    return min(max(start, 0), limit), min(max(start + thickness, 0), limit)


def _draw_rectangle(image, x1, y1, x2, y2, color, thickness):
    """Draws the outline of the box (x1, y1)-(x2, y2) on an (H, W, C) uint8 image, in place."""
    height, width = image.shape[:2]
    left, right = _band(min(x1, x2), thickness, width)[0], _band(max(x1, x2), thickness, width)[1]
    top, bottom = _band(min(y1, y2), thickness, height)[0], _band(max(y1, y2), thickness, height)[1]
    for x in (x1, x2):  # vertical edges, corners included
        a, b = _band(x, thickness, width)
        image[top:bottom, a:b] = color
    for y in (y1, y2):  # horizontal edges
        a, b = _band(y, thickness, height)
        image[a:b, left:right] = color


def _text_location(x, y, font_scale, thickness):
    # Above the box when there is room, else just inside its top-left corner (as Keras).
    font_height = int(font_scale * 12)
    if y - 8 - 2 * font_height > 0:
        return x, y - 8
    return x + 3, y + 2 * font_height + thickness + 3


def _draw_text(image, text, origin, color, font_scale, thickness):
    """Writes ``text`` with its baseline starting at ``origin`` on an (H, W, C) uint8 image."""
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError as e:
        raise ImportError("Drawing class labels needs Pillow: `pip install pillow` "
                          "(or pass class_mapping=None to draw boxes only).") from e
    size = max(int(round(22 * font_scale)), 6)
    try:
        font = ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has one bitmap size
        font = ImageFont.load_default()
    channels = image.shape[-1]
    canvas = Image.fromarray(image[..., 0] if channels == 1 else image[..., :3])
    fill = int(color[0]) if channels == 1 else tuple(int(c) for c in color[:3])
    ImageDraw.Draw(canvas).text(origin, text, fill=fill, font=font, anchor="ls",
                                stroke_width=max(int(thickness) - 1, 0), stroke_fill=fill)
    drawn = np.asarray(canvas)
    if channels == 1:
        image[..., 0] = drawn
    else:
        image[..., :3] = drawn


def draw_bounding_boxes(images, bounding_boxes, bounding_box_format, class_mapping=None,
                        color=(128, 128, 128), line_thickness=2, text_thickness=1, font_scale=1.0,
                        data_format=None):
    """Draws bounding boxes (and optionally class labels) on a batch of images.

    Float images are taken as ``[0, 1]`` when their maximum is at most 1 and as
    ``[0, 255]`` otherwise; the result is ``uint8``. Boxes whose label is -1 are
    skipped. Deliberate difference from Keras: drawn with numpy and Pillow, not
    OpenCV (edges are bands of ``line_thickness`` pixels centred on the
    coordinates), and ``channels_first`` images are drawn in their own layout.

    Args:
        images: Images of shape ``(batch, height, width, channels)`` (or
            channels-first with ``data_format="channels_first"``).
        bounding_boxes: A dict with ``"boxes"`` of shape ``(batch, num_boxes, 4)``,
            ``"labels"`` of shape ``(batch, num_boxes)`` and optionally
            ``"confidences"`` of the same shape.
        bounding_box_format: Format of the boxes (see
            `cornu.utils.bounding_boxes.convert_format`).
        class_mapping: Optional dict from class id to name; boxes of mapped
            classes are labelled (with their confidence, when given).
        color: RGB color of boxes and text. Defaults to ``(128, 128, 128)``.
        line_thickness: Edge thickness in pixels. Defaults to 2.
        text_thickness: Text stroke thickness. Defaults to 1.
        font_scale: Text size, 1.0 being about 22 pixels. Defaults to 1.0.
        data_format: ``"channels_last"`` or ``"channels_first"``; defaults to
            `cornu.config.image_data_format()`.

    Returns:
        A ``uint8`` numpy array with the shape of ``images``.
    """
    from cornu.utils.bounding_boxes import convert_format
    data_format = _data_format(data_format)
    images = _batched_images(images, "draw_bounding_boxes")
    if not isinstance(bounding_boxes, dict):
        raise TypeError(f"`bounding_boxes` should be a dict with 'boxes' and 'labels'. "
                        f"Received: {type(bounding_boxes).__name__}.")
    if "boxes" not in bounding_boxes or "labels" not in bounding_boxes:
        raise ValueError("`bounding_boxes` should be a dict containing 'boxes' and 'labels' keys. "
                         f"Received keys: {sorted(bounding_boxes)}.")
    if data_format == "channels_first":
        images = images.transpose(0, 2, 3, 1)
    height, width = images.shape[1], images.shape[2]
    boxes = ops.convert_to_numpy(convert_format(bounding_boxes["boxes"], bounding_box_format, "xyxy",
                                                height, width))
    labels = ops.convert_to_numpy(bounding_boxes["labels"])
    confidences = bounding_boxes.get("confidences")
    confidences = None if confidences is None else ops.convert_to_numpy(confidences)
    class_mapping = class_mapping or {}
    text_thickness = text_thickness or line_thickness
    images = _to_uint8(images).copy()
    paint = _color_for(color, images.shape[-1])
    for i, image in enumerate(images):
        for j, box in enumerate(boxes[i]):
            label = int(labels[i][j])
            if label == -1:
                continue
            x1, y1, x2, y2 = (int(v) for v in box.astype("int32"))
            _draw_rectangle(image, x1, y1, x2, y2, paint, line_thickness)
            if label in class_mapping:
                text = str(class_mapping[label])
                if confidences is not None:
                    text = f"{text} | {float(confidences[i][j]):.2f}"
                origin = _text_location(x1, y1, font_scale, text_thickness)
                _draw_text(image, text, origin, paint, font_scale, text_thickness)
    return images.transpose(0, 3, 1, 2) if data_format == "channels_first" else images


def _palette(num_classes):
    base = np.array([2 ** 25 - 1, 2 ** 15 - 1, 2 ** 21 - 1])
    return [((i * base) % 255).tolist() for i in range(num_classes)]


def draw_segmentation_masks(images, segmentation_masks, num_classes=None, color_mapping=None, alpha=0.8,
                            blend=True, ignore_index=-1, data_format=None):
    """Overlays segmentation masks on a batch of images.

    Each class gets a color (``color_mapping``, or Keras's default palette);
    with ``blend`` the colored pixels are mixed with the image by ``alpha``.

    Args:
        images: Images of shape ``(batch, height, width, channels)``.
        segmentation_masks: Integer class ids of shape ``(batch, height, width)``
            or ``(batch, height, width, 1)``.
        num_classes: Number of classes; defaults to the largest id not equal to
            ``ignore_index``, plus one.
        color_mapping: Optional dict from class id to RGB color.
        alpha: Opacity of the masks in ``[0, 1]``. Defaults to 0.8.
        blend: Whether to mix masks and image by ``alpha``; if ``False`` the
            masked pixels take the class color. Defaults to ``True``.
        ignore_index: Class id left undrawn. Defaults to -1.
        data_format: ``"channels_last"`` or ``"channels_first"``; defaults to
            `cornu.config.image_data_format()`.

    Returns:
        A numpy array (``uint8`` when blending, else ``float32``), channels-last.
        Keras returns a backend tensor when ``blend=False``; cornu always numpy.
    """
    from cornu.backend import is_int_dtype
    data_format = _data_format(data_format)
    images = _batched_images(images, "draw_segmentation_masks").astype("float32")
    masks = ops.convert_to_numpy(segmentation_masks)
    if data_format == "channels_first":
        images = images.transpose(0, 2, 3, 1)
        masks = masks.transpose(0, 2, 3, 1) if masks.ndim == 4 else masks
    if not is_int_dtype(str(masks.dtype)):
        raise TypeError(f"`segmentation_masks` must be of an integer dtype (class ids). "
                        f"Received: segmentation_masks.dtype={masks.dtype}. Cast it, e.g. masks.astype('int32').")
    if masks.ndim == 4:
        masks = masks[..., 0]
    if masks.shape != images.shape[:3]:
        raise ValueError(f"`segmentation_masks` must have shape (batch, height, width[, 1]) = {images.shape[:3]}; "
                         f"received {masks.shape}.")
    if num_classes is None:
        valid = masks[masks != ignore_index]
        num_classes = max(1, int(valid.max()) + 1 if valid.size else 0)
    colors = _palette(num_classes) if color_mapping is None else [color_mapping[i] for i in range(num_classes)]
    colored = images.copy()
    for class_id, color in enumerate(colors):
        colored[masks == class_id] = np.asarray(color, dtype="float32")
    if not blend:
        return colored
    mixed = images * (1 - alpha) + colored * alpha
    return np.where((masks != ignore_index)[..., None], mixed, images).astype("uint8")
