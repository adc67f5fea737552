"""Learning rate schedules against numpy versions of Keras 3's formulas."""
import math

import numpy as np
import pytest

import cornu
from cornu.optimizers import schedules

STEPS = [0, 1, 5, 10, 15, 29, 30, 31, 99, 150, 1000]


def values(schedule):
    return np.array([float(cornu.ops.convert_to_numpy(schedule(s))) for s in STEPS])


def expect(fn):
    return np.array([fn(float(s)) for s in STEPS])


def check(schedule, fn):
    np.testing.assert_allclose(values(schedule), expect(fn), rtol=1e-6, atol=1e-7)


def cosine(lr0, fraction, alpha):
    return lr0 * ((1 - alpha) * 0.5 * (1 + np.cos(np.pi * fraction)) + alpha)


@pytest.mark.parametrize("staircase", [False, True])
def test_exponential_decay(staircase):
    def fn(s):
        p = np.floor(s / 10) if staircase else s / 10
        return 0.1 * 0.9 ** p
    check(schedules.ExponentialDecay(0.1, 10, 0.9, staircase=staircase), fn)


def test_piecewise_constant_decay():
    schedule = schedules.PiecewiseConstantDecay([10, 30], [1.0, 0.5, 0.1])
    check(schedule, lambda s: 1.0 if s <= 10 else (0.5 if s <= 30 else 0.1))
    with pytest.raises(ValueError, match="1 less"):
        schedules.PiecewiseConstantDecay([10], [1.0])


@pytest.mark.parametrize("cycle", [False, True])
def test_polynomial_decay(cycle):
    def fn(s):
        steps = 30.0
        if cycle:
            steps *= 1.0 if s == 0 else np.ceil(s / 30)
        else:
            s = min(s, steps)
        return (0.1 - 0.01) * (1 - s / steps) ** 0.5 + 0.01
    check(schedules.PolynomialDecay(0.1, 30, 0.01, power=0.5, cycle=cycle), fn)


@pytest.mark.parametrize("staircase", [False, True])
def test_inverse_time_decay(staircase):
    def fn(s):
        p = np.floor(s / 7) if staircase else s / 7
        return 0.1 / (1 + 0.5 * p)
    check(schedules.InverseTimeDecay(0.1, 7, 0.5, staircase=staircase), fn)


def test_cosine_decay():
    check(schedules.CosineDecay(0.1, 100, alpha=0.1),
          lambda s: cosine(0.1, min(s, 100) / 100, 0.1))


def test_cosine_decay_with_warmup():
    def fn(s):
        s = min(s, 100 + 10)
        if s < 10:
            return (0.2 - 0.05) * s / 10 + 0.05
        return cosine(0.2, (s - 10) / 100, 0.0)
    check(schedules.CosineDecay(0.05, 100, warmup_target=0.2, warmup_steps=10), fn)


@pytest.mark.parametrize("t_mul, m_mul", [(1.0, 1.0), (2.0, 0.5), (1.5, 0.9)])
def test_cosine_decay_restarts(t_mul, m_mul):
    def fn(s):
        fraction = s / 10
        if t_mul == 1.0:
            i = np.floor(fraction)
            fraction -= i
        else:
            i = np.floor(np.log(1 - fraction * (1 - t_mul)) / np.log(t_mul))
            done = (1 - t_mul ** i) / (1 - t_mul)
            fraction = (fraction - done) / t_mul ** i
        return 0.1 * ((1 - 0.05) * 0.5 * m_mul ** i * (1 + np.cos(np.pi * fraction)) + 0.05)
    check(schedules.CosineDecayRestarts(0.1, 10, t_mul=t_mul, m_mul=m_mul, alpha=0.05), fn)


def test_call_returns_a_backend_tensor_and_accepts_variables():
    schedule = schedules.ExponentialDecay(0.1, 10, 0.9)
    out = schedule(cornu.Variable(np.array(20, "int64")))
    assert cornu.ops.is_tensor(out) and cornu.backend.standardize_dtype(out.dtype) == "float32"
    assert float(out) == pytest.approx(0.1 * 0.81)


@pytest.mark.parametrize("schedule", [
    schedules.ExponentialDecay(0.1, 10, 0.9, staircase=True),
    schedules.PiecewiseConstantDecay([10, 30], [1.0, 0.5, 0.1]),
    schedules.PolynomialDecay(0.1, 30, 0.01, power=0.5, cycle=True),
    schedules.InverseTimeDecay(0.1, 7, 0.5),
    schedules.CosineDecay(0.05, 100, warmup_target=0.2, warmup_steps=10),
    schedules.CosineDecayRestarts(0.1, 10, t_mul=1.5, m_mul=0.9, alpha=0.05),
], ids=lambda s: type(s).__name__)
def test_serialize_round_trip(schedule):
    config = schedules.serialize(schedule)
    assert config["class_name"] == type(schedule).__name__
    assert config["module"] == "keras.optimizers.schedules"
    restored = schedules.deserialize(config)
    assert type(restored) is type(schedule)
    assert restored.get_config() == schedule.get_config()
    np.testing.assert_allclose(values(restored), values(schedule))


def test_keras2_style_config_and_custom_schedule():
    restored = schedules.deserialize({"class_name": "PolynomialDecay", "config": {
        "initial_learning_rate": 0.1, "decay_steps": 100, "end_learning_rate": 0.01,
        "power": 0.5, "cycle": False, "name": None}})
    assert float(restored(100)) == pytest.approx(0.01)

    class Halving(schedules.LearningRateSchedule):
        def __call__(self, step):
            return 1.0 / (float(step) + 1)

    assert Halving()(3) == 0.25
    with pytest.raises(NotImplementedError):
        schedules.LearningRateSchedule()(0)
    with pytest.raises(ValueError, match="decay_steps"):
        schedules.ExponentialDecay(0.1, 0, 0.9)
    assert math.isclose(schedules.CosineDecay(1.0, 10)._at(5), 0.5)
