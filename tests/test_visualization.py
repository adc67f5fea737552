"""keras.visualization: drawn pixels, Keras fixtures for masks (fixtures/make_visualization_fixtures.py),
and the galleries' figures and PNG files."""
import os

import numpy as np
import pytest

import cornu
from cornu import visualization as vis

FIX = np.load(os.path.join(os.path.dirname(__file__), "fixtures", "visualization.npz"))
RED = (255, 0, 0)


def _boxes(boxes, labels):
    return {"boxes": np.asarray(boxes, "float32"), "labels": np.asarray(labels)}


def test_public_names():
    for name in ("draw_bounding_boxes", "draw_segmentation_masks", "plot_bounding_box_gallery",
                 "plot_image_gallery", "plot_segmentation_mask_gallery"):
        assert callable(getattr(cornu.visualization, name))


def test_draw_bounding_boxes_edges_thin():
    images = np.zeros((1, 20, 30, 3), "uint8")
    out = vis.draw_bounding_boxes(images, _boxes([[[2, 3, 10, 12]]], [[0]]), "xyxy", color=RED, line_thickness=1)
    assert out.shape == images.shape and out.dtype == np.uint8
    painted = np.all(out[0] == RED, axis=-1)
    expected = np.zeros((20, 30), bool)
    expected[3, 2:11] = expected[12, 2:11] = True   # top and bottom rows
    expected[3:13, 2] = expected[3:13, 10] = True   # left and right columns
    np.testing.assert_array_equal(painted, expected)
    assert not images.any(), "the input must not be drawn on"


def test_draw_bounding_boxes_thick_formats_and_skips():
    images = np.full((2, 40, 40, 3), 0.5, "float32")  # floats <= 1 are scaled to [0, 255]
    boxes = _boxes([[[10, 10, 20, 30], [0, 0, 5, 5]], [[0.25, 0.25, 0.75, 0.5], [0, 0, 0, 0]]], [[1, -1], [2, -1]])
    out = vis.draw_bounding_boxes(images[:1], {"boxes": boxes["boxes"][:1], "labels": boxes["labels"][:1]},
                                  "xywh", color=(0, 255, 0), line_thickness=3)
    img = out[0]
    assert tuple(img[5, 5]) == (127, 127, 127)          # background, and the label -1 box is skipped
    np.testing.assert_array_equal(img[9:12, 15], [[0, 255, 0]] * 3)   # top edge, 3 px centred on y=10
    np.testing.assert_array_equal(img[39, 30], [0, 255, 0])          # bottom edge y = 10 + 30 = 40, clipped
    for x in (9, 10, 11, 29, 30, 31):                                # left x=10, right x=30, +-1
        assert tuple(img[20, x]) == (0, 255, 0), x
    assert tuple(img[20, 12]) == (127, 127, 127) and tuple(img[20, 8]) == (127, 127, 127)
    rel = vis.draw_bounding_boxes(images[1:], {"boxes": boxes["boxes"][1:], "labels": boxes["labels"][1:]},
                                  "rel_xyxy", color=RED, line_thickness=1)
    assert tuple(rel[0, 10, 15]) == RED and tuple(rel[0, 20, 30]) == RED   # (10,10)-(30,20) in pixels


def test_draw_bounding_boxes_channels_first_and_labels():
    images = np.zeros((1, 3, 80, 60), "uint8")
    boxes = _boxes([[[5, 40, 40, 70]]], [[7]])
    out = vis.draw_bounding_boxes(images, dict(boxes, confidences=np.array([[0.87]])), "xyxy", color=RED,
                                  class_mapping={7: "cat"}, line_thickness=1, data_format="channels_first")
    assert out.shape == (1, 3, 80, 60)
    assert out[0, 0, 40, 20] == 255 and out[0, 1, 40, 20] == 0
    plain = vis.draw_bounding_boxes(images, boxes, "xyxy", color=RED, line_thickness=1,
                                    data_format="channels_first")
    # The label text is drawn above the box: pixels there differ from the unlabelled drawing.
    assert (out[0, 0, 10:40] != plain[0, 0, 10:40]).any()
    assert (out[0, 0, 40:] == plain[0, 0, 40:]).all() and (out[0, 0, :10] == 0).all()


def test_draw_bounding_boxes_errors():
    with pytest.raises(ValueError, match="batched 4D"):
        vis.draw_bounding_boxes(np.zeros((5, 5, 3)), _boxes([[0, 0, 1, 1]], [0]), "xyxy")
    with pytest.raises(TypeError, match="should be a dict"):
        vis.draw_bounding_boxes(np.zeros((1, 5, 5, 3)), np.zeros((1, 1, 4)), "xyxy")
    with pytest.raises(ValueError, match="'boxes' and 'labels'"):
        vis.draw_bounding_boxes(np.zeros((1, 5, 5, 3)), {"boxes": np.zeros((1, 1, 4))}, "xyxy")


def test_draw_segmentation_masks_matches_keras():
    images, masks = FIX["images"], FIX["masks"]
    np.testing.assert_array_equal(vis.draw_segmentation_masks(images, masks, num_classes=4), FIX["default"])
    np.testing.assert_array_equal(vis.draw_segmentation_masks(images, masks), FIX["default"])  # inferred 4
    np.testing.assert_array_equal(vis.draw_segmentation_masks(images, masks[..., 0], num_classes=5, alpha=0.3),
                                  FIX["alpha3"])
    colors = {0: (255, 0, 0), 1: (0, 255, 0), 2: (0, 0, 255), 3: (9, 99, 199)}
    np.testing.assert_array_equal(vis.draw_segmentation_masks(images, masks, num_classes=4, color_mapping=colors),
                                  FIX["mapped"])
    np.testing.assert_allclose(vis.draw_segmentation_masks(images, masks, num_classes=4, blend=False),
                               FIX["no_blend"])
    np.testing.assert_array_equal(vis.draw_segmentation_masks(images, masks, ignore_index=2, num_classes=4),
                                  FIX["ignore2"])


def test_draw_segmentation_masks_by_hand_and_errors():
    images = np.full((1, 2, 2, 3), 100, "uint8")
    masks = np.array([[[0, 1], [-1, 1]]], "int32")
    out = vis.draw_segmentation_masks(images, masks, color_mapping={0: (0, 0, 0), 1: (200, 0, 0)}, alpha=0.5)
    np.testing.assert_array_equal(out[0], [[[50, 50, 50], [150, 50, 50]], [[100, 100, 100], [150, 50, 50]]])
    chw = vis.draw_segmentation_masks(images.transpose(0, 3, 1, 2), masks[:, None], num_classes=2,
                                      color_mapping={0: (0, 0, 0), 1: (200, 0, 0)}, alpha=0.5,
                                      data_format="channels_first")
    np.testing.assert_array_equal(chw, out)
    with pytest.raises(TypeError, match="integer dtype"):
        vis.draw_segmentation_masks(images, masks.astype("float32"))


@pytest.fixture
def pyplot():
    matplotlib = pytest.importorskip("matplotlib", reason="the galleries need matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.close("all")
    yield plt
    plt.close("all")


def _png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def test_plot_image_gallery_axes_and_titles(pyplot):
    images = np.random.default_rng(0).random((4, 8, 8, 3)).astype("float32")
    vis.plot_image_gallery(images, y_true=np.array([0, 1, 0, 1]), y_pred=np.array([1, 1, 0, 5]),
                           label_map={0: "cat", 1: "dog"}, value_range=(0, 1), show=False)
    axes = pyplot.gcf().axes
    assert len(axes) == 4  # 2 x 2
    assert axes[0].get_title() == "Label: cat  Pred: dog"
    assert axes[3].get_title() == "Label: dog  Pred: Unknown"
    shown = axes[1].get_images()[0].get_array()
    np.testing.assert_array_equal(shown, (images[1] * 255).astype("uint8"))


def test_plot_image_gallery_png_and_grid(pyplot, tmp_path):
    path = str(tmp_path / "gallery.png")
    vis.plot_image_gallery(np.zeros((6, 10, 10, 1), "uint8"), rows=2, cols=4, path=path, dpi=50)
    width, height = _png_size(path)
    assert width > height > 0
    assert pyplot.get_fignums() == []  # saved and closed
    vis.plot_image_gallery(np.zeros((3, 10, 10, 3)), show=False)
    assert len(pyplot.gcf().axes) == 2  # Keras: rows = ceil(sqrt(3)) = 2, cols = 3 // 2 = 1
    with pytest.raises(ValueError, match="label_map"):
        vis.plot_image_gallery(np.zeros((2, 4, 4, 3)), y_true=np.array([0, 1]), show=False)
    with pytest.raises(ValueError, match="not both"):
        vis.plot_image_gallery(np.zeros((2, 4, 4, 3)), path=path, show=True)


def test_plot_bounding_box_gallery(pyplot, tmp_path):
    images = np.zeros((4, 32, 32, 3), "uint8")
    y_true = _boxes([[[4, 4, 20, 20]]] * 4, [[0]] * 4)
    y_pred = _boxes([[[8, 8, 28, 28]]] * 4, [[1]] * 4)
    vis.plot_bounding_box_gallery(images, "xyxy", y_true=y_true, y_pred=y_pred, legend=True, show=False,
                                  line_thickness=1, class_mapping={0: "a", 1: "b"})
    fig = pyplot.gcf()
    assert len(fig.axes) == 4
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["Ground Truth", "Prediction"]
    shown = fig.axes[0].get_images()[0].get_array()
    assert tuple(shown[10, 4]) == (0, 188, 212) and tuple(shown[28, 20]) == (255, 235, 59)
    path = str(tmp_path / "boxes.png")
    vis.plot_bounding_box_gallery(images, "xyxy", y_true=y_true, path=path)
    assert _png_size(path)[0] > 0
    with pytest.raises(ValueError, match="not both"):
        vis.plot_bounding_box_gallery(images, "xyxy", legend=True, legend_handles=[1], show=False)


def test_plot_segmentation_mask_gallery(pyplot, tmp_path):
    images = np.full((3, 8, 8, 3), 100, "uint8")
    masks = np.zeros((3, 8, 8, 1), "int32")
    masks[:, :4] = 1
    vis.plot_segmentation_mask_gallery(images, num_classes=2, y_true=masks, y_pred=1 - masks, show=False,
                                       color_mapping={0: (0, 0, 0), 1: (250, 0, 0)}, alpha=1.0)
    axes = pyplot.gcf().axes
    assert len(axes) == 9  # one row per image: image, true, predicted
    true_drawn = axes[1].get_images()[0].get_array()
    pred_drawn = axes[2].get_images()[0].get_array()
    assert tuple(true_drawn[0, 0]) == (250, 0, 0) and tuple(pred_drawn[0, 0]) == (0, 0, 0)
    np.testing.assert_array_equal(axes[0].get_images()[0].get_array(), images[0])
    path = str(tmp_path / "masks.png")
    vis.plot_segmentation_mask_gallery(images, num_classes=2, y_true=masks, path=path)
    assert _png_size(path)[0] > 0


def test_missing_matplotlib_error(monkeypatch):
    import builtins
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError("no matplotlib here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        vis.plot_image_gallery(np.zeros((1, 4, 4, 3)), show=False)
