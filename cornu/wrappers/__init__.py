"""keras.wrappers: scikit-learn estimators around cornu models (needs ``scikit-learn``)."""
from cornu.wrappers.sklearn_wrapper import (  # noqa: F401
    SKLearnClassifier, SKLearnRegressor, SKLearnTransformer)
