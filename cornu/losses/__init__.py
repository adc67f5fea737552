"""cornu.losses: Keras 3's ``keras.losses``.

Each loss is a function returning per-sample values (``mean_squared_error``)
and a ``Loss`` class that weights and reduces them (``MeanSquaredError``).
``get`` turns a name, a config dict, a class or a callable into a loss.
"""
from cornu.initializers._lookup import Catalog as _Catalog
from cornu.losses.hinge_losses import (
    CategoricalHinge, Hinge, SquaredHinge, categorical_hinge, convert_binary_labels_to_hinge,
    hinge, squared_hinge,
)
from cornu.losses.loss import (
    Loss, LossFunctionWrapper, reduce_values, reduce_weighted_values,
    squeeze_or_expand_to_same_rank,
)
from cornu.losses.probabilistic import (
    BinaryCrossentropy, BinaryFocalCrossentropy, CategoricalCrossentropy,
    CategoricalFocalCrossentropy, CategoricalGeneralizedCrossEntropy, KLDivergence, Poisson,
    SparseCategoricalCrossentropy, binary_crossentropy, binary_focal_crossentropy,
    categorical_crossentropy, categorical_focal_crossentropy,
    categorical_generalized_cross_entropy, kl_divergence, poisson,
    sparse_categorical_crossentropy,
)
from cornu.losses.regression import (
    CosineSimilarity, Huber, LogCosh, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredError, MeanSquaredLogarithmicError, cosine_similarity, huber, log_cosh,
    mean_absolute_error, mean_absolute_percentage_error, mean_squared_error,
    mean_squared_logarithmic_error,
)
from cornu.losses.segmentation import CTC, Dice, Tversky, ctc, dice, tversky
from cornu.losses.similarity import Circle, circle

# Keras 3's short names, exported as module attributes too (``cornu.losses.mse``).
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kl_divergence
bce = BCE = binary_crossentropy
# Keras 2 names of the same functions.
kullback_leibler_divergence = kl_divergence
logcosh = log_cosh

CLASSES = (
    Loss, LossFunctionWrapper, KLDivergence, Poisson, BinaryCrossentropy,
    BinaryFocalCrossentropy, CategoricalCrossentropy, CategoricalFocalCrossentropy,
    SparseCategoricalCrossentropy, MeanSquaredError, MeanAbsoluteError,
    MeanAbsolutePercentageError, MeanSquaredLogarithmicError, CosineSimilarity, LogCosh, Huber,
    Hinge, SquaredHinge, CategoricalHinge, Dice, Tversky, CTC, Circle,
    CategoricalGeneralizedCrossEntropy,
)
FUNCTIONS = (
    kl_divergence, poisson, binary_crossentropy, binary_focal_crossentropy,
    categorical_crossentropy, categorical_focal_crossentropy, sparse_categorical_crossentropy,
    mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_logarithmic_error, cosine_similarity, log_cosh, huber, hinge, squared_hinge,
    categorical_hinge, dice, tversky, ctc, circle,
)
# As in Keras, ``categorical_generalized_cross_entropy`` (its ``q`` has no default) is not
# looked up by name; its class is, so saved models that use it load.
ALL_OBJECTS_DICT = {obj.__name__: obj for obj in CLASSES + FUNCTIONS}
ALL_OBJECTS_DICT.update(
    mse=mse, MSE=mse, mae=mae, MAE=mae, mape=mape, MAPE=mape, msle=msle, MSLE=msle,
    kld=kld, KLD=kld, bce=bce, BCE=bce)
# Keras 1/2 spellings: they resolve, with a DeprecationWarning naming the modern one.
_LEGACY = {
    "kullback_leibler_divergence": (kl_divergence, "'kl_divergence'"),
    "logcosh": (log_cosh, "'log_cosh'"),
    "cosine_proximity": (cosine_similarity, "'cosine_similarity'"),
    "huber_loss": (huber, "'huber'"),
}
_CATALOG = _Catalog("loss", ALL_OBJECTS_DICT, _LEGACY)


def serialize(loss):
    """A JSON-friendly description of a ``Loss`` (config dict) or loss function (its name)."""
    return _CATALOG.serialize(loss)


def deserialize(name, custom_objects=None):
    """A loss function or ``Loss`` instance from ``serialize``'s output."""
    return _CATALOG.deserialize(name, custom_objects)


def get(identifier):
    """A loss from None, a name, a config dict, a class, or a callable.

    As in Keras, a function name gives the function (``get("mse")`` is
    ``mean_squared_error``), a class name an instance; wrap a function in
    ``LossFunctionWrapper`` to get ``sample_weight`` handling and reduction.

    Example:

    >>> cornu.losses.get("categorical_crossentropy")
    >>> cornu.losses.get({"class_name": "CategoricalCrossentropy",
    ...                   "config": {"from_logits": True}})
    """
    return _CATALOG.get(identifier)
