"""MixUp, CutMix, RandomErasing: Keras's transform for fixed draws (fixtures), numpy
references with the layer's own draws, and the augmentation properties."""
import numpy as np
import pytest

import cornu
from cornu import layers, ops
from cornu.layers._preprocessing._cutout import box_mask
from tests.layers.harness import check_layer
from tests.layers.test_preprocessing_geometric import FIXTURES, _fixture, _np

IMAGES = np.random.default_rng(1).uniform(0, 255, size=(4, 7, 9, 3)).astype("float32")
LABELS = np.eye(3, dtype="float32")[[0, 1, 2, 1]]
LAYERS = [(layers.MixUp, {"alpha": 0.4}), (layers.CutMix, {}),
          (layers.RandomErasing, {"fill_value": 0.0})]
IDS = [cls.__name__ for cls, _ in LAYERS]
T = ops.convert_to_tensor


@pytest.mark.parametrize("cls,kwargs", LAYERS, ids=IDS)
def test_harness(cls, kwargs):
    check_layer(cls, dict(kwargs, seed=1), input_shape=(3, 5, 6, 3),
                expected_output_shape=(3, 5, 6, 3), expected_num_trainable_weights=0,
                expected_num_non_trainable_weights=0, train=False)


@pytest.mark.parametrize("cls,kwargs", LAYERS, ids=IDS)
def test_inference_identity_seed_and_shapes(cls, kwargs):
    data = {"images": IMAGES, "labels": LABELS}
    out = cls(seed=3, **kwargs)(data, training=False)
    np.testing.assert_array_equal(_np(out["images"]), IMAGES)
    np.testing.assert_array_equal(_np(out["labels"]), LABELS)
    # the layer's seed alone repeats its draws (the global generator moves in between)
    a = cls(seed=7, **kwargs)(data)
    cornu.backend.random.normal((3,))
    b = cls(seed=7, **kwargs)(data)
    np.testing.assert_array_equal(_np(a["images"]), _np(b["images"]))
    np.testing.assert_array_equal(_np(a["labels"]), _np(b["labels"]))
    assert _np(a["images"]).shape == IMAGES.shape and _np(a["labels"]).shape == LABELS.shape
    assert not np.array_equal(_np(a["images"]), IMAGES)
    np.testing.assert_allclose(_np(a["labels"]).sum(-1), 1.0, atol=1e-5)
    assert _np(cls(seed=1, **kwargs)(IMAGES[0])).shape == IMAGES[0].shape


@pytest.mark.parametrize("case_id", ["mixup", "mixup_cf"])
def test_mixup_matches_keras(case_id):
    layer, x, y, p = _fixture(case_id)
    params = (T(p["mix_weight"]), T(p["permutation_order"]))
    np.testing.assert_allclose(_np(layer._mix(T(x), params, False)), y, atol=1e-4)
    labels = FIXTURES[case_id + "/labels"]
    w = p["mix_weight"][:, None]
    np.testing.assert_allclose(w * labels + (1 - w) * labels[p["permutation_order"]],
                               FIXTURES[case_id + "/y_labels"], atol=1e-6)


def test_mixup_numpy_reference_with_drawn_params():
    layer = layers.MixUp(alpha=0.5, seed=2)
    cornu.utils.set_random_seed(4)
    weight, perm = (_np(v) for v in layer._draw(T(IMAGES)))
    assert sorted(perm) == [0, 1, 2, 3] and np.all((weight >= 0) & (weight <= 1))
    cornu.utils.set_random_seed(4)
    out = layers.MixUp(alpha=0.5, seed=2)({"images": IMAGES, "labels": LABELS})
    w = weight[:, None, None, None]
    np.testing.assert_allclose(_np(out["images"]), w * IMAGES + (1 - w) * IMAGES[perm],
                               atol=1e-3)
    np.testing.assert_allclose(_np(out["labels"]), weight[:, None] * LABELS + (
        1 - weight[:, None]) * LABELS[perm], atol=1e-5)


@pytest.mark.parametrize("case_id", ["cutmix", "cutmix_cf"])
def test_cutmix_matches_keras(case_id):
    layer, x, y, p = _fixture(case_id)
    mask, area = box_mask(layer, x.shape, *(T(b) for b in p["box"]))
    params = (1.0 - area, T(p["permutation_order"]), mask)
    np.testing.assert_allclose(_np(layer._mix(T(x), params, False)), y, atol=1e-6)
    labels = FIXTURES[case_id + "/labels"]
    w = _np(1.0 - area)[:, None]
    np.testing.assert_allclose(w * labels + (1 - w) * labels[[1, 0]],
                               FIXTURES[case_id + "/y_labels"], atol=1e-5)


def test_cutmix_pastes_one_box_and_weights_labels_by_area():
    cornu.utils.set_random_seed(1)
    images = np.stack([np.full((8, 10, 3), float(i)) for i in range(4)]).astype("float32")
    out = layers.CutMix(seed=5)({"images": images, "labels": LABELS})
    got, labels = _np(out["images"]), _np(out["labels"])
    for i in range(4):
        pasted = got[i, ..., 0] != i
        if pasted.any():
            rows, cols = np.nonzero(pasted)
            box = pasted[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
            assert box.all()  # one rectangle
            assert len(np.unique(got[i, ..., 0][pasted])) == 1
        source = int(got[i, ..., 0][pasted][0]) if pasted.any() else i
        # the label mixes the own and the source's labels only
        a = labels[i] @ LABELS[i] if source == i or not np.array_equal(
            LABELS[source], LABELS[i]) else 1.0
        np.testing.assert_allclose(labels[i], a * LABELS[i] + (1 - a) * LABELS[source]
                                   if not np.array_equal(LABELS[source], LABELS[i])
                                   else LABELS[i], atol=1e-5)
        if pasted.any() and not np.array_equal(LABELS[source], LABELS[i]):
            assert abs((1 - a) - pasted.mean()) < 0.35  # weights follow the box's area
    # single images pass unchanged
    np.testing.assert_array_equal(_np(layers.CutMix(seed=1)(IMAGES[0])), IMAGES[0])


@pytest.mark.parametrize("case_id", ["erasing", "erasing_rgb", "erasing_cf"])
def test_erasing_matches_keras(case_id):
    layer, x, y, p = _fixture(case_id)
    mask, _ = box_mask(layer, x.shape, *(T(b) for b in p["box"]))
    np.testing.assert_allclose(_np(layer._transform(T(x), (mask, layer.fill(x.shape)),
                                                    False)), y, atol=1e-6)


def test_erasing_boxes_probability_and_noise():
    out = _np(layers.RandomErasing(fill_value=-1.0, value_range=(-1, 255), seed=3,
                                   scale=(0.1, 0.2))(IMAGES))
    for o, img in zip(out, IMAGES):
        erased = np.all(o == -1.0, axis=-1)
        np.testing.assert_array_equal(o[~erased], img[~erased])
        if erased.any():
            rows, cols = np.nonzero(erased)
            assert erased[rows.min():rows.max() + 1, cols.min():cols.max() + 1].all()
            assert erased.mean() <= 0.2 * 1.3 + 0.2
    np.testing.assert_array_equal(_np(layers.RandomErasing(factor=0.0, seed=1)(IMAGES)),
                                  IMAGES)
    noisy = _np(layers.RandomErasing(factor=(1.0, 1.0), value_range=(0, 100), seed=1)(
        IMAGES / 2.55))
    assert noisy.min() >= 0 and noisy.max() <= 100
    seg = (IMAGES[..., :1] > 100).astype("float32")
    out = layers.RandomErasing(seed=1)({"images": IMAGES, "segmentation_masks": seg})
    np.testing.assert_array_equal(_np(out["segmentation_masks"]), seg)


def test_errors_name_the_layer():
    with pytest.raises(ValueError, match="CutMix 'cm'.*factor.*\\[0, 1\\]"):
        layers.CutMix(factor=1.5, name="cm")
    with pytest.raises(ValueError, match="RandomErasing.*scale"):
        layers.RandomErasing(scale=(0.1, 0.2, 0.3))
    with pytest.raises(ValueError, match="RandomErasing.*fill_value.*three"):
        layers.RandomErasing(fill_value=[1, 2])
    with pytest.raises(ValueError, match="MixUp.*rank 3.*or 4"):
        layers.MixUp()(np.zeros((2, 3), "float32"))
