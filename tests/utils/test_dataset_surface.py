"""The tf.data surface of cornu's datasets: each method against tf.data's semantics.

The expected values are written by hand from tf.data's documentation (TensorFlow is not
installed here), e.g. ``range(7).batch(3)`` is ``[0, 1, 2], [3, 4, 5], [6]``.
"""
import numpy as np
import pytest
from PIL import Image

import cornu
from cornu import backend, layers
from cornu.utils import (image_dataset_from_directory, text_dataset_from_directory,
                         timeseries_dataset_from_array)
from cornu.utils.dataset_utils import (INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset,
                                       TensorSpec)


def values(dataset):
    """The elements as Python lists / numbers, through ``as_numpy_iterator``."""
    def plain(x):
        if isinstance(x, tuple):
            return tuple(plain(v) for v in x)
        if isinstance(x, dict):
            return {k: plain(v) for k, v in x.items()}
        return x.tolist() if hasattr(x, "tolist") else x
    return [plain(e) for e in dataset.as_numpy_iterator()]


def cardinality(dataset):
    return int(dataset.cardinality())


@pytest.fixture
def image_dir(tmp_path):
    rng = np.random.default_rng(0)
    for label, count in (("cats", 5), ("dogs", 3)):
        (tmp_path / label).mkdir()
        for i in range(count):
            Image.fromarray(rng.integers(0, 256, (6, 6, 3), dtype=np.uint8)).save(
                tmp_path / label / f"{i}.png")
    return tmp_path


def test_batch_and_drop_remainder():
    assert values(Dataset.range(7).batch(3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert values(Dataset.range(7).batch(3, drop_remainder=True)) == [[0, 1, 2], [3, 4, 5]]
    assert cardinality(Dataset.range(7).batch(3)) == 3
    assert cardinality(Dataset.range(7).batch(3, drop_remainder=True)) == 2
    with pytest.raises(ValueError, match="batch_size"):
        Dataset.range(3).batch(0)


def test_unbatch_and_rebatch():
    assert values(Dataset.range(7).batch(3).unbatch()) == list(range(7))
    assert cardinality(Dataset.range(7).batch(3).unbatch()) == UNKNOWN_CARDINALITY
    # tf.data's docstring examples for rebatch
    assert values(Dataset.range(6).batch(2).rebatch(3)) == [[0, 1, 2], [3, 4, 5]]
    assert values(Dataset.range(7).batch(4).rebatch(2)) == [[0, 1], [2, 3], [4, 5], [6]]
    assert values(Dataset.range(7).batch(4).rebatch(2, drop_remainder=True)) == [
        [0, 1], [2, 3], [4, 5]]
    assert values(Dataset.range(8).batch(4).rebatch([2, 1, 1])) == [
        [0, 1], [2], [3], [4, 5], [6], [7]]
    pairs = Dataset.from_tensor_slices(([1, 2, 3], [10, 20, 30])).batch(2).unbatch()
    assert values(pairs) == [(1, 10), (2, 20), (3, 30)]


def test_map_unpacks_tuples_and_runs_on_tensors():
    ds = Dataset.from_tensor_slices(([1, 2, 3], [10., 20., 30.]))
    seen = []

    def add(a, b):
        seen.append((backend.is_tensor(a), backend.is_tensor(b)))
        return a + 1, b * 2
    assert values(ds.map(add, num_parallel_calls=-1)) == [(2, 20.), (3, 40.), (4, 60.)]
    assert seen and all(all(pair) for pair in seen)
    single = Dataset.range(3).map(lambda x: x * 10)
    assert values(single) == [0, 10, 20]
    as_dict = ds.map(lambda a, b: {"a": a, "b": b})
    assert values(as_dict) == [{"a": 1, "b": 10.}, {"a": 2, "b": 20.}, {"a": 3, "b": 30.}]
    assert values(ds.map(lambda a, b: [a, b]))[0] == (1, 10.)  # lists become tuples


def test_filter_take_skip():
    assert values(Dataset.range(6).filter(lambda x: x % 2 == 0)) == [0, 2, 4]
    assert cardinality(Dataset.range(6).filter(lambda x: x > 2)) == UNKNOWN_CARDINALITY
    assert values(Dataset.range(5).take(2)) == [0, 1]
    assert values(Dataset.range(5).take(-1)) == [0, 1, 2, 3, 4]
    assert values(Dataset.range(5).take(9)) == [0, 1, 2, 3, 4]
    assert values(Dataset.range(5).skip(2)) == [2, 3, 4]
    assert values(Dataset.range(5).skip(-1)) == []
    assert cardinality(Dataset.range(5).skip(7)) == 0
    assert values(Dataset.range(6).filter(lambda x: x > 0).skip(1).take(2)) == [2, 3]


def test_shuffle_buffer_semantics():
    out = values(Dataset.range(20).shuffle(5, seed=3))
    assert sorted(out) == list(range(20))
    # tf.data's buffer: the i-th output is one of the first i + buffer_size inputs.
    assert all(v < i + 5 for i, v in enumerate(out))
    assert values(Dataset.range(6).shuffle(1)) == list(range(6))  # a buffer of 1 keeps order
    ds = Dataset.range(30).shuffle(30, seed=1)
    assert values(ds) != values(ds)  # reshuffled on each iteration (by default)
    fixed = Dataset.range(30).shuffle(30, seed=1, reshuffle_each_iteration=False)
    assert values(fixed) == values(fixed)
    assert values(Dataset.range(30).shuffle(30, seed=7)) == values(
        Dataset.range(30).shuffle(30, seed=7))
    assert cardinality(Dataset.range(4).shuffle(2)) == 4


def test_repeat():
    assert values(Dataset.range(3).repeat(2)) == [0, 1, 2, 0, 1, 2]
    assert values(Dataset.range(3).repeat().take(7)) == [0, 1, 2, 0, 1, 2, 0]
    assert cardinality(Dataset.range(3).repeat()) == INFINITE_CARDINALITY
    assert cardinality(Dataset.range(3).repeat(-1)) == INFINITE_CARDINALITY
    assert cardinality(Dataset.range(3).repeat(4)) == 12
    assert values(Dataset.range(0).repeat()) == []  # an empty dataset repeats to nothing
    with pytest.raises(TypeError, match="infinite"):
        len(Dataset.range(3).repeat())
    shuffled = Dataset.range(10).shuffle(10, seed=2).repeat(2)
    first, second = values(shuffled)[:10], values(shuffled)[10:]
    assert sorted(first) == sorted(second) == list(range(10)) and first != second


def test_cache_keeps_the_first_pass():
    ds = Dataset.range(12).shuffle(12).cache()
    first = values(ds)
    assert values(ds) == first and sorted(first) == list(range(12))
    calls = []
    cached = Dataset.range(3).map(lambda x: calls.append(1) or x).cache()
    assert values(cached) == values(cached) == [0, 1, 2] and len(calls) == 3


def test_prefetch_concatenate_zip_enumerate():
    ds = Dataset.range(3)
    assert values(ds.prefetch(-1)) == [0, 1, 2]
    assert values(ds.concatenate(Dataset.range(10, 12))) == [0, 1, 2, 10, 11]
    assert values(ds.filter(lambda x: x > 0).concatenate(ds)) == [1, 2, 0, 1, 2]
    assert values(Dataset.zip(ds, Dataset.range(10, 15))) == [(0, 10), (1, 11), (2, 12)]
    assert values(Dataset.zip((ds, ds.skip(1)))) == [(0, 1), (1, 2)]
    assert values(Dataset.zip({"a": ds, "b": ds.repeat()})) == [
        {"a": 0, "b": 0}, {"a": 1, "b": 1}, {"a": 2, "b": 2}]
    assert cardinality(Dataset.zip(ds, ds.repeat())) == 3
    assert values(Dataset.range(2, 4).enumerate(start=5)) == [(5, 2), (6, 3)]
    assert values(Dataset.zip(ds, ds).map(lambda a, b: a * b)) == [0, 1, 4]


def test_iteration_yields_tensors_and_numpy_scalars():
    batch = next(iter(Dataset.from_tensor_slices([[1., 2.], [3., 4.]]).batch(2)))
    assert backend.is_tensor(batch) and tuple(batch.shape) == (2, 2)
    np.testing.assert_allclose(batch.numpy(), [[1, 2], [3, 4]])
    element = next(Dataset.range(3).as_numpy_iterator())
    assert isinstance(element, np.int64)
    floats = Dataset.from_tensor_slices([1.5, 2.5])
    assert floats.element_spec == TensorSpec((), "float32")


def test_element_spec():
    ds = Dataset.from_tensor_slices((np.zeros((5, 4), "float32"), np.arange(5)))
    assert ds.element_spec == (TensorSpec((4,), "float32"), TensorSpec((), "int64"))
    assert ds.batch(2).element_spec == (TensorSpec((None, 4), "float32"),
                                        TensorSpec((None,), "int64"))
    assert ds.batch(2, drop_remainder=True).element_spec[0] == TensorSpec((2, 4), "float32")
    assert ds.batch(2).unbatch().element_spec == ds.element_spec
    assert ds.batch(2).map(lambda x, y: x).element_spec == TensorSpec((None, 4), "float32")
    assert ds.enumerate().element_spec[0] == TensorSpec((), "int64")
    assert "TensorSpec(shape=(4,), dtype=float32" in repr(ds.element_spec)


def test_image_dataset_surface(image_dir):
    ds = image_dataset_from_directory(image_dir, image_size=(4, 4), batch_size=3, seed=0,
                                      verbose=False)
    assert ds.element_spec == (TensorSpec((None, 4, 4, 3), "float32"),
                               TensorSpec((None,), "int32"))
    images, labels = next(ds.as_numpy_iterator())
    assert isinstance(images, np.ndarray) and images.shape == (3, 4, 4, 3)
    for images, labels in ds.take(1):  # the Keras tutorials' loop
        assert images[0].numpy().astype("uint8").shape == (4, 4, 3)
        assert ds.class_names[labels[0]] in ("cats", "dogs")
    normalized = ds.map(lambda x, y: (x / 255.0, y))
    assert normalized.class_names == ["cats", "dogs"] and len(normalized.file_paths) == 8
    x, _ = next(normalized.as_numpy_iterator())
    assert 0 <= x.min() and x.max() <= 1
    assert cardinality(ds) == 3
    assert len(list(ds.unbatch().batch(4).cache().prefetch(2).take(1))) == 1
    assert cardinality(ds.unbatch().take(1)) == UNKNOWN_CARDINALITY  # as tf.data says
    every = np.concatenate([y for _, y in ds.unbatch().batch(5).as_numpy_iterator()])
    assert sorted(every.tolist()) == [0] * 5 + [1] * 3


def test_text_strings_as_tensorflow_gives_them(tmp_path):
    for label, texts in (("neg", ["bad"]), ("pos", ["good", "fine"])):
        (tmp_path / label).mkdir()
        for i, text in enumerate(texts):
            (tmp_path / label / f"{i}.txt").write_text(text)
    ds = text_dataset_from_directory(tmp_path, batch_size=2, shuffle=False, verbose=False)
    texts, labels = next(iter(ds))
    assert texts.numpy().tolist() == [b"bad", b"good"]  # tf.Tensor.numpy() gives bytes
    assert values(ds.unbatch())[2] == (b"fine", 1)
    assert ds.element_spec[0] == TensorSpec((None,), "string")
    only_text = ds.map(lambda x, y: x)
    assert [str(t) for batch in only_text for t in batch] == ["bad", "good", "fine"]


def _model(num_features=3):
    model = cornu.Sequential([cornu.Input((num_features,)), layers.Dense(2)])
    model.compile("sgd", "mse")
    return model


def _pairs(n=10):
    rng = np.random.default_rng(0)
    return Dataset.from_tensor_slices((rng.normal(size=(n, 3)).astype("float32"),
                                       rng.normal(size=(n, 2)).astype("float32")))


@pytest.mark.parametrize("make, steps", [
    (lambda ds: ds.batch(4), None),
    (lambda ds: ds.batch(4).unbatch().batch(3), None),
    (lambda ds: ds.shuffle(10, seed=0).batch(4).prefetch(1), None),
    (lambda ds: ds.batch(4).cache().repeat(), 2),
    (lambda ds: ds.batch(2).rebatch(5), None),
    (lambda ds: ds.filter(lambda x, y: x[0] > -9).batch(4), None),
    (lambda ds: ds.batch(4).map(lambda x, y: (x * 2, y)), None),
])
def test_fit_evaluate_predict_accept_derived_datasets(make, steps):
    model = _model()
    ds = make(_pairs())
    history = model.fit(ds, epochs=2, steps_per_epoch=steps, verbose=0)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["loss"]).all()
    loss = model.evaluate(ds, steps=steps, verbose=0)
    assert np.isfinite(loss)
    predictions = model.predict(ds.map(lambda x, y: x), steps=steps, verbose=0)
    assert predictions.shape[1] == 2 and predictions.shape[0] == (8 if steps else 10)


def test_fit_with_dict_inputs_from_map():
    inputs = cornu.Input((3,), name="features")
    model = cornu.Model(inputs, layers.Dense(2)(inputs))
    model.compile("sgd", "mse")
    ds = _pairs().batch(5).map(lambda x, y: ({"features": x}, y))
    assert np.isfinite(model.fit(ds, epochs=1, verbose=0).history["loss"][0])
    assert model.predict(ds.map(lambda x, y: x), verbose=0).shape == (10, 2)


def test_timeseries_dataset_surface():
    ds = timeseries_dataset_from_array(np.arange(10, dtype="float32"), np.arange(10),
                                       sequence_length=3, batch_size=4)
    assert cardinality(ds) == 2
    windows = values(ds.unbatch().map(lambda x, y: x).take(2))
    assert windows == [[0., 1., 2.], [1., 2., 3.]]
