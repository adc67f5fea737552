"""``save_model`` / ``load_model`` / ``save_weights`` / ``load_weights``: pick the
format from the file name, as Keras 3 does.

- ``.keras``: the whole model (``keras_archive``);
- ``.weights.h5``: weights by object path (``h5_weights``);
- ``.h5`` / ``.hdf5``: the legacy HDF5 format (``legacy_h5``).
"""
import os

from cornu.saving.errors import CorruptFileError, LoadingError

_MODEL_EXTENSIONS = "`.keras` (recommended) or `.h5`"


def _path(filepath):
    try:
        return os.fspath(filepath)
    except TypeError:
        raise TypeError(f"Expected a file path (str or os.PathLike); received "
                        f"{type(filepath).__name__}.") from None


def _confirm_overwrite(filepath, overwrite):
    if overwrite or not os.path.exists(filepath):
        return True
    answer = input(f"[WARNING] {filepath} already exists - overwrite? [y/n] ").strip().lower()
    while answer not in ("y", "n"):
        answer = input('Enter "y" (overwrite) or "n" (cancel). ').strip().lower()
    return answer == "y"


def save_model(model, filepath, overwrite=True, zipped=None, **kwargs):
    """Save ``model`` to ``filepath``: a ``.keras`` archive, or legacy ``.h5``.

    Args:
        model: the model to save.
        filepath: a path ending in ``.keras`` or ``.h5``; missing folders are made.
        overwrite: whether to replace an existing file without asking.
        include_optimizer: (``.h5`` only) whether to save the optimizer state.

    The write is atomic: an interrupted save leaves any previous file intact.
    """
    filepath = _path(filepath)
    include_optimizer = kwargs.pop("include_optimizer", True)
    kwargs.pop("save_format", None)
    if kwargs:
        raise TypeError(f"save_model() got unexpected keyword arguments {sorted(kwargs)}.")
    lower = filepath.lower()
    if lower.endswith(".weights.h5"):
        raise ValueError(
            f"The filepath {filepath!r} ends in `.weights.h5`, which holds weights only: use "
            "`model.save_weights()` for it, or end the path in `.keras` to save the whole "
            "model.")
    if not lower.endswith((".keras", ".h5", ".hdf5")):
        raise ValueError(
            f"Invalid filepath extension for saving: {filepath!r}. Please add either a "
            f"{_MODEL_EXTENSIONS} extension to the path, e.g. `model.save('model.keras')`. "
            "(SavedModel folders are not a cornu format; for weights only use "
            "`model.save_weights('model.weights.h5')`.)")
    if not _confirm_overwrite(filepath, overwrite):
        return
    if lower.endswith(".keras"):
        from cornu.saving import keras_archive
        keras_archive.save_model(model, filepath)
    else:
        from cornu.saving import legacy_h5
        legacy_h5.save_model(model, filepath, include_optimizer=include_optimizer)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Load a model saved with ``save_model`` (by cornu, Keras 3, or Keras 2 for ``.h5``).

    Args:
        filepath: a ``.keras`` or ``.h5`` file.
        custom_objects: a dict of name -> class or function, for classes that were not
            registered with ``register_keras_serializable``.
        compile: whether to restore the compile state (optimizer with its variables,
            losses, metrics) so the model evaluates and trains on without ``compile``.
        safe_mode: refuse configs that hold code (a ``Lambda`` of a Python lambda).

    Raises:
        ValueError: for a path of another format. Damaged or hostile files raise
            ``cornu.saving.CorruptFileError`` or ``UnsafeFileError``, unknown classes
            ``UnknownObjectError``; all are ``ValueError`` subclasses.
    """
    filepath = _path(filepath)
    lower = filepath.lower()
    if lower.endswith(".weights.h5"):
        raise ValueError(f"{filepath!r} holds weights only: build the model, then call "
                         "`model.load_weights()` on it.")
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No file or directory found at {filepath!r}.")
    if os.path.isdir(filepath):
        raise ValueError(f"{filepath!r} is a folder (a TensorFlow SavedModel?). cornu "
                         f"loads {_MODEL_EXTENSIONS} files.")
    from cornu.saving import safety
    if lower.endswith(".keras") or _is_zip(filepath):
        from cornu.saving import keras_archive
        with safety.reading(repr(filepath)):  # a backstop: any reader failure is corrupt
            return keras_archive.load_model(filepath, custom_objects, compile, safe_mode)
    if lower.endswith((".h5", ".hdf5")) or _is_hdf5(filepath):
        from cornu.saving import legacy_h5
        with safety.reading(repr(filepath)):
            return legacy_h5.load_model(filepath, custom_objects, compile, safe_mode)
    raise ValueError(f"File format not supported: {filepath!r}. cornu loads "
                     f"{_MODEL_EXTENSIONS} files.")


def save_weights(model, filepath, overwrite=True):
    """Save ``model``'s weights to a ``.weights.h5`` file (atomically).

    Legacy ``.h5`` weight files can still be written by naming the path ``.h5``."""
    filepath = _path(filepath)
    lower = filepath.lower()
    if not lower.endswith((".weights.h5", ".h5", ".hdf5")):
        raise ValueError(
            f"The filename must end in `.weights.h5` for `save_weights()`; received "
            f"{filepath!r}. (To save the whole model, use `model.save('model.keras')`.)")
    if not _confirm_overwrite(filepath, overwrite):
        return
    if lower.endswith(".weights.h5"):
        from cornu.saving import h5_weights
        h5_weights.save_weights(model, filepath)
    else:
        from cornu.saving import legacy_h5
        legacy_h5.save_weights(model, filepath)


def load_weights(model, filepath, skip_mismatch=False, by_name=False, **kwargs):
    """Load weights into ``model`` from ``.weights.h5``, ``.keras`` or legacy ``.h5``.

    Args:
        skip_mismatch: warn and skip the layers whose weights don't fit, instead of
            raising.
        by_name: (legacy ``.h5`` only) match layers by name instead of by order.
    """
    if kwargs:
        raise TypeError(f"load_weights() got unexpected keyword arguments {sorted(kwargs)}.")
    filepath = _path(filepath)
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No file found at {filepath!r}.")
    from cornu.saving import safety
    with safety.reading(repr(filepath)):  # a backstop: any reader failure is corrupt
        _load_weights(model, filepath, skip_mismatch, by_name)


def _load_weights(model, filepath, skip_mismatch, by_name):
    lower = filepath.lower()
    if lower.endswith(".keras"):
        if by_name:
            raise LoadingError("`by_name=True` works with legacy `.h5` files only.")
        from cornu.saving import h5_weights, keras_archive, safety
        what = f"'{filepath}'"
        with keras_archive.AssetsFolder() as assets:
            archive = safety.open_zip(filepath, what)
            try:
                data = safety.read_member(archive, keras_archive.WEIGHTS, what)
                assets.extract(archive, what)
            finally:
                archive.close()
            h5_weights.load_weights(model, data, skip_mismatch=skip_mismatch,
                                    what=f"{keras_archive.WEIGHTS} of {what}")
            assets.restore(model)
        return
    if lower.endswith(".weights.h5") and not by_name and _is_path_layout(filepath):
        from cornu.saving import h5_weights
        h5_weights.load_weights(model, filepath, skip_mismatch=skip_mismatch)
        return
    if lower.endswith((".h5", ".hdf5")):
        from cornu.saving import legacy_h5
        legacy_h5.load_weights(model, filepath, by_name=by_name, skip_mismatch=skip_mismatch)
        return
    raise LoadingError(f"File format not supported for load_weights: {filepath!r}. Use a "
                       "`.weights.h5`, `.keras` or legacy `.h5` file.")


def _is_path_layout(filepath):
    """A ``.weights.h5`` file is in Keras 3's layout unless it lists ``layer_names``
    (some Keras 2 users named legacy files that way too)."""
    from cornu.saving import safety
    h5 = safety.open_h5(filepath, f"'{filepath}'")
    try:
        return "layer_names" not in h5.attrs and "layer_names0" not in h5.attrs
    finally:
        h5.close()


def _magic(filepath, n):
    try:
        with open(filepath, "rb") as f:
            return f.read(n)
    except OSError as e:
        raise CorruptFileError(f"Could not read {filepath!r}: {e}") from e


def _is_zip(filepath):
    return _magic(filepath, 4) == b"PK\x03\x04"


def _is_hdf5(filepath):
    return _magic(filepath, 8) == b"\x89HDF\r\n\x1a\n"
