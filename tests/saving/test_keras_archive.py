"""``.keras`` round trips: architecture, weights and compile state come back the same."""
import json
import zipfile

import numpy as np
import pytest

import cornu as keras
from cornu.saving import UnknownObjectError
from tests.saving.helpers import (
    L, as_list, assert_same_predictions, assert_same_weights, data, mlp, multi_io,
    multi_io_data,
)


def _trained_mlp():
    model = mlp()
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    model.fit(data((32, 6)), data((32, 3), 1), batch_size=8, epochs=2, verbose=0)
    return model


def test_sequential_round_trip_predictions_and_evaluate(tmp_path):
    model = _trained_mlp()
    path = tmp_path / "mlp.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    x, y = data((10, 6), 5), data((10, 3), 6)
    assert_same_predictions(model, loaded, x, atol=0)
    # No compile after loading: the compile state came with the file.
    assert loaded.compiled
    assert loaded.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0),
                                                             abs=1e-6)
    assert [type(loaded.optimizer).__name__, loaded.loss] == ["Adam", "mse"]


def test_archive_layout_matches_keras(tmp_path):
    model = _trained_mlp()
    path = tmp_path / "m.keras"
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == ["metadata.json", "config.json", "model.weights.h5"]
        assert all(i.compress_type == zipfile.ZIP_STORED for i in archive.infolist())
        config = json.loads(archive.read("config.json"))
        metadata = json.loads(archive.read("metadata.json"))
        import h5py
        import io
        h5 = h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r")
        paths = []
        h5.visititems(lambda name, obj: paths.append(name) if isinstance(
            obj, h5py.Dataset) else None)
    assert metadata["keras_version"].startswith("3.")
    assert config["class_name"] == "Sequential"
    assert config["compile_config"]["optimizer"]["class_name"] == "Adam"
    assert config["compile_config"]["loss"] == "mse"
    # Keras 3's paths: layers by class name, then the optimizer's variables in order.
    assert "layers/dense/vars/0" in paths and "layers/dense_1/vars/1" in paths
    assert [p for p in paths if p.startswith("layers/batch_normalization/")] == [
        f"layers/batch_normalization/vars/{i}" for i in range(4)]
    n_slots = 2 * len(model.trainable_weights)
    assert sorted(p for p in paths if p.startswith("optimizer/")) == sorted(
        f"optimizer/vars/{i}" for i in range(2 + n_slots))


def test_training_resumes_exactly(tmp_path):
    model = _trained_mlp()
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    x, y = data((16, 6), 9), data((16, 3), 10)
    assert int(loaded.optimizer.iterations.numpy()) == int(model.optimizer.iterations.numpy())
    for a, b in zip(model.optimizer.variables, loaded.optimizer.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    model.train_on_batch(x, y)
    loaded.train_on_batch(x, y)
    assert_same_weights(model, loaded)


def test_functional_multi_io_nested_shared(tmp_path):
    model = multi_io()
    model.compile(optimizer="rmsprop", loss=["mse", "binary_crossentropy"],
                  loss_weights=[1.0, 0.5], metrics=[["mae"], ["accuracy"]])
    x, y = multi_io_data()
    model.fit(x, y, epochs=1, verbose=0)
    path = tmp_path / "multi.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert [l.name for l in loaded.layers] == [l.name for l in model.layers]
    assert loaded.get_layer("shared") is loaded.layers[[l.name for l in loaded.layers].index(
        "shared")]
    assert_same_predictions(model, loaded, x, atol=0)
    np.testing.assert_allclose(loaded.evaluate(x, y, verbose=0),
                               model.evaluate(x, y, verbose=0), atol=1e-6)
    assert loaded.loss_weights == [1.0, 0.5]


def test_nested_functional_node_numbers_follow_keras(tmp_path):
    sub_in = keras.Input((3,))
    sub = keras.Model(sub_in, L.Dense(2)(sub_in), name="sub")
    inp = keras.Input((3,))
    h = sub(inp)
    out = L.Dense(2)(L.Concatenate()([sub(L.Dense(3)(h)), h]))
    model = keras.Model(inp, [out, sub(inp)])
    config = json.loads(model.to_json())["config"]
    # Keras 3 counts a nested Functional's output nodes from 1 in output_layers.
    assert config["output_layers"][1] == ["sub", 3, 0]
    path = tmp_path / "nested.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert_same_predictions(model, loaded, data((4, 3)), atol=0)


@keras.saving.register_keras_serializable(package="tests_saving")
class Scale(keras.layers.Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, x):
        return x * self.w * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


@keras.saving.register_keras_serializable(package="tests_saving")
class Tower(keras.Model):
    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = L.Dense(units, activation="relu")
        self.blocks = [Scale(1.5), L.Dense(2)]

    def call(self, x):
        x = self.hidden(x)
        for block in self.blocks:
            x = block(x)
        return x

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_subclassed_registered_model(tmp_path):
    model = Tower(5)
    model.compile(optimizer="sgd", loss="mse")
    model.fit(data((8, 3)), data((8, 2), 1), verbose=0)
    path = tmp_path / "tower.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, Tower) and loaded.units == 5
    assert_same_predictions(model, loaded, data((4, 3), 2), atol=0)
    assert loaded.compiled


class Doubler(keras.layers.Layer):
    def call(self, x):
        return x * 2.0


def test_custom_objects_needed_for_unregistered_class(tmp_path):
    inp = keras.Input((3,))
    model = keras.Model(inp, Doubler()(L.Dense(2)(inp)))
    path = tmp_path / "custom.keras"
    model.save(path)
    with pytest.raises(UnknownObjectError, match="Doubler"):
        keras.models.load_model(path)
    loaded = keras.models.load_model(path, custom_objects={"Doubler": Doubler})
    assert_same_predictions(model, loaded, data((2, 3)), atol=0)
    with keras.saving.CustomObjectScope({"Doubler": Doubler}):
        again = keras.models.load_model(path)
    assert_same_predictions(model, again, data((2, 3)), atol=0)


def test_compile_false_and_uncompiled_models(tmp_path):
    model = _trained_mlp()
    model.save(tmp_path / "a.keras")
    loaded = keras.models.load_model(tmp_path / "a.keras", compile=False)
    assert not loaded.compiled and loaded.optimizer is None
    plain = mlp()
    plain.save(tmp_path / "b.keras")
    loaded = keras.models.load_model(tmp_path / "b.keras")
    assert not loaded.compiled
    assert_same_predictions(plain, loaded, data((3, 6)), atol=0)


def test_compile_config_round_trip_with_objects():
    model = mlp()
    model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9),
                  loss=keras.losses.Huber(delta=0.5),
                  metrics=[keras.metrics.MeanAbsoluteError(), "mse"])
    config = model.get_compile_config()
    json.dumps(config)
    other = mlp()
    other.compile_from_config(config)
    assert other.optimizer.momentum == pytest.approx(0.9)
    assert other.loss.delta == pytest.approx(0.5)
    x, y = data((8, 6)), data((8, 3), 1)
    other.set_weights(model.get_weights())
    np.testing.assert_allclose(other.evaluate(x, y, verbose=0), model.evaluate(x, y, verbose=0),
                               atol=1e-6)


def test_to_json_model_from_json_and_clone():
    model = multi_io()
    same = keras.models.model_from_json(model.to_json())
    assert same.count_params() == model.count_params()
    clone = keras.models.clone_model(model)
    assert clone.count_params() == model.count_params()
    assert all(a is not b for a, b in zip(clone.layers, model.layers))
    clone.set_weights(model.get_weights())
    x, _ = multi_io_data()
    assert_same_predictions(model, clone, x, atol=0)


def test_clone_model_options():
    model = mlp()
    inp = keras.Input((6,), name="new_in")
    clone = keras.models.clone_model(model, input_tensors=inp)
    assert clone.inputs[0] is inp or clone.layers[0].input is inp
    shared = keras.models.clone_model(model, clone_function=lambda layer: layer)
    assert all(a is b for a, b in zip(shared.layers, model.layers))
    tower = Tower(3)
    tower(data((2, 3)))
    cloned = keras.models.clone_model(tower)
    assert isinstance(cloned, Tower) and cloned.units == 3
    with pytest.raises(ValueError, match="subclassed"):
        keras.models.clone_model(tower, clone_function=lambda l: l)


def test_model_predictions_equal_after_load_weights_from_keras_archive(tmp_path):
    model = _trained_mlp()
    model.save(tmp_path / "m.keras")
    other = mlp()
    other.load_weights(tmp_path / "m.keras")
    assert_same_predictions(model, other, data((3, 6)), atol=0)
    assert as_list(other.predict(data((1, 6)), verbose=0))[0].shape == (1, 3)
