"""cornu.metrics: Keras 3's ``keras.metrics``.

A metric keeps its state in variables on the device: ``update_state`` adds a
batch, ``result`` returns a tensor, ``reset_state`` starts over. Every loss is
also usable as a metric (the mean of its per-sample values).
"""
import difflib as _difflib

from cornu import losses as _losses
from cornu.backend.common.global_state import to_snake_case as _to_snake_case
from cornu.initializers._lookup import Catalog as _Catalog
from cornu.losses import (  # noqa: F401  (Keras exports these loss functions as metrics)
    binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy,
    categorical_focal_crossentropy, categorical_hinge, hinge, huber, kl_divergence, log_cosh,
    mean_absolute_error, mean_absolute_percentage_error, mean_squared_error,
    mean_squared_logarithmic_error, poisson, sparse_categorical_crossentropy, squared_hinge,
)
from cornu.metrics.accuracy_metrics import (
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy, TopKCategoricalAccuracy, accuracy, binary_accuracy,
    categorical_accuracy, sparse_categorical_accuracy, sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from cornu.metrics.auc import AUC
from cornu.metrics.confusion import (
    FalseNegatives, FalsePositives, Precision, PrecisionAtRecall, Recall, RecallAtPrecision,
    SensitivityAtSpecificity, SpecificityAtSensitivity, TrueNegatives, TruePositives,
)
from cornu.metrics.correlation import (
    ConcordanceCorrelation, PearsonCorrelation, concordance_correlation, pearson_correlation,
)
from cornu.metrics.f_score import F1Score, FBetaScore
from cornu.metrics.iou import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from cornu.metrics.metric import Metric
from cornu.metrics.probabilistic import (
    BinaryCrossentropy, CategoricalCrossentropy, CategoricalHinge, Hinge, KLDivergence,
    Poisson, SparseCategoricalCrossentropy, SquaredHinge,
)
from cornu.metrics.reduction import Mean, MeanMetricWrapper, Sum
from cornu.metrics.regression import (
    CosineSimilarity, LogCoshError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredError, MeanSquaredLogarithmicError, R2Score, RootMeanSquaredError,
    cosine_similarity,
)

# Keras 2's short names of the functions.
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh

CLASSES = (
    Metric, Mean, Sum, MeanMetricWrapper, MeanSquaredError, RootMeanSquaredError,
    MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
    CosineSimilarity, LogCoshError, R2Score, AUC, FalseNegatives, FalsePositives, Precision,
    PrecisionAtRecall, Recall, RecallAtPrecision, SensitivityAtSpecificity,
    SpecificityAtSensitivity, TrueNegatives, TruePositives, Hinge, SquaredHinge,
    CategoricalHinge, KLDivergence, Poisson, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy, Accuracy, BinaryAccuracy, CategoricalAccuracy,
    SparseCategoricalAccuracy, TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, F1Score,
    FBetaScore, IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU, PearsonCorrelation,
    ConcordanceCorrelation,
)
FUNCTIONS = (
    accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, cosine_similarity,
    pearson_correlation, concordance_correlation,
)
# As in Keras: class names and their snake_case spellings name classes
# ("mean_squared_error" is the MeanSquaredError metric), the short names too.
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in CLASSES}
ALL_OBJECTS_DICT.update({_to_snake_case(cls.__name__): cls for cls in CLASSES})
ALL_OBJECTS_DICT.update(
    bce=BinaryCrossentropy, BCE=BinaryCrossentropy, mse=MeanSquaredError,
    MSE=MeanSquaredError, mae=MeanAbsoluteError, MAE=MeanAbsoluteError,
    mape=MeanAbsolutePercentageError, MAPE=MeanAbsolutePercentageError,
    msle=MeanSquaredLogarithmicError, MSLE=MeanSquaredLogarithmicError, acc=Accuracy,
    logcosh=LogCoshError)
_FUNCTIONS_DICT = {fn.__name__: fn for fn in FUNCTIONS}
_CATALOG = _Catalog("metric", {**_FUNCTIONS_DICT, **ALL_OBJECTS_DICT})


def serialize(metric):
    """A JSON-friendly description of a ``Metric`` (config dict) or metric function (its name)."""
    return _CATALOG.serialize(metric)


def deserialize(config, custom_objects=None):
    """A ``Metric`` instance or metric function from ``serialize``'s output."""
    return _CATALOG.deserialize(config, custom_objects)


def deserialize_function(config, custom_objects=None):
    """The function a ``MeanMetricWrapper`` config names: a metric or a loss function."""
    if isinstance(config, str):
        if config in _FUNCTIONS_DICT:
            return _FUNCTIONS_DICT[config]
        if config in _losses.ALL_OBJECTS_DICT or config in _losses._LEGACY:
            return _losses.deserialize(config, custom_objects)
    return _CATALOG.deserialize(config, custom_objects)


def _from_loss(loss, name):
    """A loss (function, class or instance) as the metric averaging its per-sample values."""
    if isinstance(loss, type):
        loss = loss()
    if isinstance(loss, _losses.LossFunctionWrapper):
        return MeanMetricWrapper(loss.fn, name=name or loss.name, **loss._fn_kwargs)
    if isinstance(loss, _losses.Loss):
        return MeanMetricWrapper(loss.call, name=name or loss.name)
    return MeanMetricWrapper(loss, name=name or getattr(loss, "__name__", None))


def _from_name(name):
    if name in ALL_OBJECTS_DICT:
        return ALL_OBJECTS_DICT[name](name=name)
    if name in _FUNCTIONS_DICT:
        return MeanMetricWrapper(_FUNCTIONS_DICT[name], name=name)
    if name in _losses.ALL_OBJECTS_DICT or name in _losses._LEGACY:
        return _from_loss(_losses.deserialize(name), name)
    try:  # a registered or custom object
        obj = _CATALOG.resolve(name)
    except ValueError:
        known = sorted(set(ALL_OBJECTS_DICT) | set(_FUNCTIONS_DICT) | set(
            n for n in _losses.ALL_OBJECTS_DICT if n[:1].islower()))
        close = _difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        valid = ", ".join(n for n in known if n[:1].islower())
        raise ValueError(
            f"Unknown metric: {name!r}.{hint} Valid names are: {valid} (or their class "
            "names). For a custom metric, pass the Metric object or function itself.") from None
    return get(obj) if not isinstance(obj, str) else _from_name(obj)


def get(identifier):
    """A ``Metric`` from a name, a config dict, a class, an instance, or a function.

    Names cover the metric classes (``"auc"``, ``"MeanSquaredError"``, ``"mse"``), the
    metric functions (``"binary_accuracy"``) and every loss name (``"huber"``); the
    metric is named after the string, as ``compile(metrics=[...])`` shows it. A
    function becomes a ``MeanMetricWrapper`` named after it.

    Example:

    >>> cornu.metrics.get("mse").name
    'mse'
    >>> cornu.metrics.get({"class_name": "AUC", "config": {"curve": "PR"}})
    """
    if identifier is None:
        return None
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        return _from_name(identifier)
    if isinstance(identifier, dict):
        return get(deserialize(identifier))
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if isinstance(identifier, _losses.Loss) or (
            isinstance(identifier, type) and issubclass(identifier, _losses.Loss)):
        return _from_loss(identifier, None)
    if callable(identifier):
        return MeanMetricWrapper(identifier, name=getattr(identifier, "__name__", None))
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}. Expected a "
                     "name, a config dict, a Metric class or instance, or a function.")
