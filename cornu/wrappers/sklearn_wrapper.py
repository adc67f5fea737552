"""scikit-learn estimators (classifier, regressor, transformer) that fit a cornu model.

scikit-learn is optional: without it this module still imports (so ``cornu.wrappers``
lists its names), and making an estimator raises an ImportError saying what to install.
"""
import numpy as np

try:
    import sklearn
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, TransformerMixin
except ImportError:  # the estimators refuse to be made; see _require_sklearn
    sklearn = None

    class BaseEstimator:
        pass

    class ClassifierMixin:
        pass

    class RegressorMixin:
        pass

    class TransformerMixin:
        pass

_MODEL_DOC = """
    Args:
        model: A compiled `Model`, or a callable ``model(X=..., y=..., **model_kwargs)``
            returning a compiled `Model`. A `Model` instance is cloned (with its
            compile settings, fresh weights) before each fit, unless ``warm_start``.
        warm_start: bool. Whether to keep training the same model (the given one,
            then ``model_``) on later calls to `fit`. Defaults to ``False``.
        model_kwargs: dict. Keyword arguments for ``model`` when it is a callable.
        fit_kwargs: dict. Keyword arguments for ``model.fit`` (``epochs``,
            ``batch_size``, ...). Those given to `fit` itself take precedence.
"""


def _require_sklearn(name):
    if sklearn is None:
        raise ImportError(f"{name} requires scikit-learn, which is not installed. "
                          "Run `pip install scikit-learn` (or `pip install cornu[sklearn]`).")


def _validate_data(estimator, *args, **kwargs):
    try:  # scikit-learn >= 1.6
        from sklearn.utils.validation import validate_data
    except ImportError:
        return estimator._validate_data(*args, **kwargs)
    return validate_data(estimator, *args, **kwargs)


def _target_type(y):
    from sklearn.utils.multiclass import type_of_target
    kind = type_of_target(y)
    if kind == "unknown":
        raise ValueError(f"Unknown label type for data: {y!r}. Expected numbers or class labels.")
    return kind


def _check_compiled(model):
    compiled = getattr(model, "compiled", False)
    if not compiled or not model.loss or not model.optimizer:
        raise RuntimeError(
            "The model given to the scikit-learn wrapper must be compiled with a loss and an "
            f"optimizer; received {type(model).__name__} '{getattr(model, 'name', model)}' "
            f"(compiled={compiled}). Call model.compile(loss=..., optimizer=...) before wrapping it, "
            "or in the function that builds it.")


class _TargetReshaper(TransformerMixin, BaseEstimator):
    """Makes 1-D targets 2-D (``(n, 1)``) for the model, and squeezes predictions back."""

    def fit(self, y):
        self.ndim_ = np.ndim(y)
        return self

    def transform(self, y):
        y = np.asarray(y)
        return y.reshape(-1, 1) if y.ndim == 1 else y

    def inverse_transform(self, y):
        y = np.asarray(y)
        return np.squeeze(y, axis=1) if self.ndim_ == 1 and y.ndim == 2 and y.shape[1] == 1 else y


def _model_from_bytes(data):
    import os
    import tempfile

    from cornu.saving import load_model
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        with open(path, "wb") as f:
            f.write(data)
        return load_model(path)


class _PickledModel:
    """A model inside a pickled estimator: its ``.keras`` archive, rebuilt on unpickling."""

    def __init__(self, data):
        self.data = data


class _PickledHistory:
    """What a pickled estimator keeps of ``history_``: the logs, epochs and fit params."""

    def __init__(self, history):
        self.history = dict(getattr(history, "history", {}))
        self.epoch = list(getattr(history, "epoch", []))
        self.params = dict(getattr(history, "params", None) or {})


class SKLBase(BaseEstimator):
    """Base of the scikit-learn wrappers: parameters, cloning, fit and predict."""

    def __init__(self, model, warm_start=False, model_kwargs=None, fit_kwargs=None):
        _require_sklearn(type(self).__name__)
        self.model = model
        self.warm_start = warm_start
        self.model_kwargs = model_kwargs
        self.fit_kwargs = fit_kwargs

    def _more_tags(self):  # scikit-learn < 1.6
        return {"non_deterministic": True}

    def __getstate__(self):
        # Models go into a pickle as their .keras archive (architecture, weights, compile
        # state), the way Keras pickles models; custom layers must be registered to load.
        from cornu.models import Model
        state = dict(super().__getstate__())  # may be self.__dict__ itself
        for key in ("model", "model_"):
            if isinstance(state.get(key), Model):
                from cornu.models.model import model_to_bytes
                state[key] = _PickledModel(model_to_bytes(state[key]))
        if "history_" in state:
            state["history_"] = _PickledHistory(state["history_"])
        return state

    def __setstate__(self, state):
        for key in ("model", "model_"):
            if isinstance(state.get(key), _PickledModel):
                state[key] = _model_from_bytes(state[key].data)
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = True
        return tags

    def __sklearn_clone__(self):
        # A Model is shared, not deep-copied: fit() clones it unless warm_start. Unlike
        # Keras 3.15, the clone keeps `fit_kwargs` (get_params() lists it).
        return type(self)(**self.get_params(deep=False))

    @property
    def epoch_(self):
        """The number of epochs of the last fit (0 before fitting)."""
        history = getattr(self, "history_", None)
        return len(getattr(history, "epoch", [])) if history is not None else 0

    def set_fit_request(self, **kwargs):
        """Requests metadata (``sample_weight=True``, ...) for `fit` under metadata routing.

        Args:
            **kwargs: ``param_name=alias`` with alias one of True, False, None or a str.

        Returns:
            self
        """
        if not sklearn.get_config().get("enable_metadata_routing", False):
            raise RuntimeError("set_fit_request() works only with metadata routing enabled: call "
                               "sklearn.set_config(enable_metadata_routing=True) first.")
        from sklearn.utils.metadata_routing import MetadataRequest
        self._metadata_request = MetadataRequest(owner=type(self).__name__)
        for param, alias in kwargs.items():
            self._metadata_request.fit.add_request(param=param, alias=alias)
        return self

    def _get_model(self, X, y):
        from cornu.models import Model, clone_model
        if self.warm_start and hasattr(self, "model_"):
            return self.model_
        if isinstance(self.model, Model):
            if self.warm_start:
                return self.model
            model = clone_model(self.model)
            if self.model.compiled and not model.compiled:
                model.compile_from_config(self.model.get_compile_config())
            return model
        if not callable(self.model):
            raise TypeError(f"`model` must be a cornu Model or a callable returning one; "
                            f"received {type(self.model).__name__}.")
        return self.model(X=X, y=y, **(self.model_kwargs or {}))

    def fit(self, X, y, **kwargs):
        """Fits a fresh (or, with ``warm_start``, the same) model.

        Args:
            X: array-like of shape ``(n_samples, n_features)``.
            y: array-like of shape ``(n_samples,)`` or ``(n_samples, n_outputs)``.
            **kwargs: passed to ``model.fit``, over ``fit_kwargs``.

        Returns:
            self
        """
        X, y = _validate_data(self, X, y)
        y = self._process_target(y, reset=True)
        model = self._get_model(X, y)
        _check_compiled(model)
        self.history_ = model.fit(X, y, **{**(self.fit_kwargs or {}), **kwargs})
        self.model_ = model
        return self

    def _raw_predict(self, X):
        from sklearn.utils.validation import check_is_fitted
        check_is_fitted(self)
        X = _validate_data(self, X, reset=False)
        out = self.model_.predict(X, verbose=0)
        if isinstance(out, (list, tuple)) and len(out) == 1:  # Model(inputs, [output])
            out = out[0]
        return np.asarray(out)

    def predict(self, X):
        """Predicts with the fitted model.

        Args:
            X: array-like of shape ``(n_samples, n_features)``.

        Returns:
            The predictions, in the shape (and, for classifiers, the labels) of ``y``.
        """
        raw = self._raw_predict(X)  # checks that the estimator is fitted first
        return self._target_encoder.inverse_transform(raw)

    def _process_target(self, y, reset=False):
        _target_type(y)
        if reset:
            self._target_encoder = _TargetReshaper().fit(y)
        return self._target_encoder.transform(y)


class SKLearnClassifier(ClassifierMixin, SKLBase):
    __doc__ = """A scikit-learn classifier that trains a cornu model.

    Labels (numbers or strings, binary or multiclass) are one-hot encoded for the
    model, as in Keras, so the model should end in one unit per class (e.g. a
    softmax layer) and use ``categorical_crossentropy``; `predict` maps the
    argmax back to the labels, `decision_function` gives the model's raw output.
    Training is not deterministic unless seeds are set (`cornu.utils.set_random_seed`).
    Unlike Keras, `predict` and `decision_function` print no progress bar.
    """ + _MODEL_DOC + """
    Attributes:
        model_: The fitted `Model`.
        history_: The `History` returned by ``model.fit``.
        classes_: The class labels, sorted.

    Example:

    >>> def build(X, y, loss):
    ...     inputs = cornu.Input((X.shape[1],))
    ...     outputs = cornu.layers.Dense(y.shape[1], activation="softmax")(inputs)
    ...     model = cornu.Model(inputs, outputs)
    ...     model.compile(loss=loss, optimizer="adam")
    ...     return model
    >>> est = SKLearnClassifier(build, model_kwargs={"loss": "categorical_crossentropy"},
    ...                         fit_kwargs={"epochs": 5, "verbose": 0})
    >>> est.fit(X, y).predict(X[:3])
    """

    def decision_function(self, X):
        """Returns the model's raw outputs (one column per class in ``classes_``).

        Args:
            X: array-like of shape ``(n_samples, n_features)``.

        Returns:
            An array of shape ``(n_samples, n_classes)``.
        """
        return self._raw_predict(X)

    def _process_target(self, y, reset=False):
        kind = _target_type(y)
        if kind not in ("binary", "multiclass"):
            raise ValueError(f"SKLearnClassifier supports binary and multiclass targets only; "
                             f"received a target of type {kind!r}. Use SKLearnRegressor for "
                             "continuous targets.")
        if reset:
            from sklearn.pipeline import make_pipeline
            from sklearn.preprocessing import OneHotEncoder
            self._target_encoder = make_pipeline(_TargetReshaper(), OneHotEncoder(sparse_output=False)).fit(y)
            self.classes_ = np.unique(y)
            if len(self.classes_) == 1:
                raise ValueError(f"Classifier can't train when only one class is present "
                                 f"(received only {self.classes_[0]!r}); give it at least two classes.")
        return self._target_encoder.transform(y)

    def _more_tags(self):  # scikit-learn < 1.6
        return {"non_deterministic": True, "poor_score": True}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.poor_score = True
        return tags


class SKLearnRegressor(RegressorMixin, SKLBase):
    __doc__ = """A scikit-learn regressor that trains a cornu model.

    Training is not deterministic unless seeds are set (`cornu.utils.set_random_seed`).
    """ + _MODEL_DOC + """
    Attributes:
        model_: The fitted `Model`.
        history_: The `History` returned by ``model.fit``.

    Example:

    >>> est = SKLearnRegressor(build, model_kwargs={"loss": "mse"}, fit_kwargs={"epochs": 5})
    >>> est.fit(X, y).score(X, y)
    """

    def _more_tags(self):  # scikit-learn < 1.6
        return {"non_deterministic": True, "poor_score": True}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.regressor_tags.poor_score = True
        return tags


class SKLearnTransformer(TransformerMixin, SKLBase):
    __doc__ = """A scikit-learn transformer whose `transform` is a trained cornu model's output.

    A transformer in scikit-learn's sense (a pipeline step), e.g. an embedding
    model; wrap it in ``sklearn.frozen.FrozenEstimator`` to keep a pipeline from
    training it again.
    """ + _MODEL_DOC + """
    Attributes:
        model_: The fitted `Model`.
        history_: The `History` returned by ``model.fit``.
    """

    def transform(self, X):
        """Returns the fitted model's outputs for ``X``.

        Args:
            X: array-like of shape ``(n_samples, n_features)``.

        Returns:
            An array of the model's outputs.
        """
        return self._raw_predict(X)

    def _more_tags(self):  # scikit-learn < 1.6
        return {"non_deterministic": True, "preserves_dtype": []}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []
        return tags
