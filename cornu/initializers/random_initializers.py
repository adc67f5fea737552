"""Random initializers: normal, uniform, truncated normal, variance scaling, orthogonal."""
import math
import numbers

import numpy as np

from cornu import backend, ops
from cornu.initializers.initializer import Initializer

# The standard deviation of a unit normal truncated to [-2, 2]; dividing by it
# gives truncated samples the variance asked for.
_TRUNCATED_STDDEV = 0.87962566103423978


class RandomInitializer(Initializer):
    """Base class of the random initializers: holds and serializes the seed.

    Args:
        seed: an int (every call gives the same values), None (a seed drawn once, at
            construction, from NumPy's global generator: again the same values on every
            call) or a ``SeedGenerator`` (a reproducible stream: different values on each
            call). Drawing from NumPy is Keras 2's behaviour, so the ``np.random.seed(7)``
            that old programs call "for reproducibility" repeats their initial weights;
            ``cornu.utils.set_random_seed`` seeds NumPy too.
    """

    def __init__(self, seed=None):
        if isinstance(seed, dict):  # a serialized SeedGenerator
            seed = backend.SeedGenerator(**seed.get("config", {}))
        self._init_seed = seed
        if seed is None:
            seed = int(np.random.randint(1, 10**9))
        elif isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
            seed = int(seed)
        elif not isinstance(seed, backend.SeedGenerator):
            raise ValueError(
                "`seed` must be an integer, None, or a `cornu.random.SeedGenerator`. "
                f"Received: seed={seed!r}")
        self.seed = seed

    def get_config(self):
        seed = self._init_seed
        if isinstance(seed, backend.SeedGenerator):
            seed = {"class_name": "SeedGenerator", "config": seed.get_config()}
        return {**super().get_config(), "seed": seed}


class RandomNormal(RandomInitializer):
    """Draws from a normal distribution.

    Args:
        mean: the mean of the values.
        stddev: their standard deviation.
        seed: an int, None or a ``SeedGenerator`` (see ``RandomInitializer``).

    Example:

    >>> cornu.initializers.RandomNormal(mean=0.0, stddev=1.0, seed=1)(shape=(2, 2))
    """

    _fields = ("mean", "stddev")

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        return backend.random.normal(shape, mean=self.mean, stddev=self.stddev,
                                     dtype=backend.standardize_dtype(dtype), seed=self.seed)


class TruncatedNormal(RandomInitializer):
    """Draws from a normal distribution, redrawing values more than two
    standard deviations from the mean.

    Args:
        mean: the mean of the values.
        stddev: the standard deviation of the normal before truncation.
        seed: an int, None or a ``SeedGenerator`` (see ``RandomInitializer``).

    Example:

    >>> cornu.initializers.TruncatedNormal(stddev=1.0, seed=1)(shape=(2, 2))
    """

    _fields = ("mean", "stddev")

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        return backend.random.truncated_normal(
            shape, mean=self.mean, stddev=self.stddev,
            dtype=backend.standardize_dtype(dtype), seed=self.seed)


class RandomUniform(RandomInitializer):
    """Draws from a uniform distribution on ``[minval, maxval)``.

    Args:
        minval: the lower bound.
        maxval: the upper bound (excluded).
        seed: an int, None or a ``SeedGenerator`` (see ``RandomInitializer``).

    Example:

    >>> cornu.initializers.RandomUniform(-1.0, 1.0, seed=1)(shape=(2, 2))
    """

    _fields = ("minval", "maxval")

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        return backend.random.uniform(shape, minval=self.minval, maxval=self.maxval,
                                      dtype=backend.standardize_dtype(dtype), seed=self.seed)


def compute_fans(shape, input_axes=None, output_axes=None):
    """(fan_in, fan_out) of a weight shape, Keras's way.

    With both ``input_axes`` and ``output_axes`` given, fan_in is the product of the
    sizes of the input axes and fan_out that of the output axes (for kernels laid out
    other than ``(*spatial, in, out)``, such as an ``EinsumDense`` kernel). Otherwise
    (even if only one is given, as in Keras): a vector has fan_in = fan_out = its
    length; a matrix (in, out); a conv kernel (*spatial, in, out) multiplies both by
    the receptive field size prod(spatial).

    Args:
        shape: The weight's shape (a tuple of ints).
        input_axes: Optional list of ints. The axes counted in fan_in.
        output_axes: Optional list of ints. The axes counted in fan_out.

    Returns:
        ``(fan_in, fan_out)`` as ints.
    """
    shape = tuple(int(d) for d in shape)
    if input_axes is not None and output_axes is not None:
        for axis in list(input_axes) + list(output_axes):
            if not -len(shape) <= int(axis) < len(shape):
                raise ValueError(
                    f"`input_axes` / `output_axes` name axis {axis}, which a weight of shape "
                    f"{shape} (rank {len(shape)}) does not have. Received: "
                    f"input_axes={input_axes}, output_axes={output_axes}.")
        return (math.prod(shape[int(a)] for a in input_axes),
                math.prod(shape[int(a)] for a in output_axes))
    if not shape:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


class VarianceScaling(RandomInitializer):
    """Draws with a variance of ``scale / n``, n given by ``mode`` from the shape's fans.

    With ``distribution="truncated_normal"`` the values come from a normal truncated
    at two standard deviations, scaled so that their variance is ``scale / n``;
    ``"untruncated_normal"`` uses a normal of stddev ``sqrt(scale / n)``;
    ``"uniform"`` draws from ``[-limit, limit]`` with ``limit = sqrt(3 * scale / n)``.

    Args:
        scale: the scaling factor (positive).
        mode: ``"fan_in"``, ``"fan_out"`` or ``"fan_avg"`` (see ``compute_fans``).
        distribution: ``"truncated_normal"``, ``"untruncated_normal"`` or ``"uniform"``.
        seed: an int, None or a ``SeedGenerator`` (see ``RandomInitializer``).
        input_axes: Optional list of ints: the axes of the weight that make its fan_in.
        output_axes: Optional list of ints: the axes that make its fan_out. Used only when
            both are given (see ``compute_fans``).

    Example:

    >>> cornu.initializers.VarianceScaling(scale=0.1, mode="fan_in",
    ...                                     distribution="uniform")(shape=(2, 2))
    """

    _fields = ("scale", "mode", "distribution", "input_axes", "output_axes")

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None):
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be a positive float. Received: scale={scale}")
        modes = ("fan_in", "fan_out", "fan_avg")
        if mode not in modes:
            raise ValueError(f"Invalid `mode` argument: expected one of {modes}. "
                             f"Received: mode={mode!r}")
        distribution = str(distribution).lower()
        if distribution == "normal":  # Keras 2's spelling of truncated_normal
            distribution = "truncated_normal"
        distributions = ("uniform", "truncated_normal", "untruncated_normal")
        if distribution not in distributions:
            raise ValueError(f"Invalid `distribution` argument: expected one of "
                             f"{distributions}. Received: distribution={distribution!r}")
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.input_axes = input_axes
        self.output_axes = output_axes
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        dtype = backend.standardize_dtype(dtype)
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        variance = self.scale / max(1.0, n)
        if self.distribution == "truncated_normal":
            return backend.random.truncated_normal(
                shape, stddev=math.sqrt(variance) / _TRUNCATED_STDDEV, dtype=dtype, seed=self.seed)
        if self.distribution == "untruncated_normal":
            return backend.random.normal(shape, stddev=math.sqrt(variance), dtype=dtype,
                                         seed=self.seed)
        limit = math.sqrt(3.0 * variance)
        return backend.random.uniform(shape, minval=-limit, maxval=limit, dtype=dtype,
                                      seed=self.seed)


def _variance_scaling_preset(name, scale, mode, distribution, summary):
    """A VarianceScaling subclass with fixed arguments (Glorot, He, Lecun)."""

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        VarianceScaling.__init__(self, scale=scale, mode=mode, distribution=distribution,
                                 seed=seed, input_axes=input_axes, output_axes=output_axes)

    doc = (f"{summary}\n\n    ``VarianceScaling(scale={scale}, mode={mode!r}, "
           f"distribution={distribution!r})``.\n\n    Args:\n        seed: an int, None or a "
           f"``SeedGenerator`` (see ``RandomInitializer``).\n        input_axes, output_axes: "
           f"optional lists of ints: the axes that make fan_in and fan_out (see "
           f"``compute_fans``).\n\n    Example:\n\n    >>> "
           f"cornu.initializers.{name}(seed=1)(shape=(3, 3))\n    ")
    return type(name, (VarianceScaling,), {
        "__init__": __init__, "__doc__": doc, "_fields": ("input_axes", "output_axes"),
        "__module__": __name__})


GlorotNormal = _variance_scaling_preset(
    "GlorotNormal", 1.0, "fan_avg", "truncated_normal",
    "The Glorot (Xavier) normal initializer: truncated normal, variance 2 / (fan_in + fan_out).")
GlorotUniform = _variance_scaling_preset(
    "GlorotUniform", 1.0, "fan_avg", "uniform",
    "The Glorot (Xavier) uniform initializer: limit sqrt(6 / (fan_in + fan_out)).")
HeNormal = _variance_scaling_preset(
    "HeNormal", 2.0, "fan_in", "truncated_normal",
    "The He normal initializer: truncated normal, variance 2 / fan_in.")
HeUniform = _variance_scaling_preset(
    "HeUniform", 2.0, "fan_in", "uniform",
    "The He uniform initializer: limit sqrt(6 / fan_in).")
LecunNormal = _variance_scaling_preset(
    "LecunNormal", 1.0, "fan_in", "truncated_normal",
    "The Lecun normal initializer: truncated normal, variance 1 / fan_in.")
LecunUniform = _variance_scaling_preset(
    "LecunUniform", 1.0, "fan_in", "uniform",
    "The Lecun uniform initializer: limit sqrt(3 / fan_in).")


class Orthogonal(RandomInitializer):
    """An orthogonal matrix (``gain`` times), from the QR decomposition of a normal one.

    For a shape of rank > 2 the matrix is ``(prod(shape[:-1]), shape[-1])``, reshaped.
    Whichever of rows and columns is fewer are orthonormal.

    Args:
        gain: the factor applied to the orthogonal matrix.
        seed: an int, None or a ``SeedGenerator`` (see ``RandomInitializer``).

    Example:

    >>> cornu.initializers.Orthogonal(seed=1)(shape=(3, 3))
    """

    _fields = ("gain",)

    def __init__(self, gain=1.0, seed=None):
        self.gain = gain
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        if len(shape) < 2:
            raise ValueError(
                "The tensor to initialize must be at least two-dimensional. Received: "
                f"shape={tuple(shape)} of rank {len(shape)}.")
        dtype = backend.standardize_dtype(dtype)
        if backend.in_symbolic_scope():  # shapes only: there are no values to decompose
            return ops.zeros(tuple(shape), dtype=dtype)
        rows, cols = math.prod(shape[:-1]), shape[-1]
        flat = (max(rows, cols), min(rows, cols))
        a = backend.random.normal(flat, dtype="float32", seed=self.seed)
        q, r = ops.qr(a)  # the engine's QR: numpy's competes with the engine for the cores
        q = q * ops.sign(ops.diagonal(r))  # makes it unique: uniform over rotations
        if rows < cols:
            q = ops.transpose(q)
        return ops.cast(ops.reshape(q, tuple(shape)) * self.gain, dtype)
