"""``keras.wrappers.scikit_learn`` (Keras 2): ``KerasClassifier`` and ``KerasRegressor``.

Keras 2's scikit-learn wrappers, with their API: a ``build_fn`` that returns a
compiled model, and ``sk_params`` that go to ``build_fn``, ``fit``, ``predict`` and
``evaluate`` by name (``epochs``, ``batch_size``, ``verbose``, ...). They work with
scikit-learn's ``clone``, grid search and cross-validation. Keras 3's wrappers are
``keras.wrappers.SKLearnClassifier`` / ``SKLearnRegressor`` (a different API); this
module warns, when imported, with their names.
"""
import copy
import inspect
import types

import numpy as np

from cornu.legacy.modules import warn_module
from cornu.wrappers.sklearn_wrapper import BaseEstimator, ClassifierMixin, RegressorMixin

__all__ = ["KerasClassifier", "KerasRegressor"]


class _KerasWrapper(BaseEstimator):
    """Keras 2's base wrapper: ``build_fn`` and ``sk_params``."""

    def __init__(self, build_fn=None, **sk_params):
        self.build_fn = build_fn
        self.sk_params = sk_params
        self.check_params(sk_params)

    def _targets(self):
        from cornu.models import Model
        build = self.build_fn
        if build is None:
            build = self.__call__
        elif not isinstance(build, types.FunctionType) and not isinstance(
                build, types.MethodType) and callable(build):
            build = build.__call__
        return [Model.fit, Model.predict, Model.evaluate, build]

    def check_params(self, params):
        """Refuse ``sk_params`` that no target function takes."""
        for name in params:
            if not any(name in inspect.signature(fn).parameters for fn in self._targets()):
                if name != "nb_epoch":
                    raise ValueError(f"{name} is not a legal parameter: it is not an argument "
                                     "of build_fn, fit, predict or evaluate.")

    def get_params(self, **params):
        """The parameters, for scikit-learn's ``clone``."""
        res = copy.deepcopy(self.sk_params)
        res.update({"build_fn": self.build_fn})
        return res

    def set_params(self, **params):
        self.check_params(params)
        self.sk_params.update(params)
        return self

    def filter_sk_params(self, fn, override=None):
        """The ``sk_params`` that ``fn`` takes, updated with ``override``."""
        names = inspect.signature(fn).parameters
        res = {k: v for k, v in self.sk_params.items() if k in names}
        res.update(override or {})
        return res

    def _build(self):
        if self.build_fn is None:
            return self.__call__(**self.filter_sk_params(self.__call__))
        fn = self.build_fn
        target = fn if isinstance(fn, (types.FunctionType, types.MethodType)) else fn.__call__
        return fn(**self.filter_sk_params(target))

    def fit(self, x, y, **kwargs):
        """Build a fresh model with ``build_fn`` and train it; returns the History."""
        from cornu.models import Model
        self.model = self._build()
        loss = getattr(self.model, "loss", None)
        loss_name = loss if isinstance(loss, str) else getattr(loss, "__name__", "")
        if loss_name == "categorical_crossentropy" and len(np.shape(y)) != 2:
            from cornu.utils import to_categorical
            y = to_categorical(y)
        fit_args = self.filter_sk_params(Model.fit, kwargs)
        if "nb_epoch" in self.sk_params and "epochs" not in fit_args:
            fit_args["epochs"] = self.sk_params["nb_epoch"]
        self.history_ = self.model.fit(x, y, **fit_args)
        return self.history_


class KerasClassifier(ClassifierMixin, _KerasWrapper):
    """Keras 2's scikit-learn classifier around ``build_fn()``'s compiled model."""

    def fit(self, x, y, sample_weight=None, **kwargs):
        y = np.array(y)
        if y.ndim == 2 and y.shape[1] > 1:
            self.classes_ = np.arange(y.shape[1])
        elif (y.ndim == 2 and y.shape[1] == 1) or y.ndim == 1:
            self.classes_ = np.unique(y)
            y = np.searchsorted(self.classes_, y)
        else:
            raise ValueError(f"Invalid shape for y: {y.shape}")
        self.n_classes_ = len(self.classes_)
        if sample_weight is not None:
            kwargs["sample_weight"] = sample_weight
        return super().fit(x, y, **kwargs)

    def predict(self, x, **kwargs):
        """The class labels (from ``classes_``) of the model's most likely outputs."""
        from cornu.models import Model
        proba = np.asarray(self.model.predict(x, **self.filter_sk_params(Model.predict,
                                                                         kwargs)))
        classes = proba.argmax(axis=-1) if proba.shape[-1] > 1 else (
            proba > 0.5).astype("int32").reshape(-1)
        return self.classes_[classes]

    def predict_proba(self, x, **kwargs):
        """Class probabilities; a single sigmoid output becomes two columns."""
        from cornu.models import Model
        probs = np.asarray(self.model.predict(x, **self.filter_sk_params(Model.predict,
                                                                         kwargs)))
        if probs.shape[1] == 1:
            probs = np.hstack([1 - probs, probs])
        return probs

    def score(self, x, y, **kwargs):
        """The model's accuracy on ``(x, y)`` (the model must be compiled with it)."""
        from cornu.models import Model
        y = np.searchsorted(self.classes_, y)
        kwargs = self.filter_sk_params(Model.evaluate, kwargs)
        loss = getattr(self.model, "loss", None)
        if loss == "categorical_crossentropy" and len(np.shape(y)) != 2:
            from cornu.utils import to_categorical
            y = to_categorical(y)
        outputs = self.model.evaluate(x, y, return_dict=True, **kwargs)
        for name in ("accuracy", "acc"):
            if name in outputs:
                return outputs[name]
        raise ValueError("The model is not configured to compute accuracy. Pass "
                         "`metrics=['accuracy']` to `model.compile()`.")


class KerasRegressor(RegressorMixin, _KerasWrapper):
    """Keras 2's scikit-learn regressor around ``build_fn()``'s compiled model."""

    def predict(self, x, **kwargs):
        from cornu.models import Model
        return np.squeeze(np.asarray(self.model.predict(
            x, **self.filter_sk_params(Model.predict, kwargs))), axis=-1)

    def score(self, x, y, **kwargs):
        """Minus the loss on ``(x, y)`` (greater is better, as scikit-learn wants)."""
        from cornu.models import Model
        outputs = self.model.evaluate(x, y, return_dict=True,
                                      **self.filter_sk_params(Model.evaluate, kwargs))
        return -outputs["loss"]


warn_module("keras.wrappers.scikit_learn",
            "keras.wrappers.SKLearnClassifier` / `SKLearnRegressor")
