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


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Load a model from a ``.keras`` or ``.h5`` file (see ``cornu.saving.load_model``)."""
    from cornu.saving import saving_api
    return saving_api.load_model(filepath, custom_objects=custom_objects, compile=compile,
                                 safe_mode=safe_mode)


def save_model(model, filepath, overwrite=True, **kwargs):
    """Save a model to a ``.keras`` or ``.h5`` file (see ``cornu.saving.save_model``)."""
    from cornu.saving import saving_api
    return saving_api.save_model(model, filepath, overwrite=overwrite, **kwargs)
