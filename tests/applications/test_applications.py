"""Applications: Keras's parameter counts, layer names and order, heads, preprocessing,
decoding, and the ImageNet weights path against a local server (never the network)."""
import hashlib
import importlib
import os
import sys

import numpy as np
import pytest
import torch

import cornu as keras
from cornu import applications
from cornu.applications import imagenet_utils, mobilenet_v2, resnet
from tests.utils.local_server import Route, serve

# Parameter counts from the Keras Applications table (keras.io), weights=None, top included.
PARAM_COUNTS = {
    "ResNet50": 25_636_712, "ResNet101": 44_707_176, "ResNet152": 60_419_944,
    "ResNet50V2": 25_613_800, "ResNet101V2": 44_675_560, "ResNet152V2": 60_380_648,
    "VGG16": 138_357_544, "VGG19": 143_667_240,
    "MobileNet": 4_253_864, "MobileNetV2": 3_538_984,
}
RNG = np.random.default_rng(0)


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    """Downloads land in a fresh cache, never in ~/.cornu."""
    monkeypatch.setenv("CORNU_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture(scope="module")
def resnet50():
    """One ResNet50 for the whole module: it is the slowest thing to build."""
    return applications.ResNet50(weights=None)


def _weighted_layer_names(model):
    return [layer.name for layer in model.layers if layer.weights]


# --- architectures -------------------------------------------------------------------

@pytest.mark.parametrize("name", [n for n in PARAM_COUNTS if n != "ResNet50"])
def test_parameter_counts_match_keras(name):
    model = getattr(applications, name)(weights=None)
    assert model.count_params() == PARAM_COUNTS[name]


def test_resnet50_parameters_names_and_order(resnet50):
    assert resnet50.count_params() == PARAM_COUNTS["ResNet50"]
    assert resnet50.name == "resnet50"
    # Keras 2's layer order, which its published .h5 files list and are loaded by.
    assert _weighted_layer_names(resnet50)[:12] == [
        "conv1_conv", "conv1_bn", "conv2_block1_1_conv", "conv2_block1_1_bn",
        "conv2_block1_2_conv", "conv2_block1_2_bn", "conv2_block1_0_conv",
        "conv2_block1_3_conv", "conv2_block1_0_bn", "conv2_block1_3_bn",
        "conv2_block2_1_conv", "conv2_block2_1_bn"]
    names = [layer.name for layer in resnet50.layers]
    assert names[-3:] == ["conv5_block3_out", "avg_pool", "predictions"]
    assert names[1:3] == ["conv1_pad", "conv1_conv"]


def test_resnet50_predicts_a_probability_vector_at_224(resnet50):
    x = resnet.preprocess_input(RNG.uniform(0, 255, (1, 224, 224, 3)).astype("float32"))
    preds = resnet50.predict(x, verbose=0)
    assert preds.shape == (1, 1000)
    assert np.all(preds >= 0) and abs(float(preds.sum()) - 1.0) < 1e-4


def test_resnet_v2_layer_order_matches_keras():
    model = applications.ResNet50V2(weights=None, include_top=False, input_shape=(32, 32, 3))
    names = [layer.name for layer in model.layers]
    block = names.index("conv2_block1_2_relu")
    assert names[block:block + 4] == ["conv2_block1_2_relu", "conv2_block1_0_conv",
                                      "conv2_block1_3_conv", "conv2_block1_out"]
    assert names[-2:] == ["post_bn", "post_relu"]
    assert model.output.shape == (None, 1, 1, 2048)


def _torch_resnet50_features(model, x):
    """ResNet50 written directly in torch with ``model``'s weights, looked up by layer name."""
    import torch.nn.functional as F
    w = {layer.name: [torch.tensor(np.asarray(v)) for v in layer.get_weights()]
         for layer in model.layers if layer.weights}

    def conv(t, name, stride=1, padding=0):
        kernel, bias = w[name]  # kernel (kh, kw, in, out) -> (out, in, kh, kw)
        return F.conv2d(t, kernel.permute(3, 2, 0, 1), bias, stride=stride, padding=padding)

    def bn(t, name):
        gamma, beta, mean, var = w[name]
        return F.batch_norm(t, mean, var, gamma, beta, training=False, eps=1.001e-5)

    t = torch.tensor(x).permute(0, 3, 1, 2)  # (N, C, H, W)
    t = F.relu(bn(conv(F.pad(t, (3, 3, 3, 3)), "conv1_conv", 2), "conv1_bn"))
    t = F.max_pool2d(F.pad(t, (1, 1, 1, 1)), 3, 2)
    for stage, (blocks, stride) in enumerate([(3, 1), (4, 2), (6, 2), (3, 2)], start=2):
        for block in range(1, blocks + 1):
            p, s = f"conv{stage}_block{block}", (stride if block == 1 else 1)
            shortcut = bn(conv(t, p + "_0_conv", s), p + "_0_bn") if block == 1 else t
            y = F.relu(bn(conv(t, p + "_1_conv", s), p + "_1_bn"))
            y = F.relu(bn(conv(y, p + "_2_conv", 1, 1), p + "_2_bn"))
            t = F.relu(shortcut + bn(conv(y, p + "_3_conv"), p + "_3_bn"))
    return t.permute(0, 2, 3, 1).numpy()


def test_resnet50_without_top_matches_torch_and_pools():
    features = applications.ResNet50(weights=None, include_top=False, input_shape=(64, 64, 3))
    for layer in features.layers:  # batch-norm statistics away from the identity
        if layer.name.endswith("_bn"):
            n = layer.get_weights()[0].shape[0]
            layer.set_weights([RNG.uniform(0.5, 1.5, n), RNG.normal(0, 0.1, n),
                               RNG.normal(0, 0.1, n), RNG.uniform(0.5, 1.5, n)])
    pooled = applications.ResNet50(weights=None, include_top=False, pooling="avg")
    pooled.set_weights(features.get_weights())
    x = RNG.uniform(-1, 1, (1, 64, 64, 3)).astype("float32")
    maps = features.predict(x, verbose=0)
    assert maps.shape == (1, 2, 2, 2048)
    expected = _torch_resnet50_features(features, x)
    np.testing.assert_allclose(maps, expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())
    assert pooled.input.shape == (None, None, None, 3)
    assert pooled.layers[-1].name == "avg_pool"
    assert pooled.count_params() == 23_587_712  # Keras's ResNet50 without the top
    np.testing.assert_allclose(pooled.predict(x, verbose=0), maps.mean(axis=(1, 2)),
                               rtol=1e-5, atol=1e-5)


def test_vgg16_without_top_and_max_pooling():
    model = applications.VGG16(weights=None, include_top=False, pooling="max",
                               input_shape=(32, 32, 3))
    assert model.count_params() == 14_714_688  # Keras's VGG16 "stem"
    assert model.predict(np.zeros((1, 32, 32, 3), "float32"), verbose=0).shape == (1, 512)
    assert _weighted_layer_names(model)[:3] == ["block1_conv1", "block1_conv2", "block2_conv1"]


def test_mobilenet_custom_size_classes_and_name():
    model = applications.MobileNet(weights=None, input_shape=(128, 128, 3), classes=10)
    assert model.name == "mobilenet_1.00_128"
    assert [layer.name for layer in model.layers][-3:] == ["conv_preds", "reshape_2",
                                                           "predictions"]
    preds = model.predict(RNG.uniform(-1, 1, (2, 128, 128, 3)).astype("float32"), verbose=0)
    assert preds.shape == (2, 10)
    np.testing.assert_allclose(preds.sum(axis=1), 1.0, rtol=1e-5)


def test_mobilenet_v2_alpha_logits_and_pooling():
    model = applications.MobileNetV2(weights=None, alpha=0.35, input_shape=(96, 96, 3),
                                     classes=5, classifier_activation=None)
    assert model.name == "mobilenetv2_0.35_96"
    logits = model.predict(RNG.uniform(-1, 1, (1, 96, 96, 3)).astype("float32"), verbose=0)
    assert logits.shape == (1, 5)
    pooled = applications.MobileNetV2(weights=None, include_top=False, pooling="avg",
                                      input_shape=(96, 96, 3))
    assert pooled.output.shape == (None, 1280)
    assert "block_16_project_BN" in [layer.name for layer in pooled.layers]


def test_channels_first():
    keras.backend.set_image_data_format("channels_first")  # the session fixture resets it
    model = applications.MobileNetV2(weights=None, alpha=0.35, include_top=False,
                                     input_shape=(3, 96, 96))
    assert model.name == "mobilenetv2_0.35_96"
    out = model.predict(np.zeros((1, 3, 96, 96), "float32"), verbose=0)
    assert out.shape == (1, 1280, 3, 3)


def test_input_tensor_keeps_the_layers_before_it():
    inputs = keras.Input(shape=(32, 32, 3))
    x = keras.layers.Activation("linear", name="before")(inputs)
    model = applications.MobileNetV2(weights=None, include_top=False, input_tensor=x)
    assert model.inputs[0] is inputs
    assert model.predict(np.zeros((1, 32, 32, 3), "float32"), verbose=0).shape == (1, 1, 1, 1280)


@pytest.mark.parametrize("kwargs, message", [
    ({"weights": "no/such/file.h5"}, "weights"),
    ({"weights": "imagenet", "classes": 10}, "classes"),
    ({"weights": "imagenet", "input_shape": (64, 64, 3)}, "input_shape"),
    ({"weights": None, "include_top": False, "pooling": "mean"}, "pooling"),
    ({"weights": None, "include_top": False, "input_shape": (16, 16, 3)}, "at least 32"),
    ({"weights": None, "input_shape": (None, None, 3)}, "static"),
])
def test_bad_arguments_are_refused_before_any_download(kwargs, message):
    with pytest.raises(ValueError, match=message):
        applications.VGG16(**kwargs)


def test_pretrained_weights_refuse_a_non_softmax_classifier(tmp_path):
    path = tmp_path / "w.h5"
    path.write_bytes(b"")
    with pytest.raises(ValueError, match="classifier_activation"):
        applications.MobileNetV2(weights=str(path), input_shape=(96, 96, 3),
                                 classifier_activation="relu")


def test_import_is_lazy():
    """``import cornu.applications`` imports none of the model modules."""
    saved = {k: v for k, v in sys.modules.items() if k.startswith("cornu.applications")}
    for k in saved:
        del sys.modules[k]
    try:
        fresh = importlib.import_module("cornu.applications")
        assert not [m for m in sys.modules if m.startswith("cornu.applications.")]
        assert fresh.ResNet50.__module__ == "cornu.applications.resnet"
    finally:
        for k in [k for k in sys.modules if k.startswith("cornu.applications")]:
            del sys.modules[k]
        sys.modules.update(saved)
        keras.applications = saved["cornu.applications"]


def test_keras_module_paths():
    from cornu.applications import mobilenet, resnet50, resnet_v2, vgg16, vgg19
    assert resnet50.ResNet50 is applications.ResNet50
    assert applications.resnet.ResNet101 is applications.ResNet101
    assert resnet_v2.ResNet152V2 is applications.ResNet152V2
    assert vgg16.VGG16 is applications.VGG16 and vgg19.VGG19 is applications.VGG19
    assert mobilenet.MobileNet is applications.MobileNet
    assert mobilenet_v2.MobileNetV2 is applications.MobileNetV2
    for module in (resnet50, resnet_v2, vgg16, vgg19, mobilenet, mobilenet_v2, imagenet_utils):
        assert callable(module.preprocess_input) and callable(module.decode_predictions)


# --- preprocess_input ----------------------------------------------------------------

def _reference(x, mode, data_format):
    """Keras's formulas, written out in float64 numpy on a channels-last copy."""
    x = np.asarray(x, dtype="float64")
    if data_format == "channels_first":
        x = np.moveaxis(x, -3, -1)
    if mode == "tf":
        out = x / 127.5 - 1.0
    elif mode == "torch":
        out = (x / 255.0 - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]
    else:
        out = x[..., ::-1] - [103.939, 116.779, 123.68]
    return np.moveaxis(out, -1, -3) if data_format == "channels_first" else out


@pytest.mark.parametrize("mode", ["caffe", "tf", "torch"])
@pytest.mark.parametrize("data_format, shape", [
    ("channels_last", (2, 4, 5, 3)), ("channels_last", (4, 5, 3)),
    ("channels_first", (2, 3, 4, 5)), ("channels_first", (3, 4, 5))])
def test_preprocess_input_numpy_and_tensor(mode, data_format, shape):
    x = RNG.uniform(0, 255, shape).astype("float32")
    expected = _reference(x, mode, data_format)
    from_numpy = imagenet_utils.preprocess_input(x.copy(), data_format=data_format, mode=mode)
    assert isinstance(from_numpy, np.ndarray) and from_numpy.dtype == np.float32
    np.testing.assert_allclose(from_numpy, expected, rtol=1e-5, atol=1e-4)
    from_tensor = imagenet_utils.preprocess_input(torch.tensor(x), data_format=data_format,
                                                  mode=mode)
    assert torch.is_tensor(from_tensor)
    # The tensor path computes the same float32 operations as the numpy one.
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(from_tensor), from_numpy)


def test_preprocess_input_like_keras_on_arrays():
    image = RNG.integers(0, 256, (1, 3, 3, 3)).astype("uint8")
    out = imagenet_utils.preprocess_input(image)  # caffe by default
    assert out.dtype == np.float32 and image.dtype == np.uint8
    np.testing.assert_allclose(out[0, ..., 0], image[0, ..., 2] - 103.939, atol=1e-3)
    x = image.astype("float32")
    out = imagenet_utils.preprocess_input(x, mode="tf")
    assert out is x  # float arrays are written over, as in Keras


def test_preprocess_input_in_a_model():
    inputs = keras.Input(shape=(4, 4, 3))
    model = keras.Model(inputs, mobilenet_v2.preprocess_input(inputs))
    x = RNG.uniform(0, 255, (2, 4, 4, 3)).astype("float32")
    np.testing.assert_allclose(model.predict(x, verbose=0), x / 127.5 - 1, rtol=1e-6, atol=1e-6)


def test_model_modules_use_keras_modes():
    x = RNG.uniform(0, 255, (1, 2, 2, 3)).astype("float32")
    from cornu.applications import mobilenet, resnet50, resnet_v2, vgg16, vgg19
    for module, mode in [(resnet50, "caffe"), (vgg16, "caffe"), (vgg19, "caffe"),
                         (resnet_v2, "tf"), (mobilenet, "tf"), (mobilenet_v2, "tf")]:
        np.testing.assert_array_equal(
            module.preprocess_input(x.copy()),
            imagenet_utils.preprocess_input(x.copy(), mode=mode))


def test_preprocess_input_bad_arguments():
    with pytest.raises(ValueError, match="mode"):
        imagenet_utils.preprocess_input(np.zeros((1, 2, 2, 3)), mode="keras")
    with pytest.raises(ValueError, match="data_format"):
        imagenet_utils.preprocess_input(np.zeros((1, 2, 2, 3)), data_format="NHWC")


# --- decode_predictions --------------------------------------------------------------

def test_decode_predictions_offline():
    preds = np.full((2, 1000), 1e-4, dtype="float32")
    preds[0, 385], preds[0, 386], preds[0, 101] = 0.23, 0.64, 0.13
    preds[1, 0] = 0.9
    decoded = imagenet_utils.decode_predictions(preds)
    assert len(decoded) == 2 and len(decoded[0]) == 5
    assert decoded[0][:3] == [("n02504458", "African_elephant", pytest.approx(0.64)),
                              ("n02504013", "Indian_elephant", pytest.approx(0.23)),
                              ("n01871265", "tusker", pytest.approx(0.13))]
    assert decoded[1][0][:2] == ("n01440764", "tench")
    scores = [score for _, _, score in decoded[0]]
    assert scores == sorted(scores, reverse=True)
    from cornu.applications import resnet50
    assert len(resnet50.decode_predictions(torch.tensor(preds), top=9)[0]) == 9


def test_class_index_is_keras_file():
    # The md5 Keras checks its downloaded imagenet_class_index.json against.
    with open(imagenet_utils._CLASS_INDEX_PATH, "rb") as f:
        assert hashlib.md5(f.read()).hexdigest() == "c2c37ea517e94d9795004a39431a14cb"


def test_decode_predictions_wants_1000_classes():
    with pytest.raises(ValueError, match=r"\(samples, 1000\)"):
        imagenet_utils.decode_predictions(np.zeros((1, 10)))


# --- weights="imagenet" and weight files ---------------------------------------------

def test_local_weights_file_loads_by_layer_order(tmp_path):
    source = applications.MobileNetV2(weights=None, alpha=0.35, include_top=False,
                                      input_shape=(96, 96, 3))
    path = str(tmp_path / "weights.h5")
    source.save_weights(path)
    model = applications.MobileNetV2(weights=path, alpha=0.35, include_top=False,
                                     input_shape=(96, 96, 3))
    for a, b in zip(source.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_imagenet_weights_download_once_verified_and_cached(resnet50, tmp_path, monkeypatch,
                                                            _home):
    path = tmp_path / "resnet50.h5"
    resnet50.save_weights(str(path))  # the Keras 2 .h5 layout of Keras's published files
    body = path.read_bytes()
    name = "resnet50_weights_tf_dim_ordering_tf_kernels.h5"
    route = Route(body)
    md5 = hashlib.md5(body).hexdigest()
    with serve({f"/resnet/{name}": route}) as url:
        monkeypatch.setattr(resnet, "BASE_WEIGHTS_PATH", url + "/resnet/")
        monkeypatch.setitem(resnet.WEIGHTS_HASHES, "resnet50",
                            (md5, resnet.WEIGHTS_HASHES["resnet50"][1]))
        model = applications.ResNet50()  # weights="imagenet" by default
    assert route.requests == 1
    assert sorted(os.listdir(_home / "models")) == [name]
    for a, b in zip(resnet50.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    # Cached: the server is gone, and the file is read from the cache.
    again = applications.ResNet50(weights="imagenet")
    np.testing.assert_array_equal(again.get_weights()[0], resnet50.get_weights()[0])


def test_imagenet_weights_hash_mismatch_keeps_nothing(monkeypatch, _home):
    name = "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"
    with serve({f"/resnet/{name}": b"not the weights" * 100}) as url:
        monkeypatch.setattr(resnet, "BASE_WEIGHTS_PATH", url + "/resnet/")
        with pytest.raises(ValueError, match="hash"):
            applications.ResNet50(include_top=False)  # Keras's real md5 cannot match
    assert os.listdir(_home / "models") == []


def test_imagenet_weights_without_a_published_hash(tmp_path, monkeypatch, _home):
    kwargs = {"alpha": 0.35, "include_top": False, "input_shape": (96, 96, 3)}
    source = applications.MobileNetV2(weights=None, **kwargs)
    path = tmp_path / "w.h5"
    source.save_weights(str(path))
    name = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5"
    with serve({f"/{name}": path.read_bytes()}) as url:
        monkeypatch.setattr(mobilenet_v2, "BASE_WEIGHT_PATH", url + "/")
        model = applications.MobileNetV2(weights="imagenet", **kwargs)
    np.testing.assert_array_equal(model.get_weights()[-1], source.get_weights()[-1])
    assert os.listdir(_home / "models") == [name]
