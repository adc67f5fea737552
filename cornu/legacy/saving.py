"""Keras 2's object configs: ``keras.legacy.saving`` (also ``keras.utils.legacy``).

Keras 2 wrote an object as ``{"class_name": ..., "config": {...}}``, without
Keras 3's ``module`` and ``registered_name``, and a function as its name. These
two functions read and write that form; files in it (Keras 2 ``.h5`` models and
JSON) are loaded by ``cornu.saving`` already, so they are for programs that call
them directly.

As in Keras 2, loading makes only classes found in ``custom_objects``, the active
``custom_object_scope``, the registry (``register_keras_serializable``,
``get_custom_objects()``) or ``module_objects``; no module named in a config is imported.
"""
import inspect

from cornu.saving import serialization


def serialize_keras_object(instance):
    """Keras 2's config of ``instance``.

    Args:
        instance: an object with ``get_config`` (a layer, loss, initializer ...),
            a function or class (written as its registered name), or None.

    Returns:
        ``{"class_name": name, "config": config}``, a name, or None. Objects held in
        the config (not already serialized by ``get_config``) are written the same way.

    Example:

    >>> cornu.legacy.saving.serialize_keras_object(cornu.regularizers.L2(0.1))
    {'class_name': 'L2', 'config': {'l2': 0.1}}
    """
    if instance is None:
        return None
    if hasattr(instance, "get_config") and not isinstance(instance, type):
        config = {}
        for key, value in instance.get_config().items():
            if hasattr(value, "get_config") and not isinstance(value, type):
                value = serialize_keras_object(value)
            elif callable(value) and hasattr(value, "__name__"):
                value = serialization.get_registered_name(value)
            config[key] = value
        cls = type(instance)  # a subclass does not inherit its parent's registered name
        return {"class_name": cls.__dict__.get("_registered_name") or cls.__name__,
                "config": config}
    if hasattr(instance, "__name__"):
        return serialization.get_registered_name(instance)
    raise ValueError(f"Cannot serialize {instance!r} of type {type(instance).__name__}: "
                     "expected an object with get_config(), a function, a class or None.")


def deserialize_keras_object(identifier, module_objects=None, custom_objects=None,
                             printable_module_name="object"):
    """Make an object from Keras 2's config (``serialize_keras_object``'s output).

    Args:
        identifier: ``{"class_name", "config"}``, a registered name, a function or None.
        module_objects: a dict of the names this call may make (e.g. a module's classes).
        custom_objects: a dict of user classes and functions, also visible to the
            ``from_config`` of the object being made.
        printable_module_name: what to call the object in error messages.

    Returns:
        The object. A name of a class gives an instance made with no arguments
        (``"Adam"`` gives ``Adam()``), as in Keras 2.

    Raises:
        ValueError: the name is not found; the error says where it was looked for.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        if "class_name" not in identifier or "config" not in identifier:
            raise ValueError(f"Improper config format for {printable_module_name}: expected "
                             f"a dict with 'class_name' and 'config'; received {identifier!r}.")
        cls = _lookup(identifier["class_name"], module_objects, custom_objects,
                      printable_module_name)
        config = identifier["config"]
        from_config = getattr(cls, "from_config", None)
        with serialization.CustomObjectScope(custom_objects or {}):
            if from_config is None:
                return cls(**config)
            if "custom_objects" in inspect.signature(from_config).parameters:
                return from_config(config, custom_objects=dict(custom_objects or {}))
            return from_config(config)
    if isinstance(identifier, str):
        obj = _lookup(identifier, module_objects, custom_objects, printable_module_name)
        return obj() if isinstance(obj, type) else obj
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret serialized {printable_module_name}: {identifier!r} "
                     "(expected a dict, a name, a function or None).")


def _lookup(name, module_objects, custom_objects, printable_module_name):
    obj = serialization.get_registered_object(name, custom_objects, module_objects)
    if obj is None:
        raise ValueError(
            f"Unknown {printable_module_name}: {name!r}. Pass it in `custom_objects`, "
            "register it with `cornu.saving.register_keras_serializable`, or add it to "
            "`cornu.saving.get_custom_objects()`.")
    return obj
