"""Regularization layers: the noise ones act only when training; ActivityRegularization
adds a penalty on its input."""
import math

from cornu import backend, ops, regularizers
from cornu.layers.input_spec import InputSpec
from cornu.layers.layer import Layer

__all__ = ["Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
           "GaussianDropout", "GaussianNoise", "AlphaDropout", "ActivityRegularization"]


def _check_rate(layer, name, value):
    if not 0 <= value <= 1:
        raise ValueError(f"{layer}: `{name}` must be a float in [0, 1]; received "
                         f"{name}={value!r}.")


class _Noise(Layer):
    """Shared by the noise layers: a seeded stream, masks pass through, same shape out."""

    def _init_noise(self, seed, active):
        self.seed = seed
        # Without a seed the global generator serves (cornu.utils.set_random_seed).
        self.seed_generator = backend.SeedGenerator(seed) if seed is not None and active else None
        self.supports_masking = True
        self.built = True

    def compute_output_shape(self, input_shape):
        return input_shape


class Dropout(_Noise):
    """Sets a fraction ``rate`` of inputs to 0 while training, scaling the rest by
    ``1 / (1 - rate)``; the identity at inference.

    Args:
        rate: the fraction of inputs to drop, in [0, 1).
        noise_shape: the shape of the binary mask, broadcast over the input
            (``None`` entries take the input's size).
        seed: an int for a reproducible mask stream.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        _check_rate("Dropout", "rate", rate)
        self.rate = rate
        self.noise_shape = noise_shape
        self._init_noise(seed, True)

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            return backend.random.dropout(inputs, self.rate, noise_shape=self.noise_shape,
                                          seed=self.seed_generator)
        return inputs


class _SpatialDropout(Dropout):
    """Drops whole feature maps (channels) instead of single entries."""

    _ndim = None

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(rate, seed=seed, **kwargs)
        self.data_format = backend.standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self._ndim)

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            shape = ops.shape(inputs)
            ones = (1,) * (self._ndim - 2)
            noise = ((shape[0], shape[1]) + ones if self.data_format == "channels_first"
                     else (shape[0],) + ones + (shape[-1],))
            return backend.random.dropout(inputs, self.rate, noise_shape=noise,
                                          seed=self.seed_generator)
        return inputs


class SpatialDropout1D(_SpatialDropout):
    """Dropout of whole 1D feature maps: for inputs ``(batch, steps, channels)`` each
    channel of a sample is dropped entirely (Tompson et al., 2014).

    Args:
        rate: the fraction of channels to drop.
        seed: an int for a reproducible mask stream.
    """

    _ndim = 3

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(rate, data_format="channels_last", seed=seed, **kwargs)


class SpatialDropout2D(_SpatialDropout):
    """Dropout of whole 2D feature maps of ``(batch, rows, cols, channels)`` inputs
    (``(batch, channels, rows, cols)`` with ``data_format='channels_first'``).

    Args:
        rate: the fraction of channels to drop.
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.
        seed: an int for a reproducible mask stream.
    """

    _ndim = 4


class SpatialDropout3D(_SpatialDropout):
    """Dropout of whole 3D feature maps of 5D inputs.

    Args:
        rate: the fraction of channels to drop.
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.
        seed: an int for a reproducible mask stream.
    """

    _ndim = 5


class GaussianDropout(_Noise):
    """Multiplies the inputs by 1-centred Gaussian noise of stddev
    ``sqrt(rate / (1 - rate))`` while training; the identity at inference.

    Args:
        rate: the drop probability this noise stands for, in [0, 1).
        seed: an int for a reproducible noise stream.
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        _check_rate("GaussianDropout", "rate", rate)
        self.rate = rate
        self._init_noise(seed, rate > 0)

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            stddev = math.sqrt(self.rate / (1.0 - self.rate))
            return inputs * backend.random.normal(ops.shape(inputs), mean=1.0, stddev=stddev,
                                                  dtype=ops.dtype(inputs),
                                                  seed=self.seed_generator)
        return inputs


class GaussianNoise(_Noise):
    """Adds zero-centred Gaussian noise of stddev ``stddev`` while training; the
    identity at inference.

    Args:
        stddev: the noise's standard deviation, in [0, 1].
        seed: an int for a reproducible noise stream.
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        _check_rate("GaussianNoise", "stddev", stddev)
        self.stddev = stddev
        self._init_noise(seed, stddev > 0)

    def call(self, inputs, training=False):
        if training and self.stddev > 0:
            return inputs + backend.random.normal(ops.shape(inputs), mean=0.0,
                                                  stddev=self.stddev, dtype=ops.dtype(inputs),
                                                  seed=self.seed_generator)
        return inputs


# SELU's fixed point (Klambauer et al., 2017): dropped units take -alpha * scale.
_SELU_ALPHA = 1.6732632423543772
_SELU_SCALE = 1.0507009873554805


class AlphaDropout(_Noise):
    """Dropout that keeps the mean and variance of its inputs, for SELU networks:
    dropped units are set to SELU's negative saturation value and the result is
    scaled and shifted back (Klambauer et al., 2017). Identity at inference.

    Args:
        rate: the fraction of inputs to drop.
        noise_shape: the shape of the binary mask (``None`` entries: the input's size).
        seed: an int for a reproducible mask stream.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        _check_rate("AlphaDropout", "rate", rate)
        self.rate = rate
        self.noise_shape = noise_shape
        self._init_noise(seed, rate > 0)

    def call(self, inputs, training=False):
        if not (training and self.rate > 0):
            return inputs
        shape = ops.shape(inputs)
        noise = shape if self.noise_shape is None else tuple(
            shape[i] if d is None else d for i, d in enumerate(self.noise_shape))
        kept = ops.cast(backend.random.uniform(noise, dtype=ops.dtype(inputs),
                                               seed=self.seed_generator) >= self.rate,
                        ops.dtype(inputs))
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        return a * (inputs * kept + alpha_p * (1 - kept)) + b


class ActivityRegularization(Layer):
    """The identity, adding ``l1 * sum(|x|) + l2 * sum(x ** 2)`` of its input to the
    model's losses.

    Args:
        l1, l2: the penalty factors.
    """

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        kwargs.pop("activity_regularizer", None)
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1 = l1
        self.l2 = l2
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape
