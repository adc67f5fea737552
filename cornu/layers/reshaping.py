"""Reshaping layers: Flatten, Reshape."""
import math

from cornu import ops
from cornu.backend import config
from cornu.layers.layer import Layer

__all__ = ["Flatten", "Reshape"]


class Flatten(Layer):
    """Flattens each sample to one dimension: (batch, ...) -> (batch, prod(...)).

    With ``data_format='channels_first'``, channels are moved last first, so the
    order of features matches a channels-last model's.
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = config.standardize_data_format(data_format)
        self.built = True

    def call(self, inputs):
        if self.data_format == "channels_first" and inputs.ndim > 2:
            # (B, C, *S) -> (B, *S, C)
            inputs = ops.transpose(inputs, (0,) + tuple(range(2, inputs.ndim)) + (1,))
        return ops.reshape(inputs, (inputs.shape[0], -1))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else math.prod(rest)
        return (input_shape[0], size)


class Reshape(Layer):
    """Reshapes each sample to ``target_shape`` (the batch dimension is kept; one
    entry may be -1)."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)
        if sum(1 for d in self.target_shape if d == -1) > 1:
            raise ValueError(f"Reshape: at most one -1 in target_shape; received "
                             f"{self.target_shape}.")
        self.built = True

    def call(self, inputs):
        return ops.reshape(inputs, (inputs.shape[0],) + self.target_shape)

    def compute_output_shape(self, input_shape):
        known = [d for d in input_shape[1:]]
        target = list(self.target_shape)
        if -1 in target:
            if any(d is None for d in known):
                target[target.index(-1)] = None
            else:
                total = math.prod(known)
                rest = math.prod(d for d in target if d != -1)
                if rest == 0 or total % rest:
                    raise ValueError(
                        f"Reshape layer '{self.name}': cannot reshape input of shape "
                        f"{tuple(input_shape)} to {self.target_shape}.")
                target[target.index(-1)] = total // rest
        elif not any(d is None for d in known) and math.prod(known) != math.prod(target):
            raise ValueError(
                f"Reshape layer '{self.name}': total size of the input {tuple(input_shape)} "
                f"({math.prod(known)} per sample) does not match target_shape "
                f"{self.target_shape} ({math.prod(target)}).")
        return (input_shape[0],) + tuple(target)
