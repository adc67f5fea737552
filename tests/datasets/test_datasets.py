"""Dataset loaders, fed small files in Keras's formats from a local HTTP server."""
import gzip
import hashlib
import io
import json
import pickle
import struct
import tarfile

import numpy as np
import pytest

import cornu
from cornu.datasets import _safe_load
from tests.utils.local_server import serve


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("CORNU_HOME", str(tmp_path / "home"))


def _npz(**arrays):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _serve_module(monkeypatch, module, files, origin_attr="ORIGIN_FOLDER", hashes=True):
    """Point ``module``'s origin at a local server holding ``files`` ({name: bytes}); its
    hashes become those of the generated files."""
    server = serve({"/" + name: data for name, data in files.items()})
    url = server.__enter__()
    monkeypatch.setattr(module, origin_attr, url + "/" + (
        next(iter(files)) if origin_attr == "ORIGIN" else ""))
    if hashes:
        digests = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
        if hasattr(module, "FILE_HASHES"):
            monkeypatch.setattr(module, "FILE_HASHES", digests)
        else:
            monkeypatch.setattr(module, "FILE_HASH", next(iter(digests.values())))
    return server


@pytest.fixture
def served(monkeypatch):
    servers = []

    def start(module, files, **kwargs):
        servers.append(_serve_module(monkeypatch, module, files, **kwargs))
    yield start
    for server in servers:
        server.__exit__(None, None, None)


# ----------------------------------------------------------------- image datasets

def test_mnist(served):
    rng = np.random.default_rng(0)
    data = {"x_train": rng.integers(0, 256, (12, 28, 28), dtype=np.uint8),
            "y_train": rng.integers(0, 10, 12, dtype=np.uint8),
            "x_test": rng.integers(0, 256, (5, 28, 28), dtype=np.uint8),
            "y_test": rng.integers(0, 10, 5, dtype=np.uint8)}
    served(cornu.datasets.mnist, {"mnist.npz": _npz(**data)})
    (x_train, y_train), (x_test, y_test) = cornu.datasets.mnist.load_data()
    assert x_train.shape == (12, 28, 28) and x_train.dtype == np.uint8
    assert y_test.shape == (5,) and y_test.dtype == np.uint8
    np.testing.assert_array_equal(x_train, data["x_train"])
    np.testing.assert_array_equal(y_test, data["y_test"])


def _idx(array):
    """An IDX file (the MNIST format) as Fashion-MNIST ships it, gzipped."""
    header = struct.pack(">HBB", 0, 8, array.ndim) + b"".join(
        struct.pack(">I", d) for d in array.shape)
    return gzip.compress(header + array.tobytes())


def test_fashion_mnist(served):
    rng = np.random.default_rng(1)
    x_train = rng.integers(0, 256, (7, 28, 28), dtype=np.uint8)
    y_train = rng.integers(0, 10, 7, dtype=np.uint8)
    x_test = rng.integers(0, 256, (3, 28, 28), dtype=np.uint8)
    y_test = rng.integers(0, 10, 3, dtype=np.uint8)
    served(cornu.datasets.fashion_mnist, {
        "train-labels-idx1-ubyte.gz": _idx(y_train), "train-images-idx3-ubyte.gz": _idx(x_train),
        "t10k-labels-idx1-ubyte.gz": _idx(y_test), "t10k-images-idx3-ubyte.gz": _idx(x_test)})
    (a, b), (c, d) = cornu.datasets.fashion_mnist.load_data()
    assert a.shape == (7, 28, 28) and a.dtype == np.uint8 and d.shape == (3,)
    np.testing.assert_array_equal(a, x_train)
    np.testing.assert_array_equal(b, y_train)
    np.testing.assert_array_equal(c, x_test)


def _py2_str(data):
    """A Python 2 ``str`` in a protocol 2 pickle (SHORT_BINSTRING or BINSTRING)."""
    if len(data) < 256:
        return b"U" + bytes([len(data)]) + data
    return b"T" + struct.pack("<i", len(data)) + data


def _py2_int(n):
    return b"J" + struct.pack("<i", n)


def _py2_pickle(d):
    """A dict pickled the way Python 2's cPickle wrote the CIFAR batches (protocol 2)."""
    out = bytearray(b"\x80\x02}(")
    for key, value in d.items():
        out += _py2_str(key.encode())
        if isinstance(value, np.ndarray):
            out += (b"cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\n" + _py2_int(0)
                    + b"\x85" + _py2_str(b"b") + b"\x87R")
            out += b"(" + _py2_int(1) + b"(" + b"".join(_py2_int(s) for s in value.shape) + b"t"
            out += (b"cnumpy\ndtype\n" + _py2_str(value.dtype.str[1:].encode()) + b"\x89\x88\x87R"
                    + b"(" + _py2_int(3) + _py2_str(b"|") + b"NNN" + _py2_int(-1)
                    + _py2_int(-1) + _py2_int(0) + b"tb")
            out += b"\x89" + _py2_str(value.tobytes()) + b"tb"
        elif isinstance(value, list):
            out += b"](" + b"".join(_py2_int(v) for v in value) + b"e"
        else:
            out += _py2_str(value.encode())
    out += b"u."
    return bytes(out)


def test_py2_pickle_writer_matches_pickle():
    data = np.arange(2 * 3072, dtype=np.uint8).reshape(2, 3072)
    blob = _py2_pickle({"data": data, "labels": [3, 4], "batch_label": "b1"})
    reference = pickle.loads(blob, encoding="bytes")  # the test's own file: safe to load
    ours = _safe_load.load_pickle(io.BytesIO(blob))
    assert set(ours) == set(reference) == {b"data", b"labels", b"batch_label"}
    np.testing.assert_array_equal(ours[b"data"], reference[b"data"])
    assert ours[b"labels"] == [3, 4] and ours[b"batch_label"] == b"b1"


def _tar(members):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _batch(rng, n, **labels):
    return _py2_pickle({"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8), **labels})


def test_cifar10(served):
    rng = np.random.default_rng(2)
    members = {f"cifar-10-batches-py/data_batch_{i}": _batch(
        rng, 4, labels=[int(v) for v in rng.integers(0, 10, 4)]) for i in range(1, 6)}
    members["cifar-10-batches-py/test_batch"] = _batch(rng, 3, labels=[1, 2, 3])
    served(cornu.datasets.cifar10, {"cifar-10-python.tar.gz": _tar(members)}, origin_attr="ORIGIN")
    (x_train, y_train), (x_test, y_test) = cornu.datasets.cifar10.load_data()
    assert x_train.shape == (20, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.shape == (20, 1) and y_train.dtype == np.uint8
    assert x_test.shape == (3, 32, 32, 3) and y_test[:, 0].tolist() == [1, 2, 3]
    first = _safe_load.load_pickle(io.BytesIO(members["cifar-10-batches-py/data_batch_1"]))
    np.testing.assert_array_equal(x_train[0], first[b"data"][0].reshape(3, 32, 32).transpose(1, 2, 0))
    # a second call reads the cache: no server needed
    cornu.datasets.cifar10.ORIGIN = "http://127.0.0.1:9/unreachable"
    assert cornu.datasets.cifar10.load_data()[0][0].shape == (20, 32, 32, 3)


def test_cifar10_channels_first(served):
    rng = np.random.default_rng(3)
    members = {f"cifar-10-batches-py/data_batch_{i}": _batch(rng, 2, labels=[0, 1])
               for i in range(1, 6)}
    members["cifar-10-batches-py/test_batch"] = _batch(rng, 2, labels=[0, 1])
    served(cornu.datasets.cifar10, {"cifar-10-python.tar.gz": _tar(members)}, origin_attr="ORIGIN")
    cornu.backend.set_image_data_format("channels_first")
    (x_train, _), _ = cornu.datasets.cifar10.load_data()
    assert x_train.shape == (10, 3, 32, 32)


@pytest.mark.parametrize("label_mode", ["fine", "coarse"])
def test_cifar100(served, label_mode):
    rng = np.random.default_rng(4)
    members = {"cifar-100-python/train": _batch(rng, 6, fine_labels=[0, 1, 2, 3, 4, 99],
                                                coarse_labels=[0, 0, 1, 1, 2, 19]),
               "cifar-100-python/test": _batch(rng, 2, fine_labels=[5, 6],
                                               coarse_labels=[3, 4])}
    served(cornu.datasets.cifar100, {"cifar-100-python.tar.gz": _tar(members)},
           origin_attr="ORIGIN")
    (x_train, y_train), (x_test, y_test) = cornu.datasets.cifar100.load_data(label_mode)
    assert x_train.shape == (6, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.shape == (6, 1) and x_test.shape == (2, 32, 32, 3)
    expected = [0, 1, 2, 3, 4, 99] if label_mode == "fine" else [0, 0, 1, 1, 2, 19]
    assert y_train[:, 0].tolist() == expected


def test_cifar100_bad_label_mode():
    with pytest.raises(ValueError, match="label_mode"):
        cornu.datasets.cifar100.load_data("medium")


def test_malicious_pickle_is_refused(tmp_path):
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))
    blob = pickle.dumps({b"data": Evil()}, protocol=2)
    with pytest.raises(pickle.UnpicklingError, match="Refusing"):
        _safe_load.load_pickle(io.BytesIO(blob))
    assert not marker.exists()


def test_npz_object_array_with_evil_pickle_is_refused(tmp_path):
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))
    array = np.empty(1, dtype=object)
    array[0] = Evil()
    path = tmp_path / "evil.npz"
    np.savez(path, x=array)
    with pytest.raises(pickle.UnpicklingError):
        _safe_load.load_npz(path)
    assert not marker.exists()


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_safe_pickle_reads_modern_protocols(protocol):
    value = {"a": np.arange(6, dtype="<f4").reshape(2, 3), "b": [np.int64(3).item(), 2.5],
             "c": (b"x", None, True), "d": np.array([1, 2], dtype=">i2")}
    out = _safe_load.load_pickle(io.BytesIO(pickle.dumps(value, protocol=protocol)))
    np.testing.assert_array_equal(out["a"], value["a"])
    np.testing.assert_array_equal(out["d"], value["d"])
    assert out["b"] == [3, 2.5] and out["c"] == (b"x", None, True)


# ------------------------------------------------------------------- text datasets

ORIG_TRAIN = [[0, 1, 2], [5, 6, 7, 8, 9, 10], [3, 3], [20, 1], [4, 11, 12, 13]]
ORIG_TEST = [[1, 2], [7, 7, 7, 7, 7, 7, 7], [0]]


def _ragged(seqs):
    out = np.empty(len(seqs), dtype=object)
    for i, s in enumerate(seqs):
        out[i] = list(s)
    return out


@pytest.fixture
def imdb(served):
    files = {"imdb.npz": _npz(x_train=_ragged(ORIG_TRAIN), y_train=np.arange(5),
                              x_test=_ragged(ORIG_TEST), y_test=np.arange(3))}
    served(cornu.datasets.imdb, files)
    return cornu.datasets.imdb


def _expected_order(n_train, n_test, seed=113):
    rng = np.random.RandomState(seed)
    a, b = np.arange(n_train), np.arange(n_test)
    rng.shuffle(a)
    rng.shuffle(b)
    return a, b


def test_imdb_defaults(imdb):
    (x_train, y_train), (x_test, y_test) = imdb.load_data()
    order_train, order_test = _expected_order(5, 3)
    assert x_train.dtype == object and x_train.shape == (5,) and y_train.shape == (5,)
    np.testing.assert_array_equal(y_train, order_train)
    np.testing.assert_array_equal(y_test, order_test)
    # Keras's num_words=None is the largest index, and only indices below it are kept:
    # the largest one (20 + 3) becomes oov_char
    for seq, label in zip(x_train, y_train):
        assert seq == [w if w < 23 else 2 for w in [1] + [w + 3 for w in ORIG_TRAIN[label]]]
    for seq, label in zip(x_test, y_test):
        assert seq == [1] + [w + 3 for w in ORIG_TEST[label]]


def test_imdb_num_words_skip_top_oov(imdb):
    (x_train, y_train), _ = imdb.load_data(num_words=10, skip_top=4, oov_char=2)
    for seq, label in zip(x_train, y_train):
        full = [1] + [w + 3 for w in ORIG_TRAIN[label]]
        assert seq == [w if 4 <= w < 10 else 2 for w in full]
    (x_train, y_train), _ = imdb.load_data(num_words=10, oov_char=None)
    for seq, label in zip(x_train, y_train):
        assert seq == [w for w in [1] + [v + 3 for v in ORIG_TRAIN[label]] if w < 10]


def test_imdb_maxlen_start_char_index_from(imdb):
    (x_train, y_train), (x_test, y_test) = imdb.load_data(maxlen=4)
    assert sorted(y_train.tolist()) == [2, 3]  # sequences of 4 or more (with start) dropped
    assert all(len(s) < 4 for s in x_train) and sorted(y_test.tolist()) == [0, 2]
    (x_train, y_train), _ = imdb.load_data(start_char=None, index_from=0)
    for seq, label in zip(x_train, y_train):
        assert seq == [w if w < 20 else 2 for w in ORIG_TRAIN[label]]
    with pytest.raises(ValueError, match="maxlen"):
        imdb.load_data(maxlen=1)


def test_imdb_seed_changes_order(imdb):
    (_, y1), _ = imdb.load_data(seed=1)
    np.testing.assert_array_equal(y1, _expected_order(5, 3, seed=1)[0])


def test_imdb_word_index(served, monkeypatch):
    index = {"the": 1, "and": 2, "film": 19}
    blob = json.dumps(index).encode()
    served(cornu.datasets.imdb, {"imdb_word_index.json": blob}, hashes=False)
    monkeypatch.setattr(cornu.datasets.imdb, "WORD_INDEX_HASH", hashlib.md5(blob).hexdigest())
    assert cornu.datasets.imdb.get_word_index() == index


def test_reuters(served):
    xs = _ragged(ORIG_TRAIN + ORIG_TEST)
    served(cornu.datasets.reuters, {"reuters.npz": _npz(x=xs, y=np.arange(8))})
    (x_train, y_train), (x_test, y_test) = cornu.datasets.reuters.load_data(
        test_split=0.25, num_words=12)
    assert x_train.shape == (6,) and x_test.shape == (2,) and x_train.dtype == object
    rng = np.random.RandomState(113)
    order = np.arange(8)
    rng.shuffle(order)
    np.testing.assert_array_equal(np.concatenate([y_train, y_test]), order)
    everything = ORIG_TRAIN + ORIG_TEST
    for seq, label in zip(x_train, y_train):
        assert seq == [w if w < 12 else 2 for w in [1] + [v + 3 for v in everything[label]]]
    assert len(cornu.datasets.reuters.get_label_names()) == 46


# ----------------------------------------------------------------- housing datasets

def test_boston_housing(served):
    x = np.arange(20 * 13, dtype="float64").reshape(20, 13)
    y = np.arange(20, dtype="float64")
    served(cornu.datasets.boston_housing, {"boston_housing.npz": _npz(x=x, y=y)})
    (x_train, y_train), (x_test, y_test) = cornu.datasets.boston_housing.load_data()
    assert x_train.shape == (16, 13) and x_test.shape == (4, 13) and y_train.shape == (16,)
    np.testing.assert_array_equal(x_train[:, 0] / 13, y_train)  # rows stay with their targets


def test_california_housing(served):
    x = np.arange(700 * 8, dtype="float32").reshape(700, 8)
    y = np.arange(700, dtype="float32")
    served(cornu.datasets.california_housing, {"california_housing.npz": _npz(x=x, y=y)})
    (x_train, _), (x_test, y_test) = cornu.datasets.california_housing.load_data(version="small")
    assert x_train.shape == (480, 8) and x_test.shape == (120, 8) and y_test.max() < 600
    (x_train, _), _ = cornu.datasets.california_housing.load_data(test_split=0.5)
    assert x_train.shape == (350, 8)
    with pytest.raises(ValueError, match="version"):
        cornu.datasets.california_housing.load_data(version="medium")


def test_datasets_import_lazily(monkeypatch):
    import sys
    import cornu.datasets as datasets
    monkeypatch.delitem(sys.modules, "cornu.datasets.reuters", raising=False)
    monkeypatch.delitem(vars(datasets), "reuters", raising=False)
    assert "reuters" in dir(datasets)
    assert datasets.reuters.load_data and "cornu.datasets.reuters" in sys.modules


def test_imdb_keras1_nb_words(imdb):
    with pytest.warns(DeprecationWarning, match="num_words"):
        (x_train, _), _ = imdb.load_data(nb_words=10)
    assert max(max(s) for s in x_train) < 10
    with pytest.raises(TypeError, match="nb_word"):
        imdb.load_data(nb_word=10)


def _py2_object_npy(lists):
    """An object-array .npy as Python 2's numpy wrote IMDB's: a protocol 2 pickle of an
    ndarray of dtype 'O8' whose state holds a list of lists of ints."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "|O", "fortran_order": False, "shape": (len(lists),)})
    body = (b"\x80\x02cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\n" + _py2_int(0)
            + b"\x85" + _py2_str(b"b") + b"\x87R(" + _py2_int(1) + _py2_int(len(lists))
            + b"\x85cnumpy\ndtype\n" + _py2_str(b"O8") + b"\x89\x88\x87R(" + _py2_int(3)
            + _py2_str(b"|") + b"NNN" + _py2_int(-1) + _py2_int(-1) + _py2_int(63) + b"tb\x89]")
    for seq in lists:  # EMPTY_LIST MARK ints APPENDS, then APPEND to the outer list
        body += b"](" + b"".join(_py2_int(v) for v in seq) + b"ea"
    body += b"tb."
    return header.getvalue() + body


def test_py2_object_npz_like_the_real_imdb_file(tmp_path):
    import zipfile
    lists = [[1, 2, 3], [4], [5, 6]]
    blob = _py2_object_npy(lists)
    assert pickle.loads(blob[blob.index(b"\x80\x02"):], encoding="latin1").tolist() == lists
    path = tmp_path / "x.npz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("x_train.npy", blob)
        z.writestr("y_train.npy", _npy(np.array([0, 1, 1])))
    loaded = _safe_load.load_npz(path)
    assert loaded["x_train"].dtype == object and loaded["x_train"].tolist() == lists
    assert loaded["y_train"].tolist() == [0, 1, 1]


def _npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()
