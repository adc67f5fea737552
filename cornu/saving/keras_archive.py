"""The ``.keras`` format: a zip archive of ``metadata.json``, ``config.json`` and
``model.weights.h5``, laid out as Keras 3 lays it out, so files move both ways.

``config.json`` is the model's ``serialize_keras_object`` description with its
``build_config`` and ``compile_config``; ``model.weights.h5`` holds every
variable by object path (see ``object_tree``), the optimizer's included.
Members are stored uncompressed, as Keras writes them.
"""
import datetime
import json
import os
import tempfile
import zipfile

from cornu.saving import safety
from cornu.saving.atomic import atomic_write
from cornu.saving.errors import CorruptFileError, LoadingError
from cornu.saving.object_tree import load_assets, save_assets

CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHTS = "model.weights.h5"
ASSETS = "assets"
# The Keras version whose format cornu writes (metadata.json's keras_version).
KERAS_VERSION = "3.10.0"


def model_config(model):
    """The ``config.json`` content for ``model``."""
    from cornu.saving.serialization import serialize_keras_object
    return serialize_keras_object(model)


def save_model(model, filepath):
    """Write ``model`` (architecture, weights, compile state) to a ``.keras`` file."""
    from cornu.saving.h5_weights import weights_bytes
    config_json = json.dumps(model_config(model))
    metadata_json = json.dumps({
        "keras_version": KERAS_VERSION,
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
        "saved_by": "cornu"})
    weights = weights_bytes(model)
    with tempfile.TemporaryDirectory() as assets, atomic_write(filepath) as tmp:
        save_assets(model, assets)
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr(METADATA, metadata_json)
            archive.writestr(CONFIG, config_json)
            archive.writestr(WEIGHTS, weights)
            for folder, _, files in sorted(os.walk(assets)):
                for name in sorted(files):
                    full = os.path.join(folder, name)
                    relative = os.path.relpath(full, assets).replace(os.sep, "/")
                    archive.write(full, f"{ASSETS}/{relative}")


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """A model from a ``.keras`` file saved by cornu or Keras 3."""
    what = f"'{filepath}'"
    with AssetsFolder() as assets:
        archive = safety.open_zip(filepath, what)
        try:
            config = safety.parse_json(safety.read_member(archive, CONFIG, what),
                                       f"{CONFIG} of {what}")
            names = archive.namelist()
            if WEIGHTS not in names:
                extra = " (weights saved as .npz are not supported)" if (
                    "model.weights.npz" in names) else ""
                raise CorruptFileError(f"{what} has no {WEIGHTS}{extra}: it is not a "
                                       "complete Keras archive.")
            weights = safety.read_member(archive, WEIGHTS, what)
            assets.extract(archive, what)
        finally:
            archive.close()
        from cornu.saving.h5_weights import load_weights_into
        h5 = safety.open_h5(weights, f"{WEIGHTS} of {what}")
        del weights
        try:
            safety.check_config_sizes(config, safety.h5_scalar_count(h5), what)
            model = model_from_config(config, custom_objects, compile, safe_mode, what)
            load_weights_into(model, h5, what=f"{WEIGHTS} of {what}")
        finally:
            h5.close()
        assets.restore(model)
    return model


class AssetsFolder:
    """The ``assets/`` members of an archive, copied to a temporary folder (made
    only when there are assets, removed on exit) so they are never whole in memory.

    ``with AssetsFolder() as assets: assets.extract(archive, what); ...
    assets.restore(model)``."""

    def __init__(self):
        self.folder = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.folder is not None:
            self.folder.cleanup()
            self.folder = None

    def extract(self, archive, what):
        """Copy the ``assets/`` members (names already checked by ``open_zip``)."""
        for info in archive.infolist():
            if not info.filename.startswith(ASSETS + "/") or info.is_dir():
                continue
            if self.folder is None:
                self.folder = tempfile.TemporaryDirectory(prefix="cornu-assets-")
            relative = info.filename[len(ASSETS) + 1:]
            target = os.path.join(self.folder.name, *relative.split("/"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            safety.extract_member(archive, info, target, what)

    def restore(self, model):
        """Let each layer read its own assets."""
        if self.folder is not None:
            load_assets(model, self.folder.name)


def model_from_config(config, custom_objects=None, compile=True, safe_mode=True,
                      what="the file"):
    """Build (and compile) a model from a ``config.json`` dict. Any failure is a
    ``LoadingError``: unknown classes, code refused in safe mode, or a config that
    does not build."""
    from cornu.saving.serialization import deserialize_keras_object, known_layer_classes
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        raise CorruptFileError(f"The config of {what} is not a Keras object config (a dict "
                               "with 'class_name' and 'config').")
    if not compile:
        config = dict(config, compile_config=None)
    try:
        return deserialize_keras_object(config, module_objects=known_layer_classes(),
                                        custom_objects=custom_objects, safe_mode=safe_mode)
    except LoadingError:
        raise
    except (MemoryError, RecursionError) as e:
        raise CorruptFileError(f"Could not rebuild the model of {what}: the config is too "
                               f"large or too deeply nested ({type(e).__name__}).") from e
    except Exception as e:
        raise CorruptFileError(
            f"Could not rebuild the model of {what} from its config: {type(e).__name__}: "
            f"{e}") from e
