"""DenseNet, InceptionV3, InceptionResNetV2, Xception and NASNet against real Keras:
layer names, classes and order, weight shapes and counts, predictions with the same
weights, and Keras-written weight files loaded through ``weights="imagenet"`` from a
local server (never the network). Fixtures: fixtures/make_part1_fixtures.py."""
import functools
import hashlib
import json
import lzma
import os

import numpy as np
import pytest

import cornu as keras
from cornu import applications
from cornu.applications import imagenet_utils
from tests.applications.fixtures.make_part1_fixtures import (MODELS, WEIGHT_FILES,
                                                              pattern_input, pattern_weights)
from tests.utils.local_server import Route, serve

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
KERAS_HOST = "https://storage.googleapis.com"
# Keras's md5 of its published notop weight files, which cornu's modules must hold.
NOTOP_HASHES = {
    "densenet": "30ee3e1110167f948a6b9946edeeb738",
    "inception_v3": "bcbd6486424b2319ff4ef7d526e38f63",
    "inception_resnet_v2": "d19885ff4a710c122648d3b5c3b684e4",
    "xception": "b0042744bf5b25fce3cb969f33bebb97",
    "nasnet": "1ed92395b5b598bdda52abe5c0dbfd63",
}
_BASE = KERAS_HOST + "/tensorflow/keras-applications/"
NOTOP_URLS = {  # Keras's URLs of those files
    "densenet": _BASE + "densenet/densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5",
    "inception_v3": _BASE + "inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
    "inception_resnet_v2": (_BASE + "inception_resnet_v2/inception_resnet_v2_weights_"
                            "tf_dim_ordering_tf_kernels_notop.h5"),
    "xception": _BASE + "xception/xception_weights_tf_dim_ordering_tf_kernels_notop.h5",
    "nasnet": _BASE + "nasnet/NASNet-mobile-no-top.h5",
}
# The slowest to build (~85M parameters); its architecture is checked once.
SLOW = {"NASNetLarge/notop"}


@functools.lru_cache(maxsize=None)
def _architectures():
    with lzma.open(os.path.join(FIXTURES, "part1_architectures.json.xz"), "rt") as f:
        return json.load(f)


@functools.lru_cache(maxsize=None)
def _predictions():
    with np.load(os.path.join(FIXTURES, "part1_predictions.npz")) as data:
        return {key: data[key] for key in data.files}


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    """Downloads land in a fresh cache, never in ~/.cornu."""
    monkeypatch.setenv("CORNU_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def _build(name, **kwargs):
    keras.backend.clear_session()  # automatic layer names start afresh, as in the oracle
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in kwargs.items()}
    return getattr(applications, name)(**kwargs)


def _set_pattern(model):
    model.set_weights(pattern_weights([(w.name, tuple(w.shape)) for w in model.weights]))


def _assert_close_to_keras(actual, expected):
    scale = float(np.abs(expected).max())
    assert np.all(np.isfinite(expected)) and 1e-3 < scale < 1e3  # a meaningful reference
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-5 * scale)


def _assert_architecture(model, expected):
    assert model.name == expected["name"]
    assert [[layer.name, type(layer).__name__] for layer in model.layers] == expected["layers"]
    assert [[w.name, list(w.shape)] for w in model.weights] == expected["weights"]
    assert model.count_params() == expected["count"]
    assert list(model.output.shape) == expected["output_shape"]


@pytest.mark.parametrize("name", list(MODELS))
def test_architecture_and_predictions_match_keras(name):
    """Top included (logits), small input: names, classes, order, weights, count; then
    the same weights in both give the same outputs."""
    expected = _architectures()[f"{name}/top"]
    model = _build(name, **expected["kwargs"])
    _assert_architecture(model, expected)
    _set_pattern(model)
    side = MODELS[name][1]
    _assert_close_to_keras(model.predict(pattern_input(side), verbose=0),
                           _predictions()[f"{name}/top"])


@pytest.mark.parametrize("name", [n for n in MODELS if f"{n}/notop" not in SLOW])
def test_architecture_without_top_matches_keras(name):
    """No top, default input shape, global pooling (or none): Keras's layers and output."""
    expected = _architectures()[f"{name}/notop"]
    _assert_architecture(_build(name, **expected["kwargs"]), expected)


def _swap(value, old, new):
    if isinstance(value, str):
        return new if value == old else value
    if isinstance(value, tuple):
        return tuple(_swap(v, old, new) for v in value)
    if isinstance(value, dict):
        return {k: _swap(v, old, new) for k, v in value.items()}
    return value


def _point_at(module, server_url, md5, family, monkeypatch):
    """Send ``module``'s weight URLs to ``server_url`` and expect ``md5`` instead of
    Keras's hash of the notop file (which the module must hold)."""
    found_hash = False
    for attr, value in list(vars(module).items()):
        if isinstance(value, str) and value.startswith(KERAS_HOST):
            monkeypatch.setattr(module, attr, server_url + value[len(KERAS_HOST):])
        elif attr.isupper() and _swap(value, NOTOP_HASHES[family], md5) != value:
            monkeypatch.setattr(module, attr, _swap(value, NOTOP_HASHES[family], md5))
            found_hash = True
    assert found_hash, f"{module.__name__} does not hold Keras's hash of its notop file"


@pytest.mark.parametrize("family", list(WEIGHT_FILES))
def test_imagenet_weights_written_by_keras_load_and_predict_as_keras(family, tmp_path,
                                                                     monkeypatch, _home):
    name, file_name = WEIGHT_FILES[family]
    with lzma.open(os.path.join(FIXTURES, file_name + ".xz")) as f:
        body = f.read()  # the file real Keras wrote, at its published size
    module = getattr(applications, family)
    side = MODELS[name][1]
    route = Route(body)
    with serve({NOTOP_URLS[family][len(KERAS_HOST):]: route}) as url:
        _point_at(module, url, hashlib.md5(body).hexdigest(), family, monkeypatch)
        model = _build(name, weights="imagenet", include_top=False,
                       input_shape=(side, side, 3))
    assert route.requests == 1  # at Keras's URL path
    assert os.listdir(_home / "models") == [file_name]  # under Keras's cache file name
    _assert_close_to_keras(model.predict(pattern_input(side), verbose=0),
                           _predictions()[f"{family}/imagenet"])


# --- arguments, preprocessing, module paths ------------------------------------------

@pytest.mark.parametrize("name, too_small, minimum", [
    ("DenseNet121", 31, 32), ("InceptionV3", 74, 75), ("InceptionResNetV2", 74, 75),
    ("Xception", 70, 71), ("NASNetMobile", 31, 32), ("NASNetLarge", 31, 32)])
def test_minimum_input_size_as_keras(name, too_small, minimum):
    with pytest.raises(ValueError, match=f"at least {minimum}x{minimum}"):
        _build(name, weights=None, include_top=False, input_shape=(too_small, minimum, 3))


@pytest.mark.parametrize("name, message", [
    ("DenseNet169", "channels_first"), ("NASNetMobile", "channels_first")])
def test_channels_first_refused_where_keras_refuses_it(name, message):
    keras.backend.set_image_data_format("channels_first")  # the session fixture resets it
    with pytest.raises(ValueError, match=message):
        _build(name, weights=None)


def test_inception_v3_channels_first():
    keras.backend.set_image_data_format("channels_first")
    model = _build("InceptionV3", weights=None, include_top=False, input_shape=(3, 75, 75))
    assert model.output.shape == (None, 2048, 1, 1)
    assert model.predict(np.zeros((1, 3, 75, 75), "float32"), verbose=0).shape == (1, 2048, 1, 1)


@pytest.mark.parametrize("kwargs, message", [
    ({"weights": "imagenet", "classes": 10}, "classes"),
    ({"weights": "imagenet", "input_shape": (150, 150, 3)}, "input_shape"),
    ({"weights": None, "include_top": False, "pooling": "mean"}, "pooling"),
    ({"weights": "no/such/file.h5"}, "weights"),
])
@pytest.mark.parametrize("name", ["DenseNet201", "InceptionV3", "InceptionResNetV2",
                                  "Xception", "NASNetLarge"])
def test_bad_arguments_are_refused_before_any_download(name, kwargs, message):
    with pytest.raises(ValueError, match=message):
        _build(name, **kwargs)


def test_nasnet_arguments():
    from cornu.applications import nasnet
    with pytest.raises(ValueError, match="multiple of 24"):
        nasnet.NASNet(input_shape=(32, 32, 3), penultimate_filters=100, weights=None)
    with pytest.raises(ValueError, match="static"):
        nasnet.NASNet(input_shape=(None, None, 3), include_top=False)
    with pytest.raises(ValueError, match="NASNetLarge or NASNetMobile"):
        nasnet.NASNet(input_shape=(64, 64, 3), include_top=False, default_size=64)
    small = nasnet.NASNet(input_shape=(32, 32, 3), penultimate_filters=96, num_blocks=1,
                          stem_block_filters=8, include_top=False, weights=None, pooling="avg")
    assert small.output.shape == (None, 96)


def test_custom_scale_layer():
    from cornu.applications.inception_resnet_v2 import CustomScaleLayer
    layer = CustomScaleLayer(0.17)
    a, b = np.ones((2, 3), "float32"), np.full((2, 3), 2.0, "float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer([a, b])), 1.34, rtol=1e-6)
    assert CustomScaleLayer.from_config(layer.get_config()).scale == 0.17
    assert layer.name.startswith("custom_scale_layer")


MODES = {"densenet": "torch", "inception_v3": "tf", "inception_resnet_v2": "tf",
         "xception": "tf", "nasnet": "tf"}


@pytest.mark.parametrize("family", list(MODES))
def test_preprocess_input_and_decode_predictions_as_keras(family):
    module = getattr(applications, family)
    x = np.random.default_rng(0).uniform(0, 255, (1, 3, 3, 3)).astype("float32")
    np.testing.assert_array_equal(module.preprocess_input(x.copy()),
                                  imagenet_utils.preprocess_input(x.copy(), mode=MODES[family]))
    preds = np.zeros((1, 1000), "float32")
    preds[0, 386] = 1.0
    assert module.decode_predictions(preds, top=1)[0][0][:2] == ("n02504458",
                                                                 "African_elephant")
    assert module.preprocess_input.__module__ == module.__name__
    assert module.preprocess_input.__doc__ and module.decode_predictions.__doc__


def test_keras_module_paths():
    from cornu.applications import densenet, inception_resnet_v2, inception_v3, nasnet, xception
    assert densenet.DenseNet121 is applications.DenseNet121
    assert densenet.DenseNet169 is applications.DenseNet169
    assert densenet.DenseNet201 is applications.DenseNet201
    assert inception_v3.InceptionV3 is applications.InceptionV3
    assert inception_resnet_v2.InceptionResNetV2 is applications.InceptionResNetV2
    assert xception.Xception is applications.Xception
    assert nasnet.NASNetMobile is applications.NASNetMobile
    assert nasnet.NASNetLarge is applications.NASNetLarge
    for name in MODELS:
        assert name in applications.__all__ and name in dir(applications)
        assert getattr(applications, name).__doc__


def test_weights_from_a_local_keras_file(tmp_path):
    name, file_name = WEIGHT_FILES["densenet"]
    path = tmp_path / file_name
    with lzma.open(os.path.join(FIXTURES, file_name + ".xz")) as f:
        path.write_bytes(f.read())
    model = _build(name, weights=str(path), include_top=False, input_shape=(32, 32, 3))
    _assert_close_to_keras(model.predict(pattern_input(32), verbose=0),
                           _predictions()["densenet/imagenet"])
