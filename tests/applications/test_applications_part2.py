"""EfficientNet, EfficientNetV2, ConvNeXt and MobileNetV3 against real Keras 3.15.1:
layer names, classes and order, weight names and shapes, parameter counts (every model),
predictions with the same weights, and the ImageNet weights path against a local server.

The fixtures come from ``fixtures/make_part2_fixtures.py`` (run with real Keras).
Architectures are built on the ``meta`` device (no memory, no initialisation), so all
22 models are checked quickly. Prediction tests run every configuration up to 30M
parameters; the deeper ones (EfficientNetB5 to B7, EfficientNetV2M/L, ConvNeXtSmall to
XLarge) only with ``CORNU_SLOW_TESTS=1``.
"""
import hashlib
import json
import lzma
import os
from contextlib import nullcontext

import numpy as np
import pytest

import cornu as keras
from cornu import applications
from cornu.applications import convnext, efficientnet, efficientnet_v2, mobilenet_v3
from cornu.layers import OperationLayer
from tests.applications.fixtures.make_part2_fixtures import (
    CLASSES, CONFIGS, LOGIT_STRIDE, WEIGHT_FILES, pattern_input, pattern_weights)
from tests.utils.local_server import Route, serve

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
with lzma.open(os.path.join(FIXTURES, "part2_architectures.json.xz"), "rt") as _f:
    ARCHITECTURES = json.load(_f)
PREDICTIONS = dict(np.load(os.path.join(FIXTURES, "part2_predictions.npz")))
SLOW = bool(os.environ.get("CORNU_SLOW_TESTS"))
MODULES = {"efficientnet": efficientnet, "efficientnet_v2": efficientnet_v2,
           "convnext": convnext, "mobilenet_v3": mobilenet_v3}


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    """Downloads land in a fresh cache, never in ~/.cornu."""
    monkeypatch.setenv("CORNU_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def _kwargs(kwargs):
    return {k: tuple(v) if isinstance(v, list) else v for k, v in kwargs.items()}


def _build(constructor, kwargs):
    keras.backend.clear_session()
    if constructor == "EfficientNet":
        return efficientnet.EfficientNet(**_kwargs(kwargs))
    return getattr(applications, constructor)(**_kwargs(kwargs))


def _layers(model):
    # Keras's `model.layers` leaves out ops on tensors (`x + 3.0`); cornu lists them
    # as OperationLayers.
    return [[layer.name, type(layer).__name__] for layer in model.layers
            if not isinstance(layer, OperationLayer)]


def _set_pattern(model):
    model.set_weights(pattern_weights([(w.name, tuple(w.shape)) for w in model.weights]))


def _assert_close(actual, expected, tol=1e-5):
    scale = max(1.0, float(np.abs(expected).max()))
    np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol * scale)


# --- architectures ---------------------------------------------------------------------

@pytest.mark.parametrize("key", list(CONFIGS))
def test_architecture_matches_keras(key):
    constructor, kwargs = CONFIGS[key][:2]
    expected = ARCHITECTURES[key]
    with keras.device("meta"):
        model = _build(constructor, kwargs)
    assert model.name == expected["name"]
    assert _layers(model) == expected["layers"]
    assert [[w.name, list(w.shape)] for w in model.weights] == [
        [name, shape] for name, _, shape in expected["weights"]]
    # Variable paths too, except under ConvNeXt's nested Sequentials, where Keras puts
    # the Sequential's name in front ("convnext_tiny_stem/convnext_tiny_stem_conv/kernel").
    assert [w.path for w, (_, path, _) in zip(model.weights, expected["weights"])
            if path.count("/") == 1] == [p for _, p, _ in expected["weights"] if p.count("/") == 1]
    assert model.count_params() == expected["count"]
    assert list(model.output.shape) == expected["output_shape"]


def _prediction_params():
    params = []
    for key, (_, _, side, _) in CONFIGS.items():
        if side is None:
            continue
        heavy = ARCHITECTURES[key]["count"] > 30_000_000
        marks = [pytest.mark.skipif(heavy and not SLOW, reason="CORNU_SLOW_TESTS=1")]
        params.append(pytest.param(key, marks=marks))
    return params


@pytest.mark.parametrize("key", _prediction_params())
def test_predictions_match_keras_with_the_same_weights(key):
    constructor, kwargs, side, pixels = CONFIGS[key]
    model = _build(constructor, kwargs)
    _set_pattern(model)
    out = model.predict(pattern_input(side, pixels), verbose=0)
    if out.ndim == 2 and out.shape[1] == CLASSES:
        out = out[:, ::LOGIT_STRIDE]
    _assert_close(out, PREDICTIONS[key])  # 1e-5, the deepest (ConvNeXtXLarge) included


# --- weights="imagenet" and weight files -------------------------------------------------

def _weights_file(tmp_path, file_name):
    """The fixture written by real Keras, decompressed: Keras's published layout."""
    path = tmp_path / file_name
    with lzma.open(os.path.join(FIXTURES, file_name + ".xz"), "rb") as f:
        path.write_bytes(f.read())
    return path


# family -> the WEIGHTS_HASHES key of its weights file in the fixtures
HASH_KEYS = {"efficientnet": "b0", "efficientnet_v2": "b0", "convnext": "convnext_tiny",
             "mobilenet_v3": "small_224_1.0_float"}


@pytest.mark.parametrize("family", list(WEIGHT_FILES))
def test_imagenet_weights_downloaded_verified_cached_and_loaded(family, tmp_path, monkeypatch,
                                                                _home):
    constructor, kwargs, side, file_name = WEIGHT_FILES[family]
    module = MODULES[family]
    body = _weights_file(tmp_path, file_name).read_bytes()
    key = HASH_KEYS[family]
    with_top, without_top = module.WEIGHTS_HASHES[key]
    digest = (hashlib.sha256 if len(without_top) == 64 else hashlib.md5)(body).hexdigest()
    route = Route(body)
    base = "BASE_WEIGHT_PATH" if family == "mobilenet_v3" else "BASE_WEIGHTS_PATH"
    with serve({f"/{family}/{file_name}": route}) as url:
        monkeypatch.setattr(module, base, f"{url}/{family}/")
        monkeypatch.setitem(module.WEIGHTS_HASHES, key, (with_top, digest))
        # MobileNetV3 warns, as Keras does, that its weights were trained at 224x224.
        with pytest.warns(UserWarning) if family == "mobilenet_v3" else nullcontext():
            model = getattr(applications, constructor)(weights="imagenet", **kwargs)
    assert route.requests == 1
    assert os.listdir(_home / "models") == [file_name]
    assert _layers(model) == ARCHITECTURES[f"{family}/imagenet"]["layers"]
    _assert_close(model.predict(pattern_input(side), verbose=0),
                  PREDICTIONS[f"{family}/imagenet"])
    # Cached: no server now; the file is read from the cache.
    keras.backend.clear_session()
    with pytest.warns(UserWarning) if family == "mobilenet_v3" else nullcontext():
        again = getattr(applications, constructor)(weights="imagenet", **kwargs)
    np.testing.assert_array_equal(again.get_weights()[-1], model.get_weights()[-1])


@pytest.mark.parametrize("family", ["convnext", "mobilenet_v3"])
def test_weights_from_a_local_path(family, tmp_path):
    """A path loads the same file; these two families build the same model for it."""
    constructor, kwargs, side, file_name = WEIGHT_FILES[family]
    path = _weights_file(tmp_path, file_name)
    model = getattr(applications, constructor)(weights=str(path), **kwargs)
    _assert_close(model.predict(pattern_input(side), verbose=0),
                  PREDICTIONS[f"{family}/imagenet"])


def test_imagenet_hash_mismatch_is_refused(monkeypatch, _home):
    name = "efficientnetb0_notop.h5"
    with serve({f"/{name}": b"not the weights" * 100}) as url:
        monkeypatch.setattr(efficientnet, "BASE_WEIGHTS_PATH", url + "/")
        with pytest.raises(ValueError, match="hash"):
            applications.EfficientNetB0(include_top=False, input_shape=(32, 32, 3))
    assert os.listdir(_home / "models") == []


# --- arguments ---------------------------------------------------------------------------

@pytest.mark.parametrize("build, message", [
    (lambda: applications.EfficientNetV2B0(weights="imagenet", classes=10), "classes"),
    (lambda: applications.MobileNetV3Small(weights="imagenet", alpha=0.5), "alpha"),
    (lambda: applications.MobileNetV3Large(weights="imagenet", minimalistic=True, alpha=0.75),
     "alpha"),
    (lambda: applications.MobileNetV3Small(weights=None, input_shape=(16, 16, 3)),
     "at least 32"),
    (lambda: applications.EfficientNetB0(weights=None, include_top=False, pooling="sum"),
     "pooling"),
    (lambda: applications.ConvNeXtTiny(weights="imagenet", name="mine"), "name"),
    (lambda: convnext.ConvNeXt([1, 1, 1, 1], [8, 8, 8, 8], weights="imagenet",
                               weights_name="convnext_tiny", name="convnext_tiny"),
     "depths"),
    (lambda: efficientnet_v2.EfficientNetV2(1.0, 1.0, 224, name="mine", weights=None),
     "name"),
    (lambda: applications.EfficientNetB0(weights="no/such/file.h5"), "weights"),
])
def test_bad_arguments_are_refused_before_any_download(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_convnext_refuses_channels_first():
    keras.backend.set_image_data_format("channels_first")  # the session fixture resets it
    with pytest.raises(ValueError, match="channels_last"):
        applications.ConvNeXtTiny(weights=None)


@pytest.mark.parametrize("name", ["EfficientNetB0", "EfficientNetV2B0", "MobileNetV3Small"])
def test_channels_first(name):
    """A channels-first model computes what the channels-last one computes."""
    x = pattern_input(32)
    keras.backend.set_image_data_format("channels_first")  # the session fixture resets it
    first = getattr(applications, name)(weights=None, include_top=False,
                                        input_shape=(3, 32, 32))
    _set_pattern(first)
    out_first = first.predict(np.moveaxis(x, -1, 1), verbose=0)
    keras.backend.set_image_data_format("channels_last")
    last = getattr(applications, name)(weights=None, include_top=False,
                                       input_shape=(32, 32, 3))
    last.set_weights(first.get_weights())
    _assert_close(np.moveaxis(out_first, 1, -1), last.predict(x, verbose=0), 1e-4)


def test_mobilenet_v3_input_tensor_sets_the_shape():
    inputs = keras.Input(shape=(48, 48, 3))
    x = keras.layers.Activation("linear", name="before")(inputs)
    model = applications.MobileNetV3Small(weights=None, include_top=False, input_tensor=x)
    assert model.inputs[0] is inputs
    assert model.output.shape == (None, 2, 2, 576)


def test_classifier_activation_and_pooling():
    model = applications.EfficientNetB0(weights=None, input_shape=(32, 32, 3), classes=3)
    probs = model.predict(pattern_input(32), verbose=0)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    pooled = applications.ConvNeXtTiny(weights=None, include_top=False, pooling="avg")
    assert pooled.output.shape == (None, 768)
    assert pooled.layers[-1].name == "layer_normalization"


# --- the custom layers of ConvNeXt -------------------------------------------------------

def test_stochastic_depth_drops_whole_samples_only_when_training():
    layer = convnext.StochasticDepth(0.5)
    x = np.ones((64, 2, 2, 3), "float32")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x)), x)
    out = keras.ops.convert_to_numpy(layer(x, training=True))
    per_sample = out.reshape(64, -1)
    assert set(np.unique(per_sample)) <= {0.0, 2.0}
    assert np.all(per_sample.min(axis=1) == per_sample.max(axis=1))  # whole samples
    assert 0 < (per_sample[:, 0] == 0).sum() < 64
    assert layer.get_config()["drop_path_rate"] == 0.5


def test_layer_scale_matches_keras_names_and_config():
    layer = convnext.LayerScale(1e-6, 4, name="scale")
    out = layer(np.ones((2, 4), "float32"))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(out), np.full((2, 4), 1e-6))
    assert [w.path for w in layer.weights] == ["scale/variable"]  # as Keras names it
    config = layer.get_config()
    assert config["init_values"] == 1e-6 and config["projection_dim"] == 4
    clone = convnext.LayerScale.from_config(config)
    assert clone.projection_dim == 4 and clone.name == "scale"


def test_keras_configs_of_the_custom_layers_load():
    """Keras writes them with module ``keras.src.applications.convnext``."""
    config = {"module": "keras.src.applications.convnext", "class_name": "LayerScale",
              "config": {"name": "ls", "trainable": True, "dtype": "float32",
                         "init_values": 1e-06, "projection_dim": 4},
              "registered_name": "LayerScale", "build_config": {"input_shape": [None, 4]}}
    layer = keras.layers.deserialize(config)
    assert isinstance(layer, convnext.LayerScale) and layer.projection_dim == 4
    config = {"module": "keras.src.applications.convnext", "class_name": "StochasticDepth",
              "config": {"name": "sd", "trainable": True, "dtype": "float32",
                         "drop_path_rate": 0.1}, "registered_name": "StochasticDepth"}
    assert keras.layers.deserialize(config).drop_path_rate == 0.1


def test_convnext_config_round_trip():
    model = convnext.ConvNeXt([1, 1, 1, 1], [8, 8, 8, 8], drop_path_rate=0.1, weights=None,
                              input_shape=(32, 32, 3), classes=5, name="mini")
    _set_pattern(model)
    clone = keras.models.model_from_json(model.to_json())
    clone.set_weights(model.get_weights())
    x = pattern_input(32)
    _assert_close(clone.predict(x, verbose=0), model.predict(x, verbose=0))
    assert [type(layer).__name__ for layer in clone.layers].count("StochasticDepth") == 3


# --- preprocessing, decoding, module paths ------------------------------------------------

@pytest.mark.parametrize("module", list(MODULES.values()))
def test_preprocess_input_is_a_pass_through_and_decoding_works(module):
    x = pattern_input(4)
    assert module.preprocess_input(x) is x  # preprocessing is inside these models
    assert module.preprocess_input(x, data_format="channels_first") is x
    preds = np.zeros((1, 1000), "float32")
    preds[0, 1] = 1.0
    top = module.decode_predictions(preds, top=1)
    assert top[0][0][:2] == ("n01443537", "goldfish")
    assert module.preprocess_input.__module__ == module.__name__


def test_keras_module_paths():
    names = {"efficientnet": [f"EfficientNetB{i}" for i in range(8)],
             "efficientnet_v2": [f"EfficientNetV2{v}"
                                 for v in ("B0", "B1", "B2", "B3", "S", "M", "L")],
             "convnext": [f"ConvNeXt{v}" for v in ("Tiny", "Small", "Base", "Large",
                                                    "XLarge")],
             "mobilenet_v3": ["MobileNetV3Small", "MobileNetV3Large"]}
    for module_name, models in names.items():
        module = getattr(applications, module_name)
        for name in models:
            assert getattr(applications, name) is getattr(module, name)
            assert getattr(module, name).__doc__
            assert name in dir(applications)
