"""The colour layers: Keras's outputs (fixtures), numpy references of the documented
math with the layers' own draws, the augmentation properties and the errors."""
import colorsys
import json
import os

import numpy as np
import pytest

from cornu import backend, layers, ops
from tests.layers.harness import check_layer

FIXTURES = np.load(os.path.join(os.path.dirname(__file__), "fixtures", "color_fixtures.npz"),
                   allow_pickle=False)
CASES = {c["id"]: c for c in json.loads(str(FIXTURES["cases"]))}
IMAGES = np.random.default_rng(3).uniform(0, 255, size=(4, 5, 6, 3)).astype("float32")
T = ops.convert_to_tensor
RANDOM = [
    (layers.Solarization, {"addition_factor": 0.3, "threshold_factor": 0.8}),
    (layers.RandomInvert, {"factor": 0.8}),
    (layers.RandomPosterization, {"factor": (2, 6)}),
    (layers.RandomGrayscale, {"factor": 0.5}),
    (layers.RandomColorDegeneration, {"factor": 0.9}),
    (layers.RandomSaturation, {"factor": (0.1, 0.9)}),
    (layers.RandomHue, {"factor": 0.8}),
    (layers.RandomColorJitter, {"brightness_factor": 0.2, "contrast_factor": 0.5,
                                "saturation_factor": (0.2, 0.8), "hue_factor": 0.4}),
]
FIXED = [(layers.AutoContrast, {}), (layers.Equalization, {"bins": 64})]
RANDOM_IDS = [cls.__name__ for cls, _ in RANDOM]


def _np(x):
    return backend.convert_to_numpy(x)


def _fixture(case_id):
    case = CASES[case_id]
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in case["kwargs"].items()}
    params = {k.split("/p_")[1]: FIXTURES[k] for k in FIXTURES.files
              if k.startswith(case_id + "/p_")}
    return (getattr(layers, case["cls"])(**kwargs), FIXTURES["data/" + case["x"]],
            FIXTURES[case_id + "/y"], params)


# --- Keras's outputs ---------------------------------------------------------------------

TRANSFORM_PARAMS = {  # the fixture's parameters in the order cornu's _transform takes them
    "solarization": lambda p: (T(p["additions"]), T(p["thresholds"])),
    "solarization_unit": lambda p: (T(p["additions"]), T(p["thresholds"])),
    "invert": lambda p: T(p["apply"]),
    "posterization": lambda p: T(p["shift"]),
    "posterization_unit": lambda p: T(p["shift"]),
    "grayscale": lambda p: T(p["apply"]),
    "degeneration": lambda p: T(p["factor"]),
    "saturation": lambda p: T(p["factor"]),
    "saturation_unit": lambda p: T(p["factor"]),
    "hue": lambda p: T(p["shift"]),
    "hue_unit_cf": lambda p: T(p["shift"]),
}


@pytest.mark.parametrize("case_id", sorted(TRANSFORM_PARAMS))
def test_transform_matches_keras(case_id):
    layer, x, y, params = _fixture(case_id)
    out = layer._transform(T(x), TRANSFORM_PARAMS[case_id](params), False)
    np.testing.assert_allclose(_np(out), y, atol=1e-4 * max(1.0, float(np.abs(y).max())))


@pytest.mark.parametrize("case_id", sorted(c for c in CASES if CASES[c]["mode"] == "call"))
def test_deterministic_calls_match_keras(case_id):
    layer, x, y, _ = _fixture(case_id)
    out = _np(layer(x, training=True))
    assert out.dtype == np.float32 and out.shape == y.shape
    np.testing.assert_allclose(out, y, atol=1e-4 * max(1.0, float(np.abs(y).max())))
    single = _np(layer(x[0], training=True))  # one unbatched image
    if CASES[case_id]["cls"] != "Equalization":  # its histogram spans the batch
        np.testing.assert_allclose(single, y[0], atol=1e-4 * max(1.0, float(np.abs(y).max())))


# --- numpy references with the layers' own draws -------------------------------------

def _gray(x):
    return (x @ np.array([0.2989, 0.587, 0.114], "float32"))[..., None]


def _hsv_edit(x, edit):
    """Per-pixel HSV edit with colorsys (x in [0, 1]); edit(h, s, v, image index)."""
    out = np.empty_like(x)
    for index in np.ndindex(x.shape[:-1]):
        h, s, v = colorsys.rgb_to_hsv(*x[index].astype(float))
        out[index] = colorsys.hsv_to_rgb(*edit(h, s, v, index[0]))
    return out


def _solarize(x, p):
    add, threshold = (_np(a) for a in p)
    y = np.clip(x + add, 0, 255)
    return np.where(y < threshold, y, 255 - y)


def _posterize(x, p):
    shift = _np(p).reshape(-1, 1, 1, 1)
    return (x.astype(np.uint8) >> shift << shift).astype("float32")


def _saturate(x, p):
    f = _np(p)
    return 255 * _hsv_edit(x / 255, lambda h, s, v, i: (h, min(s * f[i], 1.0), v))


def _rotate_hue(x, p):
    f = _np(p)
    return 255 * np.clip(_hsv_edit(x / 255, lambda h, s, v, i: ((h + f[i]) % 1.0, s, v)), 0, 1)


REFERENCES = [
    (layers.Solarization, {"addition_factor": 0.2, "threshold_factor": (0.3, 0.9)}, _solarize),
    (layers.RandomInvert, {"factor": 0.5},
     lambda x, p: np.where(_np(p).reshape(-1, 1, 1, 1), 255 - x, x)),
    (layers.RandomPosterization, {"factor": 7}, _posterize),
    (layers.RandomGrayscale, {}, lambda x, p: np.where(_np(p).reshape(-1, 1, 1, 1),
                                                       _gray(x), x)),
    (layers.RandomColorDegeneration, {"factor": 0.8},
     lambda x, p: np.clip(x + _np(p) * (_gray(x) - x), 0, 255)),
    (layers.RandomSaturation, {"factor": (0.05, 0.9)}, _saturate),
    (layers.RandomHue, {"factor": 0.9}, _rotate_hue),
]


@pytest.mark.parametrize("cls,kwargs,reference", REFERENCES,
                         ids=[r[0].__name__ for r in REFERENCES])
def test_numpy_reference_with_drawn_parameters(cls, kwargs, reference):
    drawn = cls(seed=11, **kwargs)._draw(T(IMAGES))
    out = _np(cls(seed=11, **kwargs)(IMAGES))
    np.testing.assert_allclose(out, reference(IMAGES, drawn), atol=2e-3)


def test_auto_contrast_and_equalization_references():
    x = IMAGES[:, :, :, :] * 0.5 + 40  # values in [40, 167.5]
    low, high = x.min(axis=(1, 2), keepdims=True), x.max(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(_np(layers.AutoContrast()(x)), (x - low) * 255 / (high - low),
                               atol=1e-3)
    # Equalization, one channel over the batch: the normalised cdf of the 256 levels
    levels = np.floor(x)
    eq = _np(layers.Equalization()(levels))
    for c in range(3):
        v = levels[..., c].astype(int)
        cdf = np.cumsum(np.bincount(v.ravel(), minlength=256))
        cdf_min = cdf[cdf > 0][0]
        lut = np.clip(np.round((cdf - cdf_min) * 255 / (cdf[-1] - cdf_min)), 0, 255)
        np.testing.assert_array_equal(eq[..., c], lut[v])


# --- the harness and the shared properties -----------------------------------------------

@pytest.mark.parametrize("cls,kwargs", RANDOM + FIXED, ids=RANDOM_IDS + ["AutoContrast",
                                                                         "Equalization"])
def test_harness(cls, kwargs):
    check_layer(cls, kwargs, input_shape=(2, 5, 6, 3),
                input_data=np.random.default_rng(0).uniform(0, 255, (2, 5, 6, 3)).astype(
                    "float32"),
                expected_output_shape=(2, 5, 6, 3), expected_num_trainable_weights=0,
                expected_num_non_trainable_weights=0, train=False)


@pytest.mark.parametrize("cls,kwargs", RANDOM, ids=RANDOM_IDS)
def test_random_properties(cls, kwargs):
    np.testing.assert_array_equal(_np(cls(seed=3, **kwargs)(IMAGES, training=False)), IMAGES)
    first, second = cls(seed=7, **kwargs), cls(seed=7, **kwargs)
    a1, a2 = _np(first(IMAGES)), _np(first(IMAGES))
    np.testing.assert_array_equal(a1, _np(second(IMAGES)))
    np.testing.assert_array_equal(a2, _np(second(IMAGES)))
    assert a1.shape == IMAGES.shape and a1.dtype == np.float32
    assert not np.array_equal(a1, IMAGES) and not np.array_equal(a1, a2)
    assert a1.min() >= -1e-3 and a1.max() <= 255 + 1e-3
    # different images of one batch get different draws
    same = np.repeat(IMAGES[:1], 8, 0)
    out = _np(cls(seed=2, **kwargs)(same))
    assert any(not np.allclose(out[0], out[i]) for i in range(1, 8))
    # one unbatched image; channels_first gives the transposed result
    assert _np(cls(seed=1, **kwargs)(IMAGES[0])).shape == IMAGES[0].shape
    cf = np.transpose(IMAGES, (0, 3, 1, 2))
    np.testing.assert_allclose(
        _np(cls(seed=4, data_format="channels_first", **kwargs)(cf)),
        np.transpose(_np(cls(seed=4, **kwargs)(IMAGES)), (0, 3, 1, 2)), atol=1e-3)


@pytest.mark.parametrize("cls,kwargs", RANDOM + FIXED, ids=RANDOM_IDS + ["AutoContrast",
                                                                         "Equalization"])
def test_dict_inputs_and_unit_range(cls, kwargs):
    masks = np.random.default_rng(1).integers(0, 3, (4, 5, 6, 1)).astype("float32")
    labels = np.eye(4, dtype="float32")
    out = cls(**dict(kwargs, seed=5) if cls not in (layers.AutoContrast, layers.Equalization)
              else kwargs)({"images": IMAGES, "labels": labels, "segmentation_masks": masks})
    np.testing.assert_array_equal(_np(out["segmentation_masks"]), masks)
    np.testing.assert_array_equal(_np(out["labels"]), labels)
    assert tuple(out["images"].shape) == IMAGES.shape
    unit = cls(value_range=(0, 1), **kwargs) if cls is not layers.RandomGrayscale else cls(
        **kwargs)
    y = _np(unit(IMAGES / 255.0))
    assert y.min() >= -1e-5 and y.max() <= 1 + 1e-5


def test_fixed_layers_act_at_inference_and_keep_flat_channels():
    for layer in (layers.AutoContrast(), layers.Equalization()):
        np.testing.assert_array_equal(_np(layer(IMAGES, training=False)), _np(layer(IMAGES)))
        flat = np.full((1, 4, 4, 3), 90.0, "float32")
        np.testing.assert_array_equal(_np(layer(flat)), flat)


def test_defaults_and_configs_follow_keras():
    assert layers.Solarization().get_config()["value_range"] == [0, 255]
    config = layers.Solarization(addition_factor=0.4, threshold_factor=(0.6, 0.2)).get_config()
    assert list(config["addition_factor"]) == [0, 0.4]
    assert list(config["threshold_factor"]) == [0.2, 0.6]
    assert layers.RandomInvert().factor == (0, 1.0)
    assert layers.RandomPosterization(4).factor == (1, 4)
    assert layers.RandomSaturation(0.5).factor == (-0.5, 0.5)
    assert layers.RandomHue(0.5).factor == (0, 0.5)
    assert layers.RandomGrayscale().factor == 0.5
    config = layers.Equalization(value_range=(1, 0), bins=32).get_config()
    assert config["bins"] == 32 and config["value_range"] == [0, 1]
    jitter = layers.RandomColorJitter(hue_factor=0.2, seed=3)
    assert jitter.get_config()["hue_factor"] == 0.2 and jitter.get_config()["seed"] == 3
    again = layers.RandomColorJitter.from_config(jitter.get_config())
    np.testing.assert_array_equal(_np(again(IMAGES)), _np(jitter(IMAGES)))
    # uint8 images come out as floats
    assert _np(layers.RandomInvert(seed=1)(IMAGES.astype("uint8"))).dtype == np.float32


@pytest.mark.parametrize("make,message", [
    (lambda: layers.Solarization(addition_factor=1.5), "addition_factor"),
    (lambda: layers.Solarization(threshold_factor=(0.1, 0.2, 0.3)), "threshold_factor"),
    (lambda: layers.Solarization(value_range=5), "value_range"),
    (lambda: layers.RandomInvert(factor=2.0), "factor"),
    (lambda: layers.RandomPosterization(factor=9), r"\[1, 8\]"),
    (lambda: layers.RandomGrayscale(factor=-0.1), "factor"),
    (lambda: layers.Equalization(bins=1), "bins"),
    (lambda: layers.RandomHue(factor=(0.1, 0.2, 0.3)), "factor"),
    (lambda: layers.AutoContrast(value_range=(0, 1, 2)), "value_range"),
])
def test_bad_arguments(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_bad_inputs_name_the_layer():
    with pytest.raises(ValueError, match=r"RandomHue 'hue'.*rank 3.*or 4"):
        layers.RandomHue(0.3, name="hue")(np.zeros((5, 6), "float32"))
    with pytest.raises(ValueError, match=r"RandomSaturation 'sat'.*3 channels"):
        layers.RandomSaturation(0.3, name="sat")(np.zeros((1, 5, 6, 2), "float32"))
    with pytest.raises(ValueError, match=r"RandomGrayscale.*3 channels"):
        layers.RandomGrayscale()(np.zeros((1, 5, 6, 4), "float32"))
