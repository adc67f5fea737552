"""keras.wrappers.scikit_learn (Keras 2): KerasClassifier / KerasRegressor with build_fn
and sk_params, inside scikit-learn's own tools."""
import sys
import warnings

import numpy as np
import pytest

import cornu

sklearn = pytest.importorskip("sklearn", reason="the wrappers are for scikit-learn")


def _module():
    sys.modules.pop("cornu.wrappers.scikit_learn", None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import cornu.wrappers.scikit_learn as module
    assert any("SKLearnClassifier" in str(w.message) for w in caught)
    return module


def build_classifier(hidden=8, classes=3):
    model = cornu.Sequential([cornu.Input((4,)), cornu.layers.Dense(hidden, activation="relu"),
                              cornu.layers.Dense(classes, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def data(n=60):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 4)).astype("float32")
    y = np.where(x[:, 0] > 0.5, "b", np.where(x[:, 0] < -0.5, "c", "a"))
    return x, y


def test_classifier_labels_probabilities_and_score():
    module = _module()
    cornu.utils.set_random_seed(0)
    clf = module.KerasClassifier(build_fn=build_classifier, hidden=16, epochs=30,
                                 batch_size=16, verbose=0)
    x, y = data()
    history = clf.fit(x, y)
    assert len(history.history["loss"]) == 30
    assert list(clf.classes_) == ["a", "b", "c"]
    pred = clf.predict(x)
    assert set(pred) <= {"a", "b", "c"} and pred.shape == (60,)
    proba = clf.predict_proba(x)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    accuracy = clf.score(x, y)
    assert accuracy == pytest.approx(np.mean(pred == y), abs=1e-6)
    assert accuracy > 0.6


def test_params_clone_and_grid_search():
    module = _module()
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV
    clf = module.KerasClassifier(build_fn=build_classifier, epochs=2, verbose=0)
    assert clf.get_params()["epochs"] == 2 and clf.get_params()["build_fn"] is build_classifier
    assert clone(clf).get_params()["epochs"] == 2
    with pytest.raises(ValueError, match="not a legal parameter"):
        module.KerasClassifier(build_fn=build_classifier, colour="red")
    x, y = data()
    search = GridSearchCV(clf, {"hidden": [4, 8]}, cv=2)
    search.fit(x, y)
    assert search.best_params_["hidden"] in (4, 8)


def test_regressor_predicts_a_vector_and_scores_minus_the_loss():
    module = _module()

    def build():
        model = cornu.Sequential([cornu.Input((4,)), cornu.layers.Dense(1)])
        model.compile("sgd", "mse")
        return model
    reg = module.KerasRegressor(build_fn=build, epochs=3, verbose=0)
    x, _ = data()
    y = x @ np.array([1.0, -2.0, 0.5, 0.0], dtype="float32")
    reg.fit(x, y)
    assert reg.predict(x).shape == (60,)
    mse = float(np.mean((reg.predict(x) - y) ** 2))
    assert reg.score(x, y) == pytest.approx(-mse, rel=1e-4)
