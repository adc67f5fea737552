"""Reproducers from real Keras 3 programs (issue #10, items 3, 4, 5, 7, 8, 10).

Each behaviour asserted here was first checked on Keras 3.15.1 (torch backend) with
the same program; the comments say what Keras does.
"""
import warnings

import numpy as np
import pytest

import cornu as keras
from cornu import backend, ops
from cornu.models.functional import Functional


def _dense_model(n_in=4, n_out=2):
    inputs = keras.Input((n_in,))
    return inputs, keras.layers.Dense(n_out)(inputs)


def _data(n=64, n_in=4, n_out=1, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, n_in)).astype("float32")
    w = rng.random((n_in, n_out)).astype("float32")
    return x, x @ w


# ---------------------------------------------------------------- 3: from_config


def test_from_config_takes_custom_objects_for_every_model_kind():
    inputs, outputs = _dense_model()
    model = keras.Model(inputs, outputs)
    config = model.get_config()
    # Keras: Model.from_config(functional config) revives a Functional.
    revived = keras.Model.from_config(config, custom_objects={})
    assert isinstance(revived, Functional)
    assert [l.name for l in revived.layers] == [l.name for l in model.layers]
    assert isinstance(Functional.from_config(config, custom_objects=None), Functional)
    seq = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    seq2 = keras.Sequential.from_config(seq.get_config(), custom_objects={})
    assert isinstance(seq2, keras.Sequential) and seq2.output_shape == (None, 2)
    # Keras 2's keras.models.model_from_config.
    with pytest.warns(DeprecationWarning, match="deserialize_keras_object"):
        again = keras.models.model_from_config(
            keras.saving.serialize_keras_object(model), custom_objects={})
    assert isinstance(again, Functional)


def test_from_config_of_a_subclassed_model_with_its_own_get_config():
    class Sub(keras.Model):
        def __init__(self, units=2, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.dense = keras.layers.Dense(units)

        def call(self, x):
            return self.dense(x)

        def get_config(self):
            return {"units": self.units, "name": self.name}

    model = Sub(3, name="sub")
    model(np.zeros((1, 4), "float32"))
    revived = Sub.from_config(model.get_config(), custom_objects={})
    assert type(revived) is Sub and revived.units == 3 and revived.name == "sub"
    # A config the constructor does not take: Keras says how to fix it.
    with pytest.raises(TypeError, match="Unable to revive model Model.*from_config"):
        keras.Model.from_config({"units": 3}, custom_objects={})


def test_custom_objects_dict_makes_a_model_loadable(tmp_path):
    class Times(keras.layers.Layer):
        def __init__(self, k=2.0, **kwargs):
            super().__init__(**kwargs)
            self.k = k

        def call(self, x):
            return x * self.k

    model = keras.Sequential([keras.Input((3,)), Times(3.0)])
    path = tmp_path / "times.keras"
    model.save(path)
    registry = keras.saving.get_custom_objects()
    registry["Times"] = Times
    try:
        loaded = keras.models.load_model(path)
    finally:
        del registry["Times"]
    assert type(loaded.layers[0]) is Times and loaded.layers[0].k == 3.0
    x = np.arange(6, dtype="float32").reshape(2, 3)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), 3.0 * x)


# ---------------------------------------------------------------- 4: subclass of Dense


@keras.saving.register_keras_serializable(package="keras3_programs")
class VocabDense(keras.layers.Dense):
    def __init__(self, vocab=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.vocab = vocab


def test_subclass_of_a_builtin_layer_passing_kwargs_round_trips(tmp_path):
    model = keras.Sequential([keras.Input((4,)), VocabDense(units=3, vocab=5)])
    path = tmp_path / "vocab_dense.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    layer = loaded.layers[0]
    assert type(layer) is VocabDense and layer.units == 3
    assert layer.vocab == 5  # Keras loses it (Dense.get_config has no `vocab`): None
    for a, b in zip(model.layers[0].get_weights(), layer.get_weights()):
        np.testing.assert_array_equal(a, b)
    x = np.random.default_rng(1).random((2, 4)).astype("float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)
    positional = VocabDense(7, 3)  # vocab=7, units=3 through *args
    assert positional.get_config()["units"] == 3 and positional.vocab == 7


# ---------------------------------------------------------------- 5: M(inputs, outputs)


class CountingModel(keras.Model):
    """The Keras 3 torch guide's custom train_step (guides/custom_train_step_in_torch.py)."""

    train_calls = 0
    test_calls = 0

    def train_step(self, data):
        import torch
        CountingModel.train_calls += 1
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        loss.backward()
        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]
        with torch.no_grad():
            self.optimizer.apply(gradients, trainable_weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}

    def test_step(self, data):
        CountingModel.test_calls += 1
        x, y = data
        y_pred = self(x, training=False)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


@pytest.mark.skipif(backend.backend() != "torch", reason="the torch guide's train_step")
@pytest.mark.parametrize("by_keyword", [False, True])
def test_subclass_built_from_inputs_and_outputs_keeps_its_train_step(by_keyword):
    inputs, outputs = _dense_model(4, 1)
    model = (CountingModel(inputs=inputs, outputs=outputs) if by_keyword
             else CountingModel(inputs, outputs))
    # Keras: a functional model of class CountingModel, named after it.
    assert isinstance(model, CountingModel) and isinstance(model, Functional)
    assert type(model).__name__ == "CountingModel" and model.name.startswith("counting_model")
    assert [type(l).__name__ for l in model.layers] == ["InputLayer", "Dense"]
    assert isinstance(keras.models.clone_model(model), CountingModel)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    x, y = _data()
    CountingModel.train_calls = CountingModel.test_calls = 0
    history = model.fit(x, y, batch_size=16, epochs=4, verbose=0)
    assert CountingModel.train_calls == 4 * 4
    assert sorted(history.history) == ["loss", "mae"]
    losses = history.history["loss"]
    assert losses[-1] < losses[0]
    result = model.evaluate(x, y, batch_size=32, verbose=0, return_dict=True)
    assert CountingModel.test_calls == 2 and sorted(result) == ["loss", "mae"]
    mse = float(np.mean((model.predict(x, verbose=0) - y) ** 2))
    np.testing.assert_allclose(result["loss"], mse, rtol=1e-4)


@pytest.mark.skipif(backend.backend() != "torch", reason="the torch guide's train_step")
def test_subclass_with_own_init_passing_args_through(tmp_path):
    class GuideModel(keras.Model):  # the guide's lower-level variant
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.loss_tracker = keras.metrics.Mean(name="loss")
            self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")
            self.loss_fn = keras.losses.MeanSquaredError()

        def train_step(self, data):
            import torch
            x, y = data
            self.zero_grad()
            y_pred = self(x, training=True)
            loss = self.loss_fn(y, y_pred)
            loss.backward()
            weights = list(self.trainable_weights)
            with torch.no_grad():
                self.optimizer.apply([v.value.grad for v in weights], weights)
            self.loss_tracker.update_state(loss)
            self.mae_metric.update_state(y, y_pred)
            return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

        @property
        def metrics(self):
            return [self.loss_tracker, self.mae_metric]

    inputs, outputs = _dense_model(4, 1)
    model = GuideModel(inputs, outputs)
    model.compile(optimizer=keras.optimizers.SGD(0.1))
    x, y = _data()
    losses = model.fit(x, y, batch_size=16, epochs=4, verbose=0).history["loss"]
    assert losses[-1] < losses[0]
    lines = []
    model.summary(print_fn=lines.append)
    assert "guide_model" in "\n".join(lines) and "dense" in "\n".join(lines)
    path = tmp_path / "guide.keras"
    model.save(path)
    loaded = keras.models.load_model(path, custom_objects={"GuideModel": GuideModel})
    assert isinstance(loaded, GuideModel) and isinstance(loaded, Functional)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)


def test_subclass_taking_positional_arguments_is_not_made_functional():
    class Net(keras.Model):
        def __init__(self, hidden, units):
            super().__init__()
            self.a = keras.layers.Dense(hidden)
            self.b = keras.layers.Dense(units)

        def call(self, x):
            return self.b(self.a(x))

    net = Net(8, 2)
    assert not isinstance(net, Functional)
    assert net(np.zeros((3, 4), "float32")).shape == (3, 2)

    class Plain(keras.Model):
        def call(self, x):
            return x

    # Files move to Keras: a config with `inputs`/`outputs` would make it build a graph.
    assert Plain(name="plain").get_config() == {"name": "plain", "trainable": True,
                                                "dtype": "float32"}


# ---------------------------------------------------------------- 7: callbacks' logs

_HOOKS = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
          "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
          "on_test_batch_begin", "on_test_batch_end", "on_predict_begin", "on_predict_end",
          "on_predict_batch_begin", "on_predict_batch_end")


class KeysRecorder(keras.callbacks.Callback):
    """Calls ``logs.keys()`` in every hook, as published callbacks do."""

    def __init__(self):
        super().__init__()
        self.seen = {}

    def _record(self, hook, logs):
        self.seen.setdefault(hook, []).append(sorted(logs.keys()))


for _hook in _HOOKS:
    if "_batch_" in _hook or "epoch" in _hook:
        setattr(KeysRecorder, _hook, lambda self, i, logs=None, _h=_hook: self._record(_h, logs))
    else:
        setattr(KeysRecorder, _hook, lambda self, logs=None, _h=_hook: self._record(_h, logs))


def test_every_callback_hook_gets_a_dict():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse", metrics=["mae"])
    x, y = _data(8, 3)
    metrics, with_val = ["loss", "mae"], ["loss", "mae", "val_loss", "val_mae"]
    cb = KeysRecorder()
    model.fit(x, y, batch_size=4, epochs=1, verbose=0, callbacks=[cb], validation_data=(x, y))
    # Keras 3.15.1 gives exactly these (validation runs the test hooks too).
    assert cb.seen == {
        "on_train_begin": [[]], "on_epoch_begin": [[]],
        "on_train_batch_begin": [[], []], "on_train_batch_end": [metrics, metrics],
        "on_test_begin": [[]], "on_test_batch_begin": [[], []],
        "on_test_batch_end": [metrics, metrics], "on_test_end": [metrics],
        "on_epoch_end": [with_val], "on_train_end": [with_val]}
    cb = KeysRecorder()
    model.evaluate(x, y, batch_size=4, verbose=0, callbacks=[cb])
    assert cb.seen == {"on_test_begin": [[]], "on_test_batch_begin": [[], []],
                       "on_test_batch_end": [metrics, metrics], "on_test_end": [metrics]}
    cb = KeysRecorder()
    model.predict(x, batch_size=4, verbose=0, callbacks=[cb])
    assert cb.seen == {"on_predict_begin": [[]], "on_predict_batch_begin": [[], []],
                       "on_predict_batch_end": [["outputs"], ["outputs"]],
                       "on_predict_end": [[]]}


def test_batch_hooks_get_logs_by_keyword_and_outputs_of_predict():
    got = []

    class Outputs(keras.callbacks.Callback):
        def on_predict_batch_end(self, batch, logs):  # Keras passes `logs=` here
            got.append(keras.ops.convert_to_numpy(logs["outputs"]))

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    x, _ = _data(10, 3)
    pred = model.predict(x, batch_size=4, verbose=0, callbacks=[Outputs()])
    np.testing.assert_allclose(np.concatenate(got), pred, rtol=1e-6)
    ends = []
    lam = keras.callbacks.LambdaCallback(on_batch_end=lambda b, l: ends.append(l["loss"]),
                                         on_train_begin=lambda l: ends.append(len(l)))
    model.compile("sgd", "mse")
    model.fit(x, np.zeros((10, 2)), batch_size=5, epochs=1, verbose=0, callbacks=[lam])
    assert ends[0] == 0 and len(ends) == 3 and all(v >= 0 for v in ends[1:])


# ---------------------------------------------------------------- 8: compute_loss


def test_compute_loss_overrides_with_and_without_training():
    seen = []

    class Old(keras.Model):  # Keras 3.0-3.2's signature, common in published code
        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                         allow_empty=False):
            seen.append(("old", allow_empty))
            return super().compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                        allow_empty=allow_empty)

    class New(keras.Model):
        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                         training=True):
            seen.append(("new", training))
            return super().compute_loss(x, y, y_pred, sample_weight, training=training)

    class Varargs(keras.Model):  # no named `training`: Keras passes it positionally-free
        def compute_loss(self, *args, **kwargs):
            seen.append(("varargs", sorted(kwargs)))
            return super().compute_loss(*args, **kwargs)

    x, y = _data(8, 3)
    expected = []
    for cls in (Old, New, Varargs):
        inputs, outputs = _dense_model(3, 1)
        model = cls(inputs, outputs)
        model.compile("sgd", "mse")
        model.fit(x, y, batch_size=8, epochs=1, verbose=0)
        loss = model.evaluate(x, y, batch_size=8, verbose=0)
        mse = float(np.mean((model.predict(x, verbose=0) - y) ** 2))
        np.testing.assert_allclose(loss, mse, rtol=1e-5)
        expected.append(seen[-2:])
    assert expected == [[("old", False), ("old", False)], [("new", True), ("new", False)],
                        [("varargs", []), ("varargs", [])]]


def test_compute_loss_allow_empty_returns_zero_without_a_loss():
    inputs, outputs = _dense_model(3, 1)
    model = keras.Model(inputs, outputs)
    model.compile("sgd")
    pred = model(np.zeros((2, 3), "float32"))
    assert float(ops.convert_to_numpy(model.compute_loss(y_pred=pred, allow_empty=True))) == 0
    with pytest.raises(ValueError, match="no loss to minimise"):
        model.compute_loss(y_pred=pred)


# ---------------------------------------------------------------- 10: input rank


def _image_model():
    inputs = keras.Input((28, 28, 1))
    h = keras.layers.Conv2D(2, 3)(inputs)
    return keras.Model(inputs, keras.layers.Dense(1)(keras.layers.Flatten()(h)))


def test_functional_model_adds_a_missing_trailing_axis_of_size_one():
    model = _image_model()
    model.compile("sgd", "mse")
    rng = np.random.default_rng(0)
    x = rng.random((8, 28, 28)).astype("float32")  # the Input is (28, 28, 1)
    y = rng.random((8, 1)).astype("float32")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Keras adjusts silently
        model.fit(x, y, batch_size=4, epochs=1, verbose=0)
        pred = model.predict(x, verbose=0)
    np.testing.assert_allclose(pred, model.predict(x[..., None], verbose=0), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(ops.convert_to_numpy(model(x)), pred, rtol=1e-5, atol=1e-6)
    assert np.isfinite(model.evaluate(x, y, verbose=0))


def test_functional_model_squeezes_an_extra_trailing_axis_of_size_one():
    inputs = keras.Input((5,))
    model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    x = np.random.default_rng(0).random((4, 5)).astype("float32")
    np.testing.assert_allclose(model.predict(x[..., None], verbose=0),
                               model.predict(x, verbose=0), rtol=1e-6)
    # Any other difference of rank is refused, naming both shapes (Keras: ValueError).
    with pytest.raises(ValueError, match=r"expected shape \(None, 5\).*\(4, 5, 2\)"):
        model.predict(np.zeros((4, 5, 2), "float32"), verbose=0)
    with pytest.raises(ValueError, match=r"expected shape \(None, 5\).*\(4,\)"):
        model.predict(np.zeros((4,), "float32"), verbose=0)


def test_sequential_model_adjusts_input_rank_too():
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(2, 3),
                              keras.layers.Flatten(), keras.layers.Dense(1)])
    x = np.random.default_rng(0).random((3, 28, 28)).astype("float32")
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               model.predict(x[..., None], verbose=0), rtol=1e-5, atol=1e-6)
