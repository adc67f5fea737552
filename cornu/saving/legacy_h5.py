"""The legacy HDF5 format (``.h5``) of Keras 2, tf.keras 2 and Keras 3.

A whole-model file holds ``model_config`` and ``training_config`` (JSON
attributes), ``model_weights`` and ``optimizer_weights``. Weights are grouped by
layer name: ``layer_names`` lists the layers, each layer group's
``weight_names`` lists its datasets (``dense/kernel:0`` in Keras 2), in the
order trainable weights, then non-trainable. A weights-only file has the same
layer groups at its root. Weights load by the order of the layers that have
weights, or by layer name (``by_name=True``).
"""
import json
import warnings

from cornu.saving import safety
from cornu.saving.atomic import atomic_write
from cornu.saving.errors import CorruptFileError, LoadingError

_KERAS_VERSION = "3.10.0"


def _legacy_weights(layer):
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


# ---------------------------------------------------------------- saving

def save_model(model, filepath, include_optimizer=True):
    """Write ``model`` as a Keras 3 style ``.h5`` file."""
    from cornu.saving.serialization import serialize_keras_object
    from cornu.saving.compile_state import compile_config
    config = {"class_name": type(model).__name__,
              "config": serialize_keras_object(model.get_config())}
    with atomic_write(filepath) as tmp:
        import h5py
        with h5py.File(tmp, "w") as f:
            f.attrs["keras_version"] = _KERAS_VERSION
            f.attrs["backend"] = "torch"
            f.attrs["model_config"] = json.dumps(config).encode("utf8")
            if include_optimizer and model.compiled and model.optimizer is not None:
                training = compile_config(model)
                optimizer = training.pop("optimizer")
                training["optimizer_config"] = {"class_name": optimizer["class_name"],
                                                "config": optimizer["config"]}
                f.attrs["training_config"] = json.dumps(training).encode("utf8")
            _write_layers(f.create_group("model_weights"), model)
            if include_optimizer and model.compiled and model.optimizer is not None:
                variables = list(model.optimizer.variables)
                if variables:
                    _write_subset(f.create_group("optimizer_weights"), variables)


def save_weights(model, filepath):
    """Write ``model``'s weights as a legacy ``.h5`` weights file."""
    import h5py
    with atomic_write(filepath) as tmp:
        with h5py.File(tmp, "w") as f:
            _write_layers(f, model)


def _write_layers(group, model):
    group.attrs["layer_names"] = [layer.name.encode("utf8") for layer in model.layers]
    group.attrs["backend"] = b"torch"
    group.attrs["keras_version"] = _KERAS_VERSION.encode("utf8")
    for layer in sorted(model.layers, key=lambda l: l.name):
        _write_subset(group.create_group(layer.name), _legacy_weights(layer))
    trainable, non_trainable = model._tracked_variables()
    _write_subset(group.create_group("top_level_model_weights"),
                  list(trainable) + list(non_trainable))


def _write_subset(group, variables):
    names, used = [], set()
    for v in variables:
        name = str(v.path)
        base, n = name, 1
        while name in used:
            name = f"{base}_{n}"
            n += 1
        used.add(name)
        names.append(name)
    group.attrs["weight_names"] = [n.encode("utf8") for n in names]
    for name, v in zip(names, variables):
        group.create_dataset(name, data=v.numpy())


# ---------------------------------------------------------------- loading

def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """A model from a legacy ``.h5`` file (Keras 2, tf.keras 2 or Keras 3)."""
    from cornu.saving.keras_archive import model_from_config
    what = f"'{filepath}'"
    h5 = safety.open_h5(filepath, what)
    try:
        config = _json_attr(h5, "model_config", what)
        if config is None:
            raise CorruptFileError(f"{what} has no model config: it holds weights only. "
                                   "Build the model and use `model.load_weights()`.")
        safety.check_config_sizes(config, safety.h5_scalar_count(h5), what)
        model = model_from_config(config, custom_objects, compile=False,
                                  safe_mode=safe_mode, what=what)
        if "model_weights" not in h5:
            raise CorruptFileError(f"{what} has a model config but no 'model_weights'.")
        load_weights_from_group(model, _group(h5, "model_weights", what), what)
        training = _json_attr(h5, "training_config", what) if compile else None
        if training is not None:
            _compile(model, training, custom_objects, what)
            if "optimizer_weights" in h5 and model.optimizer is not None:
                _load_optimizer(model, _group(h5, "optimizer_weights", what), what)
    finally:
        h5.close()
    return model


def load_weights(model, filepath, by_name=False, skip_mismatch=False):
    """Assign ``model``'s weights from a legacy ``.h5`` file (whole model or weights)."""
    what = f"'{filepath}'"
    h5 = safety.open_h5(filepath, what)
    try:
        group = _group(h5, "model_weights", what) if "model_weights" in h5 else h5
        load_weights_from_group(model, group, what, by_name=by_name,
                                skip_mismatch=skip_mismatch)
    finally:
        h5.close()


def load_weights_from_group(model, group, what, by_name=False, skip_mismatch=False):
    """Weights of ``model.layers`` from a group listing ``layer_names``."""
    names = _layer_names(group, what)
    if by_name:
        index = {}
        for layer in model.layers:
            index.setdefault(layer.name, []).append(layer)
        for name in names:
            values = _read_subset(_group(group, name, what), what)
            for layer in index.get(name, []):
                _set_weights(layer, _legacy_weights(layer), values, skip_mismatch,
                             f"layer '{layer.name}'")
    else:
        layers = [l for l in model.layers if _legacy_weights(l)]
        saved = [(n, _read_subset(_group(group, n, what), what)) for n in names]
        saved = [(n, v) for n, v in saved if v]
        if len(saved) != len(layers):
            raise LoadingError(
                f"Layer count mismatch when loading weights from {what}: the model has "
                f"{len(layers)} layers with weights ({[l.name for l in layers]}), the file "
                f"has {len(saved)} ({[n for n, _ in saved]}). Load by name with "
                "`by_name=True`, or build the same model that saved the file.")
        for layer, (name, values) in zip(layers, saved):
            _set_weights(layer, _legacy_weights(layer), values, skip_mismatch,
                         f"layer '{layer.name}' (saved as '{name}')")
    if "top_level_model_weights" in group:
        trainable, non_trainable = model._tracked_variables()
        own = list(trainable) + list(non_trainable)
        values = _read_subset(_group(group, "top_level_model_weights", what), what)
        if values or own:
            _set_weights(model, own, values, skip_mismatch, "the model's own weights")


def _set_weights(layer, variables, values, skip_mismatch, label):
    if len(values) != len(variables):
        message = (f"Weight count mismatch for {label}: it has {len(variables)} weights, "
                   f"the file has {len(values)}.")
        if skip_mismatch:
            warnings.warn(f"Skipping {label}. {message}", stacklevel=4)
            return
        raise LoadingError(message)
    for variable, value in zip(variables, values):
        if tuple(variable.shape) != tuple(value.shape):
            message = (f"Shape mismatch for {label}, weight '{variable.path}': it has shape "
                       f"{tuple(variable.shape)}, the file's has shape {tuple(value.shape)}.")
            if skip_mismatch:
                warnings.warn(f"Skipping that weight. {message}", stacklevel=4)
                continue
            raise LoadingError(message)
        variable.assign(value.astype(variable.dtype, copy=False))


def _compile(model, training, custom_objects, what):
    from cornu.saving.compile_state import compile_arguments
    from cornu.saving.serialization import CustomObjectScope
    try:
        with CustomObjectScope(custom_objects or {}):
            model.compile(**compile_arguments(training, custom_objects))
    except LoadingError:
        raise
    except Exception as e:
        warnings.warn(f"The training configuration of {what} could not be restored "
                      f"({type(e).__name__}: {e}); the model was loaded uncompiled.",
                      stacklevel=3)
        return
    if model.built and model.optimizer is not None:
        model.optimizer.build(model.trainable_weights)


def _load_optimizer(model, group, what):
    """Optimizer variables by order. tf.keras 2 stores no learning-rate variable (the
    rate is in the config), so cornu's is left out when the file has one fewer."""
    values = _read_subset(group, what)
    variables = list(model.optimizer.variables)
    if len(values) == len(variables) - 1:
        variables = [v for v in variables if v.name != "learning_rate"]
    if len(values) == len(variables) and all(
            tuple(v.shape) == tuple(a.shape) for v, a in zip(variables, values)):
        for variable, value in zip(variables, values):
            variable.assign(value.astype(variable.dtype, copy=False))
        return
    step = [v for v in variables if v.name == "iteration"]
    if step and values and values[0].shape == () and values[0].dtype.kind in "iu":
        step[0].assign(values[0].astype(step[0].dtype))
        if all(v.name in ("iteration", "learning_rate") for v in variables):
            return  # an optimizer without slots (SGD without momentum): nothing is lost
    warnings.warn(f"The optimizer state in {what} ({len(values)} variables) does not fit "
                  f"optimizer '{model.optimizer.name}' ({len(variables)} variables); "
                  "training continues with a fresh optimizer state.", stacklevel=3)


# ---------------------------------------------------------------- reading helpers

def _group(parent, name, what):
    import h5py
    with safety.reading(what):
        if name not in parent:
            raise CorruptFileError(f"{what} lists '{name}' but has no group of that name.")
        group = parent[name]
    if not isinstance(group, h5py.Group):
        raise CorruptFileError(f"{what}: '{name}' should be a group.")
    return group


def _layer_names(group, what):
    names = _names_attr(group, "layer_names", what)
    if not names and "layer_names" not in group.attrs and "layer_names0" not in group.attrs:
        raise CorruptFileError(f"{what} has no 'layer_names' attribute: it is not a Keras "
                               "HDF5 weights file.")
    return names


def _names_attr(group, name, what):
    """An attribute listing names, also when Keras split it into ``name0``, ``name1``..."""
    if name in group.attrs:
        return safety.read_string_list(group.attrs, name, what)
    out, i = [], 0
    while f"{name}{i}" in group.attrs:
        out.extend(safety.read_string_list(group.attrs, f"{name}{i}", what))
        i += 1
    return out


def _read_subset(group, what):
    """The datasets a layer group lists in ``weight_names``, in that order."""
    import h5py
    out = []
    for name in _names_attr(group, "weight_names", what):
        path = safety.safe_join(name)
        with safety.reading(what):
            for part in _prefixes(path):  # refuse links on the way to the dataset
                link = group.get(part, getlink=True)
                if isinstance(link, (h5py.SoftLink, h5py.ExternalLink)):
                    raise CorruptFileError(f"{what}: '{part}' is a link.")
            if path not in group:
                raise CorruptFileError(f"{what} lists weight '{name}' in group "
                                       f"'{group.name}' but does not hold it.")
            ds = group[path]
        if not isinstance(ds, h5py.Dataset):
            raise CorruptFileError(f"{what}: weight '{name}' should be a dataset.")
        out.append(safety.read_dataset(ds, f"{group.name}/{path}", what))
    return out


def _prefixes(path):
    parts = path.split("/")
    return ["/".join(parts[:i + 1]) for i in range(len(parts))]


def _json_attr(h5, name, what):
    if name not in h5.attrs:
        return None
    with safety.reading(f"attribute '{name}' of {what}"):
        value = h5.attrs[name]
        if hasattr(value, "tobytes") and not isinstance(value, (bytes, str)):
            value = value.tobytes() if value.dtype.kind in "SV" else value.item()
    return safety.parse_json(value if isinstance(value, (bytes, str)) else str(value),
                             f"attribute '{name}' of {what}")
