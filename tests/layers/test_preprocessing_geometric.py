"""RandomShear, RandomPerspective, RandomElasticTransform: Keras's transform for a
fixed draw (fixtures), an independent numpy reference of the documented math with
the layer's own draws, and the augmentation properties."""
import json
import os

import numpy as np
import pytest

import cornu
from cornu import backend, layers, ops
from tests.layers.harness import check_layer

FIXTURES = np.load(os.path.join(os.path.dirname(__file__), "fixtures",
                                "geometric_fixtures.npz"), allow_pickle=False)
CASES = {c["id"]: c for c in json.loads(str(FIXTURES["cases"]))}
IMAGES = np.random.default_rng(0).uniform(0, 255, size=(3, 7, 9, 3)).astype("float32")
LAYERS = [
    (layers.RandomShear, {"x_factor": 0.3, "y_factor": 0.2}),
    (layers.RandomPerspective, {"scale": 0.6}),
    (layers.RandomElasticTransform, {"scale": 1.0, "factor": 1.0}),
]
IDS = [cls.__name__ for cls, _ in LAYERS]


def _np(x):
    return backend.convert_to_numpy(x)


def _fixture(case_id):
    case = CASES[case_id]
    cls = getattr(layers, case["cls"])
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in case["kwargs"].items()}
    params = {k.split("/p_")[1]: FIXTURES[k] for k in FIXTURES.files
              if k.startswith(case_id + "/p_")}
    return cls(**kwargs), FIXTURES["data/" + case["x"]], FIXTURES[case_id + "/y"], params


# --- the harness and the shared properties -----------------------------------------------

@pytest.mark.parametrize("cls,kwargs", LAYERS, ids=IDS)
def test_harness(cls, kwargs):
    check_layer(cls, dict(kwargs, seed=1), input_shape=(2, 6, 7, 3),
                expected_output_shape=(2, 6, 7, 3), expected_num_trainable_weights=0,
                expected_num_non_trainable_weights=0, train=False)


@pytest.mark.parametrize("cls,kwargs", LAYERS, ids=IDS)
def test_inference_identity_seed_and_stream(cls, kwargs):
    np.testing.assert_array_equal(_np(cls(seed=3, **kwargs)(IMAGES, training=False)), IMAGES)
    first, second = cls(seed=7, **kwargs), cls(seed=7, **kwargs)
    a1, a2 = _np(first(IMAGES)), _np(first(IMAGES))
    np.testing.assert_array_equal(a1, _np(second(IMAGES)))
    np.testing.assert_array_equal(a2, _np(second(IMAGES)))
    assert a1.shape == IMAGES.shape and a1.dtype == np.float32
    assert not np.array_equal(a1, IMAGES) and not np.array_equal(a1, a2)
    # different images of one batch get different draws
    same = _np(cls(seed=2, **kwargs)(np.repeat(IMAGES[:1], 3, 0)))
    assert not np.allclose(same[0], same[1])


@pytest.mark.parametrize("cls,kwargs", LAYERS, ids=IDS)
def test_single_image_dict_and_channels_first(cls, kwargs):
    assert _np(cls(seed=1, **kwargs)(IMAGES[0])).shape == IMAGES[0].shape
    masks = (IMAGES[..., :1] > 128).astype("float32")
    out = cls(seed=1, **kwargs)({"images": IMAGES, "labels": np.arange(3),
                                 "segmentation_masks": masks})
    assert _np(out["images"]).shape == IMAGES.shape
    np.testing.assert_array_equal(_np(out["labels"]), np.arange(3))
    assert set(np.unique(_np(out["segmentation_masks"]))) <= {0.0, 1.0}  # nearest sampling
    cf = np.transpose(IMAGES, (0, 3, 1, 2))
    got = _np(cls(seed=4, data_format="channels_first", **kwargs)(cf))
    want = _np(cls(seed=4, **kwargs)(IMAGES))
    np.testing.assert_allclose(got, np.transpose(want, (0, 3, 1, 2)), atol=1e-3)


# --- RandomShear ----------------------------------------------------------------------------

@pytest.mark.parametrize("case_id", ["shear", "shear_constant_nearest", "shear_cf"])
def test_shear_matches_keras(case_id):
    layer, x, y, params = _fixture(case_id)
    factor = ops.convert_to_tensor(params["shear_factor"])
    transform = layer.shear_matrix(factor[:, :1], factor[:, 1:])
    np.testing.assert_allclose(_np(layer._transform(ops.convert_to_tensor(x), transform,
                                                    False)), y, atol=1e-4)


def _affine_numpy(image, a, fill_value=0.0):
    """Bilinear sampling at (a0 x + a1 y + a2, b0 x + b1 y + b2), constant fill: (H, W, C)."""
    h, w, _ = image.shape
    ys, xs = np.mgrid[0:h, 0:w].astype("float64")
    sx, sy = a[0] * xs + a[1] * ys + a[2], a[3] * xs + a[4] * ys + a[5]
    out = np.zeros(image.shape)
    x0, y0 = np.floor(sx).astype(int), np.floor(sy).astype(int)
    for dy in (0, 1):
        for dx in (0, 1):
            xi, yi = x0 + dx, y0 + dy
            weight = (1 - abs(sx - xi)) * (1 - abs(sy - yi))
            inside = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
            values = np.where(inside[..., None], image[yi.clip(0, h - 1), xi.clip(0, w - 1)],
                              fill_value)
            out += weight[..., None] * values
    return out


def test_shear_numpy_reference_with_drawn_factors():
    layer = layers.RandomShear(x_factor=(0.1, 0.4), y_factor=(0.05, 0.3),
                               fill_mode="constant", fill_value=5.0, seed=11)
    transform = _np(layer._draw(ops.convert_to_tensor(IMAGES)))
    assert transform.shape == (3, 8)
    np.testing.assert_array_equal(transform[:, [0, 4]], 1.0)
    np.testing.assert_array_equal(transform[:, [2, 5, 6, 7]], 0.0)
    sx, sy = transform[:, 1], transform[:, 3]
    assert np.all((np.abs(sx) >= 0.1 - 1e-6) & (np.abs(sx) <= 0.4 + 1e-6))
    assert np.all((np.abs(sy) >= 0.05 - 1e-6) & (np.abs(sy) <= 0.3 + 1e-6))
    assert np.all(np.sign(sx) == np.sign(sy))  # one coin flips both shears
    again = layers.RandomShear(x_factor=(0.1, 0.4), y_factor=(0.05, 0.3),
                               fill_mode="constant", fill_value=5.0, seed=11)
    got = _np(again(IMAGES))
    for image, out, t in zip(IMAGES, got, transform):
        np.testing.assert_allclose(out, _affine_numpy(image, t, 5.0), atol=1e-3)


def test_shear_config_keeps_arguments_and_loads_keras_ranges():
    layer = layers.RandomShear(x_factor=0.3, seed=1)
    config = layer.get_config()
    assert config["x_factor"] == 0.3 and config["y_factor"] == 0.0
    assert config["fill_mode"] == "reflect" and config["interpolation"] == "bilinear"
    # Keras writes the resolved range (-0.3, 0.3) into its configs: it loads here.
    assert layers.RandomShear(x_factor=[-0.3, 0.3])._x_range == (-0.3, 0.3)


def test_shear_errors_name_the_layer():
    with pytest.raises(ValueError, match=r"RandomShear 'sh'.*x_factor.*\[0, 1\].*1.5"):
        layers.RandomShear(x_factor=1.5, name="sh")
    with pytest.raises(ValueError, match="y_factor"):
        layers.RandomShear(y_factor=(0.1, 0.2, 0.3))
    with pytest.raises(NotImplementedError, match="fill_mode"):
        layers.RandomShear(fill_mode="mirror")
    with pytest.raises(NotImplementedError, match="interpolation"):
        layers.RandomShear(interpolation="bicubic")
    with pytest.raises(ValueError, match="RandomShear.*rank 3.*or 4"):
        layers.RandomShear(0.2)(np.zeros((2, 3), "float32"))


# --- RandomPerspective ---------------------------------------------------------------------

@pytest.mark.parametrize("case_id", ["perspective", "perspective_nearest", "perspective_cf"])
def test_perspective_matches_keras(case_id):
    layer, x, y, p = _fixture(case_id)
    params = tuple(ops.convert_to_tensor(p[k]) for k in ("apply_perspective", "start_points",
                                                          "end_points"))
    np.testing.assert_allclose(_np(layer._transform(ops.convert_to_tensor(x), params, False)),
                               y, atol=1e-3)


def test_perspective_draws_and_reference():
    layer = layers.RandomPerspective(factor=(0.5, 0.5), scale=0.4, seed=3)
    apply, start, end = (_np(v) for v in layer._draw(ops.convert_to_tensor(IMAGES)))
    corners = np.array([[0, 0], [8, 0], [0, 6], [8, 6]], "float32")
    np.testing.assert_array_equal(start, np.broadcast_to(corners, (3, 4, 2)))
    offsets = (end - start)[start != 0] / start[start != 0]
    assert np.all(np.abs(offsets) <= 0.2 + 1e-6)
    # A warp whose end points equal the start points is the identity.
    out = _np(layer._transform(ops.convert_to_tensor(IMAGES), (
        ops.convert_to_tensor(np.array([True, True, True])), ops.convert_to_tensor(start),
        ops.convert_to_tensor(start)), False))
    np.testing.assert_allclose(out, IMAGES, atol=1e-3)
    # factor 0 never warps; the probability is drawn per image.
    np.testing.assert_array_equal(_np(layers.RandomPerspective(factor=0.0, seed=1)(IMAGES)),
                                  IMAGES)
    many = np.repeat(IMAGES[:1], 40, 0)
    kept = [np.array_equal(o, many[0]) for o in _np(
        layers.RandomPerspective(factor=(0.5, 0.5), seed=2)(many))]
    assert 5 < sum(kept) < 35


def test_perspective_errors():
    with pytest.raises(ValueError, match="RandomPerspective.*scale.*\\[0, 1\\]"):
        layers.RandomPerspective(scale=1.5)
    with pytest.raises(ValueError, match="RandomPerspective.*factor"):
        layers.RandomPerspective(factor=2.0)
    with pytest.raises(NotImplementedError, match="interpolation"):
        layers.RandomPerspective(interpolation="area")


# --- RandomElasticTransform ----------------------------------------------------------------

@pytest.mark.parametrize("case_id", ["elastic", "elastic_constant", "elastic_cf_nearest"])
def test_elastic_matches_keras(case_id):
    layer, x, y, p = _fixture(case_id)
    h, w = x.shape[1:3] if layer.data_format == "channels_last" else x.shape[2:]
    dx, dy = layer.displacements(ops.convert_to_tensor(p["noise"]),
                                 ops.convert_to_tensor(p["distortion_factor"]), h, w)
    params = (ops.convert_to_tensor(p["apply_transform"]), dx, dy)
    np.testing.assert_allclose(_np(layer._transform(ops.convert_to_tensor(x), params, False)),
                               y, atol=1e-3)


def test_elastic_displacement_numpy_reference():
    rng = np.random.default_rng(4)
    noise = rng.normal(size=(2, 2, 20, 30)).astype("float32")
    layer = layers.RandomElasticTransform(scale=(0.5, 1.0))
    strength = 0.8
    dx, dy = (_np(v)[..., 0] for v in layer.displacements(
        ops.convert_to_tensor(noise), ops.convert_to_tensor(np.float32(strength)), 20, 30))
    sigma, alpha = 20 * 0.05 * strength, 30 * 0.1 * strength
    k = int(6 * sigma) | 1
    t = np.arange(k) - (k - 1) / 2
    g = np.exp(-0.5 * (t / sigma) ** 2)
    g /= g.sum()
    for field, got in zip(noise * sigma, (dx, dy)):
        padded = np.pad(field, ((0, 0), (k // 2, k // 2), (k // 2, k // 2)))
        want = np.zeros_like(field)
        for i in range(k):
            for j in range(k):
                want += g[i] * g[j] * padded[:, i:i + 20, j:j + 30]
        np.testing.assert_allclose(got, alpha * want, atol=1e-4)


def test_elastic_clips_and_skips():
    out = _np(layers.RandomElasticTransform(value_range=(10, 200), seed=1)(IMAGES))
    assert out.min() >= 10 and out.max() <= 200
    np.testing.assert_array_equal(
        _np(layers.RandomElasticTransform(factor=0.0, seed=1)(IMAGES)), IMAGES)
    np.testing.assert_array_equal(
        _np(layers.RandomElasticTransform(scale=0.0, seed=1)(IMAGES)), IMAGES)
    with pytest.raises(NotImplementedError, match="RandomElasticTransform.*fill_mode"):
        layers.RandomElasticTransform(fill_mode="edge")
    with pytest.raises(ValueError, match="RandomElasticTransform.*scale"):
        layers.RandomElasticTransform(scale=(0.1, 0.2, 0.3))
