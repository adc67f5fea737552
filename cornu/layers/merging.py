"""Merging layers and their functional forms: add, concatenate, average, ..."""
from cornu import ops
from cornu.layers.layer import Layer

__all__ = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot", "add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate", "dot"]


class Merge(Layer):
    """The base of the merging layers: takes a list of at least two tensors."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or not input_shape or not isinstance(
                input_shape[0], (list, tuple)):
            raise ValueError(
                f"A merge layer ({type(self).__name__} '{self.name}') should be called on a "
                f"list of inputs; received input_shape={input_shape}.")
        if len(input_shape) < 1:
            raise ValueError(f"{type(self).__name__} '{self.name}' needs at least one input.")
        self.built = True

    def call(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = self._merge(out, x)
        return out

    def compute_mask(self, inputs, mask=None):
        if mask is None or all(m is None for m in mask):
            return None
        masks = [ops.expand_dims(m, 0) for m in mask if m is not None]
        return ops.all(ops.concatenate(masks, axis=0), axis=0)


class Add(Merge):
    """Element-wise sum of a list of inputs."""

    def _merge(self, a, b):
        return ops.add(a, b)


class Subtract(Merge):
    """``inputs[0] - inputs[1]`` (exactly two inputs)."""

    def build(self, input_shape):
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError(f"Subtract layer '{self.name}' takes exactly 2 inputs; received "
                             f"{len(input_shape)}.")

    def _merge(self, a, b):
        return ops.subtract(a, b)


class Multiply(Merge):
    """Element-wise product of a list of inputs."""

    def _merge(self, a, b):
        return ops.multiply(a, b)


class Average(Merge):
    """Element-wise mean of a list of inputs."""

    def call(self, inputs):
        return ops.multiply(super().call(inputs), 1.0 / len(inputs))

    def _merge(self, a, b):
        return ops.add(a, b)


class Maximum(Merge):
    """Element-wise maximum of a list of inputs."""

    def _merge(self, a, b):
        return ops.maximum(a, b)


class Minimum(Merge):
    """Element-wise minimum of a list of inputs."""

    def _merge(self, a, b):
        return ops.minimum(a, b)


class Concatenate(Merge):
    """Joins a list of inputs along ``axis`` (default: the last)."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def build(self, input_shape):
        super().build(input_shape)
        ranks = {len(s) for s in input_shape}
        if len(ranks) != 1:
            raise ValueError(
                f"Concatenate layer '{self.name}' requires inputs of the same rank; received "
                f"shapes {list(input_shape)}.")
        rank = ranks.pop()
        axis = self.axis % rank
        for dims in zip(*[[d for i, d in enumerate(s) if i != axis] for s in input_shape]):
            known = {d for d in dims if d is not None}
            if len(known) > 1:
                raise ValueError(
                    f"Concatenate layer '{self.name}' requires inputs with matching shapes "
                    f"except for the concatenation axis {self.axis}; received shapes "
                    f"{list(input_shape)}.")

    def call(self, inputs):
        return ops.concatenate(list(inputs), axis=self.axis)

    def compute_mask(self, inputs, mask=None):
        if mask is None or all(m is None for m in mask):
            return None
        filled = [ops.ones_like(x[..., 0] if m is None else m, dtype="bool") if m is None
                  else m for x, m in zip(inputs, mask)]
        if self.axis in (-1, len(inputs[0].shape) - 1):
            return ops.all(ops.stack(filled, axis=0), axis=0)
        return ops.concatenate(filled, axis=self.axis)


class Dot(Merge):
    """Dot product between samples of two tensors along ``axes``.

    Args:
        axes: an int or a pair of ints: the axes to contract.
        normalize: L2-normalise each sample along the axes first (cosine proximity).
    """

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        self.axes = axes
        self.normalize = normalize

    def call(self, inputs):
        if len(inputs) != 2:
            raise ValueError(f"Dot layer '{self.name}' takes exactly 2 inputs; received "
                             f"{len(inputs)}.")
        a, b = inputs
        axes = self.axes if isinstance(self.axes, (list, tuple)) else (self.axes, self.axes)
        axes = [ax % x.ndim for ax, x in zip(axes, (a, b))]
        if self.normalize:
            a = ops.normalize(a, axis=axes[0])
            b = ops.normalize(b, axis=axes[1])
        # Batched contraction: move the contracted axes next to the batch axis.
        a = ops.moveaxis(a, axes[0], -1)              # (B, ..., K)
        b = ops.moveaxis(b, axes[1], 1)               # (B, K, ...)
        a2 = ops.reshape(a, (a.shape[0], -1, a.shape[-1]))   # (B, M, K)
        b2 = ops.reshape(b, (b.shape[0], b.shape[1], -1))    # (B, K, N)
        out = ops.matmul(a2, b2)                             # (B, M, N)
        shape = (a.shape[0],) + tuple(a.shape[1:-1]) + tuple(b.shape[2:])
        if len(shape) == 1:
            shape = shape + (1,)
        return ops.reshape(out, shape)

    def compute_mask(self, inputs, mask=None):
        return None


def _functional(cls):
    def merge(inputs, **kwargs):
        return cls(**kwargs)(inputs)
    merge.__name__ = cls.__name__.lower()
    merge.__doc__ = f"Functional form of the {cls.__name__} layer: ``{merge.__name__}(inputs)``."
    return merge


add = _functional(Add)
subtract = _functional(Subtract)
multiply = _functional(Multiply)
average = _functional(Average)
maximum = _functional(Maximum)
minimum = _functional(Minimum)


def concatenate(inputs, axis=-1, **kwargs):
    """Functional form of the Concatenate layer: ``concatenate([a, b], axis=-1)``."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes=-1, normalize=False, **kwargs):
    """Functional form of the Dot layer: ``dot([a, b], axes=1)``."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
