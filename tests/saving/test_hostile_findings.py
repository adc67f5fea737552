"""Findings of an adversarial probe (issue #16): each hostile file is built here from
a genuine save, and each gets a clear cornu error."""
import os
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
import tracemalloc
import zipfile

import numpy as np
import pytest

import cornu as keras
from cornu.saving import LoadingError, UnsafeFileError, legacy_h5, safety
from tests.saving import hostile_corpus as corpus
from tests.saving.helpers import L, mlp

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """Every file of the corpus, built once: {name: path}."""
    folder = str(tmp_path_factory.mktemp("corpus"))
    return folder, {name: build(folder) for name, build in corpus.CORPUS.items()}


# ---------------------------------------------------------------- 1. vocabulary paths

@pytest.mark.parametrize("name, layer, path", [
    ("vocab_environ_stringlookup", "StringLookup", "/proc/self/environ"),
    ("vocab_secret_integerlookup", "IntegerLookup", "secret.txt"),
    ("vocab_dev_zero_textvectorization", "TextVectorization", "/dev/zero"),
    ("legacy_vocab_path", "StringLookup", "secret.txt"),
])
def test_vocabulary_path_in_a_loaded_config_is_refused(hostile, name, layer, path):
    _, files = hostile
    with pytest.raises(UnsafeFileError) as info:
        keras.models.load_model(files[name])
    message = str(info.value)
    assert f"{layer} 'lookup'" in message and "`vocabulary`" in message
    assert path in message and "safe_mode=False" in message and "in code" in message


def test_vocabulary_path_loads_with_safe_mode_off(tmp_path):
    path = corpus.vocabulary_path_keras(str(tmp_path), "StringLookup",
                                        corpus.secret_file(str(tmp_path)))
    model = keras.models.load_model(path, safe_mode=False)
    assert model.get_layer("lookup").get_vocabulary(include_special_tokens=False) == (
        corpus.SECRET.splitlines())


def test_vocabulary_path_given_in_code_still_works(tmp_path):
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("cat\ndog\n")
    layer = L.StringLookup(vocabulary=str(vocab))
    np.testing.assert_array_equal(np.asarray(layer(np.array(["dog", "cat", "emu"]))), [2, 1, 0])
    text = L.TextVectorization(vocabulary=str(vocab))
    assert text.get_vocabulary() == ["", "[UNK]", "cat", "dog"]


# ---------------------------------------------------------------- 2. assets zip bomb

def _peak_of(fn):
    tracemalloc.start()
    try:
        fn()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


@pytest.mark.parametrize("loader", ["load_model", "load_weights"])
def test_assets_bomb_is_refused_without_reading_it(hostile, loader):
    _, files = hostile
    path = files["assets_bomb"]
    assert os.path.getsize(path) < 2 << 20  # 1.6 MB declaring 1.6 GiB

    def load():
        with pytest.raises(UnsafeFileError, match="add up to 1.6 GiB") as info:
            if loader == "load_model":
                keras.models.load_model(path)
            else:
                keras.Sequential([keras.Input((3,)), L.Dense(2)]).load_weights(path)
        assert safety.ZIP_LIMIT_ENV in str(info.value)
    assert _peak_of(load) < 32 << 20


@pytest.mark.parametrize("loader", ["load_model", "load_weights"])
def test_allowed_assets_are_streamed_to_disk_not_memory(tmp_path, monkeypatch, loader):
    path = corpus.assets_bomb_keras(str(tmp_path), members=12, member_bytes=8 << 20)
    with pytest.raises(UnsafeFileError, match="add up to"):
        keras.models.load_model(path)
    monkeypatch.setenv(safety.ZIP_LIMIT_ENV, str(1 << 30))  # the user trusts the file
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    model = keras.Sequential([keras.Input((3,)), L.Dense(2)])

    def load():
        if loader == "load_model":
            keras.models.load_model(path)
        else:
            model.load_weights(path)
    written = []
    real_extract = safety.extract_member
    monkeypatch.setattr(safety, "extract_member", lambda archive, info, target, what: (
        written.append(target), real_extract(archive, info, target, what)))
    assert _peak_of(load) < 24 << 20  # 96 MiB of assets went through
    assert len(written) == 12 and all(w.startswith(str(scratch)) for w in written)
    assert os.listdir(scratch) == []  # the temporary folder is gone


def test_bad_limit_variable_is_named(saved_keras, monkeypatch):
    monkeypatch.setenv(safety.ZIP_LIMIT_ENV, "lots")
    with pytest.raises(ValueError, match=f"{safety.ZIP_LIMIT_ENV} must be a number"):
        keras.models.load_model(saved_keras)


@pytest.fixture
def saved_keras(tmp_path):
    path = tmp_path / "m.keras"
    mlp().save(path)
    return path


def test_adapted_vocabulary_assets_still_round_trip(tmp_path):
    inputs = keras.Input((1,), dtype="string")
    lookup = L.StringLookup(name="lookup")
    lookup.adapt(np.array(["b", "a", "b", "c", "b", "a"]))
    model = keras.Model(inputs, lookup(inputs))
    model.save(tmp_path / "v.keras")
    with zipfile.ZipFile(tmp_path / "v.keras") as archive:
        assert any(n.startswith("assets/") for n in archive.namelist())
    again = keras.models.load_model(tmp_path / "v.keras")
    assert again.get_layer("lookup").get_vocabulary() == lookup.get_vocabulary()


# ---------------------------------------------------------------- 8. input shapes

@pytest.mark.parametrize("name", ["input_shape_bomb", "legacy_input_shape_bomb"])
def test_input_shape_bomb_is_refused_before_building(hostile, name):
    _, files = hostile
    assert os.path.getsize(files[name]) < 64 << 10
    start = time.perf_counter()
    with pytest.raises(UnsafeFileError, match=r"3,000,000,000 scalars"):
        keras.models.load_model(files[name])
    assert time.perf_counter() - start < 5


def test_input_shape_without_build_config_is_refused(tmp_path):
    source = tmp_path / "d.keras"
    keras.Sequential([keras.Input((3,)), L.Dense(1000)]).save(source)

    def edit(config):
        for entry in config["config"]["layers"]:
            entry.pop("build_config", None)
            if "batch_shape" in entry["config"]:
                entry["config"]["batch_shape"] = [None, 3e6]
    path = corpus.rewrite_keras(source, tmp_path / "b.keras", edit)
    with pytest.raises(UnsafeFileError, match="input shape"):
        keras.models.load_model(path)


def test_wide_genuine_models_still_load(tmp_path):
    model = keras.Sequential([keras.Input((20000,)), L.Dense(64), L.Dense(4)])
    conv = keras.Sequential([keras.Input((3, 64, 64)),
                             L.Conv2D(8, 3, data_format="channels_first"),
                             L.GlobalAveragePooling2D(data_format="channels_first"),
                             L.Dense(2000)])
    for i, m in enumerate((model, conv)):
        m.save(tmp_path / f"{i}.keras")
        keras.models.load_model(tmp_path / f"{i}.keras")


# ---------------------------------------------------------------- the whole corpus

LOADERS = {
    "load_model": lambda path: keras.models.load_model(path),
    "load_weights": lambda path: mlp().load_weights(path),
    "legacy_h5": lambda path: legacy_h5.load_model(path),
}


class _FileWatch:
    """Records file events (an audit hook: it stays installed, switched by ``on``)."""
    on = False
    events = []
    installed = False

    @classmethod
    def install(cls):
        if not cls.installed:
            sys.addaudithook(cls._hook)
            cls.installed = True

    @classmethod
    def _hook(cls, event, args):
        if cls.on and event in ("open", "os.remove", "os.rename", "os.replace", "os.mkdir",
                                "os.symlink", "os.link", "os.truncate", "os.chmod"):
            cls.events.append((event, args))


def _is_write(event, args):
    if event != "open":
        return True
    mode, flags = args[1], args[2]
    if isinstance(mode, str):
        return any(c in mode for c in "wax+")
    return bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC))


@pytest.mark.parametrize("loader", sorted(LOADERS))
@pytest.mark.parametrize("name", sorted(corpus.CORPUS))
def test_every_loader_against_every_hostile_file(hostile, name, loader):
    folder, files = hostile
    path = files[name]
    forbidden = {"/proc/self/environ", "/dev/zero", os.path.join(folder, "secret.txt"),
                 os.path.join(folder, "other.h5")}
    before = sorted(os.listdir(folder))
    _FileWatch.install()
    _FileWatch.events = []
    error = []

    def load():
        _FileWatch.on = True
        try:
            LOADERS[loader](path)
        except Exception as e:  # noqa: BLE001 - checked below
            error.append(e)
        finally:
            _FileWatch.on = False
    peak = _peak_of(load)
    assert error, f"{loader} loaded the hostile file {name} without an error"
    e = error[0]
    assert isinstance(e, LoadingError) or type(e) is ValueError, repr(e)
    assert str(e)
    assert peak < 64 << 20
    for event, args in _FileWatch.events:
        target = args[0] if args and isinstance(args[0], str) else None
        if target is None or not os.path.isabs(target):
            continue
        assert target not in forbidden, f"{loader} touched {target} ({event})"
        if _is_write(event, args):
            assert os.path.basename(os.path.dirname(target)).startswith("cornu-assets-") or (
                "cornu-assets-" in target), f"{loader} wrote {target} ({event})"
    assert sorted(os.listdir(folder)) == before


# ---------------------------------------------------------------- 4. modes and links

SAVERS = {
    "keras": lambda m, p: m.save(p),
    "weights.h5": lambda m, p: m.save_weights(p),
    "h5": lambda m, p: m.save(p),
}


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask():
    old = os.umask(0o022)
    yield lambda mask: os.umask(mask)
    os.umask(old)


@pytest.mark.parametrize("ext", sorted(SAVERS))
def test_new_files_follow_the_umask(tmp_path, umask, ext):
    for mask, expected in ((0o022, 0o644), (0o002, 0o664), (0o077, 0o600)):
        umask(mask)
        path = tmp_path / f"m{mask}.{ext}"
        SAVERS[ext](mlp(), path)
        assert _mode(path) == expected, (oct(mask), oct(_mode(path)))


@pytest.mark.parametrize("ext", sorted(SAVERS))
def test_overwrite_keeps_the_existing_mode(tmp_path, umask, ext):
    umask(0o077)
    path = tmp_path / f"m.{ext}"
    path.write_bytes(b"old")
    os.chmod(path, 0o664)
    SAVERS[ext](mlp(), path)
    assert _mode(path) == 0o664
    assert path.read_bytes() != b"old"


@pytest.mark.parametrize("ext", sorted(SAVERS))
def test_saving_to_a_symlink_writes_its_target(tmp_path, ext):
    real = tmp_path / "store" / f"real.{ext}"
    real.parent.mkdir()
    SAVERS[ext](mlp(), real)
    os.chmod(real, 0o640)
    link = tmp_path / f"link.{ext}"
    link.symlink_to(real)
    model = mlp()
    SAVERS[ext](model, link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert _mode(real) == 0o640
    if ext == "weights.h5":
        again = mlp()
        again.load_weights(real)
    else:
        again = keras.models.load_model(real)
    for a, b in zip(model.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_checkpoint_callbacks_follow_the_umask(tmp_path, umask):
    umask(0o002)
    model = mlp()
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((8, 6), "float32"), np.ones((8, 3), "float32")
    checkpoint = keras.callbacks.ModelCheckpoint(str(tmp_path / "c.keras"))
    backup = keras.callbacks.BackupAndRestore(str(tmp_path / "backup"),
                                              delete_checkpoint=False)
    model.fit(x, y, epochs=1, verbose=0, callbacks=[checkpoint, backup])
    assert _mode(tmp_path / "c.keras") == 0o664
    files = [os.path.join(r, f) for r, _, fs in os.walk(tmp_path / "backup") for f in fs]
    assert files and all(_mode(f) == 0o664 for f in files)


# ---------------------------------------------------------------- 7. stale temporaries

def _age(path, seconds=3600):
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_stale_temporaries_of_the_same_target_are_removed(tmp_path):
    others = [tmp_path / ".m.keras.ab12x9z.tmp.bak", tmp_path / ".n.keras.ab12_x9z.tmp",
              tmp_path / ".m.keras.AB12X9ZQ.tmp", tmp_path / "m.keras.ab12_x9z.tmp"]
    fresh = tmp_path / ".m.keras.fresh000.tmp"  # a save still under way elsewhere
    stale = tmp_path / ".m.keras.ab12_x9y.tmp"
    for p in [stale, fresh] + others:
        p.write_bytes(b"partial")
    for p in [stale] + others:
        _age(p)
    with pytest.warns(UserWarning, match=r"interrupted save.*ab12_x9y"):
        mlp().save(tmp_path / "m.keras")
    assert not stale.exists()
    assert fresh.exists() and all(p.exists() for p in others)


def test_a_killed_save_is_cleaned_up_by_the_next(tmp_path):
    script = textwrap.dedent("""
        import os, sys, zipfile
        import cornu as keras
        real = zipfile.ZipFile.writestr
        def die(self, name, payload, *a, **k):
            if name == "model.weights.h5":
                real(self, "partial", payload[: len(payload) // 2])
                os._exit(9)  # killed mid-write: no cleanup runs
            return real(self, name, payload, *a, **k)
        zipfile.ZipFile.writestr = die
        keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]).save(sys.argv[1])
    """)
    target = tmp_path / "m.keras"
    result = subprocess.run([sys.executable, "-c", script, str(target)], cwd=REPO,
                            capture_output=True, timeout=120)
    assert result.returncode == 9, result.stderr.decode()[-2000:]
    left = [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]
    assert len(left) == 1 and left[0].startswith(".m.keras.")
    _age(tmp_path / left[0], 10)
    with pytest.warns(UserWarning, match=left[0]):
        mlp().save(target)
    assert [n for n in os.listdir(tmp_path)] == ["m.keras"]
