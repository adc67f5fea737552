"""``keras.utils.generic_utils`` (Keras 2): Progbar, the object registry, and a few
helpers, now in ``keras.utils`` and ``keras.saving``."""
import inspect

from cornu.legacy.modules import warn_module
from cornu.backend.common.global_state import to_snake_case
from cornu.saving.serialization import (
    CustomObjectScope, custom_object_scope, deserialize_keras_object, get_registered_name,
    get_registered_object, register_keras_serializable, serialize_keras_object,
)
from cornu.utils.progbar import Progbar

__all__ = ["Progbar", "CustomObjectScope", "custom_object_scope", "get_custom_objects",
           "serialize_keras_object", "deserialize_keras_object", "get_registered_name",
           "get_registered_object", "register_keras_serializable", "to_snake_case",
           "has_arg", "to_list"]


def get_custom_objects():
    from cornu.saving import get_custom_objects as registry
    return registry()


def has_arg(fn, name, accept_all=False):
    """Whether ``fn`` takes an argument ``name`` (or any keyword, with ``accept_all``)."""
    params = inspect.signature(fn).parameters
    if accept_all and any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return True
    return name in params


def to_list(x, allow_tuple=False):
    """``x`` as a list (a tuple stays one with ``allow_tuple``)."""
    if isinstance(x, list) or (allow_tuple and isinstance(x, tuple)):
        return x
    return [x]


warn_module("keras.utils.generic_utils", "keras.utils")
