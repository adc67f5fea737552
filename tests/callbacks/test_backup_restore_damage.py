"""BackupAndRestore with damaged backups, save_freq in batches and double_checkpoint
(issue #16)."""
import os

import numpy as np
import pytest

import cornu as keras
from cornu import layers

RNG = np.random.default_rng(0)
X = RNG.normal(size=(64, 4)).astype("float32")
Y = (X @ RNG.normal(size=(4, 1))).astype("float32")


def _model():
    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input((4,)), layers.Dense(8, activation="relu"),
                              layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return model


class _StopAfter(keras.callbacks.Callback):
    """Raise after ``epochs`` epochs, as a crash would."""

    def __init__(self, epochs):
        super().__init__()
        self.epochs = epochs

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.epochs:
            raise KeyboardInterrupt("crash")


def _crash_after(folder, epochs, **kwargs):
    model = _model()
    backup = keras.callbacks.BackupAndRestore(folder, **kwargs)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, Y, epochs=5, batch_size=16, verbose=0,
                  callbacks=[backup, _StopAfter(epochs)])
    return model


class _Epochs(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seen = []

    def on_epoch_begin(self, epoch, logs=None):
        self.seen.append(epoch)


@pytest.mark.parametrize("damage", [b"", b"not a zip at all", "truncate"])
def test_damaged_backup_names_the_file_and_how_to_restart(tmp_path, damage):
    _crash_after(tmp_path, 2)
    path = tmp_path / "backup.npz"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] if damage == "truncate" else damage)
    with pytest.raises(ValueError, match=r"backup .*backup\.npz .*is damaged.*Delete "
                       r".*backup\.npz.*restart training from scratch"):
        _model().fit(X, Y, epochs=5, verbose=0,
                     callbacks=[keras.callbacks.BackupAndRestore(tmp_path)])
    os.remove(path)  # as the message says: the next run starts from scratch
    epochs = _Epochs()
    _model().fit(X, Y, epochs=2, verbose=0,
                 callbacks=[keras.callbacks.BackupAndRestore(tmp_path), epochs])
    assert epochs.seen == [0, 1]


def test_double_checkpoint_falls_back_to_the_previous_backup(tmp_path):
    crashed = _crash_after(tmp_path, 3, double_checkpoint=True)
    latest, previous = tmp_path / "backup.npz", tmp_path / "backup.npz.bkp"
    assert latest.exists() and previous.exists()
    latest.write_bytes(b"garbage")
    epochs = _Epochs()
    model = _model()
    with pytest.warns(UserWarning, match=r"latest backup is damaged.*previous backup"):
        model.fit(X, Y, epochs=3, batch_size=16, verbose=0,
                  callbacks=[keras.callbacks.BackupAndRestore(
                      tmp_path, double_checkpoint=True), epochs])
    assert epochs.seen == [2]  # the previous backup was made after epoch 2 (index 1)
    assert not latest.exists() and not previous.exists()  # deleted on completion
    assert crashed is not model


def test_double_checkpoint_restores_the_previous_weights(tmp_path):
    class Record(keras.callbacks.Callback):
        weights = []

        def on_epoch_end(self, epoch, logs=None):
            self.weights.append([w.copy() for w in self.model.get_weights()])
    record = Record()
    model = _model()
    backup = keras.callbacks.BackupAndRestore(tmp_path, double_checkpoint=True,
                                              delete_checkpoint=False)
    model.fit(X, Y, epochs=3, batch_size=16, verbose=0, callbacks=[backup, record])
    (tmp_path / "backup.npz").write_bytes(b"")
    restored = _model()
    with pytest.warns(UserWarning):
        restored.fit(X, Y, epochs=2, verbose=0,
                     callbacks=[keras.callbacks.BackupAndRestore(tmp_path,
                                                                 double_checkpoint=True)])
    # epochs=2 and the previous backup is after epoch index 1: nothing left to train.
    for a, b in zip(restored.get_weights(), record.weights[1]):
        np.testing.assert_array_equal(a, b)


def test_without_double_checkpoint_no_previous_file_is_kept(tmp_path):
    _crash_after(tmp_path, 3)
    assert sorted(os.listdir(tmp_path)) == ["backup.npz"]


def test_both_backups_damaged_names_both(tmp_path):
    _crash_after(tmp_path, 3, double_checkpoint=True)
    (tmp_path / "backup.npz").write_bytes(b"x")
    (tmp_path / "backup.npz.bkp").write_bytes(b"y")
    with pytest.raises(ValueError, match=r"backup\.npz .* and .*backup\.npz\.bkp .*Delete "
                       "these files"):
        _model().fit(X, Y, epochs=5, verbose=0, callbacks=[
            keras.callbacks.BackupAndRestore(tmp_path, double_checkpoint=True)])


def test_save_freq_in_batches(tmp_path):
    model = _model()
    backup = keras.callbacks.BackupAndRestore(tmp_path, save_freq=3, delete_checkpoint=False)

    class Crash(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if self.epoch == 1 and batch == 3:  # after the 8th batch overall
                raise KeyboardInterrupt

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, Y, epochs=3, batch_size=16, verbose=0, callbacks=[backup, Crash()])
    assert (tmp_path / "backup.npz").exists()
    # The last backup came after batch 6 (the 2nd batch of epoch 1): resuming starts
    # epoch 1 again from those weights, as Keras does.
    epochs = _Epochs()
    _model().fit(X, Y, epochs=3, batch_size=16, verbose=0, callbacks=[
        keras.callbacks.BackupAndRestore(tmp_path, save_freq=3), epochs])
    assert epochs.seen == [1, 2]


@pytest.mark.parametrize("save_freq", [0, -2, 2.5, "batch", True])
def test_bad_save_freq_is_named(tmp_path, save_freq):
    with pytest.raises(ValueError, match=rf"`save_freq` must be 'epoch' or a positive "
                       rf"number of batches; received save_freq={save_freq!r}"):
        keras.callbacks.BackupAndRestore(tmp_path, save_freq=save_freq)
