"""keras.utils.bounding_boxes against Keras 3 fixtures (fixtures/make_bounding_boxes_fixtures.py)."""
import os

import numpy as np
import pytest

import cornu
from cornu import ops
from cornu.utils import bounding_boxes as bb

FIX = np.load(os.path.join(os.path.dirname(__file__), "fixtures", "bounding_boxes.npz"))
FORMATS = ["xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw",
           "rel_xyxy", "rel_yxyx", "rel_xywh", "rel_center_xywh"]
H, W = 60, 80


def close(actual, expected, **kw):
    np.testing.assert_allclose(ops.convert_to_numpy(actual), expected, rtol=1e-5, atol=1e-5, **kw)


def rev(boxes):
    # cornu's convert_to_tensor does not take negative-stride numpy views yet: copy.
    return np.ascontiguousarray(boxes[:, ::-1])


def test_public_names():
    names = {"affine_transform", "clip_to_image_size", "compute_ciou", "compute_iou", "convert_format",
             "crop", "decode_deltas_to_boxes", "encode_box_to_deltas", "pad"}
    assert names <= set(dir(cornu.utils.bounding_boxes))


@pytest.mark.parametrize("source", FORMATS)
def test_convert_format_all_pairs(source):
    for target in FORMATS:
        out = bb.convert_format(FIX[f"in_{source}"], source, target, height=H, width=W)
        assert ops.convert_to_numpy(out).dtype == np.float32
        close(out, FIX[f"convert_{source}_{target}"], err_msg=f"{source}->{target}")


def test_convert_format_by_hand_and_dict():
    out = bb.convert_format(np.array([[10, 20, 30, 40]]), "xyxy", "center_yxhw")
    close(out, [[30, 20, 20, 20]])
    d = {"boxes": np.array([[10., 20, 30, 40]]), "labels": np.array([1])}
    assert bb.convert_format(d, "XYXY", "rel_xyxy", height=200, width=100) is d
    close(d["boxes"], [[0.1, 0.1, 0.3, 0.2]])


def test_convert_format_errors():
    with pytest.raises(ValueError, match="last dimension of 4"):
        bb.convert_format(np.zeros((2, 3)), "xyxy", "xywh")
    with pytest.raises(ValueError, match="Invalid target format 'xyz'"):
        bb.convert_format(np.zeros((2, 4)), "xyxy", "xyz")
    with pytest.raises(ValueError, match="needs `height` and `width`"):
        bb.convert_format(np.zeros((2, 4)), "xyxy", "rel_xyxy")


def test_clip_to_image_size():
    out = bb.clip_to_image_size({"boxes": FIX["in_wild"], "labels": FIX["in_labels"]}, height=H, width=W)
    close(out["boxes"], FIX["clip_boxes"])
    np.testing.assert_array_equal(ops.convert_to_numpy(out["labels"]), FIX["clip_labels"])
    assert ops.convert_to_numpy(out["labels"])[0, 0] == -1
    out = bb.clip_to_image_size({"boxes": FIX["in_rel_wild"], "labels": FIX["in_labels"]},
                                bounding_box_format="rel_xyxy")
    close(out["boxes"], FIX["clip_rel_boxes"])
    np.testing.assert_array_equal(ops.convert_to_numpy(out["labels"]), FIX["clip_rel_labels"])
    with pytest.raises(ValueError, match="`height` and `width`"):
        bb.clip_to_image_size({"boxes": FIX["in_wild"]})
    with pytest.raises(NotImplementedError):
        bb.clip_to_image_size({"boxes": FIX["in_wild"]}, H, W, bounding_box_format="xywh")


def test_crop_and_pad():
    close(bb.crop(FIX["in_boxes"], top=10, left=20, height=30, width=40), FIX["crop"])
    close(bb.pad(FIX["in_boxes"], top=7, left=3), FIX["pad"])
    close(bb.crop(np.array([[10., 20, 50, 60], [70, 80, 100, 120]]), 10, 20, 40, 30),
          [[0, 10, 30, 40], [30, 40, 30, 40]])
    with pytest.raises(NotImplementedError, match="xyxy"):
        bb.pad(FIX["in_boxes"], 1, 1, bounding_box_format="yxyx")


def test_affine_transform():
    params = {k: ops.convert_to_tensor(FIX[f"in_affine_{k}"]) for k in
              ("angle", "translate_x", "translate_y", "scale", "shear_x", "shear_y")}
    close(bb.affine_transform(FIX["in_boxes"], **params, height=H, width=W), FIX["affine"])
    close(bb.affine_transform(FIX["in_boxes"], **params, height=H, width=W, center_x=0.3, center_y=0.7),
          FIX["affine_center"])


def test_affine_identity():
    z = np.zeros((2,), "float32")
    out = bb.affine_transform(FIX["in_boxes"], z, z, z, np.ones((2,), "float32"), z, z, H, W)
    close(out, FIX["in_boxes"])


def test_encode_decode():
    anchors = FIX["in_anchors"]
    close(bb.encode_box_to_deltas(anchors, FIX["in_boxes"], "xyxy", "xyxy"), FIX["encode"])
    close(bb.encode_box_to_deltas(anchors, FIX["in_xywh"], "xyxy", "xywh", encoding_format="center_xywh",
                                  variance=[0.1, 0.1, 0.2, 0.2]), FIX["encode_var_xywh"])
    close(bb.encode_box_to_deltas(anchors, FIX["in_rel_xyxy"], "xyxy", "rel_xyxy", image_shape=(H, W, 3)),
          FIX["encode_rel"])
    deltas = FIX["in_deltas"]
    close(bb.decode_deltas_to_boxes(anchors, deltas, "xyxy", "xyxy"), FIX["decode"])
    close(bb.decode_deltas_to_boxes(anchors, deltas, "xyxy", "center_xywh", encoded_format="center_xywh",
                                    variance=[0.1, 0.1, 0.2, 0.2]), FIX["decode_var"])
    close(bb.decode_deltas_to_boxes(anchors, deltas, "xyxy", "rel_yxyx", image_shape=(H, W, 3)),
          FIX["decode_rel"])
    levels = bb.decode_deltas_to_boxes({"p3": anchors}, {"p3": deltas}, "xyxy", "xyxy")
    close(levels["p3"], FIX["decode"])
    # decode inverts encode
    enc = bb.encode_box_to_deltas(anchors, FIX["in_boxes"], "xyxy", "xyxy")
    close(bb.decode_deltas_to_boxes(anchors, enc, "xyxy", "xyxy"), FIX["in_boxes"])


def test_encode_errors():
    with pytest.raises(ValueError, match="length 4"):
        bb.encode_box_to_deltas(FIX["in_anchors"], FIX["in_boxes"], "xyxy", "xyxy", variance=[1, 1])
    with pytest.raises(ValueError, match="center_xywh"):
        bb.decode_deltas_to_boxes(FIX["in_anchors"], FIX["in_deltas"], "xyxy", "xyxy", encoded_format="xyxy")


def test_compute_iou():
    b = FIX["in_boxes"]
    close(bb.compute_iou(b[0], b[1], "xyxy"), FIX["iou_unbatched"])
    close(bb.compute_iou(b, rev(b), "xyxy"), FIX["iou_batched"])
    close(bb.compute_iou(b, b[1], "xyxy"), FIX["iou_mixed"])
    close(bb.compute_iou(FIX["in_yxyx"][0], FIX["in_yxyx"][1], "yxyx"), FIX["iou_yxyx"])
    close(bb.compute_iou(FIX["in_rel_xyxy"][0], FIX["in_rel_xyxy"][1], "rel_xyxy", image_shape=(H, W, 3)),
          FIX["iou_rel"])
    m = FIX["in_masked"]
    close(bb.compute_iou(m, rev(m), "xyxy", use_masking=True, mask_val=-7), FIX["iou_masked"])
    # by hand: two unit squares overlapping by half
    close(bb.compute_iou(np.array([[0., 0, 2, 2]]), np.array([[1., 0, 3, 2]]), "xyxy"), [[2 / 6]])
    with pytest.raises(ValueError, match="image_shape"):
        bb.compute_iou(b[0], b[1], "rel_xyxy")
    with pytest.raises(ValueError, match="rank 2"):
        bb.compute_iou(b[0, 0], b[1], "xyxy")


def test_compute_ciou():
    b = FIX["in_boxes"]
    close(bb.compute_ciou(b, rev(b), "xyxy"), FIX["ciou"])
    close(bb.compute_ciou(FIX["in_center_xywh"][0], FIX["in_center_xywh"][1], "center_xywh"),
          FIX["ciou_center"])
    close(bb.compute_ciou(b, b, "xyxy"), np.ones((2, 5)), )
    with pytest.raises(ValueError, match="relative"):
        bb.compute_ciou(b, b, "rel_xyxy")
