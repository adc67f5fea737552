"""cornu.models: Model, Sequential, Functional, and loading."""
from cornu.models.model import Model  # noqa: F401
from cornu.models.functional import Functional  # noqa: F401
from cornu.models.sequential import Sequential  # noqa: F401


def model_from_json(json_string, custom_objects=None):
    """A model (untrained) from the JSON that ``model.to_json()`` wrote."""
    import json
    from cornu.layers import deserialize
    return deserialize(json.loads(json_string), custom_objects=custom_objects)
