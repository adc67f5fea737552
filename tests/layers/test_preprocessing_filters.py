"""RandomGaussianBlur, RandomSharpness and CLAHE: Keras's outputs (fixtures), numpy
references, and the augmentation properties."""
import numpy as np
import pytest

from cornu import layers, ops
from tests.layers.harness import check_layer
from tests.layers.test_preprocessing_geometric import CASES, _fixture, _np

IMAGES = np.random.default_rng(2).uniform(0, 255, size=(3, 7, 9, 3)).astype("float32")
RANDOM = [(layers.RandomGaussianBlur, {"factor": 1.0}),
          (layers.RandomSharpness, {"factor": 0.9})]
T = ops.convert_to_tensor
CLAHE = layers.ContrastLimitedAdaptiveHistogramEqualization


@pytest.mark.parametrize("cls,kwargs", RANDOM + [(CLAHE, {"tile_grid_size": (2, 2)})],
                         ids=["blur", "sharpness", "clahe"])
def test_harness(cls, kwargs):
    seed = {} if cls is CLAHE else {"seed": 1}
    check_layer(cls, dict(kwargs, **seed), input_shape=(2, 6, 7, 3),
                input_data=np.random.default_rng(0).uniform(0, 255, (2, 6, 7, 3)).astype(
                    "float32"),
                expected_output_shape=(2, 6, 7, 3), expected_num_trainable_weights=0,
                expected_num_non_trainable_weights=0, train=False)


@pytest.mark.parametrize("cls,kwargs", RANDOM, ids=["blur", "sharpness"])
def test_random_properties(cls, kwargs):
    np.testing.assert_array_equal(_np(cls(seed=3, **kwargs)(IMAGES, training=False)), IMAGES)
    a, b = cls(seed=7, **kwargs), cls(seed=7, **kwargs)
    a1, a2 = _np(a(IMAGES)), _np(a(IMAGES))
    np.testing.assert_array_equal(a1, _np(b(IMAGES)))
    assert not np.array_equal(a1, IMAGES) and not np.array_equal(a1, a2)
    assert a1.min() >= 0 and a1.max() <= 255
    assert _np(cls(seed=1, **kwargs)(IMAGES[0])).shape == IMAGES[0].shape
    cf = np.transpose(IMAGES, (0, 3, 1, 2))
    np.testing.assert_allclose(_np(cls(seed=4, data_format="channels_first", **kwargs)(cf)),
                               np.transpose(_np(cls(seed=4, **kwargs)(IMAGES)), (0, 3, 1, 2)),
                               atol=1e-3)


@pytest.mark.parametrize("case_id", ["blur", "blur_5_cf"])
def test_blur_matches_keras(case_id):
    layer, x, y, p = _fixture(case_id)
    params = (T(p["should_apply_blur"]), T(p["blur_factor"]))
    np.testing.assert_allclose(_np(layer._transform(T(x), params, False)), y, atol=1e-3)


@pytest.mark.parametrize("case_id", ["sharpness", "sharpness_cf"])
def test_sharpness_matches_keras(case_id):
    layer, x, y, p = _fixture(case_id)
    np.testing.assert_allclose(_np(layer._transform(T(x), T(p["factor"]), False)), y,
                               atol=1e-3)


@pytest.mark.parametrize("case_id", ["call_blur", "call_sharpness", "clahe", "clahe_tiles",
                                     "clahe_unit_noclip_cf", "clahe_uint8"])
def test_deterministic_calls_match_keras(case_id):
    layer, x, y, _ = _fixture(case_id)
    out = _np(layer(x))
    assert out.dtype == y.dtype
    np.testing.assert_allclose(out, y, atol=1e-3 if y.dtype.kind == "f" else 1)
    if y.dtype.kind != "f":
        assert np.mean(out != y) < 0.02  # truncation of values a rounding error apart


def _filter_numpy(images, kernel):
    kh, kw = kernel.shape
    padded = np.pad(images, ((0, 0), (kh // 2, kh // 2), (kw // 2, kw // 2), (0, 0)))
    out = np.zeros(images.shape)
    for i in range(kh):
        for j in range(kw):
            out += kernel[i, j] * padded[:, i:i + images.shape[1], j:j + images.shape[2]]
    return out


def test_blur_and_sharpness_numpy_reference_with_drawn_params():
    layer = layers.RandomGaussianBlur(factor=(0.5, 0.5), kernel_size=5, sigma=(0.3, 0.9),
                                      seed=5)
    apply, sigma = (_np(v) for v in layer._draw(T(IMAGES)))
    got = _np(layers.RandomGaussianBlur(factor=(0.5, 0.5), kernel_size=5, sigma=(0.3, 0.9),
                                        seed=5)(IMAGES))
    t = np.arange(5) - 2.0
    gx, gy = (np.exp(-0.5 * (t / s) ** 2) for s in sigma)
    want = np.clip(_filter_numpy(IMAGES, np.outer(gy / gy.sum(), gx / gx.sum())), 0, 255)
    want = np.where(apply[:, None, None, None], want, IMAGES)
    np.testing.assert_allclose(got, want, atol=1e-3)

    layer = layers.RandomSharpness(factor=(0.2, 0.9), value_range=(0, 200), seed=6)
    factor = _np(layer._draw(T(IMAGES)))
    got = _np(layers.RandomSharpness(factor=(0.2, 0.9), value_range=(0, 200), seed=6)(IMAGES))
    smooth = _filter_numpy(IMAGES, np.array([[1, 1, 1], [1, 5, 1], [1, 1, 1]]) / 13.0)
    f = factor[:, None, None, None] * 2
    np.testing.assert_allclose(got, np.clip(IMAGES + (1 - f) * (smooth - IMAGES), 0, 200),
                               atol=1e-3)
    # factor 0.5 keeps the image
    np.testing.assert_allclose(_np(layers.RandomSharpness((0.5, 0.5))(IMAGES)), IMAGES,
                               atol=1e-3)


def test_clahe_numpy_reference_single_tile():
    # One tile, no clip: plain histogram equalisation through the CDF.
    image = np.random.default_rng(3).integers(0, 256, size=(1, 5, 6, 1)).astype("float32")
    out = _np(CLAHE(tile_grid_size=(1, 1), clip_limit=0.0)(image))
    hist = np.bincount(image.astype(int).ravel(), minlength=256).astype(float)
    cdf = np.cumsum(hist)
    lut = np.clip((cdf - cdf.min()) * 255.0 / (image.size - cdf.min()), 0, 255)
    np.testing.assert_allclose(out, lut[image.astype(int)], atol=1e-3)
    # Training or not, CLAHE applies; single images; dicts keep labels.
    layer = CLAHE(tile_grid_size=(2, 2))
    np.testing.assert_array_equal(_np(layer(IMAGES, training=False)), _np(layer(IMAGES)))
    np.testing.assert_allclose(_np(layer(IMAGES[0])), _np(layer(IMAGES))[0], atol=1e-4)
    out = layer({"images": IMAGES, "labels": np.arange(3)})
    np.testing.assert_array_equal(_np(out["labels"]), np.arange(3))


def test_errors_name_the_layer():
    with pytest.raises(ValueError, match="RandomGaussianBlur 'g'.*kernel_size.*odd"):
        layers.RandomGaussianBlur(kernel_size=4, name="g")
    with pytest.raises(ValueError, match="RandomGaussianBlur.*sigma"):
        layers.RandomGaussianBlur(sigma=2.0)
    with pytest.raises(ValueError, match="RandomSharpness.*factor"):
        layers.RandomSharpness(factor=-0.5)
    with pytest.raises(ValueError, match="RandomSharpness.*value_range"):
        layers.RandomSharpness(0.5, value_range=3)
    with pytest.raises(ValueError, match="ContrastLimitedAdaptiveHistogramEqualization.*tile"):
        CLAHE(tile_grid_size=8)
    with pytest.raises(ValueError, match="ContrastLimitedAdaptiveHistogramEqualization.*rank"):
        CLAHE()(np.zeros((4, 4), "float32"))


def _clahe_numpy(x, grid, clip):
    """CLAHE of (B, H, W, C) values in [0, 255]: symmetric padding to whole tiles, float
    clip limit, bilinear blend of the four nearest tiles' lookup tables."""
    b, h, w, c = x.shape
    th, tw = -(-h // grid[0]), -(-w // grid[1])
    x = np.pad(x, ((0, 0), (0, th * grid[0] - h), (0, tw * grid[1] - w), (0, 0)), "symmetric")
    lv = np.clip(x, 0, 255).astype(int)
    lut = np.zeros((b, grid[0], grid[1], c, 256))
    for n, i, j, k in np.ndindex(b, grid[0], grid[1], c):
        hist = np.bincount(lv[n, i * th:(i + 1) * th, j * tw:(j + 1) * tw, k].ravel(),
                           minlength=256).astype(float)
        if clip > 0:
            clipped = np.minimum(hist, clip * th * tw / 256)
            hist = clipped + (hist - clipped).sum() / 256
        cdf = np.cumsum(hist)
        lut[n, i, j, k] = np.clip((cdf - cdf.min()) * 255 / (th * tw - cdf.min()), 0, 255)
    lut = np.pad(lut, ((0, 0), (1, 1), (1, 1), (0, 0), (0, 0)), "edge")
    py, px = (np.arange(th * grid[0]) - th / 2) / th + 1, (np.arange(tw * grid[1]) - tw / 2) / tw + 1
    out = np.zeros(x.shape)
    for n, yy, xx, k in np.ndindex(*x.shape):
        y0, x0 = int(np.floor(py[yy])), int(np.floor(px[xx]))
        wy, wx = py[yy] - y0, px[xx] - x0

        def at(r, q):
            return lut[n, min(max(r, 0), grid[0] + 1), min(max(q, 0), grid[1] + 1), k,
                       lv[n, yy, xx, k]]
        out[n, yy, xx, k] = ((at(y0, x0) * (1 - wx) + at(y0, x0 + 1) * wx) * (1 - wy)
                             + (at(y0 + 1, x0) * (1 - wx) + at(y0 + 1, x0 + 1) * wx) * wy)
    return out[:, :h, :w]


@pytest.mark.parametrize("grid,clip", [((2, 3), 4.0), ((3, 4), 1.5), ((1, 2), 0.0)])
def test_clahe_numpy_reference_padded_tiles(grid, clip):
    images = IMAGES[:2, :, :, :2]  # 7 x 9: tiles need padding
    out = _np(CLAHE(tile_grid_size=grid, clip_limit=clip)(images))
    np.testing.assert_allclose(out, _clahe_numpy(images, grid, clip), atol=1e-3)
