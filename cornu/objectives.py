"""``keras.objectives`` (Keras 1): the loss functions, now ``keras.losses``."""
from cornu.legacy.modules import reexport, warn_module

__all__ = reexport(globals(), "cornu.losses", [
    "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error", "squared_hinge", "hinge", "categorical_hinge",
    "logcosh", "categorical_crossentropy", "sparse_categorical_crossentropy",
    "binary_crossentropy", "kullback_leibler_divergence", "poisson", "cosine_proximity",
    "mse", "mae", "mape", "msle", "kld", "cosine", "get", "serialize", "deserialize"])
warn_module("keras.objectives", "keras.losses")
