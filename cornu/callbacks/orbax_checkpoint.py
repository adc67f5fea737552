"""OrbaxCheckpoint (``keras.callbacks.OrbaxCheckpoint``): not available in cornu."""
import importlib.util

from cornu import backend
from cornu.callbacks.callback import Callback


class OrbaxCheckpoint(Callback):
    """Keras's checkpoint callback through the Orbax library (``orbax-checkpoint``, a
    JAX-ecosystem package): asynchronous, multi-host saves of the model's state.

    Difference from Keras: cornu does not implement Orbax checkpointing. The class
    exists with Keras's signature so that programs import, and constructing it raises
    an error that says what to use: ``ModelCheckpoint`` (``.keras`` or
    ``.weights.h5`` files, readable by Keras too) or ``BackupAndRestore`` to resume an
    interrupted run. The error is an ImportError when the ``orbax`` package is not
    installed (what Keras raises then), a NotImplementedError otherwise.

    Args:
        directory: Where Keras would save the checkpoints.
        monitor: The quantity ``save_best_only`` compares. Defaults to "val_loss".
        verbose: 0 or 1.
        save_best_only: Save only when ``monitor`` improved.
        mode: "auto", "min" or "max".
        save_freq: "epoch" or a number of batches.
        initial_value_threshold: The value ``monitor`` must beat to be saved first.
        max_to_keep: How many recent checkpoints to keep. Defaults to 1.
        save_on_background: Save asynchronously. Defaults to True.
        save_weights_only: Save only the weights.

    Raises:
        ImportError: Always without ``orbax``; NotImplementedError with it.

    Example:

    ```python
    # instead of OrbaxCheckpoint(directory="/tmp/ckpt", monitor="val_loss"):
    cornu.callbacks.ModelCheckpoint("/tmp/ckpt/model.keras", monitor="val_loss")
    ```
    """

    def __init__(self, directory, monitor="val_loss", verbose=0, save_best_only=False,
                 mode="auto", save_freq="epoch", initial_value_threshold=None, max_to_keep=1,
                 save_on_background=True, save_weights_only=False):
        super().__init__()
        target = "model.weights.h5" if save_weights_only else "model.keras"
        advice = (
            f"Use `keras.callbacks.ModelCheckpoint(filepath={directory!r} + '/{target}', "
            f"monitor={monitor!r}, save_best_only={save_best_only}, "
            f"save_weights_only={save_weights_only}, mode={mode!r}, "
            f"save_freq={save_freq!r})` instead (or `BackupAndRestore` to resume an "
            "interrupted run).")
        if importlib.util.find_spec("orbax") is None:
            raise ImportError(
                "OrbaxCheckpoint needs the `orbax-checkpoint` package and the JAX backend, "
                f"and cornu does not implement it (current backend: {backend.backend()}). "
                + advice)
        raise NotImplementedError(
            "OrbaxCheckpoint (Orbax checkpointing, for the JAX backend) is not implemented "
            f"in cornu (current backend: {backend.backend()}). " + advice)
