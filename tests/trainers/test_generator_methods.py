"""Keras 2's fit_generator / evaluate_generator / predict_generator (issue #17)."""
import warnings

import numpy as np
import pytest

import cornu as keras
from cornu import layers
from cornu.preprocessing.image import ImageDataGenerator

pytestmark = pytest.mark.filterwarnings("ignore:`ImageDataGenerator`:DeprecationWarning")


def _data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4, 4, 1)).astype("float32")
    y = keras.utils.to_categorical((x.sum(axis=(1, 2, 3)) > 0).astype("int64"), 2)
    return x, y


def _model():
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((4, 4, 1)), layers.Flatten(),
                              layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _batches(x, y, batch_size=8):
    """An endless Python generator of (x, y) batches, as Keras 2 programs wrote them."""
    while True:
        for i in range(0, len(x), batch_size):
            yield x[i:i + batch_size], y[i:i + batch_size]


def test_fit_generator_on_image_data_generator_flow_with_validation_generator():
    x, y = _data()
    model = _model()
    flow = ImageDataGenerator().flow(x, y, batch_size=8)
    with pytest.warns(DeprecationWarning, match=r"use `model.fit\(\)`"):
        history = model.fit_generator(
            flow, steps_per_epoch=5, epochs=3, verbose=0,
            validation_data=_batches(x, y), validation_steps=5,
            max_queue_size=4, workers=2, use_multiprocessing=True)
    assert set(history.history) == {"accuracy", "loss", "val_accuracy", "val_loss"}
    assert len(history.history["val_loss"]) == 3
    assert history.history["loss"][-1] < history.history["loss"][0]
    # The validation loss is the model's loss on the validation data after the epoch.
    probs = model.predict(x, verbose=0)
    expected = -np.mean(np.sum(y * np.log(np.clip(probs, 1e-7, 1)), axis=-1))
    np.testing.assert_allclose(history.history["val_loss"][-1], expected, rtol=1e-5)


def test_fit_generator_steps_default_to_the_sequence_length_and_cycle():
    x, y = _data(40)
    model = _model()
    flow = ImageDataGenerator().flow(x, y, batch_size=8, shuffle=False)
    seen = []
    counter = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: seen.append(batch))
    with pytest.warns(DeprecationWarning):
        model.fit_generator(flow, epochs=2, verbose=0, callbacks=[counter])
    assert seen == [0, 1, 2, 3, 4] * 2  # len(flow) == 5 batches per epoch
    # A float number of steps (len(x) / batch_size in Keras 2 programs) rounds up, and
    # an epoch longer than the Sequence goes round it again.
    seen.clear()
    with pytest.warns(DeprecationWarning):
        model.fit_generator(flow, steps_per_epoch=len(x) / 6, epochs=1, verbose=0,
                            callbacks=[counter])
    assert seen == list(range(7))


def test_fit_generator_python_generator_needs_steps():
    x, y = _data()
    model = _model()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(ValueError, match="steps_per_epoch"):
            model.fit_generator(_batches(x, y), epochs=1, verbose=0)
        with pytest.raises(ValueError, match="validation_steps"):
            model.fit_generator(_batches(x, y), steps_per_epoch=2, verbose=0,
                                validation_data=_batches(x, y))
        history = model.fit_generator(_batches(x, y), steps_per_epoch=2, epochs=2, verbose=0,
                                      validation_data=(x, y))
    assert len(history.history["val_loss"]) == 2


def test_fit_generator_keras1_arguments():
    x, y = _data(40)
    model = _model()
    flow = ImageDataGenerator().flow(x, y, batch_size=8)
    seen = []
    counter = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: seen.append(batch))
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        history = model.fit_generator(flow, samples_per_epoch=40, nb_epoch=2, verbose=0,
                                      validation_data=flow, nb_val_samples=16,
                                      callbacks=[counter])
    messages = " ".join(str(w.message) for w in record)
    assert "`samples_per_epoch`" in messages and "`nb_val_samples`" in messages
    assert "`nb_epoch`" in messages
    assert len(history.history["val_loss"]) == 2
    assert seen == [0, 1, 2, 3, 4] * 2  # 40 samples in batches of 8
    with pytest.raises(TypeError, match="nb_epoc"):
        model.fit_generator(flow, nb_epoc=2)


def test_fit_generator_class_weight_weights_each_batch():
    x, y = _data(16)
    weighted, plain = _model(), _model()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        weighted.fit_generator(_batches(x, y, 16), steps_per_epoch=1, verbose=0,
                               class_weight={0: 0.0, 1: 2.0})
    # The same step by hand: sample weights 0 for class 0 and 2 for class 1.
    plain.train_on_batch(x, y, sample_weight=np.where(y[:, 1] == 1, 2.0, 0.0))
    for a, b in zip(weighted.get_weights(), plain.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_evaluate_and_predict_generator_equal_evaluate_and_predict():
    x, y = _data(40)
    model = _model()
    flow = ImageDataGenerator().flow(x, y, batch_size=8, shuffle=False)
    with pytest.warns(DeprecationWarning, match=r"use `model.evaluate\(\)`"):
        scores = model.evaluate_generator(flow)
    np.testing.assert_allclose(scores, model.evaluate(x, y, batch_size=8, verbose=0),
                               rtol=1e-5)
    with pytest.warns(DeprecationWarning, match=r"use `model.predict\(\)`"):
        from_gen = model.predict_generator(_batches(x, y), steps=5, workers=4)
    np.testing.assert_allclose(from_gen, model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    with pytest.warns(DeprecationWarning):
        from_seq = model.predict_generator(ImageDataGenerator().flow(x, batch_size=8,
                                                                     shuffle=False))
    assert from_seq.shape == (40, 2)
    np.testing.assert_allclose(from_seq, from_gen, rtol=1e-5, atol=1e-6)
    with pytest.warns(DeprecationWarning):
        loss_only = keras.Sequential([keras.Input((4, 4, 1)), layers.Flatten(),
                                      layers.Dense(2)])
        loss_only.compile("sgd", "mse")
        value = loss_only.evaluate_generator(_batches(x, y), steps=5)
    assert isinstance(value, float)


def test_generator_methods_keep_keras2_signatures():
    import inspect
    fit = inspect.signature(keras.Model.fit_generator).parameters
    assert list(fit)[1:15] == [
        "generator", "steps_per_epoch", "epochs", "verbose", "callbacks", "validation_data",
        "validation_steps", "validation_freq", "class_weight", "max_queue_size", "workers",
        "use_multiprocessing", "shuffle", "initial_epoch"]
    assert fit["verbose"].default == 1 and fit["shuffle"].default is True
    for method in (keras.Model.evaluate_generator, keras.Model.predict_generator):
        params = inspect.signature(method).parameters
        assert list(params)[1:8] == ["generator", "steps", "callbacks", "max_queue_size",
                                     "workers", "use_multiprocessing", "verbose"]
        assert params["verbose"].default == 0


class _Counting(keras.utils.Sequence):
    """A Keras 2 Sequence that records which batches were read and its epoch ends."""

    def __init__(self, x, y, batch_size):
        self.x, self.y, self.batch_size = x, y, batch_size
        self.ends, self.read = 0, []

    def __len__(self):
        return int(np.ceil(len(self.x) / self.batch_size))

    def __getitem__(self, index):
        self.read.append(index)
        s = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return self.x[s], self.y[s]

    def on_epoch_end(self):
        self.ends += 1


def test_sequence_on_epoch_end_runs_after_every_epoch_and_shuffle_orders_batches():
    x, y = _data(40)
    model = _model()
    train, val = _Counting(x, y, 8), _Counting(x, y, 10)
    with pytest.warns(DeprecationWarning):
        history = model.fit_generator(train, epochs=3, verbose=0, validation_data=val)
    # Keras 2 called on_epoch_end at the end of each epoch, and of each validation pass.
    assert train.ends == 3 and val.ends == 3
    assert len(history.history["val_loss"]) == 3
    # shuffle=True (the default): every batch once per epoch, not always in order.
    epochs = [train.read[i:i + 5] for i in range(0, 15, 5)]
    assert all(sorted(e) == [0, 1, 2, 3, 4] for e in epochs)
    assert any(e != [0, 1, 2, 3, 4] for e in epochs)
    assert val.read == [0, 1, 2, 3] * 3  # the validation data is read in order
    ordered = _Counting(x, y, 8)
    with pytest.warns(DeprecationWarning):
        model.fit_generator(ordered, epochs=2, verbose=0, shuffle=False)
    assert ordered.read == [0, 1, 2, 3, 4] * 2 and ordered.ends == 2


class _Batches(keras.utils.Sequence):
    """A Keras 2 Sequence that records which batches were read."""

    def __init__(self, x, y, batch_size=8):
        super().__init__()
        self.x, self.y, self.batch_size = x, y, batch_size
        self.read, self.epochs_ended = [], 0

    def __len__(self):
        return int(np.ceil(len(self.x) / self.batch_size))

    def __getitem__(self, i):
        self.read.append(i)
        part = slice(i * self.batch_size, (i + 1) * self.batch_size)
        return self.x[part], self.y[part]

    def on_epoch_end(self):
        self.epochs_ended += 1


def test_fit_generator_on_a_sequence_shuffles_batch_order_and_ends_its_epochs():
    x, y = _data(80)
    model = _model()
    data = _Batches(x, y)
    np.random.seed(0)
    with pytest.warns(DeprecationWarning):
        model.fit_generator(data, epochs=3, verbose=0, validation_data=_Batches(x, y))
    assert len(data.read) == 30
    for epoch in range(3):  # every batch once per epoch, in a shuffled order
        assert sorted(data.read[epoch * 10:(epoch + 1) * 10]) == list(range(10))
    assert data.read != list(range(10)) * 3
    assert data.epochs_ended >= 2
    data.read.clear()
    with pytest.warns(DeprecationWarning):
        model.fit_generator(data, epochs=1, verbose=0, shuffle=False)
    assert data.read == list(range(10))
