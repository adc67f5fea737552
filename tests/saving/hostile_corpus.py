"""Hostile model files, built on the fly (no checked-in binaries).

Each builder takes a folder and returns the path of one file it wrote there; the
files start from a genuine save and are then edited the way an attacker would.
``CORPUS`` maps a name to its builder; ``SECRET`` is the content of a file the
vocabulary-path files point to (it must never be read).
"""
import json
import os
import struct
import zipfile
import zlib

import h5py

import cornu as keras

L = keras.layers
SECRET = "top-secret-token\nsecond-line\n"
ASSET_MEMBER_BYTES = 16 << 20  # just under the per-member zip-bomb floor
ASSET_MEMBERS = 100


def secret_file(folder):
    """A file outside any model archive that no load may read."""
    path = os.path.join(folder, "secret.txt")
    if not os.path.exists(path):
        with open(path, "w") as f:
            f.write(SECRET)
    return path


def rewrite_keras(source, target, edit_config=None, extra_members=(),
                  compression=zipfile.ZIP_STORED):
    """Copy a .keras archive, passing its config through ``edit_config(dict)`` and
    adding ``extra_members`` ((name, bytes) pairs, or (name, size) for zeros)."""
    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    if edit_config is not None:
        config = json.loads(members["config.json"])
        edit_config(config)
        members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(target, "w", compression=compression, compresslevel=1) as out:
        for name, payload in members.items():
            out.writestr(name, payload, compress_type=zipfile.ZIP_STORED)
        for name, payload in extra_members:
            out.writestr(name, payload)
    return target


def _layers(config):
    """The layer entries of a saved Sequential or functional model config."""
    return config["config"]["layers"]


def _vocabulary_model(kind):
    if kind == "StringLookup":
        inputs = keras.Input((1,), dtype="string")
        layer = L.StringLookup(vocabulary=["a", "b"], name="lookup")
    elif kind == "IntegerLookup":
        inputs = keras.Input((1,), dtype="int64")
        layer = L.IntegerLookup(vocabulary=[1, 2], name="lookup")
    else:
        inputs = keras.Input((1,), dtype="string")
        layer = L.TextVectorization(vocabulary=["a", "b"], name="lookup")
    return keras.Model(inputs, layer(inputs))


def vocabulary_path_keras(folder, kind, path):
    """A .keras whose lookup layer ``kind`` names ``path`` as its vocabulary."""
    source = os.path.join(folder, f"good_{kind}.keras")
    _vocabulary_model(kind).save(source)

    def edit(config):
        for entry in _layers(config):
            if entry["config"].get("name") == "lookup":
                entry["config"]["vocabulary"] = path
    target = os.path.join(folder, f"vocab_{kind}_{os.path.basename(path)}.keras")
    return rewrite_keras(source, target, edit)


def _dense_model():
    return keras.Sequential([keras.Input((3,)), L.Dense(1000, name="wide")])


def input_shape_bomb_keras(folder, width=3_000_000):
    """A small .keras whose input is ``width`` wide before a Dense(1000): building it
    would allocate ``width * 1000`` floats."""
    source = os.path.join(folder, "good_dense.keras")
    _dense_model().save(source)

    def edit(config):
        for entry in _layers(config):
            inner = entry["config"]
            if "batch_shape" in inner:
                inner["batch_shape"] = [None, float(width)]
            if entry.get("build_config"):
                entry["build_config"]["input_shape"] = [None, width]
    return rewrite_keras(source, os.path.join(folder, "input_bomb.keras"), edit)


def assets_bomb_keras(folder, members=ASSET_MEMBERS, member_bytes=ASSET_MEMBER_BYTES):
    """A ~1.6 MB .keras holding ``members`` assets of ``member_bytes`` zeros each (the
    zeros are compressed once and the stream repeated, so building it is quick)."""
    source = os.path.join(folder, "good_small.keras")
    keras.Sequential([keras.Input((3,)), L.Dense(2)]).save(source)
    with zipfile.ZipFile(source) as archive:
        entries = [(name, archive.read(name), None) for name in archive.namelist()]
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    zeros = bytes(member_bytes)
    deflated = compressor.compress(zeros) + compressor.flush()
    bomb = (deflated, zlib.crc32(zeros), member_bytes)
    entries += [(f"assets/layers/dense/blob_{i}.txt", None, bomb) for i in range(members)]
    target = os.path.join(folder, "assets_bomb.keras")
    with open(target, "wb") as out:
        write_zip(out, entries)
    return target


def write_zip(out, entries):
    """A minimal zip writer: ``entries`` of (name, stored bytes, None) or (name, None,
    (raw deflate stream, crc32, uncompressed size))."""
    central, offset = [], 0
    for name, stored, deflated in entries:
        encoded = name.encode()
        if stored is not None:
            method, data, crc, size = 0, stored, zlib.crc32(stored), len(stored)
        else:
            method, (data, crc, size) = 8, deflated
        header = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc,
                             len(data), size, len(encoded), 0)
        out.write(header + encoded + data)
        central.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0,
                                   0x21, crc, len(data), size, len(encoded), 0, 0, 0, 0,
                                   0, offset) + encoded)
        offset += len(header) + len(encoded) + len(data)
    directory = b"".join(central)
    out.write(directory + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central),
                                      len(central), len(directory), offset, 0))


def _legacy_h5(folder, name, edit_config):
    """A legacy .h5 model file whose ``model_config`` attribute was edited."""
    path = os.path.join(folder, name)
    model = _vocabulary_model("StringLookup") if "vocab" in name else _dense_model()
    model.save(path)
    with h5py.File(path, "a") as f:
        raw = f.attrs["model_config"]
        config = json.loads(raw.decode() if isinstance(raw, bytes) else raw)
        edit_config(config)
        f.attrs["model_config"] = json.dumps(config)
    return path


def legacy_vocabulary_path_h5(folder):
    secret = secret_file(folder)

    def edit(config):
        for entry in _layers(config):
            if entry["config"].get("name") == "lookup":
                entry["config"]["vocabulary"] = secret
    return _legacy_h5(folder, "vocab_legacy.h5", edit)


def legacy_input_shape_bomb_h5(folder, width=3_000_000):
    def edit(config):
        for entry in _layers(config):
            for key in ("batch_shape", "batch_input_shape"):
                if key in entry["config"]:
                    entry["config"][key] = [None, width]
            if entry.get("build_config"):
                entry["build_config"]["input_shape"] = [None, width]
    return _legacy_h5(folder, "input_bomb_legacy.h5", edit)


def weights_h5_with_external_link(folder):
    """A .weights.h5 that links to another HDF5 file (never to be followed)."""
    other = os.path.join(folder, "other.h5")
    with h5py.File(other, "w") as f:
        f["data"] = [1.0, 2.0]
    path = os.path.join(folder, "linked.weights.h5")
    _dense_model().save_weights(path)
    with h5py.File(path, "a") as f:
        f["layers/wide/vars/extra"] = h5py.ExternalLink(other, "/data")
    return path


CORPUS = {
    "vocab_environ_stringlookup": lambda d: vocabulary_path_keras(
        d, "StringLookup", "/proc/self/environ"),
    "vocab_secret_integerlookup": lambda d: vocabulary_path_keras(
        d, "IntegerLookup", secret_file(d)),
    "vocab_dev_zero_textvectorization": lambda d: vocabulary_path_keras(
        d, "TextVectorization", "/dev/zero"),
    "assets_bomb": assets_bomb_keras,
    "input_shape_bomb": input_shape_bomb_keras,
    "legacy_vocab_path": legacy_vocabulary_path_h5,
    "legacy_input_shape_bomb": legacy_input_shape_bomb_h5,
    "weights_external_link": weights_h5_with_external_link,
}
# Files a load must never open (besides the file being loaded).
FORBIDDEN_READS = ("/proc/self/environ", "/dev/zero", "secret.txt", "other.h5")

