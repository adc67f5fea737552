"""load_img / img_to_array / array_to_img / save_img through Pillow."""
import io

import numpy as np
import pytest
from PIL import Image

from cornu import backend
from cornu.preprocessing import image
from cornu.utils import array_to_img, img_to_array, load_img, save_img, smart_resize


@pytest.fixture
def rgb_file(tmp_path):
    array = np.random.default_rng(0).integers(0, 256, (30, 40, 3), dtype=np.uint8)
    path = tmp_path / "img.png"
    Image.fromarray(array).save(path)
    return path, array


def test_load_and_convert(rgb_file):
    path, array = rgb_file
    img = load_img(path)
    assert img.size == (40, 30) and img.mode == "RGB"
    x = img_to_array(img)
    assert x.shape == (30, 40, 3) and x.dtype == np.float32
    np.testing.assert_array_equal(x, array)
    assert img_to_array(load_img(str(path), target_size=(10, 20))).shape == (10, 20, 3)
    assert img_to_array(load_img(path, color_mode="grayscale")).shape == (30, 40, 1)
    assert img_to_array(load_img(path, color_mode="rgba")).shape == (30, 40, 4)
    with open(path, "rb") as f:
        assert load_img(io.BytesIO(f.read())).size == (40, 30)


def test_keep_aspect_ratio_crops_centre(tmp_path):
    array = np.zeros((10, 30, 3), dtype=np.uint8)
    array[:, 10:20] = 255  # the centre square is white
    path = tmp_path / "wide.png"
    Image.fromarray(array).save(path)
    x = img_to_array(load_img(path, target_size=(5, 5), keep_aspect_ratio=True))
    assert (x == 255).all()


def test_grayscale_keyword_warns(rgb_file):
    with pytest.warns(DeprecationWarning, match="color_mode"):
        img = load_img(rgb_file[0], grayscale=True)
    assert img.mode == "L"


def test_channels_first_and_dtype(rgb_file):
    img = load_img(rgb_file[0])
    assert img_to_array(img, data_format="channels_first").shape == (3, 30, 40)
    assert img_to_array(img, dtype="uint8").dtype == np.uint8
    backend.set_image_data_format("channels_first")
    assert img_to_array(img).shape == (3, 30, 40)


def test_array_to_img_scales(rgb_file):
    x = np.linspace(-1, 1, 2 * 3 * 3).reshape(2, 3, 3)
    img = array_to_img(x)
    assert img.mode == "RGB" and np.asarray(img).min() == 0 and np.asarray(img).max() == 255
    raw = array_to_img(np.full((2, 2, 1), 7.0), scale=False)
    assert raw.mode == "L" and np.asarray(raw).max() == 7
    assert array_to_img(np.zeros((2, 2, 4))).mode == "RGBA"
    with pytest.raises(ValueError, match="rank 3"):
        array_to_img(np.zeros((1, 2, 2, 3)))


@pytest.mark.parametrize("name", ["out.png", "out.jpg", "out.bmp"])
def test_save_img_round_trip(tmp_path, rgb_file, name):
    _, array = rgb_file
    path = tmp_path / name
    save_img(path, array.astype("float32"), scale=False)
    back = img_to_array(load_img(path))
    assert back.shape == array.shape
    if not name.endswith(".jpg"):
        np.testing.assert_array_equal(back, array)


def test_save_rgba_as_jpeg_drops_alpha(tmp_path):
    with pytest.warns(UserWarning, match="alpha"):
        save_img(tmp_path / "a.jpeg", np.zeros((4, 4, 4)))
    assert Image.open(tmp_path / "a.jpeg").mode == "RGB"


def test_smart_resize():
    x = np.arange(10 * 20 * 3, dtype="float32").reshape(10, 20, 3)
    assert smart_resize(x, (5, 5)).shape == (5, 5, 3)
    assert smart_resize(np.stack([x, x]), (4, 6)).shape == (2, 4, 6, 3)


def test_preprocessing_image_module():
    assert image.load_img is load_img and image.img_to_array is img_to_array
    assert image.save_img is save_img and image.array_to_img is array_to_img
