"""Files saved by real Keras 3 and tf.keras 2 load in cornu with Keras's predictions,
and ``.keras`` files saved by cornu load in real Keras 3.

The fixtures were written by ``fixtures/make_fixtures.py`` (run with Keras 3.15 on
torch and with TensorFlow 2.15's tf.keras); ``fixtures/make_cornu_fixtures.py``
wrote the ``cornu_*`` files and the predictions real Keras made on them.
"""
import io
import json
import os
import subprocess
import sys
import zipfile

import h5py
import numpy as np
import pytest

import cornu as keras
from tests.saving.helpers import as_list

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
KERAS3_PYTHON = os.environ.get("CORNU_KERAS3_PYTHON", "/work/kenv/bin/python")

# fixture -> layer classes it needs in cornu
NEEDS = {
    "dense": ["Dense"], "conv": ["Conv2D", "MaxPooling2D", "Flatten"],
    "batchnorm": ["BatchNormalization"], "embedding_lstm": ["Embedding", "LSTM"],
    "gru": ["GRU"], "bidirectional": ["Bidirectional", "LSTM"], "nested": ["Dense"],
    "multi_io": ["Concatenate", "Add"], "compiled_adam": ["Dense"],
}


def _needs(name):
    missing = [n for n in NEEDS[name] if not hasattr(keras.layers, n)]
    if missing:
        pytest.skip(f"not in cornu.layers yet: {missing}")


def _inputs(ref):
    xs = [ref[f"x{i}"] for i in range(10) if f"x{i}" in ref.files]
    return xs if len(xs) > 1 else xs[0]


def _check_predictions(model, ref):
    out = as_list(model.predict(_inputs(ref), verbose=0))
    expected = [ref[f"y{i}"] for i in range(10) if f"y{i}" in ref.files]
    assert len(out) == len(expected)
    for got, want in zip(out, expected):
        np.testing.assert_allclose(got, want, atol=1e-5)


def _fixture(name):
    return os.path.join(FIXTURES, name)


@pytest.mark.parametrize("name", sorted(NEEDS))
@pytest.mark.parametrize("fmt", ["k3_keras", "k3_h5", "tf2_h5"])
def test_keras_saved_model_loads_with_keras_predictions(name, fmt):
    _needs(name)
    prefix, ext = fmt.split("_")
    ref = np.load(_fixture(f"{prefix}_{name}.npz"))
    model = keras.models.load_model(_fixture(f"{prefix}_{name}.{ext}"))
    _check_predictions(model, ref)


@pytest.mark.parametrize("name", sorted(NEEDS))
@pytest.mark.parametrize("fmt", ["k3_weights", "tf2_weights"])
def test_keras_saved_weights_load_into_the_same_architecture(name, fmt):
    _needs(name)
    prefix = fmt.split("_")[0]
    ref = np.load(_fixture(f"{prefix}_{name}.npz"))
    source = _fixture(f"{prefix}_{name}.keras" if prefix == "k3" else f"{prefix}_{name}.h5")
    fresh = keras.models.clone_model(keras.models.load_model(source, compile=False))
    weights = (_fixture(f"k3_{name}.weights.h5") if prefix == "k3"
               else _fixture(f"tf2_{name}_weights.h5"))
    fresh.load_weights(weights)
    _check_predictions(fresh, ref)
    if prefix == "tf2":  # Keras 2 weight files also load by layer name
        by_name = keras.models.clone_model(fresh)
        by_name.load_weights(weights, by_name=True)
        _check_predictions(by_name, ref)


@pytest.mark.parametrize("path", ["k3_compiled_adam.keras", "k3_compiled_adam.h5",
                                  "tf2_compiled_adam.h5"])
def test_keras_compile_state_and_adam_slots_resume_exactly(path):
    _needs("compiled_adam")
    ref = np.load(_fixture(path.split(".")[0] + ".npz"))
    model = keras.models.load_model(_fixture(path))
    x, y = ref["x0"], ref["y_true"]
    # Evaluates as Keras did, without compile; then one more step matches Keras's step.
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), ref["evaluate"], atol=1e-5)
    model.train_on_batch(x[:8], y[:8])
    for i, weight in enumerate(model.get_weights()):
        np.testing.assert_allclose(weight, ref[f"next_{i}"], atol=1e-5)


# ---------------------------------------------------------------- cornu -> Keras 3

CORNU_FIXTURES = ["cornu_functional", "cornu_sequential_rnn", "cornu_conv_bn",
                  "cornu_attention"]


def _h5_layout(archive_path):
    """Dataset paths and shapes of the weights file, and the config's class names."""
    with zipfile.ZipFile(archive_path) as archive:
        h5 = h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r")
        layout = {}
        h5.visititems(lambda n, o: layout.__setitem__(n, o.shape) if isinstance(
            o, h5py.Dataset) else None)
        config = json.loads(archive.read("config.json"))
    classes = []

    def walk(value):
        if isinstance(value, dict):
            if "class_name" in value and "module" in value:
                classes.append((value.get("module"), value["class_name"]))
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
    walk(config)
    return layout, sorted(map(str, classes))


@pytest.mark.parametrize("name", CORNU_FIXTURES)
def test_committed_cornu_files_keep_the_layout_keras_loaded(name, tmp_path):
    """The committed ``cornu_*.keras`` files were loaded by real Keras 3 (its predictions
    are in ``cornu_*.npz``). cornu still reads them, and still writes the same layout."""
    sys.path.insert(0, FIXTURES)
    try:
        import make_cornu_fixtures as maker
    finally:
        sys.path.remove(FIXTURES)
    ref = np.load(_fixture(f"{name}.npz"))
    committed = _fixture(f"{name}.keras")
    model = keras.models.load_model(committed)
    np.testing.assert_allclose(as_list(model.predict(_inputs(ref), verbose=0))[0],
                               ref["keras_y0"], atol=1e-5)
    keras.backend.clear_session()
    rebuilt, _ = maker.BUILDERS[name]()
    rebuilt.save(tmp_path / "now.keras")
    assert _h5_layout(tmp_path / "now.keras") == _h5_layout(committed)


@pytest.mark.skipif(not os.path.exists(KERAS3_PYTHON), reason="real Keras 3 not installed")
def test_cornu_saved_files_load_in_real_keras(tmp_path):
    sys.path.insert(0, FIXTURES)
    try:
        import make_cornu_fixtures as maker
    finally:
        sys.path.remove(FIXTURES)
    for name in CORNU_FIXTURES:
        keras.backend.clear_session()
        model, x = maker.BUILDERS[name]()
        model.save(tmp_path / f"{name}.keras")
        np.savez(tmp_path / f"{name}.npz", x0=x, y0=as_list(model.predict(x, verbose=0))[0])
    script = (
        "import os, sys, numpy as np\n"
        "os.environ['KERAS_BACKEND'] = 'torch'\n"
        "import keras\n"
        "for name in sys.argv[2:]:\n"
        "    m = keras.models.load_model(os.path.join(sys.argv[1], name + '.keras'))\n"
        "    d = np.load(os.path.join(sys.argv[1], name + '.npz'))\n"
        "    err = np.abs(m.predict(d['x0'], verbose=0) - d['y0']).max()\n"
        "    assert err < 1e-5, (name, err)\n"
        "    assert m.optimizer is not None, name\n"
        "print('ok')\n")
    result = subprocess.run([KERAS3_PYTHON, "-c", script, str(tmp_path), *CORNU_FIXTURES],
                            capture_output=True, text=True, timeout=300,
                            env={**os.environ, "KERAS_BACKEND": "torch"})
    assert result.returncode == 0 and "ok" in result.stdout, result.stderr[-3000:]
