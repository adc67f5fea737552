"""Atomic saves, file-name checks and folders."""
import os
import zipfile

import h5py
import pytest

import cornu as keras
from tests.saving.helpers import assert_same_predictions, data, mlp


def _leftovers(folder):
    return [n for n in os.listdir(folder) if n.endswith(".tmp")]


def test_interrupted_keras_save_leaves_previous_file(tmp_path, monkeypatch):
    first = mlp()
    path = tmp_path / "model.keras"
    first.save(path)
    before = path.read_bytes()
    second = mlp()
    real_writestr = zipfile.ZipFile.writestr

    def fail_half_way(self, name, payload, *args, **kwargs):
        if name == "model.weights.h5":  # write half of the weights, then crash
            real_writestr(self, "partial", payload[: len(payload) // 2])
            raise OSError("disk full")
        return real_writestr(self, name, payload, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", fail_half_way)
    with pytest.raises(OSError, match="disk full"):
        second.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert _leftovers(tmp_path) == []
    assert_same_predictions(first, keras.models.load_model(path), data((2, 6)), atol=0)


@pytest.mark.parametrize("name", ["w.weights.h5", "m.h5"])
def test_interrupted_h5_save_leaves_previous_file(tmp_path, monkeypatch, name):
    first = mlp()
    path = tmp_path / name
    (first.save_weights if name.endswith(".weights.h5") else first.save)(path)
    before = path.read_bytes()
    calls = []
    real_create = h5py.Group.create_dataset

    def crash_on_second_dataset(self, *args, **kwargs):
        calls.append(1)
        if len(calls) > 1:
            raise KeyboardInterrupt  # even an interrupt leaves the old file
        return real_create(self, *args, **kwargs)

    monkeypatch.setattr(h5py.Group, "create_dataset", crash_on_second_dataset)
    with pytest.raises(KeyboardInterrupt):
        (mlp().save_weights if name.endswith(".weights.h5") else mlp().save)(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert _leftovers(tmp_path) == []
    other = mlp()
    other.load_weights(path)
    assert_same_predictions(first, other, data((2, 6)), atol=0)


def test_path_without_extension_names_the_extensions(tmp_path):
    model = mlp()
    with pytest.raises(ValueError, match=r"\.keras") as info:
        model.save(os.path.join(tmp_path, "model", "demo"))
    assert ".h5" in str(info.value)
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        model.save_weights(tmp_path / "weights.bin")
    with pytest.raises(ValueError, match="save_weights"):
        model.save(tmp_path / "x.weights.h5")
    assert not os.path.exists(tmp_path / "model")


def test_missing_parent_folders_are_created(tmp_path):
    model = mlp()
    for path in (tmp_path / "a" / "b" / "m.keras", tmp_path / "c" / "w.weights.h5",
                 tmp_path / "d" / "e" / "m.h5"):
        (model.save_weights if str(path).endswith(".weights.h5") else model.save)(path)
        assert path.exists()


def test_overwrite_false_asks(tmp_path, monkeypatch):
    model = mlp()
    path = tmp_path / "m.keras"
    model.save(path)
    stamp = path.stat().st_mtime_ns
    monkeypatch.setattr("builtins.input", lambda prompt="": "n")
    model.save(path, overwrite=False)
    assert path.stat().st_mtime_ns == stamp
    monkeypatch.setattr("builtins.input", lambda prompt="": "y")
    keras.saving.save_model(model, path, overwrite=False)
    assert keras.saving.load_model(path).count_params() == model.count_params()


def test_load_errors_for_missing_and_unknown_files(tmp_path):
    with pytest.raises(FileNotFoundError):
        keras.models.load_model(tmp_path / "nope.keras")
    (tmp_path / "saved_model").mkdir()
    with pytest.raises(ValueError, match=r"\.keras"):
        keras.models.load_model(tmp_path / "saved_model")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ValueError, match=r"\.keras"):
        keras.models.load_model(tmp_path / "notes.txt")
