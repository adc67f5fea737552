"""Sequential models: add, pop, Input first, input_shape, deferred build."""
import numpy as np
import pytest

import cornu as keras
from cornu import layers


def test_deferred_build_on_first_call():
    model = keras.Sequential([layers.Dense(2, activation="relu"), layers.Dense(3, activation="relu"),
                              layers.Dense(4)])
    assert not model.built
    y = model(np.ones((1, 4), dtype="float32"))
    assert tuple(y.shape) == (1, 4) and len(model.weights) == 6 and model.built
    assert model.output_shape == (None, 4)


def test_input_shape_on_first_layer_builds_at_once():
    model = keras.Sequential()
    model.add(layers.Dense(32, input_shape=(16,)))
    assert model.output_shape == (None, 32)
    model.add(layers.Dense(32))
    assert model.output_shape == (None, 32)
    model2 = keras.Sequential([layers.Dense(64, input_dim=100), layers.Dense(10)])
    assert model2.count_params() == 100 * 64 + 64 + 650


def test_input_first_pop_and_layers():
    model = keras.Sequential()
    model.add(keras.Input(shape=(5,)))
    model.add(layers.Dense(3))
    model.add(layers.Dense(2))
    assert [l.name for l in model.layers] == ["dense", "dense_1"]
    assert model.output_shape == (None, 2)
    popped = model.pop()
    assert popped.name == "dense_1" and model.output_shape == (None, 3)
    with pytest.raises(ValueError, match="first element"):
        model.add(keras.Input(shape=(3,)))


def test_unique_names_and_type_errors():
    model = keras.Sequential([layers.Dense(2, name="a", input_shape=(2,))])
    with pytest.raises(ValueError, match="unique names"):
        model.add(layers.Dense(2, name="a"))
    with pytest.raises(TypeError, match="Layer instance"):
        model.add("dense")


def test_sequential_equals_stacked_calls():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(4, activation="tanh"),
                              layers.Dense(2)])
    x = np.random.default_rng(0).normal(size=(5, 3)).astype("float32")
    k1, b1, k2, b2 = model.get_weights()
    expected = np.tanh(x @ k1 + b1) @ k2 + b2
    assert np.allclose(keras.ops.convert_to_numpy(model(x)), expected, atol=1e-6)


def test_nested_sequential_in_functional_and_back():
    inner = keras.Sequential([layers.Dense(3, input_shape=(4,)), layers.Dense(2)])
    x = keras.Input(shape=(4,))
    outer = keras.Model(x, layers.Dense(1)(inner(x)))
    assert outer.count_params() == 15 + 8 + 3
    wrapped = keras.Sequential([outer])
    assert tuple(wrapped(np.ones((2, 4), "float32")).shape) == (2, 1)
    assert wrapped.count_params() == outer.count_params()
