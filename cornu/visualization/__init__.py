"""keras.visualization: draw boxes and masks on images; image galleries (with matplotlib)."""
from cornu.visualization.drawing import draw_bounding_boxes, draw_segmentation_masks  # noqa: F401
from cornu.visualization.galleries import (  # noqa: F401
    plot_bounding_box_gallery, plot_image_gallery, plot_segmentation_mask_gallery)
