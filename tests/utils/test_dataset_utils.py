"""image_dataset_from_directory, text_dataset_from_directory, timeseries_dataset_from_array."""
import numpy as np
import pytest
from PIL import Image

import cornu
from cornu import layers
from cornu.utils import (image_dataset_from_directory, text_dataset_from_directory,
                         timeseries_dataset_from_array)


@pytest.fixture
def image_dir(tmp_path):
    rng = np.random.default_rng(0)
    for label, count in (("cats", 5), ("dogs", 3)):
        (tmp_path / label).mkdir()
        for i in range(count):
            size = (12, 9) if i % 2 else (9, 12)
            Image.fromarray(rng.integers(0, 256, size + (3,), dtype=np.uint8)).save(
                tmp_path / label / f"{i}.{'png' if i % 2 else 'jpg'}")
    (tmp_path / "cats" / "notes.txt").write_text("not an image")
    return tmp_path


def test_image_dataset_shapes_and_labels(image_dir, capsys):
    ds = image_dataset_from_directory(image_dir, image_size=(8, 6), batch_size=3, seed=1)
    assert "Found 8 files belonging to 2 classes." in capsys.readouterr().out
    assert ds.class_names == ["cats", "dogs"] and len(ds) == 3 and len(ds.file_paths) == 8
    x, y = ds[0]
    assert x.shape == (3, 8, 6, 3) and x.dtype == np.float32 and 0 <= x.min() and x.max() <= 255
    assert y.dtype == np.int32 and y.shape == (3,)
    labels = np.concatenate([b[1] for b in ds])
    assert sorted(labels.tolist()) == [0] * 5 + [1] * 3
    for path, label in zip(ds.file_paths, ds._load(np.arange(8))[1]):
        assert ("cats" in path) == (label == 0)


@pytest.mark.parametrize("label_mode, shape, dtype", [
    ("categorical", (4, 2), np.float32), ("binary", (4, 1), np.float32)])
def test_image_dataset_label_modes(image_dir, label_mode, shape, dtype):
    ds = image_dataset_from_directory(image_dir, label_mode=label_mode, image_size=(4, 4),
                                      batch_size=4, shuffle=False, verbose=False)
    x, y = ds[0]
    assert y.shape == shape and y.dtype == dtype


def test_image_dataset_options(image_dir):
    ds = image_dataset_from_directory(image_dir, labels=None, image_size=(5, 5),
                                      color_mode="grayscale", batch_size=8, shuffle=False,
                                      crop_to_aspect_ratio=True, verbose=False)
    assert ds[0].shape == (8, 5, 5, 1)
    ds = image_dataset_from_directory(image_dir, image_size=(5, 7), pad_to_aspect_ratio=True,
                                      data_format="channels_first", batch_size=None,
                                      verbose=False, seed=0)
    x, y = ds[0]
    assert x.shape == (3, 5, 7) and y.shape == () and len(ds) == 8


def test_image_dataset_validation_split(image_dir):
    train, val = image_dataset_from_directory(image_dir, image_size=(4, 4), batch_size=2,
                                              validation_split=0.25, subset="both", seed=3,
                                              verbose=False)
    assert train.num_samples == 6 and val.num_samples == 2
    assert not set(train.file_paths) & set(val.file_paths)
    with pytest.raises(ValueError, match="seed"):
        image_dataset_from_directory(image_dir, validation_split=0.2, subset="training")
    with pytest.raises(ValueError, match="subset"):
        image_dataset_from_directory(image_dir, validation_split=0.2, seed=1)


def test_image_dataset_errors(tmp_path, image_dir):
    with pytest.raises(ValueError, match="No images"):
        image_dataset_from_directory(tmp_path / "cats", verbose=False)
    with pytest.raises(ValueError, match="binary"):
        (image_dir / "birds").mkdir()
        image_dataset_from_directory(image_dir, label_mode="binary", verbose=False)


def test_image_dataset_trains_with_fit(image_dir):
    ds = image_dataset_from_directory(image_dir, image_size=(6, 6), batch_size=4, seed=0,
                                      verbose=False)
    model = cornu.Sequential([cornu.Input((6, 6, 3)), layers.Flatten(),
                              layers.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    history = model.fit(ds, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert model.predict(ds.map(lambda x, y: x), verbose=0).shape == (8, 2)
    assert len(list(ds.take(1))) == 1


def test_text_dataset(tmp_path):
    for label, texts in (("neg", ["bad film", "awful"]), ("pos", ["great", "lovely", "fine"])):
        (tmp_path / label).mkdir()
        for i, text in enumerate(texts):
            (tmp_path / label / f"{i}.txt").write_text(text)
    ds = text_dataset_from_directory(tmp_path, batch_size=2, seed=0, max_length=4, verbose=False)
    assert ds.class_names == ["neg", "pos"] and len(ds) == 3
    texts, labels = ds[0]
    assert texts.dtype.kind == "U" and texts.shape == (2,) and labels.dtype == np.int32
    everything = {str(t) for batch in ds for t in batch[0]}
    assert everything == {"bad ", "awfu", "grea", "love", "fine"}
    train = text_dataset_from_directory(tmp_path, validation_split=0.4, subset="training",
                                        seed=2, verbose=False)
    assert train.num_samples == 3


def test_timeseries_windows_and_targets():
    data = np.arange(20).reshape(10, 2)
    ds = timeseries_dataset_from_array(data, np.arange(10) * 10, sequence_length=3,
                                       sampling_rate=2, sequence_stride=2, batch_size=2)
    x, y = ds[0]
    assert x.shape == (2, 3, 2)
    np.testing.assert_array_equal(x[1, :, 0], [4, 8, 12])  # steps 2, 4, 6
    np.testing.assert_array_equal(y, [0, 20])
    assert sum(len(b[1]) for b in ds) == 3  # starts 0, 2, 4 (the last window ends at 8)


def test_timeseries_keras_example_and_options():
    ds = timeseries_dataset_from_array(np.arange(100), None, sequence_length=10,
                                       batch_size=None)
    assert len(ds) == 91
    np.testing.assert_array_equal(ds[5], np.arange(5, 15))
    ds = timeseries_dataset_from_array(np.arange(100), None, 5, start_index=10, end_index=30,
                                       shuffle=True, seed=1, batch_size=100)
    starts = sorted(ds[0][:, 0].tolist())
    assert starts == list(range(10, 26))
    with pytest.raises(ValueError, match="same number"):
        timeseries_dataset_from_array(np.arange(5), np.arange(4), 2)
    with pytest.raises(ValueError, match="sequence_length"):
        timeseries_dataset_from_array(np.arange(5), None, 0)
