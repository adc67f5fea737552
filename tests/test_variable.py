"""The backend Variable: value, assign, trainable, numpy, path; tensor behaviour."""
import numpy as np
import pytest

import cornu
from cornu import backend, ops


def test_variable_basics():
    v = cornu.Variable(np.arange(6, dtype="float32").reshape(2, 3), name="w")
    assert v.shape == (2, 3) and v.dtype == "float32" and v.name == "w" and v.path == "w"
    assert v.trainable and v.value.requires_grad
    v.assign(np.ones((2, 3)))
    assert np.array_equal(v.numpy(), np.ones((2, 3)))
    v.assign_add(np.ones((2, 3)))
    v.assign_sub(np.full((2, 3), 0.5))
    assert np.allclose(v.numpy(), 1.5)
    v.trainable = False
    assert not v.value.requires_grad
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        v.assign(np.ones((3, 2)))


def test_variable_acts_like_a_tensor():
    v = cornu.Variable(np.array([1.0, 2.0], dtype="float32"))
    assert np.allclose(backend.convert_to_numpy(v + 1), [2, 3])
    assert np.allclose(backend.convert_to_numpy(2 * v), [2, 4])
    assert np.allclose(np.asarray(v), [1, 2])
    assert np.allclose(backend.convert_to_numpy(ops.matmul(v, v)), 5.0)
    import torch
    assert torch.equal(torch.exp(v), torch.exp(torch.tensor([1.0, 2.0])))


def test_variable_from_initializer_and_dtype():
    v = cornu.Variable(lambda shape, dtype=None: np.zeros(shape, "float32"), shape=(3,))
    assert v.shape == (3,)
    i = cornu.Variable(np.array([1, 2]), dtype="int32", trainable=False)
    assert i.dtype == "int32" and not i.value.requires_grad
    with pytest.raises(ValueError, match="shape"):
        cornu.Variable(lambda shape, dtype=None: np.zeros(shape), shape=None)


def test_variable_from_an_initializer_name_or_object():
    # Keras 3: Variable(initializer, shape=None, ...) takes a name, an Initializer or a value.
    import warnings
    import numpy as np
    import cornu
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        v = cornu.Variable(initializer="uniform", shape=(784, 512))
    assert v.shape == (784, 512) and 0 < np.abs(v.numpy()).max() <= 0.05
    z = cornu.Variable(cornu.initializers.Ones(), shape=(2,), dtype="float32")
    assert z.numpy().tolist() == [1.0, 1.0]
    with pytest.raises(ValueError, match="Unknown initializer"):
        cornu.Variable(initializer="nonsense", shape=(2,))
