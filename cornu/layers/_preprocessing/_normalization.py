"""Normalization (feature-wise standardization, adapted to data) and Rescaling."""
import math

import numpy as np

from cornu import backend, ops
from cornu.layers.layer import Layer
from cornu.layers._preprocessing._common import first_of_batch, is_batch_iterable

__all__ = ["Normalization", "Rescaling"]


class Normalization(Layer):
    """Shifts and scales inputs to mean 0 and variance 1 per feature:
    ``(x - mean) / sqrt(var)`` (or the inverse with ``invert=True``).

    The mean and variance come from the constructor or from ``adapt(data)``.

    Args:
        axis: the axis or axes that keep separate statistics (default -1, the
            features); ``None`` for one scalar mean and variance.
        mean: the mean to use instead of adapting (a scalar or an array
            broadcastable to the kept axes); needs ``variance`` too.
        variance: the variance to use instead of adapting.
        invert: undo the normalization instead: ``mean + x * sqrt(var)``.

    Example:
        >>> layer = Normalization(axis=None)
        >>> layer.adapt(np.array([1., 2., 3., 4., 5.]))
        >>> layer(np.array([1., 2., 3.]))  # [-1.414, -0.707, 0.]
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        else:
            axis = tuple(axis)
        self.axis = axis
        self.input_mean = mean
        self.input_variance = variance
        self.invert = invert
        self.supports_masking = True
        self._build_input_shape = None
        self._fixed = None
        if (mean is None) != (variance is None):
            raise ValueError(
                f"Normalization '{self.name}': set both `mean` and `variance`, or neither "
                f"(and call `adapt`). Received mean={mean!r}, variance={variance!r}.")
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError(
                    f"Normalization '{self.name}': `mean` and `variance` must have the same "
                    f"shape; received {np.shape(mean)} and {np.shape(variance)}.")
            if len(np.shape(mean)) > len(self.axis):
                raise ValueError(
                    f"Normalization '{self.name}': `mean` has rank {len(np.shape(mean))} but "
                    f"only {len(self.axis)} axes are kept (axis={self.axis}).")

    def build(self, input_shape):
        if input_shape is None:
            return
        input_shape = tuple(input_shape)
        ndim = len(input_shape)
        self._build_input_shape = input_shape
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(
                f"Normalization '{self.name}': every `axis` must be in [-{ndim}, {ndim}) for "
                f"inputs of rank {ndim}; received axis={self.axis}.")
        self._keep_axis = tuple(sorted(a % ndim for a in self.axis))
        for d in self._keep_axis:
            if input_shape[d] is None:
                raise ValueError(
                    f"Normalization '{self.name}': the kept axes must have a known size; "
                    f"axis {d} of input shape {input_shape} is unknown.")
        self._reduce_axis = tuple(d for d in range(ndim) if d not in self._keep_axis)
        self._broadcast_shape = tuple(
            input_shape[d] if d in self._keep_axis else 1 for d in range(ndim))
        self._mean_and_var_shape = tuple(input_shape[d] for d in self._keep_axis)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(name="mean", shape=self._mean_and_var_shape,
                                              initializer="zeros", trainable=False)
            self.adapt_variance = self.add_weight(
                name="variance", shape=self._mean_and_var_shape, initializer="ones",
                trainable=False)
            self.count = self.add_weight(name="count", shape=(), dtype="int32",
                                         initializer="zeros", trainable=False)
        else:
            self._fixed = tuple(self._broadcast_given(v) for v in (
                self.input_mean, self.input_variance))
        self.built = True

    def _broadcast_given(self, value):
        """A given mean or variance as an array of the broadcast shape."""
        value = np.asarray(value, dtype="float64")
        if value.ndim:
            expanded = [1] * len(self._broadcast_shape)
            for i in range(1, value.ndim + 1):
                expanded[self._keep_axis[-i]] = value.shape[-i]
            value = value.reshape(expanded)
        return np.broadcast_to(value, self._broadcast_shape).astype(self.dtype_name)

    @property
    def mean(self):
        """The mean, shaped to broadcast against the inputs (None before building)."""
        if not self.built or self._build_input_shape is None:
            return None
        if self._fixed is not None:
            return ops.convert_to_tensor(self._fixed[0])
        return ops.reshape(self.adapt_mean, self._broadcast_shape)

    @property
    def variance(self):
        """The variance, shaped to broadcast against the inputs (None before building)."""
        if not self.built or self._build_input_shape is None:
            return None
        if self._fixed is not None:
            return ops.convert_to_tensor(self._fixed[1])
        return ops.reshape(self.adapt_variance, self._broadcast_shape)

    def adapt(self, data):
        """Compute the mean and variance of ``data`` along the reduced axes.

        Args:
            data: a numpy array, a tensor, or an iterable of batches (arrays, or
                ``(x, y)`` tuples whose ``x`` is used). Each element of an iterable
                must be a batch.
        """
        if isinstance(data, np.ndarray) or backend.is_tensor(data):
            batches = None
            input_shape = tuple(data.shape)
        elif is_batch_iterable(data) or isinstance(data, (list, tuple)):
            batches = [np.asarray(backend.convert_to_numpy(first_of_batch(b))
                                  if backend.is_tensor(first_of_batch(b))
                                  else first_of_batch(b)) for b in data]
            if not batches:
                raise ValueError(
                    f"Normalization '{self.name}'.adapt() received no batches. Pass an "
                    "array, or a non-empty iterable of batches.")
            input_shape = batches[0].shape
        else:
            raise TypeError(
                f"Normalization '{self.name}'.adapt() supports numpy arrays, tensors and "
                f"iterables of batches; received {type(data).__name__}.")
        if not self.built or self._build_input_shape is None:
            self.build(input_shape)
        else:
            for d in self._keep_axis:
                if input_shape[d] != self._build_input_shape[d]:
                    raise ValueError(
                        f"Normalization '{self.name}' was built for inputs of shape "
                        f"{self._build_input_shape}; adapt() received data of shape "
                        f"{input_shape}, which differs on a kept axis.")
        if self.input_mean is not None:
            raise ValueError(f"Normalization '{self.name}' was given `mean` and `variance`; "
                             "it cannot be adapted.")
        if batches is None:
            array = np.asarray(backend.convert_to_numpy(data)) if backend.is_tensor(
                data) else data
            if backend.is_tensor(data):
                array = array.astype(self.dtype_name)
            mean = np.mean(array, axis=self._reduce_axis)
            var = np.var(array, axis=self._reduce_axis)
        else:
            mean, var = self._streamed_moments(batches)
        self.adapt_mean.assign(np.asarray(mean, dtype=self.dtype_name))
        self.adapt_variance.assign(np.asarray(var, dtype=self.dtype_name))

    def _streamed_moments(self, batches):
        """Mean and variance merged batch by batch (Keras's formula)."""
        mean = np.zeros(self._mean_and_var_shape, self.dtype_name)
        var = np.zeros(self._mean_and_var_shape, self.dtype_name)
        total = 0
        for batch in batches:
            batch = batch.astype(self.dtype_name)
            for d in self._keep_axis:
                if batch.shape[d] != self._build_input_shape[d]:
                    raise ValueError(
                        f"Normalization '{self.name}'.adapt() got a batch of shape "
                        f"{batch.shape}; expected {self._build_input_shape} on the kept axes.")
            batch_mean = np.mean(batch, axis=self._reduce_axis)
            batch_var = np.var(batch, axis=self._reduce_axis)
            count = math.prod(batch.shape[d] for d in self._reduce_axis)
            total += count
            weight = float(count) / total
            new_mean = mean * (1.0 - weight) + batch_mean * weight
            var = ((var + (mean - new_mean) ** 2) * (1.0 - weight)
                   + (batch_var + (batch_mean - new_mean) ** 2) * weight)
            mean = new_mean
        return mean, var

    def call(self, inputs):
        inputs = ops.cast(inputs, self.dtype_name)
        mean, variance = self.mean, self.variance
        scale = ops.maximum(ops.sqrt(variance), backend.epsilon())
        if self.invert:
            return mean + inputs * scale
        return (inputs - mean) / scale

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["mean"] = np.array(self.input_mean).tolist()
        config["variance"] = np.array(self.input_variance).tolist()
        return config

    def get_build_config(self):
        if self._build_input_shape:
            return {"input_shape": list(self._build_input_shape)}
        return None

    def build_from_config(self, config):
        if config and not self.built:
            self.build(tuple(config["input_shape"]))


class Rescaling(Layer):
    """Multiplies inputs by ``scale`` and adds ``offset`` (e.g. ``scale=1/255`` maps
    [0, 255] pixels to [0, 1]). Integer inputs come out as floats.

    Args:
        scale: a float, or one per channel.
        offset: a float added after scaling.
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        dtype = self.dtype_name
        scale, offset = self.scale, self.offset
        if not isinstance(scale, (int, float)):  # per-channel scales
            scale = ops.convert_to_tensor(scale, dtype=dtype)
            if scale.ndim and backend.image_data_format() == "channels_first":
                scale = ops.reshape(scale, tuple(scale.shape) + (1,) * (3 - scale.ndim))
        if not isinstance(offset, (int, float)):
            offset = ops.convert_to_tensor(offset, dtype=dtype)
        return ops.cast(inputs, dtype) * scale + offset

    def compute_output_shape(self, input_shape):
        return input_shape
