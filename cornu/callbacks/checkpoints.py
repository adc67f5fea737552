"""Checkpoints: ModelCheckpoint (save the model as it trains) and BackupAndRestore
(resume a killed run from its last completed epoch, exactly)."""
import json
import os
import re
import shutil
import warnings
import zipfile

import numpy as np

from cornu import backend
from cornu.callbacks.callback import Callback
from cornu.callbacks.monitor import Monitor


class ModelCheckpoint(Callback):
    """Save the model (or its weights) after each epoch or every ``save_freq`` batches.

    Args:
        filepath: where to save; may hold ``{epoch:02d}`` and any logged value, e.g.
            ``"model-{epoch:02d}-{val_loss:.2f}.keras"``. It must end in ``.keras``
            (``.weights.h5`` with ``save_weights_only``; ``.h5`` is the legacy format).
        monitor: the quantity that decides what is "best".
        save_best_only: save only when ``monitor`` improved.
        save_weights_only: save weights, not the whole model.
        mode: ``"auto"``, ``"min"`` or ``"max"``.
        save_freq: ``"epoch"`` or a number of batches.
        initial_value_threshold: the value ``monitor`` must beat to be saved the first time.
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None, **kwargs):
        super().__init__()
        if "period" in kwargs:  # Keras 2
            warnings.warn("`period` is a Keras 2 argument of ModelCheckpoint; use "
                          "`save_freq` (in batches) instead.", DeprecationWarning, stacklevel=2)
            self._period = int(kwargs.pop("period"))
        else:
            self._period = 1
        if kwargs:
            from cornu.layers.layer import unknown_argument_error
            raise unknown_argument_error("ModelCheckpoint()", next(iter(kwargs)), [
                "filepath", "monitor", "verbose", "save_best_only", "save_weights_only",
                "mode", "save_freq", "initial_value_threshold"])
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self._watch = Monitor("ModelCheckpoint", monitor, mode)
        self.best = initial_value_threshold
        self._batches = 0
        if save_freq != "epoch" and not (isinstance(save_freq, int) and save_freq > 0):
            raise ValueError(f"ModelCheckpoint: save_freq must be 'epoch' or a positive "
                             f"integer; received {save_freq!r}.")
        ok = (".weights.h5", ".h5") if save_weights_only else (".keras", ".h5")
        if not self.filepath.endswith(ok):
            raise ValueError(
                f"ModelCheckpoint: with save_weights_only={save_weights_only}, the filepath "
                f"must end in {' or '.join(ok)}; received filepath={self.filepath!r}.")
        if save_freq != "epoch":
            self.on_train_batch_end = self._on_batch

    def _on_batch(self, batch, logs=None):
        self._batches += 1
        if self._batches % self.save_freq == 0:
            self._save(self._epoch, batch, logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch" and (epoch + 1) % self._period == 0:
            self._save(epoch, None, logs)

    def _save(self, epoch, batch, logs):
        logs = dict(logs or {})
        path = self._format(epoch, batch, logs)
        if self.save_best_only:
            current = self._watch.get(logs)
            if current is None or not self._watch.improved(current, self.best):
                if self.verbose > 0 and current is not None:
                    print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from "
                          f"{self.best:.5f}")
                return
            if self.verbose > 0:
                previous = "inf" if self.best is None else f"{self.best:.5f}"
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {previous} to "
                      f"{current:.5f}, saving model to {path}")
            self.best = current
        elif self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: saving model to {path}")
        if self.save_weights_only:
            self.model.save_weights(path, overwrite=True)
        else:
            self.model.save(path, overwrite=True)

    def _format(self, epoch, batch, logs):
        names = set(re.findall(r"{(\w+)", self.filepath)) - {"epoch", "batch"}
        missing = sorted(n for n in names if n not in logs)
        if missing:
            raise KeyError(
                f"ModelCheckpoint: the filepath {self.filepath!r} names {missing}, which are "
                f"not in the logs. Available: {['epoch', 'batch'] + sorted(logs)}.")
        return self.filepath.format(epoch=epoch + 1, batch=batch, **logs)


class BackupAndRestore(Callback):
    """Back up the training state at the end of each epoch (or every ``save_freq``
    batches); a run that dies (even killed with SIGKILL) and is started again resumes
    with the same weights, optimizer state and random state, so with epoch backups it
    ends as an uninterrupted run.

    Args:
        backup_dir: the folder for the backup (one per training run).
        save_freq: ``"epoch"``, or an int: back up every that many batches. A run
            resumed from a backup made mid-epoch starts that epoch again with the
            backed-up weights, as Keras does.
        double_checkpoint: also keep the previous backup (``backup.npz.bkp``), and
            restore from it when the latest one is damaged (twice the disk space).
        delete_checkpoint: remove the backup when training completes.

    A damaged backup without a usable previous one stops ``fit`` with a ValueError
    naming the file: delete it to start training from scratch. cornu stores the state
    in ``backup.npz`` (Keras: ``latest.weights.h5`` and ``training_metadata.json``).
    """

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False,
                 delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("BackupAndRestore needs a `backup_dir`; received "
                             f"backup_dir={backup_dir!r}.")
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(
                save_freq, int) or save_freq <= 0):
            raise ValueError("BackupAndRestore: `save_freq` must be 'epoch' or a positive "
                             f"number of batches; received save_freq={save_freq!r}.")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = bool(double_checkpoint)
        self.delete_checkpoint = delete_checkpoint
        self._path = os.path.join(self.backup_dir, "backup.npz")
        self._previous_path = self._path + ".bkp"
        self._epoch = 0
        self._batches_since_save = 0
        if save_freq != "epoch":  # only then a batch hook (which reads the logs)
            self.on_train_batch_end = self._count_batch

    def on_train_begin(self, logs=None):
        candidates = [p for p in (self._path, self._previous_path)
                      if os.path.exists(p) and (p == self._path or self.double_checkpoint)]
        if not candidates:
            return
        if not self.model.built:
            raise ValueError("BackupAndRestore can only restore a model that is built: give "
                             "it an input shape (`cornu.Input`) before calling fit.")
        damaged = []
        for path in candidates:
            try:
                state = _read_backup(path)
            except ValueError as e:
                damaged.append(f"{path} ({e})")
                continue
            if damaged:
                warnings.warn(f"BackupAndRestore: the latest backup is damaged: "
                              f"{damaged[0]}; resuming from the previous backup {path}.",
                              stacklevel=2)
            self._restore(state)
            return
        raise ValueError(
            f"BackupAndRestore cannot resume: the backup {' and '.join(damaged)} is damaged. "
            f"Delete {self._path if len(damaged) == 1 else 'these files'} (or the folder "
            f"{self.backup_dir}) to restart training from scratch.")

    def _restore(self, state):
        meta = state.pop("meta")
        weights = [state[f"w{i}"] for i in range(meta["weights"])]
        self.model.set_weights(weights)
        optimizer = self.model.optimizer
        optimizer.build(self.model.trainable_weights)
        for i, v in enumerate(optimizer.variables):
            v.assign(state[f"o{i}"])
        backend.random.set_rng_state({k[4:]: v for k, v in state.items()
                                      if k.startswith("rng_")})
        self.model._initial_epoch = meta["epoch"] + 1

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def _count_batch(self, batch, logs=None):
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._epoch - 1)  # resume by starting this epoch again

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch)

    def _save(self, completed_epoch):
        from cornu.saving.atomic import atomic_write
        arrays = {f"w{i}": w for i, w in enumerate(self.model.get_weights())}
        variables = self.model.optimizer.variables if self.model.optimizer.built else []
        arrays.update({f"o{i}": v.numpy() for i, v in enumerate(variables)})
        arrays.update({f"rng_{k}": v for k, v in backend.random.get_rng_state().items()})
        arrays["meta"] = np.asarray(json.dumps({"epoch": completed_epoch, "weights": len(
            self.model.weights), "optimizer": len(variables)}))
        if self.double_checkpoint and os.path.exists(self._path):
            with atomic_write(self._previous_path) as tmp:
                shutil.copyfile(self._path, tmp)
        with atomic_write(self._path) as tmp:
            with open(tmp, "wb") as f:
                np.savez(f, **arrays)

    def on_train_end(self, logs=None):
        if self.delete_checkpoint:
            for path in (self._path, self._previous_path):
                if os.path.exists(path):
                    os.remove(path)


def _read_backup(path):
    """The arrays of a backup file, with ``meta`` parsed; any damage is a ValueError."""
    try:
        with np.load(path, allow_pickle=False) as data:
            state = {k: data[k] for k in data.files}
        meta = json.loads(str(state.pop("meta")))
        state["meta"] = meta
        missing = [k for k in [f"w{i}" for i in range(meta["weights"])] +
                   [f"o{i}" for i in range(meta.get("optimizer", 0))] if k not in state]
        if missing:
            raise KeyError(f"missing arrays {missing[:5]}")
        return state
    except (OSError, EOFError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as e:
        raise ValueError(f"{type(e).__name__}: {e}") from e
