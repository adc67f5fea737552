"""Keras 2's ImageDataGenerator: flow, flow_from_directory, transforms, featurewise stats."""
import numpy as np
import pytest
from PIL import Image

import cornu
from cornu import layers
from cornu.legacy.image_transforms import apply_affine_transform
from cornu.preprocessing import image


def _generator(**kwargs):
    with pytest.warns(DeprecationWarning, match="ImageDataGenerator"):
        return image.ImageDataGenerator(**kwargs)


def _images(n=10, size=8, channels=3, seed=0):
    return np.random.default_rng(seed).uniform(0, 255, (n, size, size, channels)).astype("f4")


def test_flow_batches_rescale_and_fit():
    x, y = _images(), np.arange(10)
    gen = _generator(rescale=1 / 255)
    it = gen.flow(x, y, batch_size=4, shuffle=False)
    assert len(it) == 3
    bx, by = it[0]
    np.testing.assert_allclose(bx, x[:4] / 255, rtol=1e-6)
    np.testing.assert_array_equal(by, y[:4])
    assert it[2][0].shape == (2, 8, 8, 3)
    first = next(it)  # Keras 2 iterators also cycle forever
    assert first[0].shape == (4, 8, 8, 3)
    model = cornu.Sequential([cornu.Input((8, 8, 3)), layers.Flatten(), layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(gen.flow(x, y.astype("float32"), batch_size=5), epochs=2, verbose=0)


def test_flips_and_shuffle_keep_pairs():
    x = _images(6)
    y = np.arange(6)
    gen = _generator(horizontal_flip=True, vertical_flip=True)
    bx, by = gen.flow(x, y, batch_size=6, shuffle=True, seed=3)[0]
    for image_out, label in zip(bx, by):
        source = x[label]
        assert any(np.array_equal(image_out, f) for f in (
            source, source[:, ::-1], source[::-1], source[::-1, ::-1]))


def test_rotation_shift_zoom_change_images_but_not_shapes():
    x = _images(4)
    gen = _generator(rotation_range=30, width_shift_range=0.2, height_shift_range=2,
                     zoom_range=0.2, shear_range=10, channel_shift_range=5.0,
                     brightness_range=(0.8, 1.2), fill_mode="constant")
    out = gen.flow(x, batch_size=4, shuffle=False, seed=1)[0]
    assert out.shape == x.shape and not np.allclose(out, x)
    params = gen.get_random_transform((8, 8, 3), seed=5)
    assert -30 <= params["theta"] <= 30 and 0.8 <= params["zx"] <= 1.2
    assert params == gen.get_random_transform((8, 8, 3), seed=5)


def test_affine_transform_reference():
    scipy_ndimage = pytest.importorskip("scipy.ndimage")
    from cornu.legacy.image_transforms import transform_matrix_offset_center
    x = np.random.default_rng(0).random((9, 7, 2)).astype("float32")
    for mode in ("nearest", "constant", "reflect", "wrap"):
        for order in (0, 1):
            ours = apply_affine_transform(x, theta=25, tx=1.5, zx=1.2, row_axis=0, col_axis=1,
                                          channel_axis=2, fill_mode=mode, cval=0.3, order=order)
            t = np.deg2rad(25)
            m = np.array([[np.cos(t), -np.sin(t), 0], [np.sin(t), np.cos(t), 0], [0, 0, 1]])
            m = m @ np.array([[1, 0, 1.5], [0, 1, 0], [0, 0, 1]]) @ np.diag([1.2, 1, 1])
            m = transform_matrix_offset_center(m, 9, 7)
            ref = np.stack([scipy_ndimage.affine_transform(x[..., c], m[:2, :2], m[:2, 2],
                                                           order=order, mode=mode, cval=0.3)
                            for c in range(2)], axis=-1)
            np.testing.assert_allclose(ours, ref, atol=1e-5, err_msg=f"{mode} {order}")


def test_featurewise_center_and_std():
    x = _images(20)
    gen = _generator(featurewise_center=True, featurewise_std_normalization=True)
    gen.fit(x)
    assert gen.mean.shape == (1, 1, 3) and gen.std.shape == (1, 1, 3)
    it = gen.flow(x, batch_size=7, shuffle=False)
    out = np.concatenate([it[i] for i in range(len(it))])
    np.testing.assert_allclose(out.mean(axis=(0, 1, 2)), 0, atol=1e-3)
    np.testing.assert_allclose(out.std(axis=(0, 1, 2)), 1, atol=1e-3)


def test_samplewise_and_zca():
    x = _images(6, size=4, channels=1)
    gen = _generator(samplewise_center=True, samplewise_std_normalization=True)
    out = gen.flow(x, batch_size=6, shuffle=False)[0]
    np.testing.assert_allclose(out.mean(axis=(1, 2, 3)), 0, atol=1e-4)
    with pytest.warns(UserWarning, match="featurewise_center"):
        zca = _generator(zca_whitening=True)
    zca.fit(x)
    assert zca.zca_whitening_matrix.shape == (16, 16)


def test_validation_split_subsets():
    x, y = _images(10), np.array([0, 1] * 5)
    gen = _generator(validation_split=0.2)
    assert gen.flow(x, y, subset="training").n == 8
    assert gen.flow(x, y, subset="validation").n == 2


def test_flow_from_directory(tmp_path):
    rng = np.random.default_rng(0)
    for label, count in (("a", 4), ("b", 2)):
        (tmp_path / label).mkdir()
        for i in range(count):
            Image.fromarray(rng.integers(0, 256, (10, 12, 3), dtype=np.uint8)).save(
                tmp_path / label / f"{i}.png")
    gen = _generator(rescale=1 / 255, validation_split=0.5)
    it = gen.flow_from_directory(tmp_path, target_size=(6, 5), batch_size=4, shuffle=False)
    assert it.class_indices == {"a": 0, "b": 1} and it.samples == 6
    bx, by = it[0]
    assert bx.shape == (4, 6, 5, 3) and by.shape == (4, 2) and bx.max() <= 1
    np.testing.assert_array_equal(it.classes, [0, 0, 0, 0, 1, 1])
    sparse = gen.flow_from_directory(tmp_path, target_size=(6, 5), class_mode="sparse",
                                     color_mode="grayscale", subset="validation")
    bx, by = sparse[0]
    assert bx.shape == (3, 6, 5, 1) and sorted(by.tolist()) == [0, 0, 1]
    assert gen.flow_from_directory(tmp_path, target_size=(6, 5), class_mode=None)[0].shape[1:] \
        == (6, 5, 3)
