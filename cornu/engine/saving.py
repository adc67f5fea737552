"""``keras.engine.saving`` (Keras 2.2): saving and loading, now in ``keras.saving``."""
from cornu.legacy.modules import reexport, warn_module

__all__ = reexport(globals(), "cornu.models", [
    "save_model", "load_model", "model_from_config", "model_from_json", "model_from_yaml"])
warn_module("keras.engine.saving", "keras.saving")
