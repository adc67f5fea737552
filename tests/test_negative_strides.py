"""numpy views with negative strides (``x[:, ::-1]``, ``np.flip``) as model inputs.

torch refuses to wrap them ("At least one stride in the given numpy array is
negative"); Keras 3 on torch takes them. ``convert_to_tensor`` copies such an
array (as it copies a read-only one), so ``ops.convert_to_tensor``, an eager
``model(x)`` and ``predict_on_batch`` take them too.
"""
import numpy as np
import pytest

import cornu as keras
from cornu import layers, ops


def _model_and_view():
    x = np.random.default_rng(0).normal(size=(8, 4)).astype("float32")
    model = keras.Sequential([keras.Input((4,)), layers.Dense(2)])
    kernel, bias = model.get_weights()
    view = x[:, ::-1]
    assert any(s < 0 for s in view.strides)
    return model, view, np.ascontiguousarray(view) @ kernel + bias


def test_predict_on_a_reversed_view():
    model, view, expected = _model_and_view()
    np.testing.assert_allclose(model.predict(view, verbose=0), expected, rtol=1e-5,
                               atol=1e-6)


@pytest.mark.parametrize("dtype", ["float32", "int64"])
def test_convert_to_tensor_of_a_reversed_view(dtype):
    view = np.arange(12, dtype=dtype).reshape(3, 4)[:, ::-1]
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.convert_to_tensor(view)),
                                  np.ascontiguousarray(view))


def test_predict_on_batch_and_call_on_a_reversed_view():
    model, view, expected = _model_and_view()
    np.testing.assert_allclose(model.predict_on_batch(view), expected, rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(ops.convert_to_numpy(model(view)), expected, rtol=1e-5,
                               atol=1e-6)
