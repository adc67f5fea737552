"""compile / fit / evaluate / predict: numerics, inputs, history, errors."""
import numpy as np
import pytest
import torch

import cornu as keras
from cornu import layers


def _linear_data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]], "float32") + 0.3).astype("float32")
    return x, y


def test_one_sgd_step_equals_hand_computed_gradient_step():
    x, y = _linear_data(8)
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    k0, b0 = model.get_weights()
    loss = model.train_on_batch(x, y)
    pred = x @ k0 + b0
    err = pred - y
    assert loss == pytest.approx(float(np.mean(err ** 2)), rel=1e-5)
    grad_k = 2 * x.T @ err / len(x)
    grad_b = 2 * err.mean(0)
    k1, b1 = model.get_weights()
    np.testing.assert_allclose(k1, k0 - 0.1 * grad_k, atol=1e-6)
    np.testing.assert_allclose(b1, b0 - 0.1 * grad_b, atol=1e-6)


def test_fit_learns_and_history_has_keras_keys():
    x, y = _linear_data(256)
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    history = model.fit(x, y, epochs=5, batch_size=16, validation_split=0.25, verbose=0)
    assert set(history.history) == {"loss", "mae", "val_loss", "val_mae"}
    assert len(history.history["loss"]) == 5 and history.epoch == [0, 1, 2, 3, 4]
    assert history.history["loss"][-1] < history.history["loss"][0] / 5
    assert model.history is history


def test_evaluate_matches_numpy_and_return_forms():
    x, y = _linear_data(50)
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    k, b = model.get_weights()
    pred = x @ k + b
    loss, mae = model.evaluate(x, y, batch_size=7, verbose=0)
    assert loss == pytest.approx(float(np.mean((pred - y) ** 2)), rel=1e-5)
    assert mae == pytest.approx(float(np.mean(np.abs(pred - y))), rel=1e-5)
    assert model.evaluate(x, y, verbose=0, return_dict=True) == pytest.approx(
        {"loss": loss, "mae": mae})
    assert model.metrics_names == ["loss", "mae"]
    only_loss = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    only_loss.compile(optimizer="sgd", loss="mse")
    assert isinstance(only_loss.evaluate(x, y, verbose=0), float)
    np.testing.assert_allclose(model.predict(x, batch_size=9, verbose=0), pred, atol=1e-5)
    np.testing.assert_allclose(model.predict_on_batch(x), pred, atol=1e-5)
    assert model.test_on_batch(x, y)[0] == pytest.approx(loss, rel=1e-5)


def test_sample_weight_and_class_weight():
    x, y = _linear_data(32)
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    k, b = model.get_weights()
    sq = ((x @ k + b - y) ** 2)[:, 0]
    w = np.linspace(0, 2, 32).astype("float32")
    assert model.evaluate(x, y, sample_weight=w, verbose=0) == pytest.approx(
        float(np.sum(sq * w) / 32), rel=1e-5)
    clf = keras.Sequential([keras.Input((3,)), layers.Dense(2, activation="softmax")])
    clf.compile(optimizer=keras.optimizers.SGD(0.0), loss="sparse_categorical_crossentropy")
    labels = np.array([0, 1] * 16)
    plain = clf.fit(x, labels, epochs=1, batch_size=32, verbose=0).history["loss"][0]
    weighted = clf.fit(x, labels, epochs=1, batch_size=32, verbose=0,
                       class_weight={0: 0.0, 1: 2.0}).history["loss"][0]
    p = clf.predict(x, verbose=0)
    ce = -np.log(p[np.arange(32), labels])
    assert plain == pytest.approx(float(ce.mean()), rel=1e-5)
    assert weighted == pytest.approx(float(np.mean(ce * np.where(labels == 1, 2.0, 0.0))),
                                     rel=1e-5)


def test_accuracy_resolution_by_shapes():
    x = np.random.default_rng(0).normal(size=(20, 4)).astype("float32")
    for units, activation, loss, labels, expected in [
            (1, "sigmoid", "binary_crossentropy", np.ones((20, 1)), "BinaryAccuracy"),
            (3, "softmax", "sparse_categorical_crossentropy", np.zeros(20), "SparseCategoricalAccuracy"),
            (3, "softmax", "categorical_crossentropy", np.eye(3)[np.zeros(20, int)],
             "CategoricalAccuracy")]:
        model = keras.Sequential([keras.Input((4,)), layers.Dense(units, activation=activation)])
        model.compile(optimizer="sgd", loss=loss, metrics=["accuracy", "acc"])
        h = model.fit(x, labels, epochs=1, verbose=0)
        assert {"accuracy", "acc"} <= set(h.history)
        assert type(model.metrics[1]).__name__ == expected


def test_multi_input_multi_output_dicts_and_per_output_losses():
    a = keras.Input(shape=(3,), name="a")
    b = keras.Input(shape=(2,), name="b")
    h = layers.concatenate([a, b])
    p = layers.Dense(1, name="priority")(h)
    d = layers.Dense(4, name="department")(h)
    model = keras.Model([a, b], [p, d])
    model.compile(optimizer="rmsprop", loss=["mse", keras.losses.CategoricalCrossentropy(
        from_logits=True)], loss_weights=[1.0, 0.2], metrics={"department": ["accuracy"]})
    rng = np.random.default_rng(0)
    xa, xb = rng.normal(size=(40, 3)), rng.normal(size=(40, 2))
    yp, yd = rng.random((40, 1)), np.eye(4)[rng.integers(0, 4, 40)]
    h = model.fit({"a": xa, "b": xb}, {"priority": yp, "department": yd}, epochs=2,
                  batch_size=8, verbose=0)
    assert {"loss", "priority_loss", "department_loss", "department_accuracy"} <= set(h.history)
    logs = model.evaluate([xa, xb], [yp, yd], verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(logs["priority_loss"] + 0.2 * logs["department_loss"],
                                         rel=1e-4)
    with pytest.raises(ValueError, match="department"):
        model.fit({"a": xa, "b": xb}, {"priority": yp}, epochs=1, verbose=0)


def test_generators_pydataset_and_torch_dataloader():
    x, y = _linear_data(40)

    def gen():
        while True:
            for i in range(0, 40, 10):
                yield x[i:i + 10], y[i:i + 10]

    class Batches(keras.utils.PyDataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return x[i * 10:(i + 1) * 10], y[i * 10:(i + 1) * 10]

    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)), batch_size=10)
    results = []
    for data, kwargs in [(gen(), {"steps_per_epoch": 4}), (Batches(), {}), (loader, {})]:
        keras.utils.set_random_seed(1)
        keras.backend.clear_session()
        model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        history = model.fit(data, epochs=2, verbose=0, **kwargs)
        results.append(history.history["loss"])
        assert model.evaluate(Batches(), verbose=0) == pytest.approx(
            model.evaluate(x, y, batch_size=10, verbose=0), rel=1e-5)
    np.testing.assert_allclose(results[0], results[1], rtol=1e-6)
    np.testing.assert_allclose(results[0], results[2], rtol=1e-6)
    assert keras.utils.Sequence is keras.utils.PyDataset


def test_determinism_with_set_random_seed():
    x, y = _linear_data(64)

    def run():
        keras.utils.set_random_seed(42)
        model = keras.Sequential([keras.Input((3,)), layers.Dense(8, activation="relu"),
                                  layers.Dropout(0.3), layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(x, y, epochs=2, batch_size=8, verbose=0)
        return model.get_weights()

    for a, b in zip(run(), run()):
        np.testing.assert_array_equal(a, b)


def test_errors_before_training():
    x, y = _linear_data(10)
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    with pytest.raises(RuntimeError, match="compile"):
        model.fit(x, y, verbose=0)
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="x: \\[10\\].*y: \\[9\\]"):
        model.fit(x, y[:9], verbose=0)
    with pytest.raises(TypeError, match="num_epochs.*epochs"):
        model.fit(x, y, num_epochs=3)
    clf = keras.Sequential([keras.Input((3,)), layers.Dense(3, activation="softmax")])
    clf.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"\[0, 2\].*from 0 to 5"):
        clf.fit(x, np.arange(10) % 6, verbose=0)
    with pytest.raises(TypeError, match="loss_weight.*loss_weights"):
        clf.compile(optimizer="sgd", loss="mse", loss_weight=[1])


def test_nb_epoch_is_translated_with_a_warning():
    x, y = _linear_data(10)
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.warns(DeprecationWarning, match="epochs"):
        history = model.fit(x, y, nb_epoch=3, verbose=0)
    assert len(history.history["loss"]) == 3


def test_progress_output_formats(capsys):
    x, y = _linear_data(64)
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    model.fit(x, y, epochs=2, batch_size=16, verbose=2, validation_data=(x, y))
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Epoch 1/2"
    assert out[1].startswith("4/4 - ") and "/step - loss: " in out[1] and " - mae: " in out[1]
    assert " - val_loss: " in out[1] and " - val_mae: " in out[1]
    model.fit(x, y, epochs=1, batch_size=16, verbose=1)
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.startswith("4/4 [==============================] - ") and "loss: " in line
    model.fit(x, y, epochs=1, verbose=0)
    assert capsys.readouterr().out == ""


def test_callbacks_see_float_logs_per_batch():
    seen = []

    class Spy(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append((batch, logs["loss"]))

    x, y = _linear_data(32)
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, batch_size=8, epochs=1, verbose=0, callbacks=[Spy()])
    assert [b for b, _ in seen] == [0, 1, 2, 3] and all(isinstance(v, float) for _, v in seen)


def test_regularization_and_add_loss_enter_the_training_loss():
    x, y = _linear_data(16)
    model = keras.Sequential([keras.Input((3,)), layers.Dense(
        1, kernel_regularizer=keras.regularizers.L2(0.1))])
    model.compile(optimizer="sgd", loss="mse")
    k, b = model.get_weights()
    expected = float(np.mean((x @ k + b - y) ** 2) + 0.1 * np.sum(k ** 2))
    assert model.evaluate(x, y, verbose=0) == pytest.approx(expected, rel=1e-5)


def test_custom_train_step_override():
    class Custom(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1)
            self.calls = 0

        def call(self, x):
            return self.dense(x)

        def train_step(self, data):
            self.calls += 1
            return super().train_step(data)

    x, y = _linear_data(16)
    model = Custom()
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    assert model.calls == 4


def test_torch_dataset_of_samples_is_batched():
    x, y = _linear_data(40)
    dataset = torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    seen = []
    model.fit(dataset, batch_size=8, epochs=1, verbose=0, callbacks=[
        keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(b))])
    assert seen == [0, 1, 2, 3, 4]
    assert model.evaluate(dataset, batch_size=10, verbose=0) == pytest.approx(
        model.evaluate(x, y, verbose=0), rel=1e-5)


def test_user_subclass_of_torch_dataset_is_batched():
    x, y = _linear_data(12)

    class Samples(torch.utils.data.Dataset):
        def __len__(self):
            return 12

        def __getitem__(self, i):
            return x[i], y[i]

    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    assert model.evaluate(Samples(), batch_size=4, verbose=0) == pytest.approx(
        model.evaluate(x, y, verbose=0), rel=1e-5)
