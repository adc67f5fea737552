"""Functional models: graphs, nesting, shared layers, multi-input/output, errors."""
import numpy as np
import pytest

import cornu as keras
from cornu import backend, layers


def _np(x):
    return backend.convert_to_numpy(x)


def test_mnist_model_structure_and_counts():
    inputs = keras.Input(shape=(784,))
    assert tuple(inputs.shape) == (None, 784) and inputs.dtype == "float32"
    x = layers.Dense(64, activation="relu")(inputs)
    x = layers.Dense(64, activation="relu")(x)
    outputs = layers.Dense(10)(x)
    model = keras.Model(inputs, outputs, name="mnist_model")
    assert type(model).__name__ == "Functional" and model.name == "mnist_model"
    assert [l.name for l in model.layers] == ["input_layer", "dense", "dense_1", "dense_2"]
    assert [l.count_params() for l in model.layers[1:]] == [50240, 4160, 650]
    assert model.count_params() == 55050
    assert model.get_layer("dense_1") is model.layers[2] and model.get_layer(index=3).units == 10
    out = model(np.ones((3, 784), dtype="float32"))
    assert tuple(out.shape) == (3, 10)


def test_model_output_equals_manual_computation():
    inputs = keras.Input(shape=(4,))
    h = layers.Dense(3, activation="relu")(inputs)
    out = layers.Dense(2)(h)
    model = keras.Model(inputs, out)
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    k1, b1, k2, b2 = model.get_weights()
    expected = np.maximum(x @ k1 + b1, 0) @ k2 + b2
    assert np.allclose(_np(model(x)), expected, atol=1e-6)


def test_ensemble_of_nested_models():
    def get_model():
        i = keras.Input(shape=(128,))
        return keras.Model(i, layers.Dense(1)(i))

    m1, m2, m3 = get_model(), get_model(), get_model()
    inputs = keras.Input(shape=(128,))
    outputs = layers.average([m1(inputs), m2(inputs), m3(inputs)])
    ensemble = keras.Model(inputs=inputs, outputs=outputs)
    assert ensemble.count_params() == 387
    probe = np.random.default_rng(0).normal(size=(4, 128)).astype("float32")
    expected = (_np(m1(probe)) + _np(m2(probe)) + _np(m3(probe))) / 3
    assert np.allclose(_np(ensemble(probe)), expected, atol=1e-6)


def test_multi_input_output_lists_and_dicts():
    a = keras.Input(shape=(3,), name="a")
    b = keras.Input(shape=(2,), name="b")
    merged = layers.concatenate([a, b])
    out1 = layers.Dense(1, name="one")(merged)
    out2 = layers.Dense(2, name="two")(merged)
    model = keras.Model([a, b], [out1, out2])
    xa, xb = np.ones((4, 3), "float32"), np.ones((4, 2), "float32")
    r1, r2 = model([xa, xb])
    d1, d2 = model({"a": xa, "b": xb})
    assert np.allclose(_np(r1), _np(d1)) and tuple(r2.shape) == (4, 2)
    assert model.output_names == ["one", "two"]
    dict_model = keras.Model({"a": a, "b": b}, {"x": out1})
    assert set(dict_model({"a": xa, "b": xb})) == {"x"}
    with pytest.raises(ValueError, match="missing inputs.*'b'"):
        model({"a": xa})


def test_shared_layer_reuses_weights():
    shared = layers.Dense(2)
    a, b = keras.Input(shape=(3,)), keras.Input(shape=(3,))
    model = keras.Model([a, b], layers.add([shared(a), shared(b)]))
    assert model.count_params() == 8
    x = np.ones((1, 3), "float32")
    assert np.allclose(_np(model([x, 2 * x])), 3 * _np(shared(x)) - _np(shared.bias.value),
                       atol=1e-6)


def test_keras_tensor_arithmetic_is_recorded():
    x = keras.Input(shape=(3,))
    y = x * 2 + 1 - x / 2
    model = keras.Model(x, y)
    data = np.arange(3, dtype="float32")[None]
    assert np.allclose(_np(model(data)), data * 2 + 1 - data / 2)


def test_graph_disconnected_error():
    a, b = keras.Input(shape=(2,)), keras.Input(shape=(2,))
    out = layers.add([a, b])
    with pytest.raises(ValueError, match="Graph disconnected"):
        keras.Model(a, out)


def test_inputs_must_come_from_input():
    with pytest.raises(ValueError, match="cornu.Input"):
        keras.Model(np.ones(3), np.ones(3))


def test_merging_layers_numerics():
    rng = np.random.default_rng(1)
    x1, x2 = rng.normal(size=(2, 4)).astype("float32"), rng.normal(size=(2, 4)).astype("float32")
    cases = [(layers.Add(), x1 + x2), (layers.Subtract(), x1 - x2),
             (layers.Multiply(), x1 * x2), (layers.Average(), (x1 + x2) / 2),
             (layers.Maximum(), np.maximum(x1, x2)), (layers.Minimum(), np.minimum(x1, x2)),
             (layers.Concatenate(), np.concatenate([x1, x2], -1)),
             (layers.Dot(axes=1), np.sum(x1 * x2, axis=1, keepdims=True))]
    for layer, expected in cases:
        assert np.allclose(_np(layer([x1, x2])), expected, atol=1e-6), type(layer).__name__
    norm = layers.Dot(axes=1, normalize=True)([x1, x2])
    cos = np.sum(x1 * x2, 1) / np.linalg.norm(x1, axis=1) / np.linalg.norm(x2, axis=1)
    assert np.allclose(_np(norm)[:, 0], cos, atol=1e-6)
    with pytest.raises(ValueError, match="exactly 2"):
        layers.Subtract()([x1, x2, x1])
    with pytest.raises(ValueError, match="list of inputs"):
        layers.Add()(x1)


def test_json_round_trip_rebuilds_the_same_graph():
    import json
    a = keras.Input(shape=(3,), name="a")
    b = keras.Input(shape=(2,), name="b")
    shared = layers.Dense(2, name="shared")
    merged = layers.concatenate([shared(layers.Dense(2)(a)), shared(b)])
    model = keras.Model([a, b], [layers.Dense(1, name="out")(merged), merged], name="m")
    config = json.loads(model.to_json())
    assert config["class_name"] == "Functional" and config["config"]["name"] == "m"
    shared_entry = [l for l in config["config"]["layers"] if l["name"] == "shared"][0]
    assert len(shared_entry["inbound_nodes"]) == 2
    clone = keras.models.model_from_json(model.to_json())
    assert [l.name for l in clone.layers] == [l.name for l in model.layers]
    clone.set_weights(model.get_weights())
    xa, xb = np.ones((2, 3), "float32"), np.full((2, 2), 0.5, "float32")
    for got, want in zip(clone([xa, xb]), model([xa, xb])):
        np.testing.assert_allclose(_np(got), _np(want), atol=1e-6)


def test_sequential_json_round_trip():
    model = keras.Sequential([layers.Dense(3, input_shape=(4,), activation="relu"),
                              layers.Dense(2)])
    clone = keras.models.model_from_json(model.to_json())
    assert type(clone).__name__ == "Sequential" and clone.output_shape == (None, 2)
    assert clone.count_params() == model.count_params()
