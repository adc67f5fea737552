"""Name lookup shared by the initializers, regularizers and constraints modules.

Each of those modules is a ``Catalog``: the names it knows (class names and
their snake_case aliases), its Keras 1/2 spellings (which still resolve, with a
DeprecationWarning), and Keras 3's ``get`` / ``serialize`` / ``deserialize``.
"""
import difflib
import sys
import warnings

from cornu.saving.serialization import get_registered_object, serialize_keras_object


class Catalog:
    """The objects one Keras module (``keras.initializers``, ...) makes from names.

    Args:
        kind: what the objects are, for messages (``"initializer"``).
        objects: name -> class, for every current name.
        legacy: old name -> (factory, modern spelling); resolving one warns.
    """

    def __init__(self, kind, objects, legacy=None):
        self.kind = kind
        self.objects = dict(objects)
        self.legacy = dict(legacy or {})

    def resolve(self, name, custom_objects=None):
        """The class or function registered under ``name``."""
        obj = get_registered_object(name, custom_objects, self.objects)
        if obj is not None:
            return obj
        if name in self.legacy:
            factory, modern = self.legacy[name]
            warn_legacy(repr(name), modern)
            return factory
        names = sorted(n for n in self.objects if n[:1].islower())
        close = difflib.get_close_matches(name, names + sorted(self.objects), n=1, cutoff=0.6)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(
            f"Unknown {self.kind}: {name!r}.{hint} Valid names are: {', '.join(names)} "
            f"(or their class names). For a custom {self.kind}, pass the object itself, or "
            "register it with `cornu.saving.register_keras_serializable` or pass it in "
            "`custom_objects`.")

    def deserialize(self, config, custom_objects=None):
        """An object from a name or a ``{"class_name": ..., "config": {...}}`` dict."""
        if isinstance(config, str):
            obj = self.resolve(config, custom_objects)
            return obj() if isinstance(obj, type) else obj
        if not isinstance(config, dict) or "class_name" not in config:
            raise ValueError(
                f"Could not interpret {self.kind} config {config!r}: expected a name or a "
                "dict with 'class_name' and 'config' keys.")
        if config["class_name"] == "function":  # Keras 3 writes a function as its name
            return self.deserialize(config.get("config"), custom_objects)
        name = config.get("registered_name")  # "package>Name" for registered classes
        if not name or get_registered_object(name, custom_objects, self.objects) is None:
            name = config["class_name"]
        cls = self.resolve(name, custom_objects)
        inner = config.get("config") or {}
        if hasattr(cls, "from_config"):
            return cls.from_config(inner)
        return cls(**inner) if isinstance(cls, type) else cls

    def get(self, identifier):
        """Keras's ``get``: None, a name, a config dict, a class, or a callable."""
        if identifier is None:
            return None
        if isinstance(identifier, (str, dict)):
            obj = self.deserialize(identifier)
        else:
            obj = identifier
        if isinstance(obj, type):
            obj = obj()
        if not callable(obj):
            raise ValueError(
                f"Could not interpret {self.kind} identifier {identifier!r}: expected None, "
                f"a name such as {next(iter(self.objects))!r}, a config dict, or a callable.")
        return obj

    def serialize(self, obj):
        """Keras 3's ``{"module", "class_name", "config", "registered_name"}`` for ``obj``."""
        return serialize_keras_object(obj)


def snake_case(name):
    """``GlorotUniform`` -> ``glorot_uniform``, ``L1L2`` -> ``l1l2``, ``STFT`` -> ``stft``."""
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and (name[i - 1].islower() or (
                i + 1 < len(name) and name[i + 1].islower() and name[i - 1].isupper())):
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


def warn_legacy(old, new):
    """The DeprecationWarning for a Keras 1/2 spelling, attributed to the user's code."""
    frame, level = sys._getframe(1), 2  # stacklevel 1 is this function, 2 its caller
    while frame is not None and frame.f_globals.get("__name__", "").split(".")[0] == "cornu":
        frame, level = frame.f_back, level + 1
    warnings.warn(f"{old} is a Keras 1/2 spelling; use {new} instead.", DeprecationWarning,
                  stacklevel=level)
