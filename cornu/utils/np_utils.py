"""``keras.utils.np_utils`` (Keras 1/2): to_categorical and normalize, now in cornu.utils."""
from cornu.legacy.modules import warn_module
from cornu.utils.numerical_utils import normalize, to_categorical

__all__ = ["to_categorical", "normalize"]
warn_module("keras.utils.np_utils", "keras.utils")
