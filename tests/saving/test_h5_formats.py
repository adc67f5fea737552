"""``.weights.h5`` and legacy ``.h5``: weights by path, by order and by name."""
import h5py
import numpy as np
import pytest

import cornu as keras
from cornu.saving import LoadingError
from tests.saving.helpers import (
    L, assert_same_predictions, assert_same_weights, data, mlp, multi_io, multi_io_data,
)


def _compiled_mlp():
    model = mlp()
    model.compile(optimizer="adam", loss="mse")
    model.fit(data((16, 6)), data((16, 3), 1), epochs=1, verbose=0)
    return model


def test_weights_h5_round_trip_includes_optimizer(tmp_path):
    model = _compiled_mlp()
    path = tmp_path / "w.weights.h5"
    model.save_weights(path)
    with h5py.File(path) as f:
        assert "layers/dense/vars/0" in f and "optimizer/vars/0" in f
    other = mlp()
    other.compile(optimizer="adam", loss="mse")
    other.optimizer.build(other.trainable_weights)
    other.load_weights(path)
    assert_same_weights(model, other)
    for a, b in zip(model.optimizer.variables, other.optimizer.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_weights_h5_mismatch_and_skip_mismatch(tmp_path):
    model = _compiled_mlp()
    path = tmp_path / "w.weights.h5"
    model.save_weights(path)
    different = keras.Sequential([keras.Input((6,)), L.Dense(8), L.BatchNormalization(),
                                  L.Dense(4)])
    before = [w.copy() for w in different.get_weights()]
    with pytest.raises(LoadingError, match="skip_mismatch"):
        different.load_weights(path)
    with pytest.warns(UserWarning, match="skip_mismatch"):
        different.load_weights(path, skip_mismatch=True)
    after, saved = different.get_weights(), model.get_weights()
    for i in range(6):  # the first Dense and the BatchNormalization fit: loaded
        np.testing.assert_array_equal(after[i], saved[i])
    np.testing.assert_array_equal(after[6], before[6])  # Dense(4) does not fit: kept


def test_legacy_h5_whole_model_round_trip(tmp_path):
    model = multi_io()
    model.compile(optimizer="adam", loss=["mse", "binary_crossentropy"])
    x, y = multi_io_data()
    model.fit(x, y, epochs=1, verbose=0)
    path = tmp_path / "m.h5"
    model.save(path)
    with h5py.File(path) as f:
        assert {"model_config", "training_config"} <= set(f.attrs)
        names = [getattr(n, "decode", lambda: n)() for n in f["model_weights"].attrs["layer_names"]]
        assert names == [l.name for l in model.layers]
    loaded = keras.models.load_model(path)
    assert_same_predictions(model, loaded, x, atol=0)
    np.testing.assert_allclose(loaded.evaluate(x, y, verbose=0), model.evaluate(x, y, verbose=0),
                               atol=1e-6)
    model.train_on_batch(x, y)
    loaded.train_on_batch(x, y)
    assert_same_weights(model, loaded, atol=1e-7)


def test_legacy_h5_weights_by_order_and_by_name(tmp_path):
    model = mlp()
    path = tmp_path / "legacy_weights.h5"
    model.save_weights(path)
    with h5py.File(path) as f:
        assert "layer_names" in f.attrs
    other = mlp()
    other.load_weights(path)
    assert_same_weights(model, other)
    # By name: only the layers whose names match are loaded, in any order.
    renamed = keras.Sequential([keras.Input((6,)), L.Dense(8, name="dense"),
                                L.BatchNormalization(name="other"), L.Dense(3, name="dense_1")])
    renamed.load_weights(path, by_name=True)
    np.testing.assert_array_equal(renamed.layers[0].get_weights()[0],
                                  model.layers[0].get_weights()[0])
    # By order fails loudly for a different model; skip_mismatch skips shapes that differ.
    wrong = keras.Sequential([keras.Input((6,)), L.Dense(2)])
    with pytest.raises(LoadingError, match="by_name"):
        wrong.load_weights(path)
    bigger = keras.Sequential([keras.Input((6,)), L.Dense(9, name="dense"),
                               L.Dense(3, name="dense_1")])
    with pytest.raises(LoadingError, match="Shape mismatch"):
        bigger.load_weights(path, by_name=True)
    with pytest.warns(UserWarning):
        bigger.load_weights(path, by_name=True, skip_mismatch=True)
    # Per weight, as Keras does: the kernels differ in shape, the biases fit and load.
    np.testing.assert_array_equal(bigger.layers[1].get_weights()[1],
                                  model.layers[2].get_weights()[1])


def test_keras2_style_weight_names_load(tmp_path):
    """Keras 2 writes weight names ending in ':0' and layer groups holding nested paths."""
    path = tmp_path / "k2.h5"
    rng = np.random.default_rng(0)
    kernel, bias = rng.normal(size=(6, 8)).astype("float32"), rng.normal(size=8).astype(
        "float32")
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = [b"dense_7"]
        f.attrs["keras_version"] = b"2.15.0"
        f.attrs["backend"] = b"tensorflow"
        g = f.create_group("dense_7")
        g.attrs["weight_names"] = [b"dense_7/kernel:0", b"dense_7/bias:0"]
        g["dense_7/kernel:0"] = kernel
        g["dense_7/bias:0"] = bias
    model = keras.Sequential([keras.Input((6,)), L.Dense(8)])
    model.load_weights(path)
    np.testing.assert_array_equal(model.layers[0].kernel.numpy(), kernel)
    np.testing.assert_array_equal(model.layers[0].bias.numpy(), bias)


def test_loading_into_an_unbuilt_model_says_to_build_it(tmp_path):
    model = mlp()
    model.save_weights(tmp_path / "w.weights.h5")
    unbuilt = keras.Sequential([L.Dense(8, activation="relu"), L.BatchNormalization(),
                                L.Dense(3)])
    with pytest.raises(ValueError, match="not built"):
        unbuilt.load_weights(tmp_path / "w.weights.h5")
    unbuilt.build((None, 6))
    unbuilt.load_weights(tmp_path / "w.weights.h5")
    assert_same_predictions(model, unbuilt, data((2, 6)), atol=0)


def test_saving_api_functions(tmp_path):
    model = _compiled_mlp()
    keras.saving.save_weights(model, tmp_path / "w.weights.h5")
    other = mlp()
    other.compile(optimizer="adam", loss="mse")
    keras.saving.load_weights(other, tmp_path / "w.weights.h5")
    # The optimizer was not built: loading builds it, so its saved slots are restored.
    assert other.optimizer.built
    for a, b in zip(model.optimizer.variables, other.optimizer.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    keras.saving.save_model(model, tmp_path / "m.keras")
    assert_same_predictions(model, keras.saving.load_model(tmp_path / "m.keras"),
                            data((2, 6)), atol=0)
