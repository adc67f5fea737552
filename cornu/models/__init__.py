"""cornu.models: Model, Sequential, Functional, and loading."""
from cornu.models.model import Model  # noqa: F401
from cornu.models.functional import Functional  # noqa: F401
from cornu.models.sequential import Sequential  # noqa: F401
