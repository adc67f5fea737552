"""Galleries of images (with labels, boxes or masks) as matplotlib figures.

matplotlib is imported only when a gallery is drawn; without it the functions
raise an ImportError saying what to install.
"""
import math

import numpy as np

from cornu import ops
from cornu.visualization.drawing import _data_format, draw_bounding_boxes, draw_segmentation_masks


def _pyplot(fn):
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError(f"`{fn}` requires matplotlib, which is not installed. Run `pip install matplotlib` "
                          "(or `pip install cornu[visualization]`).") from e
    return plt


def _to_0_255(images, value_range):
    low, high = float(value_range[0]), float(value_range[1])
    images = np.asarray(images, dtype="float32")
    if (low, high) == (0.0, 255.0):
        return images
    return (images - low) / (high - low) * 255.0


def plot_image_gallery(images, y_true=None, y_pred=None, label_map=None, rows=None, cols=None,
                       value_range=(0, 255), scale=2, path=None, show=None, transparent=True, dpi=60,
                       legend_handles=None, data_format=None):
    """Shows (or saves) a grid of images, optionally titled with labels and predictions.

    Without ``rows`` and ``cols`` the grid has ``ceil(sqrt(batch))`` rows and
    ``batch // rows`` columns, as in Keras (so some images may be left out). The
    figure stays open (``plt.gcf()``) when neither shown nor saved.
    Differences from Keras: grid cells beyond the last image are left blank instead
    of failing, and channels-first images are transposed once (Keras transposes them twice).

    Args:
        images: Images of shape ``(batch, height, width, channels)``.
        y_true: Optional true class ids, shape ``(batch,)``.
        y_pred: Optional predicted class ids, shape ``(batch,)``.
        label_map: Dict from class id to name; required with ``y_true``/``y_pred``.
        rows: Rows of the grid.
        cols: Columns of the grid.
        value_range: The range of the image values, e.g. ``(0, 255)`` (default) or ``(0, 1)``.
        scale: Size of each cell, in inches. Defaults to 2.
        path: Where to save the figure (PNG or any format matplotlib writes).
        show: Whether to call ``plt.show()``; defaults to ``path is None``.
        transparent: Whether the saved figure has a transparent background.
        dpi: Resolution of the saved figure. Defaults to 60.
        legend_handles: Optional matplotlib ``Patch`` handles for a legend.
        data_format: ``"channels_last"`` or ``"channels_first"``; defaults to
            `cornu.config.image_data_format()`.

    Returns:
        None, as in Keras.
    """
    plt = _pyplot("plot_image_gallery")
    if path is not None and show:
        raise ValueError("plot_image_gallery() expects either `path` to be set or `show=True`, not both.")
    if (y_true is not None or y_pred is not None) and label_map is None:
        raise ValueError("If `y_true` or `y_pred` are provided, a `label_map` (class id -> name) must also be "
                         "provided.")
    show = show if show is not None else path is None
    data_format = _data_format(data_format)
    images = ops.convert_to_numpy(images)
    if images.ndim != 4:
        raise ValueError(f"plot_image_gallery() requires a batch of images (4D); received shape {images.shape}. "
                         "Stack your samples with np.stack.")
    batch_size = images.shape[0]
    rows = rows or int(math.ceil(math.sqrt(batch_size)))
    cols = cols or max(int(batch_size // rows), 1)
    images = images[:rows * cols]
    if data_format == "channels_first":
        images = images.transpose(0, 2, 3, 1)
    images = _to_0_255(images, value_range)
    fig, axes = plt.subplots(nrows=rows, ncols=cols, figsize=(cols * scale, rows * scale), frameon=False,
                             layout="tight", squeeze=False, sharex="row", sharey="col")
    if legend_handles is not None:
        fig.legend(handles=legend_handles, loc="lower center")
    y_true = None if y_true is None else ops.convert_to_numpy(y_true)
    y_pred = None if y_pred is None else ops.convert_to_numpy(y_pred)
    for index, axis in enumerate(axes.flat):
        axis.margins(x=0, y=0)
        axis.axis("off")
        if index >= len(images):
            continue
        image = images[index].astype("uint8")
        axis.imshow(image[..., 0] if image.shape[-1] == 1 else image, cmap="gray" if image.shape[-1] == 1 else None)
        title = []
        if y_true is not None and index < len(y_true):
            title.append(f"Label: {label_map.get(_key(y_true[index]), 'Unknown')}")
        if y_pred is not None and index < len(y_pred):
            title.append(f"Pred: {label_map.get(_key(y_pred[index]), 'Unknown')}")
        if title:
            axis.set_title("  ".join(title), fontsize=8)
    if path is not None:
        plt.savefig(fname=path, pad_inches=0, bbox_inches="tight", transparent=transparent, dpi=dpi)
        plt.close(fig)
    elif show:
        plt.show()
        plt.close(fig)


def _key(value):
    return value.item() if isinstance(value, np.generic) else value


def plot_bounding_box_gallery(images, bounding_box_format, y_true=None, y_pred=None, value_range=(0, 255),
                              true_color=(0, 188, 212), pred_color=(255, 235, 59), line_thickness=2,
                              font_scale=1.0, text_thickness=None, class_mapping=None, ground_truth_mapping=None,
                              prediction_mapping=None, legend=False, legend_handles=None, rows=None, cols=None,
                              data_format=None, **kwargs):
    """Shows (or saves) a grid of images with true and predicted bounding boxes drawn on them.

    Images are brought from ``value_range`` to ``[0, 255]`` before the boxes are
    drawn (Keras draws first and rescales after, which breaks ``(0, 1)`` images).

    Args:
        images: Images of shape ``(batch, height, width, channels)``.
        bounding_box_format: Format of the boxes (see `cornu.utils.bounding_boxes.convert_format`).
        y_true: Optional dict of true ``"boxes"`` and ``"labels"`` (as for `draw_bounding_boxes`).
        y_pred: Optional dict of predicted ``"boxes"``, ``"labels"`` (and ``"confidences"``).
        value_range: The range of the image values. Defaults to ``(0, 255)``.
        true_color: RGB color of the true boxes. Defaults to ``(0, 188, 212)``.
        pred_color: RGB color of the predicted boxes. Defaults to ``(255, 235, 59)``.
        line_thickness: Edge thickness in pixels. Defaults to 2.
        font_scale: Label text size. Defaults to 1.0.
        text_thickness: Label stroke thickness; defaults to ``line_thickness``.
        class_mapping: Dict from class id to name, for both kinds of boxes.
        ground_truth_mapping: Overrides ``class_mapping`` for the true boxes.
        prediction_mapping: Overrides ``class_mapping`` for the predicted boxes.
        legend: Whether to add a "Ground Truth" / "Prediction" legend.
        legend_handles: Custom legend handles (not together with ``legend``).
        rows: Rows of the grid.
        cols: Columns of the grid.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        **kwargs: Passed to `plot_image_gallery` (``path``, ``show``, ``scale``, ...).

    Returns:
        None, as in Keras.
    """
    _pyplot("plot_bounding_box_gallery")
    data_format = _data_format(data_format)
    images = ops.convert_to_numpy(images)
    if images.ndim != 4:
        raise ValueError(f"`images` must be a batched 4D tensor. Received: images.shape={images.shape}")
    if data_format == "channels_first":
        images = images.transpose(0, 2, 3, 1)
    if legend and legend_handles:
        raise ValueError("Pass `legend` or `legend_handles` to plot_bounding_box_gallery(), not both.")
    images = _to_0_255(images, value_range)
    common = dict(bounding_box_format=bounding_box_format, line_thickness=line_thickness,
                  text_thickness=text_thickness, font_scale=font_scale, data_format="channels_last")
    if y_true is not None:
        images = draw_bounding_boxes(images, y_true, color=true_color,
                                     class_mapping=ground_truth_mapping or class_mapping, **common)
    if y_pred is not None:
        images = draw_bounding_boxes(images, y_pred, color=pred_color,
                                     class_mapping=prediction_mapping or class_mapping, **common)
    if legend:
        from matplotlib import patches
        legend_handles = [patches.Patch(color=np.array(true_color) / 255.0, label="Ground Truth"),
                          patches.Patch(color=np.array(pred_color) / 255.0, label="Prediction")]
    return plot_image_gallery(images, value_range=(0, 255), legend_handles=legend_handles, rows=rows, cols=cols,
                              data_format="channels_last", **kwargs)


def plot_segmentation_mask_gallery(images, num_classes, value_range=(0, 255), y_true=None, y_pred=None,
                                   color_mapping=None, blend=True, alpha=0.8, ignore_index=-1, data_format=None,
                                   **kwargs):
    """Shows (or saves) a grid with one row per image: the image, then its true and predicted masks.

    Args:
        images: Images of shape ``(batch, height, width, channels)``.
        num_classes: Number of segmentation classes.
        value_range: The range of the image values. Defaults to ``(0, 255)``.
        y_true: Optional true masks, ``(batch, height, width[, 1])`` class ids.
        y_pred: Optional predicted masks, same shape.
        color_mapping: Optional dict from class id to RGB color.
        blend: Whether to mix masks and image by ``alpha``. Defaults to ``True``.
        alpha: Opacity of the masks. Defaults to 0.8.
        ignore_index: Class id left undrawn. Defaults to -1.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        **kwargs: Passed to `plot_image_gallery` (``path``, ``show``, ``scale``, ...).

    Returns:
        None, as in Keras.
    """
    _pyplot("plot_segmentation_mask_gallery")
    data_format = _data_format(data_format)
    images = ops.convert_to_numpy(images)
    if images.ndim != 4:
        raise ValueError(f"`images` must be a batched 4D tensor. Received: images.shape={images.shape}")
    if data_format == "channels_first":
        images = images.transpose(0, 2, 3, 1)
    columns = [images]
    for masks in (y_true, y_pred):
        if masks is None:
            continue
        masks = ops.convert_to_numpy(masks)
        if data_format == "channels_first" and masks.ndim == 4:
            masks = masks.transpose(0, 2, 3, 1)
        columns.append(draw_segmentation_masks(images, masks.astype("int32"), num_classes=num_classes,
                                               color_mapping=color_mapping, alpha=alpha, blend=blend,
                                               ignore_index=ignore_index, data_format="channels_last"))
    # Row i holds image i and its drawn masks: interleave the columns.
    gallery = np.stack([column[i].astype("float32") for i in range(len(images)) for column in columns])
    return plot_image_gallery(gallery, value_range=value_range, rows=len(images), cols=len(columns),
                              data_format="channels_last", **kwargs)
