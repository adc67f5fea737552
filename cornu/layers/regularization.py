"""Regularization layers: active only when training."""
from cornu import backend
from cornu.layers.layer import Layer

__all__ = ["Dropout"]


class Dropout(Layer):
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
        if not 0 <= rate <= 1:
            raise ValueError(f"Dropout: `rate` must be in [0, 1]; received rate={rate!r}.")
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed
        self.seed_generator = backend.SeedGenerator(seed) if seed is not None else None
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            return backend.random.dropout(inputs, self.rate, noise_shape=self.noise_shape,
                                          seed=self.seed_generator)
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape
