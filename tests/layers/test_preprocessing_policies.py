"""RandAugment and AugMix: the harness, the augmentation properties, the composition
of their operations, config round trips and the errors."""
import numpy as np
import pytest

from cornu import backend, layers, ops
from tests.layers.harness import check_layer

IMAGES = np.random.default_rng(4).uniform(0, 255, size=(3, 8, 9, 3)).astype("float32")
POLICIES = [(layers.RandAugment, {"num_ops": 3, "factor": 0.6}),
            (layers.AugMix, {"num_chains": 2, "chain_depth": 2, "factor": 0.4}),
            (layers.AugMix, {"all_ops": False, "alpha": 0.5, "interpolation": "nearest"})]
IDS = ["RandAugment", "AugMix", "AugMix_few_ops"]


def _np(x):
    return backend.convert_to_numpy(x)


@pytest.mark.parametrize("cls,kwargs", POLICIES, ids=IDS)
def test_harness(cls, kwargs):
    check_layer(cls, dict(kwargs, seed=1), input_shape=(2, 8, 9, 3),
                input_data=IMAGES[:2], expected_output_shape=(2, 8, 9, 3),
                expected_num_trainable_weights=0, expected_num_non_trainable_weights=0,
                train=False)


@pytest.mark.parametrize("cls,kwargs", POLICIES, ids=IDS)
def test_properties(cls, kwargs):
    np.testing.assert_array_equal(_np(cls(seed=3, **kwargs)(IMAGES, training=False)), IMAGES)
    first, second = cls(seed=7, **kwargs), cls(seed=7, **kwargs)
    outs = [_np(first(IMAGES)) for _ in range(4)]
    for out in outs:  # the same seed repeats the whole stream
        np.testing.assert_array_equal(out, _np(second(IMAGES)))
        assert out.shape == IMAGES.shape and out.dtype == np.float32
        assert out.min() >= -1e-3 and out.max() <= 255 + 1e-3
    assert not all(np.allclose(outs[0], o) for o in outs[1:])
    assert any(not np.allclose(o, IMAGES) for o in outs)
    # unit range kept, one unbatched image, channels_first
    unit = _np(cls(seed=2, value_range=(0, 1), **kwargs)(IMAGES / 255.0))
    assert unit.min() >= -1e-5 and unit.max() <= 1 + 1e-5
    assert _np(cls(seed=1, **kwargs)(IMAGES[0])).shape == IMAGES[0].shape
    cf = np.transpose(IMAGES, (0, 3, 1, 2))
    np.testing.assert_allclose(_np(cls(seed=4, data_format="channels_first", **kwargs)(cf)),
                               np.transpose(_np(cls(seed=4, **kwargs)(IMAGES)), (0, 3, 1, 2)),
                               atol=1e-3)


@pytest.mark.parametrize("cls,kwargs", POLICIES, ids=IDS)
def test_config_round_trip(cls, kwargs):
    layer = cls(seed=5, value_range=[0, 1], **kwargs)
    config = layer.get_config()
    assert config["seed"] == 5 and list(config["value_range"]) == [0, 1]
    clone = cls.from_config(config)
    assert clone.get_config() == config
    again = layers.deserialize(layers.serialize(layer))
    assert type(again) is cls and again.get_config() == config
    np.testing.assert_array_equal(_np(clone(IMAGES / 255.0)), _np(layer(IMAGES / 255.0)))


def test_keras_defaults():
    config = layers.RandAugment().get_config()
    assert (config["num_ops"], list(config["factor"]), config["interpolation"],
            list(config["value_range"])) == (2, [0, 0.5], "bilinear", [0, 255])
    config = layers.AugMix().get_config()
    assert (config["num_chains"], config["chain_depth"], list(config["factor"]),
            config["alpha"], config["all_ops"]) == (3, 3, [0, 0.3], 1.0, True)
    assert len(layers.AugMix()._operations) == 11
    assert len(layers.AugMix(all_ops=False)._operations) == 7
    names = [type(op).__name__ for op in layers.RandAugment()._operations]
    assert names == ["RandomShear", "RandomTranslation", "RandomRotation", "RandomBrightness",
                     "RandomColorDegeneration", "RandomContrast", "RandomSharpness",
                     "RandomPosterization", "Solarization", "AutoContrast", "Equalization"]
    # posterization keeps int(8 * factor) bits at most, as Keras builds it
    assert layers.RandAugment(factor=0.5)._operations[7].factor == (1, 4)


def test_rand_augment_applies_one_of_its_operations():
    # With factor 0 every operation is deterministic: each call's output is one of them.
    x = IMAGES
    candidates = {"identity": x}
    for op in layers.RandAugment(factor=0.0)._operations:
        out = _np(op._transform(ops.convert_to_tensor(x), op._draw(ops.convert_to_tensor(x)),
                                False))
        candidates.setdefault(type(op).__name__, out)
    seen = set()
    for seed in range(12):
        out = _np(layers.RandAugment(num_ops=1, factor=0.0, seed=seed)(x))
        match = [name for name, c in candidates.items() if np.allclose(out, c, atol=1e-3)]
        assert match, f"seed {seed}: the output is none of the operations"
        seen.update(match)
    assert len(seen) >= 3, seen
    np.testing.assert_array_equal(_np(layers.RandAugment(num_ops=0, seed=1)(x)), x)


def test_aug_mix_mixes_its_chains():
    layer = layers.AugMix(seed=9, factor=0.5)
    x = ops.convert_to_tensor(IMAGES)
    weights, blend, chains = layer._draw(x)
    weights, blend = _np(weights), float(_np(blend))
    assert abs(weights.sum() - 1) < 1e-5 and (weights >= 0).all() and 0 <= blend <= 1
    assert len(chains) == 3 and all(len(c) <= 3 for c in chains)
    mixed = sum(w * _np(layer._run(x, chain, False)) for w, chain in zip(weights, chains))
    expected = np.clip(blend * IMAGES + (1 - blend) * mixed, 0, 255)
    params = (ops.convert_to_tensor(weights), ops.convert_to_tensor(blend), chains)
    np.testing.assert_allclose(_np(layer._transform(x, params, False)), expected, atol=1e-3)
    # and a call applies exactly that: the same seed draws the same parameters
    twin = layers.AugMix(seed=9, factor=0.5)
    np.testing.assert_allclose(_np(twin(IMAGES)), expected, atol=1e-3)


def test_dict_inputs():
    masks = np.random.default_rng(1).integers(0, 3, (3, 8, 9, 1)).astype("float32")
    labels = np.eye(3, dtype="float32")
    for seed in range(4):
        out = layers.RandAugment(num_ops=3, seed=seed)(
            {"images": IMAGES, "labels": labels, "segmentation_masks": masks})
        assert tuple(out["images"].shape) == IMAGES.shape
        np.testing.assert_array_equal(_np(out["labels"]), labels)
        assert set(np.unique(_np(out["segmentation_masks"]))) <= {0.0, 1.0, 2.0}
    out = layers.AugMix(seed=1)({"images": IMAGES, "segmentation_masks": masks})
    assert tuple(out["segmentation_masks"].shape) == masks.shape


@pytest.mark.parametrize("make,message", [
    (lambda: layers.RandAugment(factor=1.5), "factor"),
    (lambda: layers.RandAugment(num_ops=-1), "num_ops"),
    (lambda: layers.RandAugment(interpolation="cubic"), "interpolation"),
    (lambda: layers.RandAugment(value_range=(0,)), "value_range"),
    (lambda: layers.AugMix(num_chains=0), "num_chains"),
    (lambda: layers.AugMix(chain_depth=1.5), "chain_depth"),
    (lambda: layers.AugMix(alpha=0), "alpha"),
])
def test_bad_arguments(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_bad_rank_names_the_layer():
    with pytest.raises(ValueError, match=r"RandAugment 'policy'.*rank 3"):
        layers.RandAugment(name="policy")(np.zeros((4, 4), "float32"))
