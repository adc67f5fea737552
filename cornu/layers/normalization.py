"""Normalization layers: BatchNormalization, LayerNormalization, GroupNormalization,
UnitNormalization, RMSNormalization, SpectralNormalization."""
import warnings

from cornu import backend, constraints, initializers, ops, regularizers
from cornu.layers._sizes import integral
from cornu.layers._wrappers import Wrapper
from cornu.layers.input_spec import InputSpec
from cornu.layers.layer import Layer

__all__ = ["BatchNormalization", "LayerNormalization", "GroupNormalization",
           "UnitNormalization", "RMSNormalization", "SpectralNormalization"]


def _check_axes(layer, axes, input_shape):
    for axis in axes if isinstance(axes, (list, tuple)) else [axes]:
        if not -len(input_shape) <= axis < len(input_shape):
            raise ValueError(
                f"{type(layer).__name__} '{layer.name}': axis {axis} is out of bounds for "
                f"input shape {tuple(input_shape)}. Received: axis={layer.axis}.")


def _axis_arg(layer, axis):
    """The ``axis`` argument as Keras keeps it: an int, or a list of ints."""
    if isinstance(axis, (list, tuple)):
        return list(axis)
    if isinstance(axis, int):
        return axis
    raise TypeError(f"{type(layer).__name__}: expected an int or a list/tuple of ints for "
                    f"`axis`; received axis={axis!r}.")


def _axis_size(layer, input_shape):
    """The size of ``layer.axis`` (one int) in ``input_shape``: in bounds and known."""
    _check_axes(layer, layer.axis, input_shape)
    dim = input_shape[layer.axis]
    if dim is None:
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}': axis {layer.axis} of the input must "
            f"have a known size; received input shape {tuple(input_shape)}.")
    return dim


class _AffineParams:
    """gamma/beta initializers, regularizers and constraints, shared by the norms."""

    def _init_affine(self, center, scale, beta_initializer, gamma_initializer,
                     beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint):
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)

    def _add_affine(self, shape, gamma=True, beta=True):
        self.gamma = self.add_weight(
            shape=shape, name="gamma", initializer=self.gamma_initializer,
            regularizer=self.gamma_regularizer, constraint=self.gamma_constraint,
            autocast=False) if gamma else None
        self.beta = self.add_weight(
            shape=shape, name="beta", initializer=self.beta_initializer,
            regularizer=self.beta_regularizer, constraint=self.beta_constraint,
            autocast=False) if beta else None


class BatchNormalization(_AffineParams, Layer):
    """Normalizes each channel with the batch's statistics while training and with
    moving averages of them at inference (Ioffe and Szegedy, 2015).

    Training: ``gamma * (x - mean(x)) / sqrt(var(x) + epsilon) + beta`` over all axes
    but ``axis``, and ``moving = moving * momentum + batch_statistic * (1 - momentum)``.
    Inference (and ``trainable=False``): the moving statistics stand in for the batch's.

    Args:
        axis: the channel axis (``-1`` for channels_last, ``1`` after channels_first).
        momentum: momentum of the moving averages.
        epsilon: added to the variance.
        center, scale: whether to learn ``beta`` / ``gamma``.
        beta_initializer, gamma_initializer, moving_mean_initializer,
        moving_variance_initializer, beta_regularizer, gamma_regularizer,
        beta_constraint, gamma_constraint: for the weights.
        synchronized: synchronize batch statistics across devices (no effect on one).
        renorm, renorm_clipping, renorm_momentum: batch renormalization
            (Ioffe, 2017); ``renorm_clipping`` may hold ``rmax``, ``rmin``, ``dmax``.

    Weights, in Keras's order: gamma, beta (trainable), moving_mean, moving_variance.

    Example:
        >>> layer = BatchNormalization()
        >>> layer(np.random.rand(8, 4), training=True).shape
        torch.Size([8, 4])
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, renorm=False, renorm_clipping=None,
                 renorm_momentum=0.99, synchronized=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):  # Keras 2 configs store [3]
            if len(axis) != 1:
                raise ValueError(f"BatchNormalization: `axis` must be one integer; "
                                 f"received axis={axis!r}.")
            axis = axis[0]
        self.axis = int(axis)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.synchronized = synchronized
        self._init_affine(center, scale, beta_initializer, gamma_initializer,
                          beta_regularizer, gamma_regularizer, beta_constraint,
                          gamma_constraint)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.renorm = renorm
        if renorm:
            renorm_clipping = dict(renorm_clipping or {})
            unknown = set(renorm_clipping) - {"rmax", "rmin", "dmax"}
            if unknown:
                raise ValueError(f"BatchNormalization: invalid keys {sorted(unknown)} in "
                                 "`renorm_clipping`; expected 'rmax', 'rmin', 'dmax'.")
            rmax, rmin = renorm_clipping.get("rmax"), renorm_clipping.get("rmin")
            if rmax is not None and rmin is not None and rmax < rmin:
                raise ValueError(f"BatchNormalization: renorm_clipping rmax ({rmax}) must "
                                 f"not be smaller than rmin ({rmin}).")
            if (renorm_clipping.get("dmax") or 0) < 0:
                raise ValueError("BatchNormalization: renorm_clipping dmax must be >= 0.")
        self.renorm_clipping = renorm_clipping
        self.renorm_momentum = renorm_momentum
        self.supports_masking = True

    def build(self, input_shape):
        dim = _axis_size(self, input_shape)
        shape = (dim,)
        self._add_affine(shape, gamma=self.scale, beta=self.center)
        self.moving_mean = self.add_weight(
            shape=shape, name="moving_mean", initializer=self.moving_mean_initializer,
            trainable=False, autocast=False)
        self.moving_variance = self.add_weight(
            shape=shape, name="moving_variance", initializer=self.moving_variance_initializer,
            trainable=False, autocast=False)
        if self.renorm:
            def stddev_init(shape, dtype=None):
                return ops.sqrt(self.moving_variance_initializer(shape, dtype=dtype))
            self.moving_stddev = self.add_weight(
                shape=shape, name="moving_stddev", initializer=stddev_init,
                trainable=False, autocast=False)
            self.renorm_mean = self.add_weight(
                shape=shape, name="renorm_mean", initializer=self.moving_mean_initializer,
                trainable=False, autocast=False)
            self.renorm_stddev = self.add_weight(
                shape=shape, name="renorm_stddev", initializer=stddev_init,
                trainable=False, autocast=False)
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self.axis: dim})
        self._channel_axis = self.axis % len(input_shape)
        self._reduction_axes = [i for i in range(len(input_shape)) if i != self._channel_axis]
        self._fused = getattr(backend.fused, "batch_norm", None)
        self.built = True

    def call(self, inputs, training=None, mask=None):
        training = bool(training) and self.trainable
        if mask is None and not (training and self.renorm) and self._fused is not None:
            out = self._fused(inputs, self._channel_axis, self.gamma, self.beta,
                              self.moving_mean, self.moving_variance, self.momentum,
                              self.epsilon, training)
            if out is not None:
                return ops.cast(out, self.dtype_name)
        return self._call_ops(inputs, training, mask)

    def _call_ops(self, inputs, training, mask):
        """The same computation in cornu.ops (masks, renorm, other backends)."""
        if mask is not None and len(mask.shape) != len(inputs.shape) - 1:
            raise ValueError(
                f"BatchNormalization '{self.name}': the mask should have one dimension "
                f"less than the inputs; received mask.shape={tuple(mask.shape)}, "
                f"inputs.shape={tuple(inputs.shape)}.")
        dtype = backend.result_type(ops.dtype(inputs), "float32")
        inputs = ops.cast(inputs, dtype)
        gamma, beta = self.gamma, self.beta
        if training:
            mean, variance = self._moments(inputs, mask)
            if self.renorm:
                gamma, beta = self._renorm(mean, variance, gamma, beta, dtype)
            else:
                self._update(self.moving_mean, mean, self.momentum)
                self._update(self.moving_variance, variance, self.momentum)
        else:
            mean, variance = self.moving_mean, self.moving_variance
        out = ops.batch_normalization(inputs, mean, variance, axis=self._channel_axis,
                                      offset=beta, scale=gamma, epsilon=self.epsilon)
        return ops.cast(out, self.dtype_name)

    @staticmethod
    def _update(variable, value, momentum):
        value = ops.stop_gradient(value)
        variable.assign(variable * momentum + ops.cast(value, variable.dtype) * (1.0 - momentum))

    def _moments(self, inputs, mask):
        if mask is None:
            return ops.moments(inputs, axes=self._reduction_axes,
                               synchronized=self.synchronized)
        weights = ops.cast(ops.broadcast_to(ops.expand_dims(mask, -1), ops.shape(inputs)),
                           inputs.dtype)
        count = ops.sum(weights, self._reduction_axes, keepdims=True) + backend.epsilon()
        mean = ops.sum(inputs * weights, self._reduction_axes, keepdims=True) / count
        variance = ops.sum(ops.square((inputs - mean) * weights), self._reduction_axes,
                           keepdims=True) / count
        return ops.reshape(mean, (-1,)), ops.reshape(variance, (-1,))

    def _renorm(self, mean, variance, gamma, beta, dtype):
        """Batch renormalization: the (r, d) correction folded into gamma and beta, and
        the renorm and moving statistics updated."""
        stddev = ops.sqrt(variance + self.epsilon)
        renorm_stddev = ops.maximum(self.renorm_stddev, self.epsilon ** 0.5)
        r = ops.stop_gradient(stddev / renorm_stddev)
        d = ops.stop_gradient((mean - self.renorm_mean) / renorm_stddev)
        clip = self.renorm_clipping
        if clip.get("rmin") is not None:
            r = ops.maximum(r, clip["rmin"])
        if clip.get("rmax") is not None:
            r = ops.minimum(r, clip["rmax"])
        if clip.get("dmax") is not None:
            d = ops.clip(d, -clip["dmax"], clip["dmax"])
        # (x * r + d) * gamma + beta = x * (r * gamma) + (d * gamma + beta)
        new_gamma = r if gamma is None else r * gamma
        new_beta = d if gamma is None else d * gamma
        new_beta = new_beta if beta is None else new_beta + beta
        self._update(self.renorm_mean, mean, self.renorm_momentum)
        self._update(self.renorm_stddev, stddev, self.renorm_momentum)
        self._update(self.moving_mean, mean, self.momentum)
        self._update(self.moving_stddev, stddev, self.momentum)
        moving_stddev = ops.convert_to_tensor(self.moving_stddev)
        self.moving_variance.assign(ops.relu(moving_stddev * moving_stddev - self.epsilon))
        return ops.cast(new_gamma, dtype), ops.cast(new_beta, dtype)

    def compute_output_shape(self, input_shape):
        _check_axes(self, self.axis, input_shape)
        return input_shape


class LayerNormalization(_AffineParams, Layer):
    """Normalizes each sample over ``axis`` to zero mean and unit variance, then
    ``* gamma + beta`` (Ba et al., 2016).

    Args:
        axis: the axis or axes to normalize over (default the last).
        epsilon: added to the variance.
        center, scale: whether to learn ``beta`` / ``gamma``.
        beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
        beta_constraint, gamma_constraint: for the weights.
        rms_scaling: deprecated (as in Keras): ``x * rsqrt(var(x) + epsilon) * gamma``,
            without centering; use ``RMSNormalization`` instead.
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 rms_scaling=False, **kwargs):
        super().__init__(**kwargs)
        if rms_scaling:
            warnings.warn("LayerNormalization(rms_scaling=True) is deprecated: it scales by "
                          "the variance, not the root mean square. Use "
                          "`cornu.layers.RMSNormalization` instead.", DeprecationWarning,
                          stacklevel=3)
        self.axis = _axis_arg(self, axis)
        self.epsilon = epsilon
        self.rms_scaling = rms_scaling
        self._init_affine(center, scale, beta_initializer, gamma_initializer,
                          beta_regularizer, gamma_regularizer, beta_constraint,
                          gamma_constraint)
        self.supports_masking = True
        self.autocast = False

    def build(self, input_shape):
        _check_axes(self, self.axis, input_shape)
        axes = sorted(a % len(input_shape) for a in (
            self.axis if isinstance(self.axis, list) else [self.axis]))
        self._axes = axes
        shape = tuple(input_shape[a] for a in axes)
        self._add_affine(shape, gamma=self.scale or self.rms_scaling,
                         beta=self.center and not self.rms_scaling)
        # 1-D weights over non-trailing axes are reshaped to broadcast.
        self._broadcast = [input_shape[i] if i in axes else 1 for i in range(len(input_shape))]
        self.built = True

    def call(self, inputs):
        dtype = ops.dtype(inputs)
        gamma, beta = self.gamma, self.beta
        if self._axes != list(range(len(inputs.shape) - len(self._axes), len(inputs.shape))):
            gamma = None if gamma is None else ops.reshape(gamma, self._broadcast)
            beta = None if beta is None else ops.reshape(beta, self._broadcast)
        if self.rms_scaling:
            x = ops.cast(inputs, backend.result_type(dtype, "float32"))
            out = x * ops.rsqrt(ops.var(x, axis=self._axes, keepdims=True) + self.epsilon)
            out = out * ops.cast(gamma, out.dtype)
        else:
            out = ops.layer_normalization(inputs, gamma, beta, axis=self._axes,
                                          epsilon=self.epsilon)
        return ops.cast(out, self.dtype_name)

    def compute_output_shape(self, input_shape):
        _check_axes(self, self.axis, input_shape)
        return input_shape


class GroupNormalization(_AffineParams, Layer):
    """Normalizes groups of channels of each sample (Wu and He, 2018): the channels
    along ``axis`` are split into ``groups`` groups, each normalized over its channels
    and all the other non-batch axes. ``groups=-1`` is instance normalization;
    ``groups=1`` is layer normalization over all non-batch axes.

    Args:
        groups: the number of groups (it must divide the number of channels).
        axis: the channel axis.
        epsilon, center, scale and the initializers, regularizers and constraints of
        ``gamma`` / ``beta``: as for ``LayerNormalization``.
    """

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs):
        groups = integral(groups, "groups")
        if not isinstance(groups, int) or (groups <= 0 and groups != -1):
            raise ValueError("GroupNormalization: `groups` must be a positive integer (or -1 "
                             f"for instance normalization); received groups={groups!r}.")
        super().__init__(**kwargs)
        self.groups = groups
        self.axis = axis
        self.epsilon = epsilon
        self._init_affine(center, scale, beta_initializer, gamma_initializer,
                          beta_regularizer, gamma_regularizer, beta_constraint,
                          gamma_constraint)
        self.supports_masking = True
        self.autocast = False

    def build(self, input_shape):
        dim = _axis_size(self, input_shape)
        if self.groups == -1:
            self.groups = dim
        if dim < self.groups or dim % self.groups:
            raise ValueError(
                f"GroupNormalization '{self.name}': the number of groups ({self.groups}) "
                f"must divide the number of channels ({dim}).")
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self.axis: dim})
        self._add_affine((dim,), gamma=self.scale, beta=self.center)
        axis = self.axis % len(input_shape)
        self._axis = axis
        # (B, ..., C, ...) -> (B, ..., G, C // G, ...): reduce over all but B and G.
        self._reduce = [i for i in range(1, len(input_shape) + 1) if i != axis]
        self._param_shape = [1] * (len(input_shape) + 1)
        self._param_shape[axis], self._param_shape[axis + 1] = self.groups, dim // self.groups
        self.built = True

    def call(self, inputs):
        shape = ops.shape(inputs)
        axis = self._axis
        grouped = ops.reshape(inputs, tuple(shape[:axis]) + (
            self.groups, shape[axis] // self.groups) + tuple(shape[axis + 1:]))
        x = ops.cast(grouped, backend.result_type(ops.dtype(inputs), "float32"))
        mean, variance = ops.moments(x, axes=self._reduce, keepdims=True)
        inv = ops.rsqrt(variance + self.epsilon)
        if self.gamma is not None:
            inv = inv * ops.reshape(self.gamma, self._param_shape)
        shift = -mean * inv
        if self.beta is not None:
            shift = shift + ops.reshape(self.beta, self._param_shape)
        out = ops.reshape(x * inv + shift, shape)
        return ops.cast(out, self.dtype_name)

    def compute_output_shape(self, input_shape):
        _check_axes(self, self.axis, input_shape)
        return input_shape


class UnitNormalization(Layer):
    """Scales each sample to unit L2 norm over ``axis``: ``x / ||x||``.

    Args:
        axis: the axis or axes of the norm (default the last).
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = _axis_arg(self, axis)
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return ops.normalize(inputs, axis=self.axis, order=2, epsilon=1e-12)

    def compute_output_shape(self, input_shape):
        _check_axes(self, self.axis, input_shape)
        return input_shape


class RMSNormalization(Layer):
    """Root-mean-square normalization (Zhang and Sennrich, 2019):
    ``x * rsqrt(mean(x ** 2, axis) + epsilon) * scale``.

    Args:
        axis: the axis or axes to normalize over (default the last).
        epsilon: added to the mean square.
    """

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.epsilon = epsilon

    def build(self, input_shape):
        _check_axes(self, self.axis, input_shape)
        axes = sorted(self.axis) if isinstance(self.axis, (list, tuple)) else [self.axis]
        self._axes = axes
        self.scale = self.add_weight(name="scale", shape=tuple(input_shape[a] for a in axes),
                                     initializer="ones")
        self.built = True

    def call(self, inputs):
        return ops.rms_normalization(inputs, scale=self.scale, axis=self._axes,
                                     epsilon=self.epsilon)

    def compute_output_shape(self, input_shape):
        _check_axes(self, self.axis, input_shape)
        return input_shape


class SpectralNormalization(Wrapper):
    """Wraps a layer with a ``kernel`` (or ``embeddings``) and, while training, divides
    that weight by its spectral norm, estimated by power iteration (Miyato et al., 2018).

    Args:
        layer: the wrapped layer (Dense, Conv2D, Embedding, ...).
        power_iterations: power-iteration steps per training call.
    """

    def __init__(self, layer, power_iterations=1, **kwargs):
        super().__init__(layer, **kwargs)
        if power_iterations <= 0:
            raise ValueError("SpectralNormalization: `power_iterations` must be greater than "
                             f"zero; received power_iterations={power_iterations!r}.")
        self.power_iterations = power_iterations

    def build(self, input_shape):
        super().build(input_shape)
        self.input_spec = InputSpec(min_ndim=1, axes={-1: input_shape[-1]})
        kernel = getattr(self.layer, "kernel", None)
        if kernel is None:
            kernel = getattr(self.layer, "embeddings", None)
        if not isinstance(kernel, backend.Variable):
            raise ValueError(f"SpectralNormalization: {type(self.layer).__name__} has no "
                             "`kernel` nor `embeddings` weight to normalize.")
        self.kernel = kernel
        self.kernel_shape = kernel.shape
        self.vector_u = self.add_weight(
            shape=(1, kernel.shape[-1]), initializer=initializers.TruncatedNormal(stddev=0.02),
            trainable=False, name="vector_u", dtype=kernel.dtype)
        self.built = True

    def call(self, inputs, training=False):
        if training:
            new_u, new_kernel = self.normalized_weights()
            self.vector_u.assign(new_u)
            self.kernel.assign(new_kernel)
        return ops.cast(self.layer(inputs), ops.dtype(inputs))

    def normalized_weights(self):
        """``(u, kernel / sigma)`` after ``power_iterations`` steps; an all-zero kernel
        stays as it is."""
        w = ops.reshape(self.kernel, (-1, self.kernel_shape[-1]))   # (K, out)
        u = ops.convert_to_tensor(self.vector_u)                    # (1, out)
        for _ in range(self.power_iterations):
            v = ops.normalize(ops.matmul(u, ops.transpose(w)), axis=None)   # (1, K)
            u = ops.normalize(ops.matmul(v, w), axis=None)                  # (1, out)
        u, v = ops.stop_gradient(u), ops.stop_gradient(v)
        sigma = ops.matmul(ops.matmul(v, w), ops.transpose(u))              # (1, 1)
        kernel = ops.reshape(w / sigma, self.kernel_shape)
        zero = ops.all(ops.equal(w, 0))
        return (ops.where(zero, self.vector_u, u),
                ops.where(zero, self.kernel, kernel))

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)
