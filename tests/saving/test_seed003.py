"""The save/load section of ``shared/acceptance/seed003_functional_tour.py``.

The seed needs layers from other families for its other sections; this test runs
its saving steps on the same models with small synthetic data.
"""
import json
import os

import numpy as np
import pytest

import cornu as keras

layers = keras.layers


def _mnist_like(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, size=n)
    x = rng.normal(size=(n, 784)).astype("float32") * 0.1
    x[np.arange(n), y * 78] += 3.0  # a learnable signal per class
    return x, y


def test_functional_model_save_load_evaluates_the_same(tmp_path):
    inputs = keras.Input(shape=(784,))
    x = layers.Dense(64, activation="relu")(inputs)
    x = layers.Dense(64, activation="relu")(x)
    outputs = layers.Dense(10)(x)
    model = keras.Model(inputs, outputs, name="mnist_model")
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  optimizer=keras.optimizers.RMSprop(), metrics=["accuracy"])
    x_train, y_train = _mnist_like(512, 0)
    x_test, y_test = _mnist_like(200, 1)
    model.fit(x_train, y_train, batch_size=64, epochs=1, verbose=0)
    test_scores = model.evaluate(x_test, y_test, verbose=0)

    with pytest.raises(ValueError) as info:
        model.save(os.path.join(tmp_path, "model", "demo"))
    assert ".keras" in str(info.value)
    model_path = os.path.join(tmp_path, "model", "demo.keras")
    model.save(model_path)
    config = json.loads(model.to_json())
    assert config["class_name"] in ("Functional", "Model")
    del model
    model = keras.models.load_model(model_path)
    reloaded = model.evaluate(x_test, y_test, verbose=0)
    assert np.allclose(reloaded, test_scores, atol=1e-5), (reloaded, test_scores)
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  optimizer=keras.optimizers.RMSprop(), metrics=["accuracy"])
    assert np.allclose(model.evaluate(x_test, y_test, verbose=0), test_scores, atol=1e-5)
    same = keras.models.model_from_json(json.dumps(config))
    assert same.count_params() == model.count_params()


class CustomDense(layers.Layer):
    def __init__(self, units=32):
        super(CustomDense, self).__init__()
        self.units = units
        self.w = None
        self.b = None

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                 initializer="random_normal", trainable=True)
        self.b = self.add_weight(shape=(self.units,), initializer="random_normal",
                                 trainable=True)

    def call(self, inputs):
        return keras.ops.matmul(inputs, self.w) + self.b

    def get_config(self):
        return {"units": self.units}


def test_custom_layer_saved_and_loaded_with_custom_objects(tmp_path):
    inputs = keras.Input((4,))
    outputs = CustomDense(10)(inputs)
    model = keras.Model(inputs, outputs)
    path = os.path.join(tmp_path, "custom.keras")
    model.save(path)
    again = keras.models.load_model(path, custom_objects={"CustomDense": CustomDense})
    probe = np.ones((2, 4), dtype="float32")
    assert np.allclose(again.predict(probe, verbose=0), model.predict(probe, verbose=0))
