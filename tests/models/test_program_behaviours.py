"""Model behaviours published Keras programs rely on (issue #10), each checked against
Keras 3.15.1 (KERAS_BACKEND=torch) by hand; the expected values are Keras's."""
import copy
import pickle

import numpy as np
import pytest

import cornu as keras
from cornu import layers


def _xy(n=16, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, (x @ np.array([[1.0], [-1.0], [0.5], [2.0]], "float32")).astype("float32")


def _dense_numpy(model, x):
    kernel, bias = model.layers[-1].get_weights()
    return x @ kernel + bias


# ------------------------------------------------------------ outputs=[y]

def test_single_output_list_model_returns_the_tensor_as_keras_3():
    x, y = _xy()
    inputs = keras.Input((4,))
    model = keras.Model(inputs, [layers.Dense(1)(inputs)])
    prediction = model.predict(x, verbose=0)
    assert isinstance(prediction, np.ndarray) and prediction.shape == (16, 1)
    np.testing.assert_allclose(prediction, _dense_numpy(model, x), rtol=1e-5, atol=1e-6)
    assert isinstance(model.predict_on_batch(x), np.ndarray)
    eager = model(x)
    assert not isinstance(eager, (list, tuple)) and tuple(eager.shape) == (16, 1)
    # Keras keeps the list for a symbolic call, and in `outputs` / `output`.
    assert isinstance(model(keras.Input((4,))), list)
    assert isinstance(model.output, list) and len(model.outputs) == 1
    model.compile("sgd", "mse", metrics=["mae"])
    assert list(model.fit(x, [y], epochs=1, verbose=0).history) == ["loss", "mae"]
    assert list(model.evaluate(x, [y], verbose=0, return_dict=True)) == ["loss", "mae"]
    assert len(model.evaluate(x, y, verbose=0)) == 2


# ------------------------------------------------------------ clone_model

@pytest.mark.parametrize("kind", ["sequential", "functional"])
def test_clone_of_a_compiled_model_is_compiled_with_a_fresh_optimizer(kind):
    x, y = _xy()
    if kind == "sequential":
        model = keras.Sequential([keras.Input((4,)), layers.Dense(1)])
    else:
        inputs = keras.Input((4,))
        model = keras.Model(inputs, layers.Dense(1)(inputs))
    model.compile(keras.optimizers.Adam(0.01), "mse", metrics=["mae"])
    model.fit(x, y, epochs=1, verbose=0)
    clone = keras.models.clone_model(model)
    assert clone.compiled and clone.optimizer is not model.optimizer
    assert type(clone.optimizer) is keras.optimizers.Adam
    np.testing.assert_allclose(float(clone.optimizer.learning_rate), 0.01, rtol=1e-6)
    assert int(clone.optimizer.iterations) == 0
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.evaluate(x, y, verbose=0),
                               model.evaluate(x, y, verbose=0), rtol=1e-5)
    uncompiled = keras.models.clone_model(keras.Sequential([keras.Input((4,)),
                                                            layers.Dense(1)]))
    assert not uncompiled.compiled


# ------------------------------------------------------------ pickle and deepcopy

@pytest.mark.parametrize("how", ["pickle", "deepcopy"])
def test_pickled_model_predicts_the_same_and_keeps_its_compile_state(how):
    x, y = _xy()
    inputs = keras.Input((4,))
    model = keras.Model(inputs, layers.Dense(1)(layers.Dense(8, activation="relu")(inputs)))
    model.compile(keras.optimizers.Adam(0.01), "mse", metrics=["mae"])
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    twin = pickle.loads(pickle.dumps(model)) if how == "pickle" else copy.deepcopy(model)
    assert twin is not model and twin.compiled
    np.testing.assert_allclose(twin.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)
    assert type(twin.optimizer) is keras.optimizers.Adam
    assert int(twin.optimizer.iterations) == int(model.optimizer.iterations) == 4
    for a, b in zip(twin.optimizer.variables, model.optimizer.variables):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-6)
    # Training goes on identically from the copied optimizer state.
    model.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    twin.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    for a, b in zip(twin.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    # The copy is independent of the original.
    twin.layers[-1].set_weights([w * 0 for w in twin.layers[-1].get_weights()])
    assert np.abs(model.layers[-1].get_weights()[0]).sum() > 0


# ------------------------------------------------------------ metrics set as attributes

class _TrackerModel(keras.Model):
    """The Keras 3 guide's pattern: metrics made in __init__, updated in train_step."""

    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(1)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")
        self.in_list = [keras.metrics.Mean(name="m_list")]
        self.in_dict = {"k": keras.metrics.Mean(name="m_dict")}
        self.resets = 0

    def call(self, x):
        return self.dense(x)

    def train_step(self, data):
        x, y = data
        y_pred = self(x, training=True)
        loss = keras.ops.mean((y_pred - y) ** 2)
        self.loss_tracker.update_state(loss)
        self.mae_metric.update_state(y, y_pred)
        self.in_list[0].update_state(1.0)
        self.in_dict["k"].update_state(2.0)
        return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}


def test_metrics_set_as_attributes_are_tracked_reset_and_logged():
    x, y = _xy()
    model = _TrackerModel()
    assert model.metrics_names == ["loss", "mae", "m_list", "m_dict"]  # Keras 3.15.1
    model.compile("sgd")
    # After the compiled loss tracker, as in Keras: ['loss', 'loss', 'mae', ...].
    assert [m.name for m in model.metrics] == ["loss", "loss", "mae", "m_list", "m_dict"]
    assert model.metrics[1] is model.loss_tracker
    resets = []
    original = model.mae_metric.reset_state
    model.mae_metric.reset_state = lambda: (resets.append(1), original())
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert len(resets) == 2  # once per epoch, as in Keras
    assert list(history.history) == ["loss", "mae"]
    # The epoch's values are the trackers' means over its 2 batches.
    assert float(model.in_list[0].result()) == 1.0 and float(model.in_dict["k"].result()) == 2.0
    assert float(model.mae_metric.count) == 16.0


def test_metrics_of_a_layer_attribute_are_listed_after_the_models():
    class Counting(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.calls = keras.metrics.Sum(name="calls")

        def call(self, x):
            self.calls.update_state(1.0)
            return x

    inputs = keras.Input((4,))
    model = keras.Model(inputs, layers.Dense(1)(Counting()(inputs)))
    model.compile("sgd", "mse")
    x, y = _xy()
    logs = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    assert list(logs) == ["calls", "loss"] and logs["calls"] == 2.0  # as Keras 3.15.1
    assert [m.name for m in model.metrics] == ["loss", "calls"]
    assert float(model.metrics[-1].result()) == 2.0  # reset at evaluate's start


# ------------------------------------------------------------ names and order

def _two_outputs():
    inputs = keras.Input((4,))
    a = layers.Dense(1, name="a")(inputs)
    b = layers.Dense(1, activation="sigmoid", name="b")(inputs)
    return keras.Model(inputs, [a, b])


def test_multi_output_metric_names_and_evaluate_order_follow_keras():
    x, ya = _xy()
    yb = (ya > 0).astype("float32")
    model = _two_outputs()
    model.compile("adam", ["mse", "binary_crossentropy"],
                  metrics={"a": ["mae"], "b": ["accuracy"]})
    assert model.metrics_names == ["loss", "compile_metrics"]  # before any data, as Keras
    history = model.fit(x, [ya, yb], epochs=1, verbose=0, validation_data=(x, [ya, yb]))
    # Keras 3.15.1's keys, sorted as Keras sorts its logs.
    assert list(history.history) == ["a_loss", "a_mae", "b_accuracy", "b_loss", "loss",
                                     "val_a_loss", "val_a_mae", "val_b_accuracy",
                                     "val_b_loss", "val_loss"]
    logs = model.evaluate(x, [ya, yb], verbose=0, return_dict=True)
    assert list(logs) == ["a_loss", "a_mae", "b_accuracy", "b_loss", "loss"]
    # Keras 3.15.1's list: the loss, the per-output losses, then the rest by name.
    values = model.evaluate(x, [ya, yb], verbose=0)
    order = ["loss", "a_loss", "b_loss", "a_mae", "b_accuracy"]
    np.testing.assert_allclose(values, [logs[k] for k in order], rtol=1e-6)
    assert model.metrics_names == order  # so zip(metrics_names, evaluate()) pairs up
    pa, pb = model.predict(x, verbose=0)
    np.testing.assert_allclose(logs["a_mae"], np.mean(np.abs(pa - ya)), rtol=1e-5)
    np.testing.assert_allclose(logs["b_accuracy"], np.mean((pb > 0.5) == yb), rtol=1e-6)


def test_weighted_and_repeated_metric_names_follow_keras():
    x, ya = _xy()
    yb = (ya > 0).astype("float32")
    model = _two_outputs()
    model.compile("adam", ["mse", "binary_crossentropy"], metrics=[["mae"], ["accuracy"]],
                  weighted_metrics=[["mse"], ["accuracy"]])
    logs = model.evaluate(x, [ya, yb], verbose=0, return_dict=True)
    assert list(logs) == ["a_loss", "a_mae", "a_mse", "b_accuracy", "b_loss",
                          "b_weighted_accuracy", "loss"]
    inputs = keras.Input((4,))
    single = keras.Model(inputs, layers.Dense(1)(inputs))
    single.compile("adam", "mse", metrics=["mae", "mae"], weighted_metrics=["mae", "mse"])
    logs = single.evaluate(x, ya, verbose=0, return_dict=True)
    assert list(logs) == ["loss", "mae", "mae_1", "mse", "weighted_mae"]
    # Keras 3.15.1 lists [loss, mae, mae, mae, mse, mae_1, weighted_mae]: `mae` once per
    # metric whose own name is "mae"; cornu lists each value once, in the same order.
    values = single.evaluate(x, ya, verbose=0)
    np.testing.assert_allclose(values, [logs[k] for k in ("loss", "mae", "mse", "mae_1",
                                                           "weighted_mae")], rtol=1e-6)


def test_metric_set_after_fit_is_tracked():
    x, y = _xy()
    inputs = keras.Input((4,))
    model = keras.Model(inputs, layers.Dense(1)(inputs))
    model.compile("sgd", "mse")
    model.fit(x, y, epochs=1, verbose=0)
    model.extra = keras.metrics.Mean(name="extra")  # Keras 3.15.1: ['loss', ..., 'extra']
    assert [m.name for m in model.metrics][-1] == "extra"
    model.more = [keras.metrics.Sum(name="more")]
    assert [m.name for m in model.metrics][-2:] == ["extra", "more"]


@keras.saving.register_keras_serializable(package="test_program_behaviours")
class _Unbuilt(keras.Model):
    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.dense = layers.Dense(units)

    def call(self, x):
        return self.dense(x)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_pickle_of_an_unbuilt_compiled_subclassed_model():
    model = _Unbuilt(2)
    model.compile(keras.optimizers.Adam(0.01), "mse", metrics=["mae"])
    twin = pickle.loads(pickle.dumps(model))
    # Keras 3.15.1: an unbuilt `Sub`, compiled, with its constructor argument.
    assert type(twin) is _Unbuilt and not twin.built and twin.compiled
    assert twin.units == 2 and twin.loss == "mse"
    assert type(twin.optimizer) is keras.optimizers.Adam
    x, y = _xy()
    twin.fit(x, np.concatenate([y, y], axis=1), epochs=1, verbose=0)
    assert twin.predict(x, verbose=0).shape == (16, 2)


def _my_loss(y_true, y_pred):
    return keras.ops.mean((y_true - y_pred) ** 2, axis=-1)


def _my_metric(y_true, y_pred):
    return keras.ops.mean(keras.ops.abs(y_true - y_pred), axis=-1)


def test_clone_of_a_model_compiled_with_unregistered_functions_uses_them():
    # Keras 3.15.1 fails here ("Could not locate function '_my_loss'"); cornu's clone
    # is compiled with the same functions, so `clone.fit` works.
    x, y = _xy()
    inputs = keras.Input((4,))
    model = keras.Model(inputs, layers.Dense(1)(inputs))
    model.compile("sgd", _my_loss, metrics=[_my_metric, "mae"])
    clone = keras.models.clone_model(model)
    assert clone.loss is _my_loss
    clone.set_weights(model.get_weights())
    logs = clone.evaluate(x, y, verbose=0, return_dict=True)
    assert list(logs) == ["_my_metric", "loss", "mae"]
    prediction = _dense_numpy(model, x)
    np.testing.assert_allclose(logs["loss"], np.mean((prediction - y) ** 2), rtol=1e-5)
    np.testing.assert_allclose(logs["_my_metric"], np.mean(np.abs(prediction - y)),
                               rtol=1e-5)
    assert list(clone.fit(x, y, epochs=1, verbose=0).history) == ["_my_metric", "loss", "mae"]


def test_pickle_and_load_model_of_a_model_compiled_with_custom_functions(tmp_path):
    x, y = _xy()
    inputs = keras.Input((4,))
    model = keras.Model(inputs, layers.Dense(1)(inputs))
    model.compile("sgd", _my_loss, metrics=[_my_metric])
    model.fit(x, y, epochs=1, verbose=0)
    expected = model.evaluate(x, y, verbose=0)
    # Keras 3.15.1 cannot unpickle this model; cornu sends the functions by reference.
    twin = pickle.loads(pickle.dumps(model))
    assert twin.loss is _my_loss
    np.testing.assert_allclose(twin.evaluate(x, y, verbose=0), expected, rtol=1e-5)
    # load_model's custom_objects reach the compile state (as in Keras 3).
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras", custom_objects={
        "_my_loss": _my_loss, "_my_metric": _my_metric})
    assert loaded.loss is _my_loss
    np.testing.assert_allclose(loaded.evaluate(x, y, verbose=0), expected, rtol=1e-5)
