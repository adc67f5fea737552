"""cornu.constraints: projections against numpy, names and configs."""
import warnings

import numpy as np
import pytest

from cornu import backend, constraints

EPS = 1e-7
W = np.random.default_rng(0).normal(size=(5, 4)).astype("float32") * np.array(
    [0.1, 1.0, 3.0, 10.0], dtype="float32")  # columns with norms below, around and above 1-2
KERNEL = np.random.default_rng(1).normal(size=(3, 3, 2, 4)).astype("float32")


def project(constraint, w=W):
    return backend.convert_to_numpy(constraint(backend.convert_to_tensor(w)))


def norms(w, axis):
    return np.sqrt(np.sum(np.square(w), axis=axis, keepdims=True))


def test_max_norm():
    n = norms(W, 0)
    np.testing.assert_allclose(project(constraints.MaxNorm(2.0)),
                               W * np.clip(n, 0, 2.0) / (EPS + n), rtol=1e-5)
    out = project(constraints.MaxNorm(2.0))
    assert (norms(out, 0) <= 2.0 + 1e-5).all()
    np.testing.assert_allclose(out[:, 0], W[:, 0], rtol=1e-5)  # small columns untouched
    n = norms(KERNEL, (0, 1, 2))
    np.testing.assert_allclose(project(constraints.MaxNorm(1.0, axis=[0, 1, 2]), KERNEL),
                               KERNEL * np.clip(n, 0, 1.0) / (EPS + n), rtol=1e-5)


@pytest.mark.parametrize("rate", [1.0, 0.3])
def test_min_max_norm(rate):
    n = norms(W, 0)
    desired = rate * np.clip(n, 0.5, 2.0) + (1 - rate) * n
    np.testing.assert_allclose(project(constraints.MinMaxNorm(0.5, 2.0, rate=rate)),
                               W * desired / (EPS + n), rtol=1e-5)


def test_non_neg_and_unit_norm():
    np.testing.assert_array_equal(project(constraints.NonNeg()), np.maximum(W, 0))
    np.testing.assert_allclose(project(constraints.UnitNorm()), W / (EPS + norms(W, 0)), rtol=1e-5)
    np.testing.assert_allclose(project(constraints.UnitNorm(axis=1)), W / (EPS + norms(W, 1)),
                               rtol=1e-5)
    np.testing.assert_array_equal(project(constraints.Constraint()), W)


def test_projection_of_a_variable():
    v = backend.Variable(W)
    np.testing.assert_array_equal(project(constraints.NonNeg(), v), np.maximum(W, 0))


def test_defaults():
    assert constraints.MaxNorm().get_config() == {"max_value": 2, "axis": 0}
    assert constraints.MinMaxNorm().get_config() == {
        "min_value": 0.0, "max_value": 1.0, "rate": 1.0, "axis": 0}
    assert constraints.UnitNorm().get_config() == {"axis": 0}
    assert constraints.NonNeg().get_config() == {}


def test_get_names_and_objects():
    assert constraints.get(None) is None
    for name, cls in [("max_norm", constraints.MaxNorm), ("MaxNorm", constraints.MaxNorm),
                      ("min_max_norm", constraints.MinMaxNorm), ("non_neg", constraints.NonNeg),
                      ("unit_norm", constraints.UnitNorm)]:
        assert type(constraints.get(name)) is cls
    obj = constraints.MaxNorm(3)
    assert constraints.get(obj) is obj
    assert constraints.max_norm is constraints.MaxNorm
    with pytest.raises(ValueError, match="Did you mean 'non_neg'"):
        constraints.get("non_negative")


@pytest.mark.parametrize("old, cls, modern", [
    ("maxnorm", constraints.MaxNorm, "max_norm"), ("nonneg", constraints.NonNeg, "non_neg"),
    ("unitnorm", constraints.UnitNorm, "unit_norm"),
])
def test_legacy_names_warn(old, cls, modern):
    with pytest.warns(DeprecationWarning, match=modern):
        assert type(constraints.get(old)) is cls
    with pytest.warns(DeprecationWarning, match=modern):
        assert getattr(constraints, old) is cls
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        constraints.get(modern)
    with pytest.warns(DeprecationWarning, match="max_value"):
        assert constraints.MaxNorm(m=3).max_value == 3  # Keras 1's maxnorm(m=3)


@pytest.mark.parametrize("constraint", [
    constraints.MaxNorm(3.0, axis=[0, 1, 2]), constraints.MinMaxNorm(0.1, 0.9, 0.5, axis=1),
    constraints.NonNeg(), constraints.UnitNorm(axis=-1),
])
def test_round_trips(constraint):
    config = constraints.serialize(constraint)
    assert config == {"module": "keras.constraints", "class_name": type(constraint).__name__,
                      "config": constraint.get_config(), "registered_name": None}
    rebuilt = constraints.deserialize(config)
    assert type(rebuilt) is type(constraint) and rebuilt.get_config() == constraint.get_config()
    np.testing.assert_allclose(project(rebuilt, KERNEL), project(constraint, KERNEL))
