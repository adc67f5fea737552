"""Each Keras 1/2 module path imports, re-exports the modern names, and warns."""
import importlib
import sys

import numpy as np
import pytest

import cornu

CASES = [
    ("cornu.utils.np_utils", "keras.utils.np_utils", {"to_categorical": cornu.utils.to_categorical,
                                                       "normalize": cornu.utils.normalize}),
    ("cornu.utils.vis_utils", "keras.utils.vis_utils", {"plot_model": None, "model_to_dot": None}),
    ("cornu.utils.data_utils", "keras.utils.data_utils", {"get_file": None,
                                                           "Sequence": cornu.utils.Sequence}),
    ("cornu.utils.layer_utils", "keras.utils.layer_utils", {"count_params": None,
                                                             "print_summary": None}),
    ("cornu.layers.recurrent", "keras.layers.recurrent", {"LSTM": cornu.layers.LSTM,
                                                           "GRU": cornu.layers.GRU,
                                                           "SimpleRNN": cornu.layers.SimpleRNN}),
    ("cornu.layers.embeddings", "keras.layers.embeddings", {"Embedding": cornu.layers.Embedding}),
    ("cornu.layers.merge", "keras.layers.merge", {"concatenate": cornu.layers.concatenate,
                                                   "Add": cornu.layers.Add}),
    ("cornu.layers.advanced_activations", "keras.layers.advanced_activations", {}),
    ("cornu.layers.wrappers", "keras.layers.wrappers", {
        "TimeDistributed": cornu.layers.TimeDistributed,
        "Bidirectional": cornu.layers.Bidirectional}),
    ("cornu.layers.noise", "keras.layers.noise", {"GaussianNoise": cornu.layers.GaussianNoise,
                                                   "GaussianDropout": cornu.layers.GaussianDropout}),
    ("cornu.layers.local", "keras.layers.local", {}),
    ("cornu.layers.cudnn_recurrent", "keras.layers.cudnn_recurrent", {
        "CuDNNLSTM": cornu.layers.CuDNNLSTM}),
    ("cornu.layers.convolutional_recurrent", "keras.layers.convolutional_recurrent", {
        "ConvLSTM2D": cornu.layers.ConvLSTM2D}),
    ("cornu.engine", "keras.engine", {"Layer": cornu.Layer, "InputSpec": cornu.InputSpec,
                                      "Model": cornu.Model}),
    ("cornu.engine.topology", "keras.engine.topology", {"Layer": cornu.Layer,
                                                         "Input": cornu.Input}),
    ("cornu.engine.training", "keras.engine.training", {"Model": cornu.Model}),
    ("cornu.engine.base_layer", "keras.engine.base_layer", {"Layer": cornu.Layer}),
    ("cornu.engine.input_layer", "keras.engine.input_layer", {"Input": cornu.Input}),
    ("cornu.engine.sequential", "keras.engine.sequential", {"Sequential": cornu.Sequential}),
    ("cornu.engine.functional", "keras.engine.functional", {}),
    ("cornu.utils.generic_utils", "keras.utils.generic_utils", {
        "Progbar": cornu.utils.Progbar,
        "serialize_keras_object": cornu.saving.serialize_keras_object}),
    ("cornu.utils.conv_utils", "keras.utils.conv_utils", {}),
    ("cornu.utils.multi_gpu_utils", "keras.utils.multi_gpu_utils", {}),
    ("cornu.callbacks.callbacks", "keras.callbacks.callbacks", {
        "EarlyStopping": cornu.callbacks.EarlyStopping}),
    ("cornu.objectives", "keras.objectives", {"mse": cornu.losses.mse}),
    ("cornu.engine.saving", "keras.engine.saving", {"load_model": cornu.models.load_model}),
]


def _fresh_import(name):
    for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[module]
    return importlib.import_module(name)


@pytest.mark.parametrize("name, old, names", CASES, ids=[c[0] for c in CASES])
def test_legacy_module_warns_and_reexports(name, old, names):
    with pytest.warns(DeprecationWarning, match=old.replace(".", r"\.")) as record:
        module = _fresh_import(name)
    assert any("instead" in str(w.message) for w in record)
    for attr, expected in names.items():
        value = getattr(module, attr)
        if expected is not None:
            assert value is expected
    for attr in getattr(module, "__all__", []):
        assert hasattr(module, attr)


def test_warning_points_at_the_importer():
    sys.modules.pop("cornu.utils.np_utils", None)
    with pytest.warns(DeprecationWarning) as record:
        import cornu.utils.np_utils  # noqa: F401
    assert record[0].filename == __file__


def test_star_import_from_np_utils():
    namespace = {}
    with pytest.warns(DeprecationWarning):
        sys.modules.pop("cornu.utils.np_utils", None)
        exec("from cornu.utils.np_utils import *", namespace)
    assert namespace["to_categorical"]([0, 1], 2).tolist() == [[1, 0], [0, 1]]


def test_missing_layer_in_legacy_module():
    with pytest.warns(DeprecationWarning):
        local = _fresh_import("cornu.layers.local")
    with pytest.raises(AttributeError, match="LocallyConnected2D"):
        local.LocallyConnected2D


def test_layer_utils_functions(capsys):
    with pytest.warns(DeprecationWarning):
        layer_utils = _fresh_import("cornu.utils.layer_utils")
    x = cornu.Input((3,))
    h = cornu.layers.Dense(2)(x)
    model = cornu.Model(x, cornu.layers.Dense(1)(h))
    assert layer_utils.count_params(model.trainable_weights) == model.count_params() == 11
    layer_utils.print_summary(model)
    assert "Total params" in capsys.readouterr().out
    assert layer_utils.get_source_inputs(model.outputs[0])[0] is x


def test_utils_attribute_access_to_legacy_modules():
    with pytest.warns(DeprecationWarning):
        sys.modules.pop("cornu.utils.data_utils", None)
        vars(cornu.utils).pop("data_utils", None)
        from cornu.utils import data_utils
    assert data_utils.get_file is cornu.utils.get_file


def test_keras2_helper_modules_work():
    with pytest.warns(DeprecationWarning):
        generic = _fresh_import("cornu.utils.generic_utils")
        conv = _fresh_import("cornu.utils.conv_utils")
        gpu = _fresh_import("cornu.utils.multi_gpu_utils")
    assert generic.get_custom_objects() is cornu.saving.get_custom_objects()
    assert generic.has_arg(lambda x, training=None: x, "training")
    assert generic.to_list(3) == [3] and generic.to_snake_case("MyLayer") == "my_layer"
    assert conv.normalize_tuple(3, 2, "kernel_size") == (3, 3)
    with pytest.raises(ValueError, match="kernel_size"):
        conv.normalize_tuple((3, 0), 2, "kernel_size")
    assert conv.conv_output_length(28, 3, "valid", 1) == 26
    assert conv.conv_output_length(28, 3, "same", 2) == 14
    assert conv.deconv_output_length(14, 3, "same", stride=2) == 28
    assert conv.conv_input_length(26, 3, "valid", 1) == 28
    kernel = np.arange(2 * 2 * 1 * 1).reshape(2, 2, 1, 1)
    assert conv.convert_kernel(kernel)[:, :, 0, 0].tolist() == [[3, 2], [1, 0]]
    with pytest.raises(RuntimeError, match="DataParallel"):
        gpu.multi_gpu_model(None, gpus=2)
