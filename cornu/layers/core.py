"""Core layers: InputLayer / Input, Dense, Activation, Identity, Masking.

Embedding, EinsumDense and Lambda live in their own private modules and are
re-exported here; ``TorchModuleWrapper`` (torch backend only) lives in the backend.
"""
from cornu import activations, backend, constraints, initializers, ops, regularizers
from cornu.backend.common import global_state
from cornu.backend.common.keras_tensor import KerasTensor
from cornu.layers._lora import LoraMixin
from cornu.layers._sizes import integral
from cornu.layers.input_spec import InputSpec
from cornu.layers.layer import Layer, Node

__all__ = ["InputLayer", "Input", "Dense", "Activation", "Identity", "Masking", "Embedding",
           "EinsumDense", "Lambda"]


_UNSET = object()


class InputLayer(Layer):
    """The entry point of a functional model: produces one KerasTensor.

    Args:
        shape: the shape of one sample, without the batch dimension.
        batch_size: an optional fixed batch size.
        dtype: the input's dtype (default floatx).
        batch_shape: the full shape, batch dimension included (instead of shape).
        input_tensor: an existing KerasTensor to wrap.
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None,
                 input_tensor=None, optional=False, name=None, **kwargs):
        legacy_shape = kwargs.pop("input_shape", None)
        legacy_batch = kwargs.pop("batch_input_shape", None)
        if name is None:
            name = global_state.uniquify("input_layer")
        super().__init__(name=name, dtype=dtype, **kwargs)
        shape = shape if shape is not None else legacy_shape
        batch_shape = batch_shape if batch_shape is not None else legacy_batch
        if input_tensor is not None:
            batch_shape = input_tensor.shape
        if batch_shape is None:
            if shape is None:
                raise ValueError(
                    "Input needs a shape: pass `shape=` (one sample, without the batch "
                    "dimension), e.g. `cornu.Input(shape=(784,))`.")
            if isinstance(shape, int):
                shape = (shape,)
            batch_shape = (batch_size,) + tuple(shape)
        self.batch_shape = tuple(None if d is None else int(d) for d in batch_shape)
        self.sparse = bool(sparse)
        self.optional = optional
        self.built = True
        tensor = input_tensor if input_tensor is not None else KerasTensor(
            self.batch_shape, dtype=self.dtype_name, sparse=self.sparse, name=self.name)
        self._inbound_nodes.append(Node(self, (), {}, tensor))
        tensor._keras_history = (self, 0, 0)

    def call(self, inputs=None):
        return inputs

    @property
    def output(self):
        return self._inbound_nodes[0].outputs[0]

    def get_config(self):
        return {"batch_shape": list(self.batch_shape), "dtype": self.dtype_name,
                "sparse": self.sparse, "name": self.name}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if "batch_input_shape" in config:
            config["batch_shape"] = config.pop("batch_input_shape")
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = config["dtype"].get("config", {}).get("name")
        config.pop("ragged", None)
        return cls(**config)


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None,
          tensor=None, optional=False):
    """A symbolic input for a functional model: ``cornu.Input(shape=(784,))``.

    Returns a KerasTensor of shape ``(batch_size, *shape)``.
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                       batch_shape=batch_shape, name=name, input_tensor=tensor,
                       optional=optional)
    return layer.output


class Dense(LoraMixin, Layer):
    """A densely connected layer: ``activation(inputs @ kernel + bias)``.

    Args:
        units: the size of the last output dimension.
        activation: an activation name or function (default: none).
        use_bias: whether to add a bias vector.
        kernel_initializer, bias_initializer: initializers of the weights.
        kernel_regularizer, bias_regularizer: penalties on the weights.
        kernel_constraint, bias_constraint: projections after each update.
        lora_rank, lora_alpha: train a rank-``lora_rank`` update of the frozen kernel,
            scaled by ``lora_alpha / lora_rank`` (see ``enable_lora``).

    Example:
        >>> layer = Dense(32, activation="relu")
        >>> layer(np.ones((4, 16))).shape
        torch.Size([4, 32])
    """

    _lora_base = "kernel"

    def __init__(self, units, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, lora_rank=None, lora_alpha=None,
                 **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        units = integral(units, "units")
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError(
                f"Dense: `units` must be a positive integer; received units={units!r}.")
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.lora_rank = lora_rank
        self.lora_alpha = lora_alpha if lora_alpha is not None else lora_rank
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                f"Dense layer '{self.name}' needs a known last input dimension; received "
                f"input shape {tuple(input_shape)}.")
        self.kernel = self.add_weight(
            shape=(input_dim, self.units), initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
            name="kernel")
        self.bias = self.add_weight(
            shape=(self.units,), initializer=self.bias_initializer,
            regularizer=self.bias_regularizer, constraint=self.bias_constraint,
            name="bias") if self.use_bias else None
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
        self.built = True
        if self.lora_rank:
            self.enable_lora(self.lora_rank, self.lora_alpha)

    def call(self, inputs):
        kernel = self._lora_weight() if self.lora_enabled else self.kernel
        # (..., in) @ (in, units) + bias -> (..., units), one fused engine call
        return backend.fused.dense(inputs, kernel, self.bias, self._activation_fn)

    @property
    def _activation_fn(self):
        fn = self.__dict__.get("_native_activation", _UNSET)
        if fn is _UNSET or self.__dict__.get("_native_for") is not self.activation:
            fn = backend.fused.native_activation(self.activation)
            self._native_activation, self._native_for = fn, self.activation
        return fn

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return self._lora_config(super().get_config())


class Activation(Layer):
    """Applies an activation function: ``Activation('relu')``."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape


class Identity(Layer):
    """Returns its input unchanged."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape


class Masking(Layer):
    """Masks timesteps: a timestep whose features all equal ``mask_value`` is set to 0
    and masked out for the layers downstream (RNNs skip it).

    Args:
        mask_value: the value that marks padding (default 0.0).

    Example:
        >>> x = np.array([[[1., 2.], [0., 0.]]])
        >>> Masking()(x)._keras_mask
        tensor([[ True, False]])
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True
        self.built = True

    def compute_mask(self, inputs, previous_mask=None):
        return ops.any(ops.not_equal(inputs, self.mask_value), axis=-1)  # (B, T)

    def call(self, inputs):
        keep = ops.any(ops.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)
        return ops.where(keep, inputs, ops.zeros_like(inputs))

    def compute_output_shape(self, input_shape):
        return input_shape


from cornu.layers._embedding import Embedding  # noqa: E402
from cornu.layers._einsum_dense import EinsumDense  # noqa: E402
from cornu.layers._lambda import Lambda  # noqa: E402

if backend.backend() == "torch":
    from cornu.backend.torch.layers import TorchModuleWrapper  # noqa: E402,F401
    __all__.append("TorchModuleWrapper")


# Keras 2 kept these classes in this module (`from keras.layers.core import ...`).
_KERAS2_NAMES = {
    "Dropout": "regularization",
    "SpatialDropout1D": "regularization",
    "SpatialDropout2D": "regularization",
    "SpatialDropout3D": "regularization",
    "ActivityRegularization": "regularization",
    "Flatten": "reshaping",
    "Reshape": "reshaping",
    "Permute": "reshaping",
    "RepeatVector": "reshaping",
}


def __getattr__(name):
    if name in _KERAS2_NAMES:
        import importlib
        return getattr(importlib.import_module("cornu.layers." + _KERAS2_NAMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
