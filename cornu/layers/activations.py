"""Activation layers: ReLU, LeakyReLU, PReLU, ELU, Softmax (and Keras 2's ThresholdedReLU)."""
from cornu import activations, constraints, initializers, ops, regularizers
from cornu.layers.input_spec import InputSpec
from cornu.layers.layer import Layer, warn_deprecated

__all__ = ["ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax", "ThresholdedReLU"]


class _Elementwise(Layer):
    """An activation layer without weights: masks pass through, shape unchanged."""

    def _init_elementwise(self):
        self.supports_masking = True
        self.built = True

    def compute_output_shape(self, input_shape):
        return input_shape


class ReLU(_Elementwise):
    """Rectified linear unit with options: ``x`` for ``threshold <= x < max_value``,
    ``max_value`` above, ``negative_slope * (x - threshold)`` below.

    Args:
        max_value: the largest output (None: no limit).
        negative_slope: the slope below the threshold.
        threshold: where the unit switches on.
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        for name, value in (("max_value", max_value), ("negative_slope", negative_slope),
                            ("threshold", threshold)):
            if (value is None and name != "max_value") or (value is not None and value < 0):
                raise ValueError(f"ReLU: `{name}` cannot be None or negative; received "
                                 f"{name}={value!r}.")
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold
        self._plain = max_value is None and negative_slope == 0 and threshold == 0
        self._init_elementwise()

    def call(self, inputs):
        if self._plain:
            return ops.relu(inputs)
        return activations.relu(inputs, negative_slope=self.negative_slope,
                                max_value=self.max_value, threshold=self.threshold)


class LeakyReLU(_Elementwise):
    """``x`` for ``x >= 0``, ``negative_slope * x`` below.

    Args:
        negative_slope: the slope for negative inputs (default 0.3). Keras 2's name
            for it, ``alpha``, still works, with a DeprecationWarning.
    """

    def __init__(self, negative_slope=0.3, alpha=None, **kwargs):
        if alpha is not None:
            warn_deprecated("LeakyReLU(alpha=...)", "LeakyReLU(negative_slope=...)", 4)
            negative_slope = alpha
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError("LeakyReLU: `negative_slope` cannot be None or negative; "
                             f"received negative_slope={negative_slope!r}.")
        self.negative_slope = negative_slope
        self._init_elementwise()

    def call(self, inputs):
        return ops.leaky_relu(inputs, negative_slope=self.negative_slope)

    def get_config(self):
        config = super().get_config()
        config.pop("alpha", None)
        return config


class PReLU(Layer):
    """Leaky ReLU with a learned slope per entry: ``x`` for ``x >= 0``, ``alpha * x``
    below (He et al., 2015).

    Args:
        alpha_initializer, alpha_regularizer, alpha_constraint: for the slopes.
        shared_axes: axes (numbered from 1) along which one slope is shared, e.g.
            ``[1, 2]`` for one slope per channel of ``(batch, h, w, channels)`` images.
    """

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None,
                 alpha_constraint=None, shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        else:
            self.shared_axes = list(shared_axes) if isinstance(shared_axes, (list, tuple)) else [
                shared_axes]

    def build(self, input_shape):
        shape = list(input_shape[1:])
        for axis in self.shared_axes or ():
            if not 1 <= axis < len(input_shape):
                raise ValueError(
                    f"PReLU '{self.name}': shared axis {axis} is out of range for input shape "
                    f"{tuple(input_shape)}; axes are numbered from 1 (0 is the batch axis).")
            shape[axis - 1] = 1
        if any(d is None for d in shape):
            raise ValueError(
                f"PReLU '{self.name}': the axes that are not shared must have known sizes; "
                f"received input shape {tuple(input_shape)}. Share the unknown axes with "
                "`shared_axes`.")
        self.alpha = self.add_weight(shape=tuple(shape), name="alpha",
                                     initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)
        axes = {i: input_shape[i] for i in range(1, len(input_shape))
                if i not in (self.shared_axes or ())} if self.shared_axes else {}
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)
        self.built = True

    def call(self, inputs):
        return ops.relu(inputs) - self.alpha * ops.relu(-inputs)

    def compute_output_shape(self, input_shape):
        return input_shape


class ELU(_Elementwise):
    """Exponential linear unit: ``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` below.

    Args:
        alpha: the scale of the negative part.
    """

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha
        self._init_elementwise()

    def call(self, inputs):
        return ops.elu(inputs, alpha=self.alpha)


def _large_negative(dtype):
    return -30000.0 if dtype == "float16" else -1e9


class Softmax(_Elementwise):
    """Softmax over ``axis``; with a mask, masked positions get probability 0.

    Args:
        axis: the axis (or axes) to normalize over.

    Call arguments:
        mask: a boolean tensor broadcastable to the inputs, True where values count.
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else axis
        self._init_elementwise()

    def call(self, inputs, mask=None):
        if mask is not None:
            if len(mask.shape) > len(inputs.shape) or any(
                    m not in (1, i) for m, i in zip(mask.shape[::-1], inputs.shape[::-1])):
                raise ValueError(
                    f"Softmax layer '{self.name}': the mask must be broadcastable to the "
                    f"inputs; received inputs.shape={tuple(inputs.shape)}, "
                    f"mask.shape={tuple(mask.shape)}.")
            if ops.dtype(mask) != "bool":
                mask = ops.greater(mask, 0.5)
            inputs = ops.where(mask, inputs, _large_negative(ops.dtype(inputs)))
        if isinstance(self.axis, list) and len(self.axis) > 1:
            out = ops.exp(inputs - ops.logsumexp(inputs, axis=self.axis, keepdims=True))
        else:
            axis = self.axis[0] if isinstance(self.axis, list) else self.axis
            out = ops.softmax(inputs, axis=axis)
        if mask is not None:
            out = ops.where(mask, out, 0.0)
        return out


class ThresholdedReLU(_Elementwise):
    """Keras 2's thresholded ReLU: ``x`` for ``x > theta``, else 0 (removed from Keras
    3; kept so Keras 2 programs run). Same as ``ReLU(threshold=theta)``.

    Args:
        theta: the threshold (>= 0).
    """

    def __init__(self, theta=1.0, **kwargs):
        super().__init__(**kwargs)
        if theta is None or theta < 0:
            raise ValueError(f"ThresholdedReLU: `theta` must be >= 0; received theta={theta!r}.")
        self.theta = float(theta)
        self._init_elementwise()

    def call(self, inputs):
        return ops.where(ops.greater(inputs, self.theta), inputs, ops.zeros_like(inputs))
