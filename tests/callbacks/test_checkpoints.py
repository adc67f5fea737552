"""ModelCheckpoint and BackupAndRestore (a SIGKILLed run resumes to the same weights)."""
import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import cornu as keras
from cornu import callbacks, layers


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    return x, x @ rng.normal(size=(4, 1)).astype("float32")


def _model():
    model = keras.Sequential([keras.Input((4,)), layers.Dense(8, activation="relu"),
                              layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return model


def test_model_checkpoint_names_files_from_logs_and_saves_best(tmp_path):
    x, y = _data()
    model = _model()
    pattern = str(tmp_path / "m-{epoch:02d}-{val_loss:.2f}.keras")
    model.fit(x, y, epochs=3, verbose=0, validation_data=(x, y),
              callbacks=[callbacks.ModelCheckpoint(pattern)])
    names = sorted(os.listdir(tmp_path))
    assert len(names) == 3 and names[0].startswith("m-01-") and names[2].startswith("m-03-")
    best = tmp_path / "best.weights.h5"
    cb = callbacks.ModelCheckpoint(best, monitor="val_loss", save_best_only=True,
                                   save_weights_only=True)
    model.fit(x, y, epochs=2, verbose=0, validation_data=(x, y), callbacks=[cb])
    again = _model()
    again.load_weights(best)
    assert cb.best is not None and best.exists()
    np.testing.assert_allclose(again.evaluate(x, y, verbose=0), cb.best, rtol=1e-5)
    loaded = keras.models.load_model(tmp_path / names[2])
    assert loaded.count_params() == model.count_params()


def test_model_checkpoint_errors_and_batch_frequency(tmp_path):
    with pytest.raises(ValueError, match=".keras"):
        callbacks.ModelCheckpoint(str(tmp_path / "model"))
    x, y = _data()
    cb = callbacks.ModelCheckpoint(str(tmp_path / "b{batch}.keras"), save_freq=3)
    _model().fit(x, y, batch_size=16, epochs=2, verbose=0, callbacks=[cb])
    assert sorted(os.listdir(tmp_path)) == ["b1.keras", "b2.keras"]
    with pytest.raises(KeyError, match="val_acc"):
        _model().fit(x, y, epochs=1, verbose=0, callbacks=[callbacks.ModelCheckpoint(
            str(tmp_path / "{val_acc}.keras"))])


SCRIPT = textwrap.dedent("""
    import os, signal, sys
    import numpy as np
    import cornu as keras
    from cornu import layers
    keras.utils.set_random_seed(7)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 4)).astype("float32")
    y = x @ rng.normal(size=(4, 1)).astype("float32")
    model = keras.Sequential([keras.Input((4,)), layers.Dense(16, activation="relu"),
                              layers.Dropout(0.3), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")

    class Killer(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if os.environ.get("KILL_AT") == f"{self.epoch}:{batch}":
                os.kill(os.getpid(), signal.SIGKILL)

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

    backup = keras.callbacks.BackupAndRestore(sys.argv[1])
    model.fit(x, y, epochs=5, batch_size=16, verbose=0, callbacks=[backup, Killer()])
    np.save(sys.argv[2], np.concatenate([w.ravel() for w in model.get_weights()]))
""")


def test_backup_and_restore_survives_sigkill(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, PYTHONPATH=root)

    def run(backup, out, kill=None):
        e = dict(env, KILL_AT=kill) if kill else env
        return subprocess.run([sys.executable, str(script), str(backup), str(out)], env=e,
                              capture_output=True, text=True, timeout=300)

    plain = run(tmp_path / "b1", tmp_path / "plain.npy")
    assert plain.returncode == 0, plain.stderr
    killed = run(tmp_path / "b2", tmp_path / "resumed.npy", kill="2:3")
    assert killed.returncode == -signal.SIGKILL
    assert (tmp_path / "b2" / "backup.npz").exists()
    resumed = run(tmp_path / "b2", tmp_path / "resumed.npy")
    assert resumed.returncode == 0, resumed.stderr
    np.testing.assert_array_equal(np.load(tmp_path / "plain.npy"),
                                  np.load(tmp_path / "resumed.npy"))
    assert not (tmp_path / "b2" / "backup.npz").exists()  # deleted after completion


# ----------------------------------------------------------------- OrbaxCheckpoint

def test_orbax_checkpoint_has_keras_signature_and_says_what_to_use(monkeypatch):
    import importlib.util
    import inspect

    from cornu.callbacks import OrbaxCheckpoint
    params = list(inspect.signature(OrbaxCheckpoint).parameters)
    assert params == ["directory", "monitor", "verbose", "save_best_only", "mode", "save_freq",
                      "initial_value_threshold", "max_to_keep", "save_on_background",
                      "save_weights_only"]
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    with pytest.raises(ImportError, match="orbax.*JAX backend.*ModelCheckpoint") as info:
        OrbaxCheckpoint("/tmp/ckpt", monitor="val_acc", save_best_only=True)
    assert "'/tmp/ckpt' + '/model.keras'" in str(info.value)
    assert "monitor='val_acc'" in str(info.value)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: object())
    with pytest.raises(NotImplementedError, match="not implemented in cornu.*ModelCheckpoint"):
        OrbaxCheckpoint("/tmp/ckpt", save_weights_only=True)
