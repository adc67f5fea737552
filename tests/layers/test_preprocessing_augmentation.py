"""Image augmentation layers: identity at inference, random when training,
reproducible with a seed, shapes and value ranges. (Keras's outputs for fixed
transforms are checked in test_preprocessing.py.)"""
import numpy as np
import pytest

import cornu
from cornu import backend, layers
from tests.layers.harness import check_layer

IMAGES = np.random.default_rng(0).uniform(0, 255, size=(4, 6, 8, 3)).astype("float32")
AUGMENTATIONS = [
    (layers.RandomFlip, {}),
    (layers.RandomFlip, {"mode": "vertical"}),
    (layers.RandomRotation, {"factor": 0.2}),
    (layers.RandomZoom, {"height_factor": 0.3, "width_factor": (-0.2, 0.4)}),
    (layers.RandomTranslation, {"height_factor": 0.2, "width_factor": 0.3}),
    (layers.RandomContrast, {"factor": 0.5}),
    (layers.RandomBrightness, {"factor": 0.3}),
]
IDS = [f"{cls.__name__}-{i}" for i, (cls, _) in enumerate(AUGMENTATIONS)]


def _np(x):
    return backend.convert_to_numpy(x)


@pytest.mark.parametrize("cls,kwargs", AUGMENTATIONS, ids=IDS)
def test_harness(cls, kwargs):
    check_layer(cls, dict(kwargs, seed=1), input_shape=(2, 5, 6, 3),
                expected_output_shape=(2, 5, 6, 3), expected_num_trainable_weights=0,
                expected_num_non_trainable_weights=0, train=False)


@pytest.mark.parametrize("cls,kwargs", AUGMENTATIONS, ids=IDS)
def test_inference_is_identity(cls, kwargs):
    layer = cls(seed=3, **kwargs)
    np.testing.assert_array_equal(_np(layer(IMAGES, training=False)), IMAGES)


@pytest.mark.parametrize("cls,kwargs", AUGMENTATIONS, ids=IDS)
def test_training_changes_and_seed_reproduces(cls, kwargs):
    first, second = cls(seed=7, **kwargs), cls(seed=7, **kwargs)
    a1, a2 = _np(first(IMAGES, training=True)), _np(first(IMAGES, training=True))
    b1, b2 = _np(second(IMAGES, training=True)), _np(second(IMAGES, training=True))
    np.testing.assert_array_equal(a1, b1)  # same seed, same stream
    np.testing.assert_array_equal(a2, b2)
    assert a1.shape == IMAGES.shape and a1.dtype == np.float32
    assert not np.array_equal(a1, IMAGES) or not np.array_equal(a2, IMAGES)
    assert not np.array_equal(a1, a2)  # the stream moves on


def test_direct_call_defaults_to_training():
    # As in Keras 3, a direct call without `training` augments.
    layer = layers.RandomBrightness(0.5, seed=1)
    assert not np.array_equal(_np(layer(IMAGES)), IMAGES)


def test_single_image_and_channels_first():
    image = IMAGES[0]
    assert _np(layers.RandomRotation(0.3, seed=1)(image)).shape == image.shape
    cf = np.transpose(IMAGES, (0, 3, 1, 2))
    flipped = _np(layers.RandomFlip("horizontal", seed=2, data_format="channels_first")(cf))
    for out, img in zip(flipped, cf):
        assert np.array_equal(out, img) or np.array_equal(out, img[:, :, ::-1])


def test_flip_flips_whole_images():
    out = _np(layers.RandomFlip(seed=5)(IMAGES))
    kinds = []
    for o, img in zip(out, IMAGES):
        if np.array_equal(o, img):
            kinds.append("same")
        else:
            np.testing.assert_array_equal(o, img[::-1, ::-1])
            kinds.append("flipped")
    assert len(kinds) == 4


def test_rotation_quarter_turn_is_rot90():
    square = np.random.default_rng(1).normal(size=(2, 5, 5, 1)).astype("float32")
    out = _np(layers.RandomRotation((0.25, 0.25), interpolation="nearest")(square))
    np.testing.assert_allclose(out, np.rot90(square, 1, axes=(1, 2)), atol=1e-6)


def test_translation_shifts_by_whole_pixels():
    x = np.arange(1 * 4 * 5 * 1, dtype="float32").reshape(1, 4, 5, 1)
    out = _np(layers.RandomTranslation((0.25, 0.25), (0.4, 0.4), fill_mode="constant",
                                       fill_value=-1.0)(x))
    expected = np.full_like(x, -1.0)
    expected[:, 1:, 2:] = x[:, :-1, :-2]  # down one row, right two columns
    np.testing.assert_allclose(out, expected, atol=1e-5)


def test_zoom_keeps_the_centre_and_zero_factor_is_identity():
    x = np.random.default_rng(2).normal(size=(2, 5, 5, 2)).astype("float32")
    out = _np(layers.RandomZoom((-0.5, -0.5))(x))
    np.testing.assert_allclose(out[:, 2, 2], x[:, 2, 2], atol=1e-6)
    np.testing.assert_allclose(_np(layers.RandomZoom(0.0)(x)), x, atol=1e-6)


def test_value_ranges():
    out = _np(layers.RandomContrast(0.9, seed=1)(IMAGES))
    assert out.min() >= 0 and out.max() <= 255
    out = _np(layers.RandomBrightness(0.9, value_range=(0, 255), seed=1)(IMAGES))
    assert out.min() >= 0 and out.max() <= 255
    unit = IMAGES / 255.0
    out = _np(layers.RandomBrightness((0.2, 0.2), value_range=(0, 1))(unit))
    np.testing.assert_allclose(out, np.clip(unit + 0.2, 0, 1), atol=1e-6)
    mean = unit.mean(axis=(1, 2), keepdims=True)
    layer = layers.RandomContrast(0.5, value_range=(0, 1), seed=4)
    out = _np(layer(unit))
    # Each image is a contrast change about its own mean: (out - mean) / (x - mean) is one factor.
    inside = (out > 0) & (out < 1)
    ratio = np.where(inside, (out - mean) / np.where(inside, unit - mean, 1), np.nan)
    per_image = np.nanmax(ratio, axis=(1, 2, 3)) - np.nanmin(ratio, axis=(1, 2, 3))
    assert np.all(per_image < 1e-3)


def test_integer_images_become_floats():
    ints = IMAGES.astype("uint8")
    for layer in (layers.RandomFlip(seed=1), layers.RandomContrast(0.2, seed=1)):
        assert _np(layer(ints, training=False)).dtype == np.float32
        assert _np(layer(ints)).dtype == np.float32


def test_random_crop():
    crop = layers.RandomCrop(4, 5, seed=3)
    out = _np(crop(IMAGES, training=True))
    assert out.shape == (4, 4, 5, 3)
    # A window of the input, the same for the whole batch.
    found = [(t, l) for t in range(3) for l in range(4)
             if np.array_equal(out, IMAGES[:, t:t + 4, l:l + 5])]
    assert len(found) == 1
    windows = {tuple(np.argwhere(np.isin(IMAGES[0, :, :, 0],
                                         _np(crop(IMAGES))[0, 0, 0, 0]))[0]) for _ in range(8)}
    assert len(windows) > 1
    # Inference: the centred window with the target's aspect ratio, resized.
    inference = _np(layers.RandomCrop(3, 4)(IMAGES, training=False))
    expected = _np(layers.Resizing(3, 4)(IMAGES[:, :, :, :]))  # 6x8 has the ratio of 3x4
    np.testing.assert_allclose(inference, expected, atol=1e-4)
    same = _np(layers.RandomCrop(6, 8)(IMAGES, training=True))
    np.testing.assert_array_equal(same, IMAGES)


def test_random_crop_harness_and_symbolic_shape():
    check_layer(layers.RandomCrop, {"height": 3, "width": 2, "seed": 1},
                input_shape=(2, 5, 6, 3), expected_output_shape=(2, 3, 2, 3), train=False)
    assert layers.RandomCrop(3, 2)(cornu.Input((5, 6, 3))).shape == (None, 3, 2, 3)


def test_seed_none_uses_global_generator():
    cornu.utils.set_random_seed(11)
    a = _np(layers.RandomRotation(0.3)(IMAGES))
    cornu.utils.set_random_seed(11)
    b = _np(layers.RandomRotation(0.3)(IMAGES))
    np.testing.assert_array_equal(a, b)


def test_dict_inputs_transform_masks_alike():
    masks = (IMAGES[..., :1] > 128).astype("float32")
    out = layers.RandomFlip(seed=9)({"images": IMAGES, "segmentation_masks": masks,
                                     "labels": np.arange(4)})
    flipped = [not np.array_equal(o, i) for o, i in zip(_np(out["images"]), IMAGES)]
    mask_flipped = [not np.array_equal(o, m) for o, m in zip(
        _np(out["segmentation_masks"]), masks)]
    assert flipped == mask_flipped and any(flipped)
    np.testing.assert_array_equal(out["labels"], np.arange(4))


def test_fit_trains_and_predict_is_deterministic():
    inputs = cornu.Input((6, 8, 3))
    x = layers.RandomFlip(seed=1)(inputs)
    x = layers.RandomRotation(0.1, seed=2)(x)
    x = layers.RandomCrop(4, 4, seed=3)(x)
    outputs = layers.Dense(1)(layers.Flatten()(layers.Rescaling(1 / 255.0)(x)))
    model = cornu.Model(inputs, outputs)
    model.compile(optimizer="sgd", loss="mse")
    model.fit(IMAGES, np.zeros((4, 1), "float32"), epochs=1, verbose=0)
    np.testing.assert_array_equal(model.predict(IMAGES, verbose=0),
                                  model.predict(IMAGES, verbose=0))


def test_errors():
    with pytest.raises(ValueError, match="RandomFlip 'flip'.*mode"):
        layers.RandomFlip("diagonal", name="flip")
    with pytest.raises(ValueError, match="RandomRotation.*factor"):
        layers.RandomRotation(2.0)
    with pytest.raises(ValueError, match="RandomContrast.*factor"):
        layers.RandomContrast(-0.5)
    with pytest.raises(ValueError, match="RandomZoom.*height_factor"):
        layers.RandomZoom(-1.0)
    with pytest.raises(NotImplementedError, match="fill_mode"):
        layers.RandomTranslation(0.1, 0.1, fill_mode="mirror")
    with pytest.raises(NotImplementedError, match="interpolation"):
        layers.RandomZoom(0.1, interpolation="bicubic")
    with pytest.raises(ValueError, match="rank 3"):
        layers.RandomFlip()(np.zeros((2, 3), "float32"))
