"""Keras 2's lowercase optimizer aliases: ``keras.optimizers.rmsprop(lr=1e-4, decay=1e-6)``."""
import numpy as np
import pytest

import cornu
from cornu import optimizers

ALIASES = [("sgd", optimizers.SGD), ("rmsprop", optimizers.RMSprop),
           ("adagrad", optimizers.Adagrad), ("adadelta", optimizers.Adadelta),
           ("adam", optimizers.Adam), ("adamax", optimizers.Adamax),
           ("nadam", optimizers.Nadam)]


@pytest.mark.parametrize("alias, cls", ALIASES)
def test_alias_builds_the_optimizer(alias, cls):
    with pytest.warns(DeprecationWarning, match=f"keras.optimizers.{cls.__name__}"):
        optimizer = getattr(optimizers, alias)(learning_rate=0.25)
    assert type(optimizer) is cls
    np.testing.assert_allclose(float(optimizer.learning_rate), 0.25)


def test_keras2_arguments_are_translated():
    with pytest.warns(DeprecationWarning) as record:
        optimizer = optimizers.rmsprop(lr=0.0001, decay=1e-6)
    messages = " ".join(str(w.message) for w in record)
    assert "keras.optimizers.RMSprop" in messages and "learning_rate" in messages
    np.testing.assert_allclose(float(optimizer.learning_rate), 1e-4, rtol=1e-6)
    assert optimizer.get_config()["name"] == "rmsprop"
    with pytest.warns(DeprecationWarning):
        sgd = optimizers.sgd(lr=0.01, momentum=0.9, nesterov=True)
    assert sgd.momentum == 0.9 and sgd.nesterov


def test_module_imports_still_work():
    from cornu.optimizers.adam import Adam
    from cornu.optimizers.rmsprop import RMSprop
    assert Adam is optimizers.Adam and RMSprop is optimizers.RMSprop
    assert optimizers.rmsprop.RMSprop is optimizers.RMSprop
    assert isinstance(optimizers.get("rmsprop"), optimizers.RMSprop)


def test_alias_trains_a_model():
    model = cornu.Sequential([cornu.Input((2,)), cornu.layers.Dense(1)])
    with pytest.warns(DeprecationWarning):
        model.compile(optimizers.adam(lr=0.1), "mse")
    x = np.ones((4, 2), "float32")
    history = model.fit(x, np.zeros((4, 1), "float32"), epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
