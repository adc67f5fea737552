"""Fuzzing: mutated ``.keras`` and ``.h5`` files raise only cornu's documented errors
(``cornu.saving.LoadingError`` and its subclasses) and never run code.

A fixed, derandomized budget keeps the run short and the same on every machine.
"""
import builtins
import contextlib
import functools
import importlib
import io
import json
import marshal
import os
import pickle
import subprocess
import sys
import tempfile
import zipfile

import h5py
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cornu as keras
from cornu.saving import LoadingError
from tests.saving.helpers import L

FUZZ = settings(max_examples=50, derandomize=True, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))
FUZZ_SMALL = settings(FUZZ, max_examples=25)
_WORK = tempfile.mkdtemp(prefix="cornu_fuzz_")


@functools.lru_cache(maxsize=None)
def _valid_files():
    """A small compiled model with a nested model, as .keras and .h5 bytes."""
    inner = keras.Sequential([keras.Input((3,)), L.Dense(3, activation="relu")])
    inp = keras.Input((4,))
    h = L.BatchNormalization()(L.Dense(3)(inp))
    model = keras.Model(inp, L.Dense(2)(inner(h)))
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    model.train_on_batch(np.ones((2, 4), "float32"), np.ones((2, 2), "float32"))
    out = {}
    for ext in ("keras", "h5"):
        path = os.path.join(_WORK, f"valid.{ext}")
        model.save(path)
        with open(path, "rb") as f:
            out[ext] = f.read()
    return out


def _refuse(*args, **kwargs):
    raise AssertionError("loading tried to run code")


@contextlib.contextmanager
def _nothing_runs():
    """Make every way of running code from a file fail the test loudly."""
    known = set(sys.modules)
    real_import_module = importlib.import_module

    def import_module(name, package=None):
        if name.startswith("cornu") or name in known:
            return real_import_module(name, package)
        raise AssertionError(f"loading tried to import {name!r}")

    patches = [(pickle, "loads"), (pickle, "load"), (marshal, "loads"), (os, "system"),
               (subprocess, "Popen"), (builtins, "eval"), (builtins, "exec")]
    saved = [(obj, name, getattr(obj, name)) for obj, name in patches]
    try:
        for obj, name in patches:
            setattr(obj, name, _refuse)
        importlib.import_module = import_module
        yield
    finally:
        importlib.import_module = real_import_module
        for obj, name, value in saved:
            setattr(obj, name, value)


def _load(data, ext):
    path = os.path.join(_WORK, f"mutant.{ext}")
    with open(path, "wb") as f:
        f.write(data)
    with _nothing_runs():
        try:
            keras.models.load_model(path)
        except LoadingError:
            pass  # cornu's documented errors; anything else fails the test


def _mutate(data, edits, cut):
    data = bytearray(data)
    for position, value in edits:
        data[position % len(data)] = value
    if cut:
        del data[cut % len(data):]
    return bytes(data)


_EDITS = st.lists(st.tuples(st.integers(0, 1 << 30), st.integers(0, 255)), min_size=1,
                  max_size=6)
_CUT = st.one_of(st.none(), st.integers(1, 1 << 30))


@FUZZ
@given(edits=_EDITS, cut=_CUT, ext=st.sampled_from(["keras", "h5"]))
def test_mutated_files_raise_only_cornu_errors(edits, cut, ext):
    _load(_mutate(_valid_files()[ext], edits, cut), ext)


def _rezip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, payload in members.items():
            archive.writestr(name, payload)
    return buffer.getvalue()


def _members():
    with zipfile.ZipFile(io.BytesIO(_valid_files()["keras"])) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@FUZZ_SMALL
@given(edits=_EDITS, cut=_CUT)
def test_mutated_weights_inside_a_valid_archive(edits, cut):
    """Past the zip's checksums: the HDF5 reader gets the damaged bytes."""
    members = _members()
    members["model.weights.h5"] = _mutate(members["model.weights.h5"], edits, cut)
    _load(_rezip(members), "keras")


_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-3, 64), st.sampled_from([10 ** 15]),
              st.floats(allow_nan=False, width=32), st.text(max_size=8),
              st.sampled_from(["Dense", "Lambda", "__lambda__", "Functional", "os",
                               "__keras_tensor__", "function", "relu", "exec"])),
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(st.sampled_from(
                                   ["class_name", "config", "module", "name", "units",
                                    "keras_history", "inbound_nodes", "layers", "args",
                                    "registered_name", "build_config", "compile_config"]),
                                   children, max_size=3)),
    max_leaves=6)


def _paths(node, prefix=()):
    """Every path to a value inside a JSON document."""
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, prefix + (i,))


def _replace(node, path, value):
    if not path:
        return value
    node = dict(node) if isinstance(node, dict) else list(node)
    node[path[0]] = _replace(node[path[0]], path[1:], value)
    return node


@pytest.mark.filterwarnings("ignore::UserWarning")
@FUZZ_SMALL
@given(picks=st.lists(st.tuples(st.integers(0, 1 << 20), _JSON), min_size=1, max_size=3))
def test_mutated_configs_raise_only_cornu_errors(picks):
    members = _members()
    config = json.loads(members["config.json"])
    for index, value in picks:
        paths = list(_paths(config))
        config = _replace(config, paths[index % len(paths)], value)
    members["config.json"] = json.dumps(config)
    _load(_rezip(members), "keras")


def test_fuzz_inputs_are_valid_to_start_with():
    for ext, data in _valid_files().items():
        path = os.path.join(_WORK, f"check.{ext}")
        with open(path, "wb") as f:
            f.write(data)
        assert keras.models.load_model(path).count_params() > 0
    json.loads(_members()["config.json"])
    h5py.File(io.BytesIO(_members()["model.weights.h5"]), "r").close()
