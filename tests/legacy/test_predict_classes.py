"""Keras 2's Model.predict_classes / predict_proba."""
import numpy as np
import pytest

import cornu
from cornu import layers


def _model(units, activation):
    model = cornu.Sequential([cornu.Input((4,)), layers.Dense(units, activation=activation)])
    model.compile("sgd", "mse")
    return model


def test_softmax_classes_are_the_argmax():
    model = _model(3, "softmax")
    x = np.random.default_rng(0).normal(size=(10, 4)).astype("float32")
    with pytest.warns(DeprecationWarning, match="predict"):
        classes = model.predict_classes(x, batch_size=4)
    with pytest.warns(DeprecationWarning, match=r"predict\(\)"):
        proba = model.predict_proba(x)
    assert classes.shape == (10,) and proba.shape == (10, 3)
    np.testing.assert_array_equal(classes, proba.argmax(-1))


def test_single_sigmoid_output_thresholds():
    model = _model(1, "sigmoid")
    x = np.random.default_rng(1).normal(size=(10, 4)).astype("float32")
    with pytest.warns(DeprecationWarning):
        classes = model.predict_classes(x)
    proba = model.predict(x, verbose=0)
    assert classes.shape == (10, 1) and classes.dtype == np.int32
    np.testing.assert_array_equal(classes, (proba > 0.5).astype("int32"))
