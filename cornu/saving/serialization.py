"""Turning objects into JSON-friendly configs and back, through an allowlist.

Only cornu's own public classes and objects the user registered (or passes
in ``custom_objects``) can be made from a config: a config naming anything
else is refused, whatever its module path says.
"""
import threading

_GLOBAL_CUSTOM_OBJECTS = {}
_scope = threading.local()


def register_keras_serializable(package="Custom", name=None):
    """Decorator registering a class or function as ``package>name`` for loading."""
    def decorator(obj):
        registered = f"{package}>{name or obj.__name__}"
        if registered in _GLOBAL_CUSTOM_OBJECTS:
            raise ValueError(f"{registered} has already been registered to "
                             f"{_GLOBAL_CUSTOM_OBJECTS[registered]}.")
        _GLOBAL_CUSTOM_OBJECTS[registered] = obj
        obj._registered_name = registered
        return obj
    return decorator


def get_registered_name(obj):
    """The name under which ``obj`` is registered (its own name otherwise)."""
    return getattr(obj, "_registered_name", None) or getattr(obj, "__name__", type(obj).__name__)


def get_registered_object(name, custom_objects=None, module_objects=None):
    """Look ``name`` up in custom_objects, the active scopes, the registry, module_objects."""
    for source in (custom_objects or {}, *getattr(_scope, "stack", []), _GLOBAL_CUSTOM_OBJECTS,
                   module_objects or {}):
        if name in source:
            return source[name]
    return None


class CustomObjectScope:
    """Inside this ``with`` block, the given objects can be found by name when loading."""

    def __init__(self, *custom_objects):
        self.objects = {}
        for d in custom_objects:
            self.objects.update(d)

    def __enter__(self):
        if not hasattr(_scope, "stack"):
            _scope.stack = []
        _scope.stack.append(self.objects)
        return self

    def __exit__(self, *exc):
        _scope.stack.pop()


custom_object_scope = CustomObjectScope

_MODULES = {
    "Initializer": "keras.initializers", "Regularizer": "keras.regularizers",
    "Constraint": "keras.constraints", "Layer": "keras.layers", "Loss": "keras.losses",
    "Metric": "keras.metrics", "Optimizer": "keras.optimizers",
}


_MODEL_MODULES = {"Functional": "keras.src.models.functional", "Sequential": "keras",
                  "Model": "keras"}


def _public_module(obj):
    if type(obj).__name__ in _MODEL_MODULES and type(obj).__module__.startswith("cornu."):
        return _MODEL_MODULES[type(obj).__name__]
    for klass in type(obj).__mro__:
        if klass.__name__ in _MODULES:
            return _MODULES[klass.__name__]
    return type(obj).__module__.replace("cornu", "keras", 1)


def serialize_keras_object(obj):
    """A JSON-friendly description of ``obj``: Keras 3's
    ``{"module", "class_name", "config", "registered_name"}`` for objects with a config,
    the name for functions, the value itself for plain data."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(v) for v in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if hasattr(obj, "dtype") and hasattr(obj, "tolist") and not hasattr(obj, "get_config"):
        return obj.tolist()
    if hasattr(obj, "get_config"):
        registered = getattr(type(obj), "_registered_name", None)
        out = {"module": _public_module(obj), "class_name": type(obj).__name__,
               "config": serialize_keras_object(obj.get_config()),
               "registered_name": registered}
        build_config = getattr(obj, "get_build_config", None)
        if build_config is not None:
            built = build_config()
            if built is not None:
                out["build_config"] = built
        return out
    if callable(obj):
        return get_registered_name(obj)
    raise TypeError(f"Cannot serialize {obj!r} of type {type(obj).__name__}: expected "
                    "plain data, a function, or an object with get_config().")


serialize_value = serialize_keras_object


def deserialize_keras_object(config, module_objects=None, custom_objects=None, **kwargs):
    """Make an object from ``serialize_keras_object``'s output. Only registered or
    passed classes, and those in ``module_objects``, can be made."""
    if config is None or isinstance(config, (bool, int, float)):
        return config
    if isinstance(config, str):
        obj = get_registered_object(config, custom_objects, module_objects)
        if obj is None:
            raise ValueError(f"Unknown object {config!r}. Pass it in `custom_objects` or "
                             "register it with `cornu.saving.register_keras_serializable`.")
        return obj
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Expected a config dict with a 'class_name' key; received {config!r}.")
    name = config.get("registered_name") or config["class_name"]
    cls = get_registered_object(name, custom_objects, module_objects) or get_registered_object(
        config["class_name"], custom_objects, module_objects)
    if cls is None:
        raise ValueError(
            f"Unknown class {config['class_name']!r} (module {config.get('module')!r}). "
            "Only cornu's own classes and registered ones can be loaded: pass it in "
            "`custom_objects` or register it with `register_keras_serializable`.")
    inner = config.get("config", {})
    if hasattr(cls, "from_config"):
        return cls.from_config(inner)
    return cls(**inner)


def deserialize_layer_config(cls, config):
    """Constructor kwargs from a layer config (Keras 2 and 3 spellings)."""
    config = dict(config)
    dtype = config.get("dtype")
    if isinstance(dtype, dict):  # Keras 3 DTypePolicy
        config["dtype"] = dtype.get("config", {}).get("name", "float32")
    if "batch_shape" in config:
        config["batch_input_shape"] = config.pop("batch_shape")
    if config.get("batch_input_shape") is not None:
        config["batch_input_shape"] = tuple(config["batch_input_shape"])
    return config
