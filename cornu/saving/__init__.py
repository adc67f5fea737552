"""Saving and loading: configs, the object registry, and (later) file formats."""
from cornu.saving.serialization import (  # noqa: F401
    serialize_keras_object, deserialize_keras_object, register_keras_serializable,
    get_registered_object, get_registered_name, CustomObjectScope, custom_object_scope,
)
