"""Hostile files get a clear error and nothing else: no code runs, nothing is read
outside the file, nothing huge is allocated."""
import io
import json
import os
import zipfile

import h5py
import numpy as np
import pytest

import cornu as keras
from cornu.saving import (
    CorruptFileError, LoadingError, UnknownObjectError, UnsafeFileError, safety,
)
from tests.saving.helpers import L, mlp

SAVING_DIR = os.path.join(os.path.dirname(keras.__file__), "saving")


@pytest.fixture
def saved(tmp_path):
    """A valid .keras file and its members."""
    model = mlp()
    model.compile(optimizer="adam", loss="mse")
    model.train_on_batch(np.ones((4, 6), "float32"), np.ones((4, 3), "float32"))
    path = tmp_path / "good.keras"
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    return path, members


def _write_archive(path, members, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, payload in members.items():
            archive.writestr(name, payload)
    return path


def _edit_weights(members, edit):
    """Members with model.weights.h5 changed by ``edit(h5py.File)``."""
    buffer = io.BytesIO(members["model.weights.h5"])
    with h5py.File(buffer, "a") as f:
        edit(f)
    return dict(members, **{"model.weights.h5": buffer.getvalue()})


# ---------------------------------------------------------------- zip archives

def test_zip_bomb_is_refused(tmp_path, saved):
    _, members = saved
    bomb = dict(members, **{"model.weights.h5": b"\0" * (safety.ZIP_BOMB_FLOOR + (1 << 20))})
    path = _write_archive(tmp_path / "bomb.keras", bomb, zipfile.ZIP_DEFLATED)
    with pytest.raises(UnsafeFileError, match="zip bomb"):
        keras.models.load_model(path)


def test_total_uncompressed_size_is_limited(tmp_path, saved, monkeypatch):
    path, _ = saved
    monkeypatch.setattr(safety, "ZIP_MAX_TOTAL", 1000)
    with pytest.raises(UnsafeFileError, match="add up to"):
        keras.models.load_model(path)


@pytest.mark.parametrize("member", ["../evil.txt", "/etc/cron.d/evil", "assets/../../x",
                                    "C:/windows/evil"])
def test_members_outside_the_archive_are_refused(tmp_path, saved, member):
    _, members = saved
    path = _write_archive(tmp_path / "escape.keras", dict(members, **{member: b"x"}))
    with pytest.raises(UnsafeFileError, match="outside the archive"):
        keras.models.load_model(path)
    assert not os.path.exists(tmp_path.parent / "evil.txt")


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9, 0.999])
def test_truncated_files_are_corrupt(tmp_path, saved, keep):
    path, _ = saved
    data = path.read_bytes()
    cut = tmp_path / "cut.keras"
    cut.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(CorruptFileError):
        keras.models.load_model(cut)
    model = mlp()
    for name, save in (("cut.h5", model.save), ("cut.weights.h5", model.save_weights)):
        full = tmp_path / f"full_{name}"
        save(full)
        data = full.read_bytes()
        (tmp_path / name).write_bytes(data[: int(len(data) * keep)])
        with pytest.raises(CorruptFileError):
            if name.endswith(".weights.h5"):
                mlp().load_weights(tmp_path / name)
            else:
                keras.models.load_model(tmp_path / name)


def test_missing_members_are_corrupt(tmp_path, saved):
    _, members = saved
    for missing in ("config.json", "model.weights.h5"):
        path = _write_archive(tmp_path / "part.keras",
                              {k: v for k, v in members.items() if k != missing})
        with pytest.raises(CorruptFileError, match=missing):
            keras.models.load_model(path)


# ---------------------------------------------------------------- HDF5

def test_external_link_is_refused(tmp_path, saved):
    _, members = saved
    secret = tmp_path / "secret.h5"
    with h5py.File(secret, "w") as f:
        f["data"] = np.arange(18, dtype="float32").reshape(6, 3)

    def link(f):
        del f["layers/dense/vars/0"]
        f["layers/dense/vars/0"] = h5py.ExternalLink(str(secret), "/data")
    path = _write_archive(tmp_path / "ext.keras", _edit_weights(members, link))
    with pytest.raises(UnsafeFileError, match="external link"):
        keras.models.load_model(path)


def test_soft_link_is_refused(tmp_path, saved):
    _, members = saved

    def link(f):
        del f["layers/dense/vars/1"]
        f["layers/dense/vars/1"] = h5py.SoftLink("/layers/dense_1/vars/1")
    path = _write_archive(tmp_path / "soft.keras", _edit_weights(members, link))
    with pytest.raises(UnsafeFileError, match="soft link"):
        keras.models.load_model(path)


def test_external_dataset_storage_is_refused(tmp_path, saved):
    _, members = saved
    outside = tmp_path / "outside.bin"
    outside.write_bytes(np.zeros(48, "float32").tobytes())

    def external(f):
        del f["layers/dense/vars/0"]
        f["layers/dense/vars"].create_dataset("0", shape=(6, 8), dtype="float32",
                                              external=[(str(outside), 0, 6 * 8 * 4)])
    path = _write_archive(tmp_path / "extds.keras", _edit_weights(members, external))
    with pytest.raises(UnsafeFileError, match="another file"):
        keras.models.load_model(path)


def test_declared_shape_far_larger_than_data_is_refused(tmp_path, saved):
    _, members = saved

    def bomb(f):
        del f["layers/dense/vars/0"]
        f["layers/dense/vars"].create_dataset("0", shape=(1 << 30,), dtype="float32",
                                              chunks=(1 << 16,), compression="gzip")
    path = _write_archive(tmp_path / "shape.keras", _edit_weights(members, bomb))
    with pytest.raises(UnsafeFileError, match="shape bomb"):
        keras.models.load_model(path)


def test_shape_bomb_in_legacy_h5_and_weights_files(tmp_path):
    model = mlp()
    for name in ("m.h5", "w.weights.h5"):
        path = tmp_path / name
        (model.save_weights if name.endswith(".weights.h5") else model.save)(path)
        with h5py.File(path, "a") as f:
            f.create_dataset("extra", shape=(1 << 31,), dtype="float64", chunks=(1 << 16,))
        with pytest.raises(UnsafeFileError, match="shape bomb"):
            if name.endswith(".weights.h5"):
                mlp().load_weights(path)
            else:
                keras.models.load_model(path)


def test_weight_shapes_that_do_not_fit_the_config_are_refused(tmp_path, saved):
    _, members = saved

    def wrong(f):
        del f["layers/dense/vars/0"]
        f["layers/dense/vars/0"] = np.zeros((2, 2), "float32")
    path = _write_archive(tmp_path / "wrong.keras", _edit_weights(members, wrong))
    with pytest.raises(LoadingError, match="shape"):
        keras.models.load_model(path)


def test_non_numeric_datasets_are_refused(tmp_path, saved):
    _, members = saved

    def strings(f):
        del f["layers/dense/vars/1"]
        f["layers/dense/vars"].create_dataset("1", data=np.array([b"x"] * 8, dtype=object),
                                              dtype=h5py.string_dtype())
    path = _write_archive(tmp_path / "str.keras", _edit_weights(members, strings))
    with pytest.raises(CorruptFileError, match="dtype"):
        keras.models.load_model(path)


def test_legacy_weight_names_cannot_climb_out(tmp_path):
    path = tmp_path / "climb.h5"
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = [b"dense"]
        g = f.create_group("dense")
        g.attrs["weight_names"] = [b"../secret"]
        f["secret"] = np.zeros((6, 3), "float32")
    model = keras.Sequential([keras.Input((6,)), L.Dense(3, use_bias=False)])
    with pytest.raises(UnsafeFileError, match=r"\.\."):
        model.load_weights(path)


# ---------------------------------------------------------------- configs

def _with_config(tmp_path, members, config, name="cfg.keras"):
    return _write_archive(tmp_path / name, dict(members, **{"config.json": json.dumps(config)}))


def test_classes_outside_the_allowlist_are_refused(tmp_path, saved):
    _, members = saved
    marker = tmp_path / "pwned"
    hostile = {"module": "os", "class_name": "system", "registered_name": "system",
               "config": {"command": f"touch {marker}"}}
    with pytest.raises(UnknownObjectError, match="system"):
        keras.models.load_model(_with_config(tmp_path, members, hostile))
    nested = json.loads(members["config.json"])
    nested["config"]["layers"][1] = {"module": "subprocess", "class_name": "Popen",
                                     "config": {"args": ["touch", str(marker)]}}
    with pytest.raises(UnknownObjectError, match="Popen"):
        keras.models.load_model(_with_config(tmp_path, members, nested, "nested.keras"))
    # A cornu class name with a foreign module path is still only cornu's class.
    spoofed = json.loads(members["config.json"])
    spoofed["config"]["layers"][1]["module"] = "evil.module"
    keras.models.load_model(_with_config(tmp_path, members, spoofed, "spoof.keras"))
    assert not marker.exists()


def test_functions_outside_the_allowlist_are_refused(tmp_path, saved):
    _, members = saved
    config = json.loads(members["config.json"])
    config["config"]["layers"][1]["config"]["activation"] = {
        "module": "builtins", "class_name": "function", "config": "exec",
        "registered_name": "exec"}
    with pytest.raises(LoadingError, match="exec"):
        keras.models.load_model(_with_config(tmp_path, members, config))


def test_lambda_code_needs_safe_mode_off(tmp_path):
    inp = keras.Input((2,))
    model = keras.Model(inp, L.Lambda(lambda t: t + 1.0)(inp))
    model.save(tmp_path / "lam.keras")
    with pytest.raises(UnsafeFileError, match="safe_mode=False"):
        keras.models.load_model(tmp_path / "lam.keras")
    assert keras.models.load_model(tmp_path / "lam.keras", safe_mode=False) is not None


def test_config_that_is_not_an_object_is_corrupt(tmp_path, saved):
    _, members = saved
    for bad in ([1, 2, 3], "Sequential", {"class_name": "Sequential", "config": "x"}):
        with pytest.raises(LoadingError):
            keras.models.load_model(_with_config(tmp_path, members, bad))
    path = _write_archive(tmp_path / "notjson.keras",
                          dict(members, **{"config.json": b"{not json"}))
    with pytest.raises(CorruptFileError):
        keras.models.load_model(path)


def test_no_pickle_or_marshal_in_saving_code():
    for name in os.listdir(SAVING_DIR):
        if name.endswith(".py"):
            source = open(os.path.join(SAVING_DIR, name)).read()
            for module in ("pickle", "marshal", "dill", "cloudpickle"):
                assert f"import {module}" not in source, (name, module)
            assert "allow_pickle=True" not in source, name


def test_layer_sizes_far_beyond_the_stored_weights_are_refused(tmp_path, saved):
    _, members = saved
    config = json.loads(members["config.json"])
    config["config"]["layers"][1]["config"]["units"] = 10 ** 12
    with pytest.raises(UnsafeFileError, match="refusing to allocate"):
        keras.models.load_model(_with_config(tmp_path, members, config))
    model = mlp()
    model.save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5", "a") as f:
        legacy = json.loads(f.attrs["model_config"])
        legacy["config"]["layers"][1]["config"]["units"] = 10 ** 12
        f.attrs["model_config"] = json.dumps(legacy)
    with pytest.raises(UnsafeFileError, match="refusing to allocate"):
        keras.models.load_model(tmp_path / "m.h5")
