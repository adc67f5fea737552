"""Core layers: Embedding, EinsumDense, Lambda, Masking, TorchModuleWrapper."""
import os
import warnings

import numpy as np
import pytest
import torch

import cornu
from cornu import backend, layers
from cornu.saving import safe_mode
from tests.layers.fixtures import keras_cases
from tests.layers.harness import check_layer

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "core_fixtures.npz")
CASES, ARRAYS = keras_cases.load(FIXTURES)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
@pytest.mark.parametrize("from_keras_config", [False, True], ids=["args", "keras_config"])
def test_matches_keras(case, from_keras_config):
    keras_cases.check_case(case, ARRAYS, from_keras_config=from_keras_config)


def _np(x):
    return backend.convert_to_numpy(x)


# ------------------------------------------------------------------ Embedding

def test_embedding_harness():
    def reference(x, weights):
        return weights[0][x]
    check_layer(layers.Embedding, {"input_dim": 10, "output_dim": 3}, input_shape=(2, 4),
                input_dtype="int32", expected_output_shape=(2, 4, 3),
                expected_weight_shapes=[(10, 3)], reference=reference)


def test_embedding_default_initializer_is_keras3_uniform():
    layer = layers.Embedding(1000, 8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layer.build()
    w = layer.embeddings.numpy()
    assert -0.05 <= w.min() and w.max() <= 0.05 and w.std() > 0.02
    init = layer.get_config()["embeddings_initializer"]
    assert init["class_name"] == "RandomUniform"
    assert init["config"]["minval"] == -0.05 and init["config"]["maxval"] == 0.05


def test_embedding_input_length_builds_sequential_at_once():
    with pytest.warns(DeprecationWarning, match="input_length"):
        emb = layers.Embedding(5000, 32, input_length=200)
    model = cornu.Sequential([emb, layers.Flatten(), layers.Dense(1, activation="sigmoid")])
    assert emb.built
    assert emb.input_shape == (None, 200)
    assert model.output_shape == (None, 1)
    assert model.count_params() == 5000 * 32 + 200 * 32 + 1
    out = model.predict(np.random.randint(0, 5000, size=(3, 200)), verbose=0)
    assert out.shape == (3, 1)


def test_embedding_casts_float_indices_and_masks_zero():
    layer = layers.Embedding(10, 2, mask_zero=True)
    x = np.array([[1.0, 0.0, 3.0]], dtype="float32")
    y = layer(x)
    np.testing.assert_allclose(_np(y), layer.embeddings.numpy()[[[1, 0, 3]]])
    np.testing.assert_array_equal(_np(y._keras_mask), [[True, False, True]])
    inp = cornu.Input((5,), dtype="int32")
    out = layer(inp)
    assert out.shape == (None, 5, 2)
    assert out._keras_mask is not None and out._keras_mask.shape == (None, 5)


def test_embedding_weights_argument():
    matrix = np.arange(12, dtype="float32").reshape(6, 2)
    for weights in ([matrix], matrix):
        layer = layers.Embedding(6, 2, weights=weights, trainable=False)
        assert layer.built
        np.testing.assert_array_equal(_np(layer(np.array([[5, 1]]))), matrix[[[5, 1]]])
        assert "weights" not in layer.get_config()
        assert layer.trainable_weights == []


def test_embedding_lora():
    layer = layers.Embedding(6, 4, lora_rank=2)
    x = np.array([[1, 2, 3]])
    y = _np(layer(x))
    assert [w.name for w in layer.trainable_weights] == ["lora_embeddings_a",
                                                         "lora_embeddings_b"]
    assert [w.name for w in layer.weights] == ["embeddings", "lora_embeddings_a",
                                               "lora_embeddings_b"]
    np.testing.assert_allclose(y, layer._embeddings.numpy()[[[1, 2, 3]]])  # B starts at 0
    layer.lora_embeddings_b.assign(np.ones((2, 4), "float32"))
    a = layer.lora_embeddings_a.numpy()
    expected = layer._embeddings.numpy() + (2 / 2) * a @ np.ones((2, 4))
    np.testing.assert_allclose(_np(layer(x)), expected[[[1, 2, 3]]], rtol=1e-6)
    config = layer.get_config()
    assert config["lora_rank"] == 2 and config["lora_alpha"] == 2
    assert layers.Embedding.from_config(config).lora_rank == 2
    with pytest.raises(ValueError, match="already enabled"):
        layer.enable_lora(2)


@pytest.mark.parametrize("kwargs, match", [
    ({"input_dim": 0, "output_dim": 2}, "input_dim"),
    ({"input_dim": 3, "output_dim": 2.5}, "output_dim"),
])
def test_embedding_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=f"Embedding.*{match}"):
        layers.Embedding(**kwargs)


# ------------------------------------------------------------------ EinsumDense

@pytest.mark.parametrize("kwargs, shape, weights, out", [
    ({"equation": "ab,bc->ac", "output_shape": 4, "bias_axes": "c"}, (2, 3),
     [(3, 4), (4,)], (2, 4)),
    ({"equation": "abc,cde->abde", "output_shape": (None, 2, 3), "bias_axes": "de"},
     (2, 5, 4), [(4, 2, 3), (2, 3)], (2, 5, 2, 3)),
    ({"equation": "...b,bc->...c", "output_shape": 3, "activation": "tanh"}, (2, 4, 5),
     [(5, 3)], (2, 4, 3)),
])
def test_einsum_dense_harness(kwargs, shape, weights, out):
    def reference(x, w):
        y = np.einsum(kwargs["equation"], x, w[0])
        y = y + w[1] if len(w) > 1 else y
        return np.tanh(y) if kwargs.get("activation") == "tanh" else y
    check_layer(layers.EinsumDense, kwargs, input_shape=shape, expected_output_shape=out,
                expected_weight_shapes=weights, reference=reference)


def test_einsum_dense_errors_and_lora():
    with pytest.raises(ValueError, match="invalid equation"):
        layers.EinsumDense("ab->b", output_shape=2)(np.ones((2, 3)))
    with pytest.raises(ValueError, match="bias dimension 'x'"):
        layers.EinsumDense("ab,bc->ac", output_shape=2, bias_axes="x")(np.ones((2, 3)))
    with pytest.raises(ValueError, match="Input 0 of layer 'einsum_dense.*ndim=2"):
        layer = layers.EinsumDense("ab,bc->ac", output_shape=2)
        layer(np.ones((2, 3)))
        layer(np.ones((2, 3, 3)))
    layer = layers.EinsumDense("ab,bc->ac", output_shape=2, lora_rank=1)
    layer(np.ones((2, 3), "float32"))
    assert [w.name for w in layer.trainable_weights] == ["lora_kernel_a", "lora_kernel_b"]
    assert tuple(layer.lora_kernel_a.shape) == (3, 1)


# ------------------------------------------------------------------ Masking

def test_masking_harness_and_mask():
    x = np.random.default_rng(0).normal(size=(2, 4, 3)).astype("float32")
    x[0, 1] = 0.0
    x[1, 3] = 0.0
    check_layer(layers.Masking, {}, input_data=x,
                reference=lambda x, w: x * np.any(x != 0, -1, keepdims=True))
    y = layers.Masking()(x)
    np.testing.assert_array_equal(_np(y._keras_mask), np.any(x != 0, axis=-1))
    model_in = cornu.Input((4, 3))
    assert layers.Masking(mask_value=1.0)(model_in)._keras_mask.shape == (None, 4)


# ------------------------------------------------------------------ Lambda

@cornu.saving.register_keras_serializable(package="test_core")
def double_plus(x, offset=0.0):
    return x * 2.0 + offset


def test_lambda_harness_with_a_named_function():
    check_layer(layers.Lambda, {"function": double_plus, "arguments": {"offset": 1.0}},
                input_shape=(2, 3), reference=lambda x, w: x * 2 + 1)
    config = layers.Lambda(double_plus).get_config()
    assert config["function"] == {"module": "builtins", "class_name": "function",
                                  "config": "double_plus",
                                  "registered_name": "test_core>double_plus"}


def test_lambda_stores_bytecode_and_refuses_it_in_safe_mode(monkeypatch):
    layer = layers.Lambda(lambda x, k=3.0: x * k, output_shape=(2,))
    config = layer.get_config()
    fn = config["function"]
    assert fn["class_name"] == "__lambda__" and isinstance(fn["config"]["code"], str)
    assert fn["config"]["defaults"] == [3.0]
    with pytest.raises(ValueError, match="safe_mode=False"):
        layers.Lambda.from_config(config)
    with pytest.raises(ValueError, match="safe_mode=False"):
        layers.deserialize(layers.serialize(layer))
    with safe_mode.SafeModeScope(False):
        clone = layers.Lambda.from_config(config)
    np.testing.assert_allclose(_np(clone(np.ones((1, 2), "float32"))), 3.0)
    assert layers.Lambda.from_config(config, safe_mode=False).output_shape_arg == (2,)
    monkeypatch.setitem(safe_mode._global, "unsafe", False)
    cornu.config.enable_unsafe_deserialization()
    assert layers.Lambda.from_config(config) is not None
    with safe_mode.SafeModeScope(True):
        with pytest.raises(ValueError, match="safe_mode=False"):
            layers.Lambda.from_config(config)


def test_lambda_closure_and_keras_function_configs():
    scale = 4.0
    layer = layers.Lambda(lambda x: x * scale)
    clone = layers.Lambda.from_config(layer.get_config(), safe_mode=False)
    np.testing.assert_allclose(_np(clone(np.ones((1, 2), "float32"))), 4.0)
    keras_config = {"name": "l", "trainable": True, "dtype": "float32",
                    "function": {"module": "builtins", "class_name": "function",
                                 "config": "relu", "registered_name": "function"},
                    "arguments": {}}
    relu = layers.Lambda.from_config(keras_config)
    np.testing.assert_allclose(_np(relu(np.array([[-1.0, 2.0]], "float32"))), [[0.0, 2.0]])
    keras_config["function"]["config"] = "my_fn"
    with pytest.raises(ValueError, match="unknown function 'my_fn'.*custom_objects"):
        layers.Lambda.from_config(keras_config)
    custom = layers.Lambda.from_config(keras_config, custom_objects={"my_fn": double_plus})
    assert custom.function is double_plus


def test_lambda_shapes_masks_and_training():
    inp = cornu.Input((3, 4))
    assert layers.Lambda(lambda x: x[:, 0])(inp).shape == (None, 4)
    assert layers.Lambda(lambda x: x, output_shape=(5,))(inp).shape == (None, 5)
    assert layers.Lambda(lambda x: x, output_shape=lambda s: (s[0], 7))(inp).shape == (None, 7)
    masked = layers.Lambda(lambda x: x, mask=lambda x, m: backend.numpy.ones(x.shape[:2]) > 0)
    assert _np(masked(np.ones((2, 3, 4)))._keras_mask).all()
    seen = {}

    def fn(x, training=None):
        seen["training"] = training
        return x
    layers.Lambda(fn)(np.ones((1, 2)), training=True)
    assert seen["training"] is True
    with pytest.raises(ValueError, match="output_shape"):
        layers.Lambda(lambda x: x.numpy())(inp)


# ------------------------------------------------------------------ TorchModuleWrapper

def test_torch_module_wrapper_trains_the_module():
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
    wrapper = layers.TorchModuleWrapper(module)
    assert [w.path for w in wrapper.weights] == [
        "torch_module_wrapper/0.weight", "torch_module_wrapper/0.bias",
        "torch_module_wrapper/2.weight", "torch_module_wrapper/2.bias"]
    assert wrapper.weights[0].value is module[0].weight  # shared, not copied
    model = cornu.Sequential([cornu.Input((4,)), wrapper])
    assert model.output_shape == (None, 1)
    assert model.count_params() == 4 * 8 + 8 + 8 + 1
    before = module[0].weight.detach().clone()
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).normal(size=(16, 4)).astype("float32")
    model.fit(x, x[:, :1], epochs=1, verbose=0)
    assert not torch.equal(before, module[0].weight.detach())
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               module(torch.tensor(x)).detach().numpy(), rtol=1e-5)


def test_torch_module_wrapper_modes_and_config():
    module = torch.nn.Dropout(0.5)
    wrapper = layers.TorchModuleWrapper(torch.nn.Sequential(torch.nn.Linear(3, 3), module))
    wrapper(np.ones((2, 3), "float32"), training=True)
    assert module.training
    wrapper(np.ones((2, 3), "float32"))
    assert not module.training
    config = wrapper.get_config()
    with pytest.raises(ValueError, match="safe_mode=False"):
        layers.TorchModuleWrapper.from_config(config)
    clone = layers.TorchModuleWrapper.from_config(config, safe_mode=False)
    assert isinstance(clone.module, torch.nn.Sequential) and len(clone.weights) == 2
    with pytest.raises(ValueError, match="torch.nn.Module"):
        layers.TorchModuleWrapper(lambda x: x)


def test_torch_module_wrapper_harness():
    module = torch.nn.Linear(3, 2)
    with safe_mode.SafeModeScope(False):
        check_layer(layers.TorchModuleWrapper, {"module": module}, input_shape=(4, 3),
                    expected_output_shape=(4, 2), expected_weight_shapes=[(2, 3), (2,)],
                    reference=lambda x, w: x @ w[0].T + w[1])


def test_dense_lora():
    layer = layers.Dense(3, lora_rank=2, lora_alpha=4)
    x = np.random.default_rng(0).normal(size=(2, 5)).astype("float32")
    y = _np(layer(x))
    assert [w.name for w in layer.trainable_weights] == ["bias", "lora_kernel_a",
                                                         "lora_kernel_b"]
    np.testing.assert_allclose(y, x @ layer.kernel.numpy() + layer.bias.numpy(), rtol=1e-5, atol=1e-6)
    layer.lora_kernel_b.assign(np.ones((2, 3), "float32"))
    kernel = layer.kernel.numpy() + 2.0 * layer.lora_kernel_a.numpy() @ np.ones((2, 3))
    np.testing.assert_allclose(_np(layer(x)), x @ kernel + layer.bias.numpy(), rtol=1e-5, atol=1e-6)
    assert layer.get_config()["lora_alpha"] == 4
    assert "lora_rank" not in layers.Dense(3).get_config()


def test_keras2_lambda_config_loads_only_unsafe():
    import base64
    import marshal
    code = base64.encodebytes(marshal.dumps((lambda x: x + 1.0).__code__)).decode("ascii")
    config = {"name": "lambda_1", "trainable": True, "dtype": "float32",
              "function": [code, None, None], "function_type": "lambda",
              "module": "__main__", "output_shape": None, "output_shape_type": "raw",
              "output_shape_module": None, "arguments": {}}
    with pytest.raises(ValueError, match="safe_mode=False"):
        layers.Lambda.from_config(dict(config))
    layer = layers.Lambda.from_config(dict(config), safe_mode=False)
    np.testing.assert_allclose(_np(layer(np.zeros((1, 2), "float32"))), 1.0)


def test_torch_module_wrapper_state_dict_store():
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    model = cornu.Sequential([cornu.Input((3,)), layers.TorchModuleWrapper(module)])
    module[1].running_mean.fill_(0.5)
    store = {}
    model.layers[0].save_own_variables(store)
    assert set(store) == set(module.state_dict())
    other = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    wrapper = layers.TorchModuleWrapper(other)
    wrapper.load_own_variables(store)
    assert torch.equal(other[0].weight, module[0].weight)
    assert torch.equal(other[1].running_mean, module[1].running_mean)
