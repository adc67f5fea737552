"""Turning objects into JSON-friendly configs and back, through an allowlist.

Only cornu's own public classes and objects the user registered (or passes
in ``custom_objects``) can be made from a config: a config naming anything
else is refused, whatever its module path says. No module named in a config
is ever imported.
"""
import inspect
import threading

from cornu.saving import config_compat
from cornu.saving import safe_mode as safe_mode_lib
from cornu.saving.errors import UnknownObjectError

_GLOBAL_CUSTOM_OBJECTS = {}
_scope = threading.local()


def register_keras_serializable(package="Custom", name=None):
    """Decorator registering a class or function as ``package>name`` for loading.

    Registering a name again replaces the earlier object, as in Keras (a notebook cell
    that defines a registered class can be run twice).

    Args:
        package: the first part of the registered name.
        name: the second part; by default the object's ``__name__``.

    Returns:
        The decorator, which returns the object unchanged (but registered).
    """
    def decorator(obj):
        if isinstance(obj, type) and not hasattr(obj, "get_config"):
            raise ValueError(
                f"Cannot register {obj.__name__}: a registered class needs a get_config() "
                "method (subclass a cornu Layer, Loss, Metric, ... or define one).")
        registered = f"{package}>{name or obj.__name__}"
        _GLOBAL_CUSTOM_OBJECTS[registered] = obj
        obj._registered_name = registered
        return obj
    return decorator


def get_registered_name(obj):
    """The name under which ``obj`` is registered (its own name otherwise)."""
    return getattr(obj, "_registered_name", None) or getattr(obj, "__name__", type(obj).__name__)


def get_registered_object(name, custom_objects=None, module_objects=None):
    """Look ``name`` up in custom_objects, the active scopes, the registry, module_objects."""
    if not isinstance(name, str):
        return None
    for source in (custom_objects or {}, *reversed(getattr(_scope, "stack", [])),
                   _GLOBAL_CUSTOM_OBJECTS, module_objects or {}):
        if name in source:
            return source[name]
    return None


class CustomObjectScope:
    """Inside this ``with`` block, the given objects can be found by name when loading."""

    def __init__(self, *custom_objects):
        self.objects = {}
        for d in custom_objects:
            self.objects.update(d or {})

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


# cornu classes whose Keras 3 class is named differently.
_KERAS_CLASS_NAMES = {"GroupedQueryAttention": "GroupQueryAttention"}

_MODEL_MODULES = {"Functional": "keras.src.models.functional", "Sequential": "keras",
                  "Model": "keras"}


def _public_module(obj):
    if not type(obj).__module__.startswith("cornu."):
        module = type(obj).__module__  # a user's class: where it is defined (never imported)
        return None if module == "__main__" else module
    if type(obj).__name__ in _MODEL_MODULES:
        return _MODEL_MODULES[type(obj).__name__]
    for klass in type(obj).__mro__:
        if klass.__name__ in _MODULES:
            return _MODULES[klass.__name__]
    return type(obj).__module__.replace("cornu", "keras", 1)


def serialize_keras_object(obj):
    """A JSON-friendly description of ``obj``: Keras 3's
    ``{"module", "class_name", "config", "registered_name"}`` for objects with a config
    (plus ``build_config`` and ``compile_config`` where they apply), the name for
    functions, the value itself for plain data."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(v) for v in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if hasattr(obj, "dtype") and hasattr(obj, "tolist") and not hasattr(obj, "get_config"):
        return obj.tolist()
    if hasattr(obj, "get_config"):
        cls = type(obj)
        registered = getattr(cls, "_registered_name", None) if (
            "_registered_name" in cls.__dict__) else None
        if registered is None and not cls.__module__.startswith("cornu."):
            registered = cls.__name__
        config = serialize_keras_object(obj.get_config())
        if _is_functional(obj):
            config = config_compat.functional_to_keras(config, obj)
        class_name = _KERAS_CLASS_NAMES.get(cls.__name__, cls.__name__) if (
            cls.__module__.startswith("cornu.")) else cls.__name__
        out = {"module": _public_module(obj), "class_name": class_name,
               "config": config, "registered_name": registered}
        for key in ("build_config", "compile_config"):
            getter = getattr(obj, f"get_{key}", None)
            value = getter() if callable(getter) else None
            if value is not None:
                out[key] = serialize_keras_object(value)
        return out
    if callable(obj):
        return get_registered_name(obj)
    raise TypeError(f"Cannot serialize {obj!r} of type {type(obj).__name__}: expected "
                    "plain data, a function, or an object with get_config().")


serialize_value = serialize_keras_object


def deserialize_keras_object(config, module_objects=None, custom_objects=None,
                             safe_mode=None, **kwargs):
    """Make an object from ``serialize_keras_object``'s output.

    Only registered or passed classes, and those in ``module_objects``, can be
    made; anything else raises ``UnknownObjectError``. A ``build_config`` builds
    the new object, a ``compile_config`` compiles it (Keras 3 does both).
    ``custom_objects`` stay visible to nested configs while the object is made.
    """
    if config is None or isinstance(config, (bool, int, float)):
        return config
    if isinstance(config, str):
        obj = get_registered_object(config, custom_objects, module_objects)
        if obj is None:
            raise UnknownObjectError(
                f"Unknown object {config!r}. Pass it in `custom_objects` or register it "
                "with `cornu.saving.register_keras_serializable`.")
        return obj
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        raise UnknownObjectError(
            f"Expected a config dict with a 'class_name' key; received {_short(config)}.")
    if config["class_name"] == "function":  # Keras 3 writes functions this way
        return deserialize_keras_object(config.get("registered_name") or config.get("config"),
                                        module_objects, custom_objects)
    if config["class_name"] == "__lambda__":
        safe_mode_lib.refuse_code("a Python lambda (stored as bytecode)")
    cls = _resolve_class(config, module_objects, custom_objects)
    inner = config.get("config", {})
    if inner is None:
        inner = {}
    if not isinstance(inner, dict):
        raise UnknownObjectError(f"The config of {config['class_name']!r} should be a dict; "
                                 f"received {_short(inner)}.")
    inner = config_compat.drop_neutral_entries(inner)
    if isinstance(cls, type) and (_is_functional(cls) or _is_graph_config(cls, inner)):
        inner = config_compat.functional_from_keras(
            inner, lambda entry: _class_or_none(entry, custom_objects))
    with CustomObjectScope(custom_objects or {}), safe_mode_lib.SafeModeScope(safe_mode):
        if hasattr(cls, "from_config"):
            obj = _call_from_config(cls, inner, custom_objects)
        else:
            obj = cls(**inner)
        outer_name = config.get("name")  # a functional model's entry names its layer
        if isinstance(outer_name, str) and getattr(obj, "name", outer_name) != outer_name and (
                not getattr(obj, "built", True)):
            obj.name = outer_name  # e.g. a custom layer whose config leaves out its name
        build_config = config.get("build_config")
        if build_config and not getattr(obj, "built", True) and hasattr(
                obj, "build_from_config"):
            obj.build_from_config(build_config)
        compile_config = config.get("compile_config")
        if compile_config and hasattr(obj, "compile_from_config"):
            obj.compile_from_config(compile_config)
    return obj


def _resolve_class(config, module_objects, custom_objects):
    name = config.get("registered_name") or config["class_name"]
    cls = get_registered_object(name, custom_objects, module_objects)
    if cls is None and name != config["class_name"]:
        cls = get_registered_object(config["class_name"], custom_objects, module_objects)
    if cls is None and config["class_name"] in _KERAS2_ALIASES:
        cls = get_registered_object(_KERAS2_ALIASES[config["class_name"]], custom_objects,
                                    module_objects)
    if cls is None and ">" in config["class_name"]:
        # tf.keras 2.11+ writes built-in optimizers as "Custom>Adam": only built-ins match.
        cls = (module_objects or {}).get(config["class_name"].rsplit(">", 1)[1])
    if cls is None:
        raise UnknownObjectError(
            f"Unknown class {config['class_name']!r} (module {config.get('module')!r}). Only "
            "cornu's own classes and registered ones can be loaded: pass it in "
            "`custom_objects` or register it with `register_keras_serializable`.")
    return cls


def _is_functional(obj_or_cls):
    from cornu.models.functional import Functional
    if isinstance(obj_or_cls, type):
        return issubclass(obj_or_cls, Functional)
    return isinstance(obj_or_cls, Functional)


def _is_graph_config(cls, config):
    """A functional config for a Model subclass that becomes functional when given
    inputs and outputs (``class M(Model)`` built as ``M(inputs, outputs)``)."""
    from cornu.models.model import Model
    return issubclass(cls, Model) and all(
        key in config for key in ("layers", "input_layers", "output_layers"))


def known_layer_classes():
    """Every class a saved model config may name: cornu's layers and models."""
    from cornu import layers, models
    objects = dict(layers._all_layer_classes())
    objects.update({"Sequential": models.Sequential, "Functional": models.Functional,
                    "Model": models.Functional})
    return objects


def _class_or_none(entry, custom_objects):
    if not isinstance(entry, dict) or not isinstance(entry.get("class_name"), str):
        return None
    try:
        cls = _resolve_class(entry, known_layer_classes(), custom_objects)
    except UnknownObjectError:
        return None
    return cls if isinstance(cls, type) else None


# Keras 2 class names that are now spelled differently.
_KERAS2_ALIASES = {"Model": "Functional"}


def _call_from_config(cls, inner, custom_objects):
    from_config = cls.from_config
    try:
        params = inspect.signature(from_config).parameters
    except (TypeError, ValueError):
        params = {}
    if "custom_objects" in params:
        return from_config(inner, custom_objects=custom_objects)
    return from_config(inner)


def _short(value, limit=200):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


# Keras config entries that cornu's constructors do not take, with the values for
# which dropping them changes nothing.
_NEUTRAL = {
    "quantization_config": (None,), "optional": (False,), "sparse": (False,),
    "ragged": (False,), "synchronized": (False,), "renorm": (False,),
    "renorm_clipping": (None,), "renorm_momentum": None, "lora_rank": (None,),
    "lora_alpha": None, "time_major": (False,), "implementation": None,
    "shared_object_id": None, "virtual_batch_size": (None,), "adjustment": (None,),
    "fused": None, "module": None, "registered_name": None,
}


def deserialize_layer_config(cls, config):
    """Constructor kwargs from a layer config (Keras 2 and 3 spellings).

    A Keras DTypePolicy becomes its name, ``batch_shape`` becomes
    ``batch_input_shape``, and Keras-only entries that cornu's constructor does
    not take are dropped when their value changes nothing."""
    config = dict(config)
    dtype = config.get("dtype")
    if isinstance(dtype, dict):  # Keras 3 DTypePolicy
        inner = dtype.get("config") or {}
        config["dtype"] = inner.get("name", "float32") if isinstance(inner, dict) else "float32"
    if "batch_shape" in config:
        config["batch_input_shape"] = config.pop("batch_shape")
    if config.get("batch_input_shape") is not None:
        config["batch_input_shape"] = tuple(config["batch_input_shape"])
    accepted = _accepted_arguments(cls)
    if accepted is not None:
        for key in [k for k in config if k not in accepted and k in _NEUTRAL]:
            neutral = _NEUTRAL[key]
            if neutral is None or config[key] in neutral:
                del config[key]
    return config


def _accepted_arguments(cls):
    """The keyword arguments ``cls(...)`` takes, or None when it takes any."""
    from cornu.layers import layer as layer_module
    try:
        params, _ = cls._init_params or layer_module._init_parameters(cls)
    except (AttributeError, TypeError, ValueError):
        return None
    return params | layer_module._BASE_KWARGS
