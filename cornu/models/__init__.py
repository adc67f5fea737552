"""cornu.models: Model, Sequential, Functional, cloning and loading."""
from cornu.models.model import Model  # noqa: F401
from cornu.models.functional import Functional  # noqa: F401
from cornu.models.sequential import Sequential  # noqa: F401
from cornu.models.cloning import clone_model  # noqa: F401


def model_from_json(json_string, custom_objects=None):
    """A model (untrained) from the JSON that ``model.to_json()`` wrote."""
    import json
    from cornu.layers import deserialize
    return deserialize(json.loads(json_string), custom_objects=custom_objects)


def model_from_config(config, custom_objects=None):
    """Keras 2's ``keras.models.model_from_config``: a model (untrained) from
    ``{"class_name": ..., "config": ...}``, as ``serialize_keras_object`` writes it.

    Keras 3 dropped this function; use ``cornu.saving.deserialize_keras_object(config)``
    or ``cornu.Model.from_config(config["config"])``.

    Args:
        config: the dict with ``class_name`` and ``config``.
        custom_objects: a dict of name -> class or function for classes that are neither
            cornu's nor registered.

    Returns:
        The model.
    """
    import warnings
    warnings.warn("`cornu.models.model_from_config` is a Keras 2 function; use "
                  "`cornu.saving.deserialize_keras_object(config)` instead.",
                  DeprecationWarning, stacklevel=2)
    if not isinstance(config, dict) or "config" not in config:
        raise TypeError(
            "model_from_config expects a dict with 'class_name' and 'config' keys (the "
            f"output of `serialize_keras_object(model)`); received {type(config).__name__}. "
            "For a model's `get_config()`, use `cornu.Model.from_config(config)`.")
    from cornu.layers import deserialize
    return deserialize(config, custom_objects=custom_objects)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Load a model from a ``.keras`` or ``.h5`` file (see ``cornu.saving.load_model``)."""
    from cornu.saving import saving_api
    return saving_api.load_model(filepath, custom_objects=custom_objects, compile=compile,
                                 safe_mode=safe_mode)


def save_model(model, filepath, overwrite=True, **kwargs):
    """Save a model to a ``.keras`` or ``.h5`` file (see ``cornu.saving.save_model``)."""
    from cornu.saving import saving_api
    return saving_api.save_model(model, filepath, overwrite=overwrite, **kwargs)
