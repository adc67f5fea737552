"""The arguments of ``compile`` as Keras 3 saves them (``compile_config``), and back.

Keras 3 writes ``{"optimizer", "loss", "loss_weights", "metrics",
"weighted_metrics", "run_eagerly", "steps_per_execution", "jit_compile"}``;
Keras 2 ``.h5`` files hold the same in ``training_config`` with the optimizer
under ``optimizer_config``. Losses and metrics may be names, functions (saved as
their names) or objects (saved as configs), alone or in lists and dicts.
"""
from cornu.saving.serialization import serialize_keras_object


def compile_config(model):
    """The compile arguments of a compiled ``model`` as JSON-friendly data."""
    metrics = model._compile_metrics
    return {
        "optimizer": serialize_keras_object(model.optimizer),
        "loss": serialize_keras_object(model.loss),
        "loss_weights": serialize_keras_object(model.loss_weights),
        "metrics": serialize_keras_object(metrics._spec if metrics is not None else None),
        "weighted_metrics": serialize_keras_object(
            metrics._weighted_spec if metrics is not None else None),
        "run_eagerly": bool(getattr(model, "run_eagerly", False)),
        "steps_per_execution": getattr(model, "steps_per_execution", 1),
        "jit_compile": bool(getattr(model, "jit_compile", False)),
    }


def compile_arguments(config, custom_objects=None):
    """Keyword arguments for ``compile`` from a ``compile_config`` (Keras 3) or a
    ``training_config`` (Keras 2 ``.h5``)."""
    from cornu import losses, metrics, optimizers
    if not isinstance(config, dict):
        raise ValueError(f"A compile config must be a dict; received {type(config).__name__}.")
    optimizer = config.get("optimizer", config.get("optimizer_config"))
    if isinstance(optimizer, dict):
        optimizer = optimizers.deserialize(optimizer, custom_objects=custom_objects)
    elif optimizer is None:
        optimizer = "rmsprop"
    out = {
        "optimizer": optimizer,
        "loss": _revive(config.get("loss"), losses.deserialize, custom_objects),
        "loss_weights": config.get("loss_weights"),
        "metrics": _revive(config.get("metrics"), metrics.deserialize, custom_objects),
        "weighted_metrics": _revive(config.get("weighted_metrics"), metrics.deserialize,
                                    custom_objects),
    }
    for key in ("metrics", "weighted_metrics"):
        value = out[key]
        # Keras writes one list per output, also for a single output: [["mae"]].
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], list):
            out[key] = value[0]
    for key in ("run_eagerly", "steps_per_execution", "jit_compile"):
        if key in config:
            out[key] = config[key]
    return out


def _revive(spec, deserialize, custom_objects):
    """Names stay names (a custom function's becomes the function: see ``_function``);
    object configs become objects; lists and dicts recurse."""
    if spec is None:
        return spec
    if isinstance(spec, str):
        return _function(spec, custom_objects)
    if isinstance(spec, (list, tuple)):
        return [_revive(s, deserialize, custom_objects) for s in spec]
    if isinstance(spec, dict):
        if isinstance(spec.get("class_name"), str) and "config" in spec:
            if spec["class_name"] == "function":
                return _function(spec.get("registered_name") or spec.get("config"),
                                 custom_objects)
            return deserialize(_from_keras2(spec), custom_objects=custom_objects)
        return {k: _revive(v, deserialize, custom_objects) for k, v in spec.items()}
    return spec


def _function(name, custom_objects):
    """The custom function ``name`` names (in ``custom_objects``, an active
    ``CustomObjectScope``, or the registry), looked up now, while ``load_model``'s scope
    is active; any other name (a built-in loss or metric) stays a name."""
    from cornu.saving.serialization import get_registered_object
    found = get_registered_object(name, custom_objects)
    return found if callable(found) and not isinstance(found, type) else name


_WRAPPERS = ("LossFunctionWrapper", "MeanMetricWrapper")


def _from_keras2(spec):
    """Keras 2 loss and metric configs: ``reduction="auto"`` is Keras 3's default,
    and built-in classes also record the function they wrap as ``fn``."""
    config = spec.get("config")
    if not isinstance(config, dict):
        return spec
    config = dict(config)
    if config.get("reduction") == "auto":
        config["reduction"] = "sum_over_batch_size"
    if "fn" in config and spec["class_name"] not in _WRAPPERS:
        del config["fn"]
    return dict(spec, config=config)
