"""keras.wrappers: scikit-learn's estimator checks (as Keras runs them), pipelines, cross-validation."""
import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn", reason="cornu.wrappers needs scikit-learn (pip install cornu[sklearn])")

import cornu  # noqa: E402
from cornu.wrappers import SKLearnClassifier, SKLearnRegressor, SKLearnTransformer  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import make_classification, make_regression  # noqa: E402
from sklearn.model_selection import cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402


def dynamic_model(X, y, loss, out_activation_function="softmax", layers=(10,)):
    """An MLP whose input and output widths follow X and the (encoded) y, as in Keras's tests."""
    inputs = cornu.Input(shape=(X.shape[1],))
    hidden = inputs
    for size in layers:
        hidden = cornu.layers.Dense(size, activation="relu")(hidden)
    n_outputs = y.shape[1] if len(y.shape) > 1 else 1
    outputs = [cornu.layers.Dense(n_outputs, activation=out_activation_function)(hidden)]
    model = cornu.Model(inputs, outputs)
    model.compile(loss=loss, optimizer="rmsprop")
    return model


# The same estimators and expected failures as keras/src/wrappers/sklearn_test.py (Keras 3.15.1).
EXPECTED_FAILED_CHECKS = {
    "SKLearnClassifier": {
        "check_classifiers_regression_target": "not an issue in sklearn>=1.6",
        "check_parameters_default_constructible": "not an issue in sklearn>=1.6",
        "check_classifiers_one_label_sample_weights": "0 sample weight is not ignored",
        "check_classifiers_classes": "with small test cases the estimator returns not all classes sometimes",
        "check_classifier_data_not_an_array": "This test assumes reproducibility in fit.",
        "check_supervised_y_2d": "This test assumes reproducibility in fit.",
        "check_fit_idempotent": "This test assumes reproducibility in fit.",
        "check_classifiers_train": "decision_function can return both probabilities and logits",
    },
    "SKLearnRegressor": {"check_parameters_default_constructible": "not an issue in sklearn>=1.6"},
    "SKLearnTransformer": {"check_parameters_default_constructible": "not an issue in sklearn>=1.6"},
}


def _quiet(**fit_kwargs):
    return {"verbose": 0, **fit_kwargs}


@parametrize_with_checks(
    [SKLearnClassifier(model=dynamic_model,
                       model_kwargs={"loss": "categorical_crossentropy", "layers": [20, 20, 20]},
                       fit_kwargs=_quiet(epochs=5)),
     SKLearnRegressor(model=dynamic_model, model_kwargs={"loss": "mse"}, fit_kwargs=_quiet()),
     SKLearnTransformer(model=dynamic_model, model_kwargs={"loss": "mse"}, fit_kwargs=_quiet())],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS[type(est).__name__],
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize("activation", ["softmax", "linear"])
def test_decision_function_agrees_with_predict(activation):
    X, y = make_classification(n_samples=10, n_features=10, n_informative=4, n_classes=2, random_state=42)
    est = SKLearnClassifier(dynamic_model, model_kwargs={"out_activation_function": activation,
                                                         "loss": "binary_crossentropy"},
                            fit_kwargs=_quiet(epochs=1)).fit(X, y)
    scores = est.decision_function(X)
    assert scores.shape == (10, 2)
    np.testing.assert_array_equal(est.classes_[scores.argmax(axis=-1)], est.predict(X))


def test_string_labels_round_trip():
    cornu.utils.set_random_seed(0)
    X, y = make_classification(n_samples=90, n_features=5, n_informative=4, n_redundant=0, n_classes=3,
                               class_sep=3.0, random_state=0)
    labels = np.array(["cat", "dog", "eel"])[y]
    est = SKLearnClassifier(dynamic_model, model_kwargs={"loss": "categorical_crossentropy", "layers": [16]},
                            fit_kwargs=_quiet(epochs=40, batch_size=16))
    est.fit(X, labels)
    np.testing.assert_array_equal(est.classes_, ["cat", "dog", "eel"])
    pred = est.predict(X)
    assert pred.shape == (90,) and set(pred) <= {"cat", "dog", "eel"}
    assert est.score(X, labels) > 0.8
    assert est.epoch_ == 40


def test_pipeline_and_cross_val_score():
    cornu.utils.set_random_seed(1)
    X, y = make_classification(n_samples=60, n_features=6, n_informative=4, n_redundant=0, class_sep=3.0,
                               random_state=1)
    pipe = make_pipeline(StandardScaler(), SKLearnClassifier(
        dynamic_model, model_kwargs={"loss": "categorical_crossentropy", "layers": [8]},
        fit_kwargs=_quiet(epochs=30, batch_size=8)))
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.shape == (3,)
    assert scores.mean() > 0.7

    Xr, yr = make_regression(n_samples=60, n_features=4, noise=0.1, random_state=0)
    reg = make_pipeline(StandardScaler(), SKLearnRegressor(
        dynamic_model, model_kwargs={"loss": "mse", "out_activation_function": "linear"},
        fit_kwargs=_quiet(epochs=2)))
    r2 = cross_val_score(reg, Xr, yr, cv=2)
    assert r2.shape == (2,) and np.all(np.isfinite(r2))


def test_regressor_and_transformer_shapes():
    X, y = make_regression(n_samples=20, n_features=3, random_state=0)
    reg = SKLearnRegressor(dynamic_model, model_kwargs={"loss": "mse", "out_activation_function": "linear"},
                           fit_kwargs=_quiet(epochs=1)).fit(X, y)
    assert reg.predict(X).shape == (20,)
    trs = SKLearnTransformer(dynamic_model, model_kwargs={"loss": "mse", "layers": [4]},
                             fit_kwargs=_quiet(epochs=1)).fit(X, y)
    assert trs.transform(X).shape == (20, 1)


def _compiled_model():
    inputs = cornu.Input(shape=(4,))
    model = cornu.Model(inputs, cornu.layers.Dense(2, activation="softmax")(inputs))
    model.compile(loss="categorical_crossentropy", optimizer="sgd")
    return model


def test_model_instance_is_cloned_unless_warm_start():
    X, y = np.ones((4, 4)), np.array([1, 2, 1, 2])
    model = _compiled_model()
    est = SKLearnClassifier(model=model).fit(X, y, epochs=1, verbose=0)
    assert est.model_ is not model and est.model_.compiled
    assert est.model_.optimizer is not model.optimizer

    warm = SKLearnClassifier(model=model, warm_start=True)
    warm.fit(X, y, epochs=0, verbose=0)
    assert warm.model_ is model
    warm.fit(X, y, epochs=0, verbose=0)
    assert warm.model_ is model


def test_clone_keeps_params():
    est = SKLearnRegressor(dynamic_model, warm_start=True, model_kwargs={"loss": "mse"},
                           fit_kwargs={"epochs": 3})
    copy = clone(est)
    assert copy is not est
    assert copy.get_params() == est.get_params()
    est.set_params(warm_start=False)
    assert est.warm_start is False


def test_errors():
    X, y = np.ones((4, 4)), np.array([0, 1, 0, 1])
    uncompiled = cornu.Model(*(lambda i: (i, cornu.layers.Dense(2)(i)))(cornu.Input((4,))))
    with pytest.raises(RuntimeError, match="must be compiled"):
        SKLearnClassifier(model=uncompiled).fit(X, y)
    with pytest.raises(ValueError, match="only one class"):
        SKLearnClassifier(model=_compiled_model()).fit(X, np.zeros(4))
    with pytest.raises(ValueError, match="binary and multiclass"):
        SKLearnClassifier(model=_compiled_model()).fit(X, np.array([0.5, 1.5, 2.2, 3.1]))
    with pytest.raises(sklearn.exceptions.NotFittedError):
        SKLearnClassifier(model=_compiled_model()).predict(X)


def test_without_sklearn_the_error_says_what_to_install(monkeypatch):
    from cornu.wrappers import sklearn_wrapper
    monkeypatch.setattr(sklearn_wrapper, "sklearn", None)
    with pytest.raises(ImportError, match="pip install scikit-learn"):
        SKLearnRegressor(model=dynamic_model)


def test_pickle_round_trip_keeps_predictions():
    import pickle
    X, y = make_regression(n_samples=12, n_features=3, random_state=0)
    est = SKLearnRegressor(model=_compiled_regressor(), fit_kwargs=_quiet(epochs=2)).fit(X, y)
    copy = pickle.loads(pickle.dumps(est))
    np.testing.assert_allclose(copy.predict(X), est.predict(X), rtol=1e-6)
    assert copy.history_.epoch == [0, 1] and copy.epoch_ == 2


def _compiled_regressor():
    inputs = cornu.Input(shape=(3,))
    model = cornu.Model(inputs, cornu.layers.Dense(1)(inputs))
    model.compile(loss="mse", optimizer="adam")
    return model
