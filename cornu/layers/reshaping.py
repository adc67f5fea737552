"""Reshaping layers: Flatten, Reshape, Permute, RepeatVector, and the 1D/2D/3D
Cropping, ZeroPadding and UpSampling layers."""
import math

from cornu import ops
from cornu.backend import config
from cornu.layers._sizes import integral, integral_sizes
from cornu.layers.input_spec import InputSpec
from cornu.layers.layer import Layer

__all__ = ["Flatten", "Reshape", "Permute", "RepeatVector",
           "Cropping1D", "Cropping2D", "Cropping3D",
           "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D",
           "UpSampling1D", "UpSampling2D", "UpSampling3D"]


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
        self.target_shape = tuple(integral_sizes(target_shape, "target_shape"))
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


class Permute(Layer):
    """Permutes the non-batch axes: ``Permute((2, 1))`` swaps the two axes of
    ``(batch, a, b)`` inputs. ``dims`` numbers axes from 1 (the batch axis is 0)."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(
                "Permute: `dims` must be a permutation of 1..n (the batch axis is 0 and is "
                f"not permuted); received dims={dims!r}.")
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)
        self.built = True

    def call(self, inputs):
        return ops.transpose(inputs, (0,) + self.dims)


class RepeatVector(Layer):
    """Repeats a ``(batch, features)`` input ``n`` times: ``(batch, n, features)``."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        n = integral(n, "n")
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError(f"RepeatVector: expected an integer `n`; received {n!r}.")
        if n <= 0:
            raise ValueError(f"RepeatVector: `n` must be a positive integer; received n={n}.")
        self.n = n
        self.input_spec = InputSpec(ndim=2)
        self.built = True

    def call(self, inputs):
        return ops.repeat(ops.expand_dims(inputs, 1), self.n, axis=1)   # (B, n, F)


def _pairs(layer, name, value, n):
    """``value`` (an int, n ints, or n pairs; for n=1 also one pair) as n (before,
    after) pairs of non-negative ints."""
    value = integral_sizes(value, name)
    def pair(v):
        if isinstance(v, int):
            v = (v, v)
        v = tuple(v)
        if len(v) != 2 or not all(isinstance(i, int) and i >= 0 for i in v):
            raise ValueError
        return v
    try:
        if n == 1:
            return (pair(value),)
        if isinstance(value, int):
            return (pair(value),) * n
        if len(value) != n:
            raise ValueError
        return tuple(pair(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(
            f"{layer}: `{name}` must be a non-negative int, a tuple of {n} ints, or a tuple "
            f"of {n} (before, after) pairs; received {name}={value!r}.") from None


class _SpatialLayer(Layer):
    """Shared by the 1D/2D/3D layers: rank check and where the spatial axes start."""

    _rank = None

    def _init_spatial(self, data_format):
        self.data_format = config.standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self._rank + 2)
        self.built = True

    @property
    def _first_spatial(self):
        return 2 if self.data_format == "channels_first" else 1


class _Cropping(_SpatialLayer):
    def _init_cropping(self, cropping, data_format):
        self._init_spatial(data_format)
        pairs = _pairs(type(self).__name__, "cropping", cropping, self._rank)
        self.cropping = pairs[0] if self._rank == 1 else pairs

    def call(self, inputs):
        pairs = (self.cropping,) if self._rank == 1 else self.cropping
        first = self._first_spatial
        index = [slice(None)] * len(inputs.shape)
        for i, (before, after) in enumerate(pairs):
            size = inputs.shape[first + i]
            if before + after >= size:
                raise ValueError(
                    f"{type(self).__name__} layer '{self.name}': cropping {self.cropping} "
                    f"leaves nothing of input shape {tuple(inputs.shape)}; each cropping "
                    "must be smaller than its axis.")
            index[first + i] = slice(before, size - after)
        return inputs[tuple(index)]


class Cropping1D(_Cropping):
    """Crops ``cropping = (start, end)`` steps off axis 1 of ``(batch, steps, features)``."""

    _rank = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self._init_cropping(cropping, "channels_last")


class Cropping2D(_Cropping):
    """Crops rows and columns of images: ``cropping`` is an int, ``(rows, cols)``, or
    ``((top, bottom), (left, right))``."""

    _rank = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self._init_cropping(cropping, data_format)


class Cropping3D(_Cropping):
    """Crops the three spatial axes of volumes: an int, 3 ints, or 3 pairs."""

    _rank = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self._init_cropping(cropping, data_format)


class _ZeroPadding(_SpatialLayer):
    def _init_padding(self, padding, data_format):
        self._init_spatial(data_format)
        pairs = _pairs(type(self).__name__, "padding", padding, self._rank)
        self.padding = pairs[0] if self._rank == 1 else pairs
        self._pad_width = (((0, 0),) + pairs + ((0, 0),)  # (B, *spatial, C)
                           if self.data_format == "channels_last" else ((0, 0), (0, 0)) + pairs)

    def call(self, inputs):
        return ops.pad(inputs, self._pad_width)


class ZeroPadding1D(_ZeroPadding):
    """Pads axis 1 (the steps) of ``(batch, steps, features)`` with zeros:
    ``padding`` is an int or ``(start, end)``."""

    _rank = 1

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self._init_padding(padding, data_format)


class ZeroPadding2D(_ZeroPadding):
    """Pads rows and columns of images with zeros: ``padding`` is an int,
    ``(rows, cols)``, or ``((top, bottom), (left, right))``."""

    _rank = 2

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self._init_padding(padding, data_format)


class ZeroPadding3D(_ZeroPadding):
    """Pads the three spatial axes of volumes with zeros: an int, 3 ints, or 3 pairs."""

    _rank = 3

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self._init_padding(padding, data_format)


def _sizes(layer, size, n):
    size = integral_sizes(size, "size")
    sizes = (size,) * n if isinstance(size, int) else tuple(size)
    if len(sizes) != n or not all(isinstance(s, int) and s > 0 for s in sizes):
        raise ValueError(f"{layer}: `size` must be a positive int or a tuple of {n} positive "
                         f"ints; received size={size!r}.")
    return sizes


class _UpSampling(_SpatialLayer):
    def call(self, inputs):
        first = self._first_spatial
        for i, s in enumerate(self._sizes):
            if s != 1:
                inputs = ops.repeat(inputs, s, axis=first + i)
        return inputs

    @property
    def _sizes(self):
        return (self.size,) if self._rank == 1 else self.size

    def compute_output_shape(self, input_shape):
        # (torch's shape-only bilinear resize costs a slow first-use import: skip it)
        shape = list(input_shape)
        for i, s in enumerate(self._sizes):
            d = shape[self._first_spatial + i]
            shape[self._first_spatial + i] = None if d is None else d * s
        return tuple(shape)


class UpSampling1D(_UpSampling):
    """Repeats each step of ``(batch, steps, features)`` ``size`` times."""

    _rank = 1

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        size = integral(size, "size")
        if not isinstance(size, int) or isinstance(size, bool):
            raise TypeError(f"UpSampling1D: expected an integer `size`; received {size!r}.")
        self.size = _sizes("UpSampling1D", size, 1)[0]
        self._init_spatial("channels_last")


class UpSampling2D(_UpSampling):
    """Upsamples images by ``size = (rows, cols)``: ``interpolation='nearest'``
    repeats pixels, ``'bilinear'`` (and the other ``ops.image.resize`` methods)
    resizes."""

    _rank = 2

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.size = _sizes("UpSampling2D", size, 2)
        self.interpolation = interpolation.lower()
        self._init_spatial(data_format)

    def call(self, inputs):
        if self.interpolation == "nearest":
            return super().call(inputs)
        first = self._first_spatial
        new = (inputs.shape[first] * self.size[0], inputs.shape[first + 1] * self.size[1])
        return ops.image.resize(inputs, new, interpolation=self.interpolation,
                                data_format=self.data_format)


class UpSampling3D(_UpSampling):
    """Upsamples volumes by repeating along the three spatial axes ``size`` times."""

    _rank = 3

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.size = _sizes("UpSampling3D", size, 3)
        self._init_spatial(data_format)
