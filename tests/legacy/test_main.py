"""python -m cornu run: Keras programs with their keras / tensorflow.keras imports."""
import sys

import pytest

from cornu import __main__ as cli
from cornu.legacy import keras_imports

PROGRAM = """
import sys
import keras
from keras.layers import Dense
from tensorflow.keras import layers
from tensorflow.python.keras.utils import np_utils
import tensorflow as tf
assert keras.layers is tf.keras.layers is layers
model = keras.Sequential([keras.Input((3,)), Dense(2)])
RESULT["argv"] = sys.argv
RESULT["model"] = type(model).__module__
RESULT["onehot"] = np_utils.to_categorical([1], 2).tolist()
RESULT["name"] = __name__
"""


@pytest.fixture
def clean_imports():
    before = set(sys.modules)
    yield
    keras_imports.uninstall()
    for name in set(sys.modules) - before:
        if name.split(".")[0] in ("keras", "tensorflow") or name == "tensorboard.compat.notf":
            del sys.modules[name]


def test_run_program_in_process(tmp_path, clean_imports, monkeypatch):
    import builtins
    result = {}
    monkeypatch.setattr(builtins, "RESULT", result, raising=False)
    program = tmp_path / "prog.py"
    program.write_text(PROGRAM)
    monkeypatch.setattr(sys, "argv", ["cornu"])
    monkeypatch.setattr(sys, "path", list(sys.path))
    with pytest.warns(DeprecationWarning, match="np_utils"):
        assert cli.main(["run", str(program), "--flag", "7"]) == 0
    assert result == {"argv": [str(program), "--flag", "7"], "model": "cornu.models.sequential",
                      "onehot": [[0.0, 1.0]], "name": "__main__"}


def test_tensorflow_stand_in_explains_missing_names(clean_imports):
    try:
        import tensorflow  # noqa: F401
        pytest.skip("TensorFlow is installed")
    except ImportError:
        pass
    keras_imports.install()
    import tensorflow as tf
    with pytest.raises(AttributeError, match="TensorFlow is not installed"):
        tf.constant
    assert "tensorboard.compat.notf" in sys.modules


def test_usage_errors(capsys, tmp_path):
    assert cli.main([]) == 2
    assert cli.main(["train", "x.py"]) == 2
    assert cli.main(["run", str(tmp_path / "missing.py")]) == 2
    assert "usage" in capsys.readouterr().out


TF_DATA_PROGRAM = """
import numpy as np
import tensorflow as tf
import keras
x = np.arange(48, dtype="float32").reshape(12, 4) / 48
y = (x.sum(axis=1) > 1).astype("int32")
ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(12, seed=1).batch(4)
ds = ds.map(lambda a, b: (a * 2, b)).prefetch(tf.data.AUTOTUNE)
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
model.compile("adam", "sparse_categorical_crossentropy")
RESULT["epochs"] = len(model.fit(ds, epochs=2, verbose=0).history["loss"])
RESULT["batches"] = [tuple(b.shape) for b, _ in ds.as_numpy_iterator()]
RESULT["constants"] = (tf.data.AUTOTUNE, tf.data.experimental.AUTOTUNE,
                       tf.data.INFINITE_CARDINALITY)
"""


def test_tf_data_pipelines_run_without_tensorflow(tmp_path, clean_imports, monkeypatch):
    try:
        import tensorflow  # noqa: F401
        pytest.skip("TensorFlow is installed")
    except ImportError:
        pass
    import builtins
    result = {}
    monkeypatch.setattr(builtins, "RESULT", result, raising=False)
    program = tmp_path / "prog.py"
    program.write_text(TF_DATA_PROGRAM)
    monkeypatch.setattr(sys, "argv", ["cornu"])
    monkeypatch.setattr(sys, "path", list(sys.path))
    assert cli.main(["run", str(program)]) == 0
    assert result == {"epochs": 2, "batches": [(4, 4)] * 3, "constants": (-1, -1, -1)}
    import tensorflow as tf
    with pytest.raises(AttributeError, match="TensorFlow is not installed"):
        tf.data.TFRecordDataset
