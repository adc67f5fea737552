"""cornu.saving: Keras 3's ``keras.saving``: file formats, configs and the object registry.

Formats: ``.keras`` archives (``keras_archive``), ``.weights.h5`` (``h5_weights``)
and legacy ``.h5`` (``legacy_h5``), chosen by ``saving_api`` from the file name.
Loading never runs code from a file (see ``safety`` and ``safe_mode``); saving
is atomic (``atomic``).
"""
from cornu.saving.errors import (  # noqa: F401
    CorruptFileError, LoadingError, UnknownObjectError, UnsafeFileError,
)
from cornu.saving.serialization import (  # noqa: F401
    serialize_keras_object, deserialize_keras_object, register_keras_serializable,
    get_registered_object, get_registered_name, CustomObjectScope, custom_object_scope,
)
from cornu.saving.saving_api import (  # noqa: F401
    load_model, load_weights, save_model, save_weights,
)
from cornu.saving.file_editor import KerasFileEditor  # noqa: F401


def get_custom_objects():
    """The global registry of custom objects: a dict from name to class or function.

    It is the dict that ``register_keras_serializable`` fills (under
    ``"package>name"``) and that loading reads, so it can be edited in place:
    after ``get_custom_objects()["MyLayer"] = MyLayer``, configs naming
    ``MyLayer`` load. Prefer ``register_keras_serializable`` or a
    ``custom_object_scope``, which do not leave the name visible to all code.

    Returns:
        dict (the registry itself, not a copy).
    """
    from cornu.saving import serialization
    return serialization._GLOBAL_CUSTOM_OBJECTS
