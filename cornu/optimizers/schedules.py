"""Learning rate schedules (``keras.optimizers.schedules``).

Each built-in schedule computes its value on the host in ``_at(step)`` with
Python floats, so an optimizer evaluates it every step without touching the
device; calling the schedule returns a backend scalar tensor, as in Keras.
"""
import math

from cornu import backend


class LearningRateSchedule:
    """Base class of learning rate schedules: ``schedule(step)`` is the rate at ``step``.

    Subclasses implement ``__call__(self, step)`` (and ``get_config`` to be saved).

    Example:

    ```python
    class Halving(cornu.optimizers.schedules.LearningRateSchedule):
        def __init__(self, initial_learning_rate):
            self.initial_learning_rate = initial_learning_rate

        def __call__(self, step):
            return self.initial_learning_rate / (step + 1)
    ```
    """

    def __call__(self, step):
        if type(self)._at is LearningRateSchedule._at:
            raise NotImplementedError(
                f"Learning rate schedule '{type(self).__name__}' must override "
                "`__call__(self, step)`.")
        value = self._at(float(backend.convert_to_numpy(step)))
        return backend.convert_to_tensor(value, dtype=self._dtype())

    def _at(self, step):
        """The rate at ``step`` (a Python number) as a Python number."""
        raise NotImplementedError

    def _dtype(self):
        return backend.floatx()

    def get_config(self):
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `get_config()` "
            "in order to be serializable.")

    @classmethod
    def from_config(cls, config):
        """Create the schedule from ``get_config``'s output."""
        return cls(**config)


def _check_positive(name, value):
    if value <= 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={value}")


class ExponentialDecay(LearningRateSchedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``.

    Args:
        initial_learning_rate: Float. The rate at step 0.
        decay_steps: Int > 0. Steps per factor of ``decay_rate``.
        decay_rate: Float. The decay factor.
        staircase: Boolean. If True, ``step / decay_steps`` is floored.
        name: String.

    Example:

    ```python
    schedule = cornu.optimizers.schedules.ExponentialDecay(0.1, 1000, 0.96)
    optimizer = cornu.optimizers.SGD(learning_rate=schedule)
    ```
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):
        _check_positive("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def _at(self, step):
        p = step / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self.initial_learning_rate * self.decay_rate ** p

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` while ``step <= boundaries[0]``, ``values[1]`` while
    ``step <= boundaries[1]``, ..., ``values[-1]`` after the last boundary.

    Args:
        boundaries: Strictly increasing step numbers.
        values: One more value than boundaries.
        name: String.

    Example:

    ```python
    schedule = cornu.optimizers.schedules.PiecewiseConstantDecay([1000, 2000], [1.0, 0.5, 0.1])
    ```
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, and "
                f"values={values} of length {len(values)}.")
        self.boundaries = list(boundaries)
        self.values = list(values)
        self.name = name

    def _at(self, step):
        for boundary, value in zip(self.boundaries, self.values):
            if step <= boundary:
                return value
        return self.values[-1]

    def _dtype(self):
        return "int32" if isinstance(self.values[0], int) else backend.floatx()

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """``(initial - end) * (1 - step / decay_steps) ** power + end``, with ``step``
    capped at ``decay_steps`` (or, with ``cycle``, ``decay_steps`` stretched to the
    next multiple above ``step``).

    Args:
        initial_learning_rate: Float.
        decay_steps: Int > 0.
        end_learning_rate: Float. Defaults to 0.0001.
        power: Float. Defaults to 1.0.
        cycle: Boolean. Restart the decay after ``decay_steps``.
        name: String.

    Example:

    ```python
    schedule = cornu.optimizers.schedules.PolynomialDecay(0.1, 10000, 0.01, power=0.5)
    ```
    """

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001,
                 power=1.0, cycle=False, name="PolynomialDecay"):
        _check_positive("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def _at(self, step):
        decay_steps = float(self.decay_steps)
        if self.cycle:
            decay_steps *= 1.0 if step == 0 else math.ceil(step / self.decay_steps)
        else:
            step = min(step, decay_steps)
        p = step / decay_steps
        return ((self.initial_learning_rate - self.end_learning_rate) * (1 - p) ** self.power
                + self.end_learning_rate)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)``.

    Args:
        initial_learning_rate: Float.
        decay_steps: Number > 0.
        decay_rate: Float.
        staircase: Boolean. If True, ``step / decay_steps`` is floored.
        name: String.

    Example:

    ```python
    schedule = cornu.optimizers.schedules.InverseTimeDecay(0.1, decay_steps=1.0, decay_rate=0.5)
    ```
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="InverseTimeDecay"):
        _check_positive("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def _at(self, step):
        p = step / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self.initial_learning_rate / (1 + self.decay_rate * p)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


def _cosine(fraction, alpha):
    return (1 - alpha) * 0.5 * (1.0 + math.cos(math.pi * fraction)) + alpha


class CosineDecay(LearningRateSchedule):
    """Cosine decay from ``initial_learning_rate`` (or, after a linear warmup of
    ``warmup_steps`` steps, from ``warmup_target``) to ``alpha`` times it over
    ``decay_steps`` steps.

    Args:
        initial_learning_rate: Float.
        decay_steps: Int > 0. Steps to decay over.
        alpha: Float. The final rate as a fraction of the starting one.
        name: String.
        warmup_target: Float or None. The rate reached at the end of the warmup.
        warmup_steps: Int. Steps to warm up over.

    Example:

    ```python
    schedule = cornu.optimizers.schedules.CosineDecay(
        0.0, decay_steps=1000, warmup_target=0.1, warmup_steps=100)
    ```
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        _check_positive("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_target = warmup_target
        self.warmup_steps = warmup_steps

    def _at(self, step):
        if self.warmup_target is None:
            step = min(step, self.decay_steps)
            return self.initial_learning_rate * _cosine(step / self.decay_steps, self.alpha)
        step = min(step, self.decay_steps + self.warmup_steps)
        if step < self.warmup_steps:
            fraction = step / self.warmup_steps
            return ((self.warmup_target - self.initial_learning_rate) * fraction
                    + self.initial_learning_rate)
        fraction = (step - self.warmup_steps) / self.decay_steps
        return self.warmup_target * _cosine(fraction, self.alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): decays over ``first_decay_steps``, then
    restarts; each period is ``t_mul`` times longer and starts ``m_mul`` times lower.

    Args:
        initial_learning_rate: Float.
        first_decay_steps: Int > 0. Length of the first period.
        t_mul: Float. Period length multiplier.
        m_mul: Float. Starting-rate multiplier per restart.
        alpha: Float. The minimum rate as a fraction of ``initial_learning_rate``.
        name: String.

    Example:

    ```python
    schedule = cornu.optimizers.schedules.CosineDecayRestarts(0.1, first_decay_steps=1000)
    ```
    """

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0,
                 alpha=0.0, name="SGDRDecay"):
        _check_positive("first_decay_steps", first_decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def _at(self, step):
        fraction = step / self.first_decay_steps
        t_mul = float(self._t_mul)
        if t_mul == 1.0:
            restart = math.floor(fraction)
            fraction -= restart
        else:  # periods grow geometrically: find the period, then the fraction within it
            restart = math.floor(math.log(1.0 - fraction * (1.0 - t_mul)) / math.log(t_mul))
            done = (1.0 - t_mul ** restart) / (1.0 - t_mul)
            fraction = (fraction - done) / t_mul ** restart
        return self.initial_learning_rate * (
            (1 - self.alpha) * 0.5 * self._m_mul ** restart * (1.0 + math.cos(math.pi * fraction))
            + self.alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self._t_mul,
                "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}


ALL_SCHEDULES = {cls.__name__: cls for cls in (
    LearningRateSchedule, ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay,
    InverseTimeDecay, CosineDecay, CosineDecayRestarts)}


def serialize(learning_rate_schedule):
    """A JSON-friendly dict describing ``learning_rate_schedule``.

    Example:

    ```python
    config = cornu.optimizers.schedules.serialize(
        cornu.optimizers.schedules.ExponentialDecay(0.1, 1000, 0.96))
    ```
    """
    from cornu.saving import serialize_keras_object
    return serialize_keras_object(learning_rate_schedule)


def deserialize(config, custom_objects=None):
    """A schedule from ``serialize``'s output (or a Keras 2 ``{'class_name', 'config'}``)."""
    from cornu.saving import deserialize_keras_object
    return deserialize_keras_object(config, module_objects=ALL_SCHEDULES,
                                    custom_objects=custom_objects)


__all__ = list(ALL_SCHEDULES) + ["serialize", "deserialize"]
