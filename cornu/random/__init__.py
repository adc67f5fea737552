"""cornu.random: Keras 3's ``keras.random``.

Every function takes ``seed``:

- ``None`` (the default): the global generator, made reproducible by
  ``cornu.utils.set_random_seed``;
- an int: the same numbers on every call with that seed;
- a ``SeedGenerator``: a seeded stream, different numbers on each call and the
  same sequence again from a new ``SeedGenerator`` with the same seed.

The numbers come from the engine's generator, so they are not the numbers Keras
draws for the same seed (Keras on torch differs from Keras on JAX in the same way).

``dropout``, ``shuffle`` and ``categorical`` also take KerasTensors: the op is
then recorded in the functional graph and draws new numbers each time the model
runs (with a ``SeedGenerator`` or ``None`` as seed). Keras 3 refuses KerasTensors
here; cornu accepts them so that a functional model can use them directly.
"""
from cornu import backend
from cornu.backend.common import dtypes as _dtypes
from cornu.backend.common.keras_tensor import KerasTensor
from cornu.layers.operation import OperationLayer

SeedGenerator = backend.SeedGenerator

__all__ = ["SeedGenerator", "beta", "binomial", "categorical", "dropout", "gamma", "normal",
           "randint", "shuffle", "truncated_normal", "uniform"]


def _check_seed(seed, fn):
    if seed is None or isinstance(seed, SeedGenerator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, int):
        if hasattr(seed, "__index__") and not isinstance(seed, bool):
            return int(seed)  # a NumPy integer
        raise ValueError(
            f"`cornu.random.{fn}`: `seed` must be an int, a `cornu.random.SeedGenerator` "
            f"or None; received seed={seed!r} of type {type(seed).__name__}.")
    return seed


def _check_dtype(dtype, fn, kind):
    if dtype is None:
        return
    test = _dtypes.is_float if kind == "floating point" else _dtypes.is_int
    if not test(dtype):
        raise ValueError(f"`cornu.random.{fn}` requires a {kind} `dtype`; received "
                         f"dtype={dtype!r}.")


class RandomOperation(OperationLayer):
    """A ``cornu.random`` op applied to KerasTensors, recorded in the layer graph."""

    def call(self, *args, **kwargs):
        import cornu.random
        return getattr(cornu.random, self.op)(*args, **kwargs)


def _symbolic(name, args, kwargs):
    return RandomOperation(name)(*args, **kwargs)


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Draw samples from a normal (Gaussian) distribution.

    Args:
        shape: the shape of the result.
        mean: the mean of the distribution (default 0).
        stddev: its standard deviation (default 1).
        dtype: a floating point dtype; ``None`` means ``cornu.config.floatx()``.
        seed: None, an int or a ``SeedGenerator`` (see the module docstring).

    Returns:
        A tensor of ``shape``.

    Example:

    >>> tuple(cornu.random.normal((2, 3), seed=1).shape)
    (2, 3)
    """
    _check_dtype(dtype, "normal", "floating point")
    return backend.random.normal(shape, mean=mean, stddev=stddev, dtype=dtype,
                                 seed=_check_seed(seed, "normal"))


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Draw samples from a uniform distribution on ``[minval, maxval)``.

    Args:
        shape: the shape of the result.
        minval: the lower bound, included (default 0).
        maxval: the upper bound, excluded (default 1).
        dtype: a floating point dtype; ``None`` means ``cornu.config.floatx()``.
        seed: None, an int or a ``SeedGenerator``.

    Returns:
        A tensor of ``shape``.
    """
    _check_dtype(dtype, "uniform", "floating point")
    return backend.random.uniform(shape, minval=minval, maxval=maxval, dtype=dtype,
                                  seed=_check_seed(seed, "uniform"))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Draw samples from a normal distribution, redrawing any value more than two
    standard deviations from the mean.

    Args:
        shape: the shape of the result.
        mean: the mean of the (untruncated) distribution.
        stddev: its standard deviation.
        dtype: a floating point dtype; ``None`` means ``cornu.config.floatx()``.
        seed: None, an int or a ``SeedGenerator``.

    Returns:
        A tensor of ``shape`` with every value in ``[mean - 2 stddev, mean + 2 stddev]``.
    """
    _check_dtype(dtype, "truncated_normal", "floating point")
    return backend.random.truncated_normal(shape, mean=mean, stddev=stddev, dtype=dtype,
                                           seed=_check_seed(seed, "truncated_normal"))


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Draw integers uniformly from ``[minval, maxval)``.

    Args:
        shape: the shape of the result.
        minval: the lower bound, included.
        maxval: the upper bound, excluded.
        dtype: an integer dtype (default ``"int32"``).
        seed: None, an int or a ``SeedGenerator``.

    Returns:
        An integer tensor of ``shape``.
    """
    _check_dtype(dtype, "randint", "integer")
    return backend.random.randint(shape, minval=minval, maxval=maxval,
                                  dtype=dtype or "int32", seed=_check_seed(seed, "randint"))


def categorical(logits, num_samples, dtype="int32", seed=None):
    """Draw class indices from categorical distributions given by logits.

    Args:
        logits: a 2-D tensor ``(batch_size, num_classes)`` of unnormalized
            log-probabilities, one distribution per row.
        num_samples: how many independent samples to draw per row.
        dtype: the integer dtype of the result (default ``"int32"``).
        seed: None, an int or a ``SeedGenerator``.

    Returns:
        A tensor ``(batch_size, num_samples)`` of class indices.
    """
    seed = _check_seed(seed, "categorical")
    if isinstance(logits, KerasTensor):
        if len(logits.shape) != 2:
            raise ValueError("`logits` should be a 2-D tensor (batch_size, num_classes); "
                             f"received a KerasTensor of shape {logits.shape}.")
        return _symbolic("categorical", (logits, num_samples), {"dtype": dtype, "seed": seed})
    logits = backend.convert_to_tensor(logits)
    if len(logits.shape) != 2:
        raise ValueError("`logits` should be a 2-D tensor (batch_size, num_classes); "
                         f"received shape {tuple(logits.shape)}.")
    return backend.random.categorical(logits, num_samples, dtype=dtype, seed=seed)


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Set a fraction ``rate`` of the entries of ``inputs`` to zero and scale the others
    by ``1 / (1 - rate)``, so that the expected sum is unchanged.

    Args:
        inputs: a tensor (or a KerasTensor, see the module docstring).
        rate: the fraction to drop, in ``[0, 1)``.
        noise_shape: the shape of the keep mask, broadcast over ``inputs``
            (``None`` entries take the size of ``inputs``); default: the shape of ``inputs``.
        seed: None, an int or a ``SeedGenerator``.

    Returns:
        A tensor of the shape of ``inputs``.
    """
    seed = _check_seed(seed, "dropout")
    if not 0 <= float(rate) < 1:
        raise ValueError(f"`cornu.random.dropout`: `rate` must be in [0, 1); received "
                         f"rate={rate!r}.")
    if isinstance(inputs, KerasTensor):
        return _symbolic("dropout", (inputs, rate), {"noise_shape": noise_shape, "seed": seed})
    if float(rate) == 0:
        return backend.convert_to_tensor(inputs)
    return backend.random.dropout(inputs, rate, noise_shape=noise_shape, seed=seed)


def shuffle(x, axis=0, seed=None):
    """Shuffle the entries of ``x`` along ``axis`` (a uniformly random permutation).

    Args:
        x: a tensor (or a KerasTensor).
        axis: the axis to shuffle (default 0).
        seed: None, an int or a ``SeedGenerator``.

    Returns:
        A tensor of the shape of ``x``.
    """
    seed = _check_seed(seed, "shuffle")
    if isinstance(x, KerasTensor):
        return _symbolic("shuffle", (x,), {"axis": axis, "seed": seed})
    return backend.random.shuffle(x, axis=axis, seed=seed)


def gamma(shape, alpha, dtype=None, seed=None):
    """Draw samples from the Gamma distribution with shape ``alpha`` and scale 1.

    Args:
        shape: the shape of the result.
        alpha: the shape parameter (a float, or an array broadcastable to ``shape``).
        dtype: a floating point dtype; ``None`` means ``cornu.config.floatx()``.
        seed: None, an int or a ``SeedGenerator``.

    Returns:
        A tensor of ``shape`` (mean ``alpha``, variance ``alpha``).
    """
    _check_dtype(dtype, "gamma", "floating point")
    return backend.random.gamma(shape, alpha=alpha, dtype=dtype, seed=_check_seed(seed, "gamma"))


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Draw samples from a Binomial distribution.

    Args:
        shape: the shape of the result.
        counts: the number of trials (a number or an array broadcastable to ``shape``).
        probabilities: the success probability of each trial (likewise).
        dtype: a floating point dtype; ``None`` means ``cornu.config.floatx()``.
        seed: None, an int or a ``SeedGenerator``.

    Returns:
        A tensor of ``shape`` holding the number of successes (mean ``counts * probabilities``).
    """
    return backend.random.binomial(shape, counts=counts, probabilities=probabilities,
                                   dtype=dtype, seed=_check_seed(seed, "binomial"))


def beta(shape, alpha, beta, dtype=None, seed=None):
    """Draw samples from a Beta distribution.

    Args:
        shape: the shape of the result.
        alpha: the first parameter (a float or an array broadcastable to ``shape``).
        beta: the second parameter (likewise).
        dtype: a floating point dtype; ``None`` means ``cornu.config.floatx()``.
        seed: None, an int or a ``SeedGenerator``.

    Returns:
        A tensor of ``shape`` with values in ``[0, 1]`` (mean ``alpha / (alpha + beta)``).
    """
    _check_dtype(dtype, "beta", "floating point")
    return backend.random.beta(shape, alpha=alpha, beta=beta, dtype=dtype,
                               seed=_check_seed(seed, "beta"))
