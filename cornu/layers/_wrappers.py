"""Layer wrappers: Wrapper (the base), Bidirectional and TimeDistributed."""
import copy

from cornu import ops, tree
from cornu.layers._rnn_base import build_sublayer, float_dtype, is_shape, spec_from_shapes
from cornu.layers.layer import Layer

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _serialize(layer):
    from cornu.saving.serialization import serialize_keras_object
    return serialize_keras_object(layer)


def _deserialize(config):
    if isinstance(config, dict):
        from cornu import layers
        return layers.deserialize(config)
    return config


class Wrapper(Layer):
    """Base of the layers that wrap another layer (``self.layer``).

    Args:
        layer: the wrapped layer.
    """

    def __init__(self, layer, **kwargs):
        layer = _deserialize(layer)
        if not isinstance(layer, Layer):
            raise ValueError(f"{type(self).__name__} wraps a cornu Layer instance; received "
                             f"layer={layer!r}.")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None):
        build_sublayer(self.layer, input_shape, self.name)
        self.built = True

    def get_config(self):
        config = super().get_config()
        config["layer"] = _serialize(self.layer)
        return config


class TimeDistributed(Wrapper):
    """Applies a layer to every time step (axis 1) of its input.

    The batch and time axes are merged, the layer runs once on (batch * time, ...),
    and the axes are split again.

    Args:
        layer: the layer to apply at each step.

    Example:
        >>> TimeDistributed(Dense(8))(np.zeros((32, 10, 16))).shape
        torch.Size([32, 10, 8])
    """

    def __init__(self, layer, **kwargs):
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def _child_shape(self, input_shape):
        if not is_shape(input_shape) or len(input_shape) < 3:
            raise ValueError(
                f"TimeDistributed layer '{self.name}' needs an input of at least 3 "
                f"dimensions (batch, time, ...); received input shape {input_shape}.")
        return (None if input_shape[0] is None or input_shape[1] is None
                else input_shape[0] * input_shape[1],) + tuple(input_shape[2:])

    def build(self, input_shape):
        self._child_shape(input_shape)  # validates the rank
        super().build((input_shape[0],) + tuple(input_shape[2:]))

    def call(self, inputs, training=None, mask=None):
        shape = tuple(inputs.shape)
        self._child_shape(shape)
        batch, steps = shape[0], shape[1]
        x = ops.reshape(inputs, (batch * steps,) + shape[2:])        # (B*T, ...)
        kwargs = {}
        if training is not None:
            kwargs["training"] = training
        if mask is not None and len(mask.shape) > 2 and self.layer._call_has_mask:
            kwargs["mask"] = ops.reshape(mask, (batch * steps,) + tuple(mask.shape[2:]))
        y = self.layer(x, **kwargs)
        return tree.map_structure(
            lambda t: ops.reshape(t, (batch, steps) + tuple(t.shape[1:])), y)

    def compute_output_shape(self, input_shape):
        child = self.layer.compute_output_shape(self._child_shape(input_shape))
        return (input_shape[0], input_shape[1]) + tuple(child[1:])


class Bidirectional(Layer):
    """Runs a recurrent layer forwards and a copy of it backwards, and merges the two.

    Args:
        layer: an RNN layer (LSTM, GRU, SimpleRNN, RNN, ConvLSTM...). It is copied
            (from its config) into ``forward_layer``; its weights are not shared.
        merge_mode: 'concat' (default), 'sum', 'mul', 'ave', or None (a list of both).
        weights: initial weights (forward layer's, then backward layer's).
        backward_layer: the layer for the backward direction (default: a copy of
            ``layer`` with ``go_backwards`` flipped).

    Example:
        >>> Bidirectional(LSTM(10, return_sequences=True))(np.zeros((2, 5, 3))).shape
        torch.Size([2, 5, 20])
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        layer = _deserialize(layer)
        backward_layer = _deserialize(backward_layer)
        if not isinstance(layer, Layer):
            raise ValueError(f"Bidirectional wraps an RNN layer instance; received "
                             f"layer={layer!r}.")
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError(f"Bidirectional: `backward_layer` must be an RNN layer instance; "
                             f"received backward_layer={backward_layer!r}.")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Bidirectional: invalid merge_mode {merge_mode!r}; expected one "
                             "of 'sum', 'mul', 'ave', 'concat', None.")
        super().__init__(**kwargs)
        name = layer.name[len("forward_"):] if layer.name.startswith("forward_") else layer.name
        self.forward_layer = _clone(layer, name=f"forward_{name}")
        if backward_layer is None:
            bname = name[len("backward_"):] if name.startswith("backward_") else name
            backward_layer = _clone(layer, name=f"backward_{bname}",
                                    go_backwards=not layer.go_backwards)
        self.backward_layer = backward_layer
        self._verify()
        for sub in (self.forward_layer, self.backward_layer):
            if getattr(sub, "zero_output_for_mask", None) is not None:
                sub.zero_output_for_mask = sub.return_sequences
        self.merge_mode = merge_mode
        self._initial_weights = weights
        if self._batch_input_shape is None:  # Keras 2: Bidirectional(LSTM(8, input_shape=...))
            self._batch_input_shape = layer._batch_input_shape
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self.input_spec = layer.input_spec

    def _verify(self):
        fwd, bwd = self.forward_layer, self.backward_layer
        if fwd.go_backwards == bwd.go_backwards:
            raise ValueError(
                f"Bidirectional '{self.name}': the forward and backward layers must have "
                f"different `go_backwards`; received {fwd.go_backwards} for both.")
        for attr in ("stateful", "return_sequences", "return_state"):
            if getattr(fwd, attr) != getattr(bwd, attr):
                raise ValueError(
                    f"Bidirectional '{self.name}': the forward and backward layers must have "
                    f"the same `{attr}`; received {getattr(fwd, attr)} (forward) and "
                    f"{getattr(bwd, attr)} (backward).")

    @property
    def states(self):
        if self.forward_layer.states and self.backward_layer.states:
            return tuple(self.forward_layer.states) + tuple(self.backward_layer.states)
        return None

    def reset_states(self, states=None):
        """Reset the states of both directions (the layer must be stateful)."""
        if not self.stateful:
            raise AttributeError(f"Layer '{self.name}' must be stateful to reset its states.")
        half = None if states is None else len(states) // 2
        self.forward_layer.reset_states(None if states is None else states[:half])
        self.backward_layer.reset_states(None if states is None else states[half:])

    reset_state = reset_states

    def build(self, sequences_shape, initial_state_shape=None):
        for sub in (self.forward_layer, self.backward_layer):
            build_sublayer(sub, sequences_shape, self.name)
        self.built = True

    def call(self, sequences, initial_state=None, mask=None, training=None):
        if isinstance(sequences, (list, tuple)):  # Keras 2: layer([inputs, *initial_states])
            if len(sequences) > 1 and initial_state is None:
                initial_state = list(sequences[1:])
            sequences = sequences[0]
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        kwargs = {} if training is None else {"training": training}
        if mask is not None:
            kwargs["mask"] = mask
        y = self.forward_layer(sequences, initial_state=forward_state, **kwargs)
        y_rev = self.backward_layer(sequences, initial_state=backward_state, **kwargs)
        states = ()
        if self.return_state:
            states = tuple(y[1:]) + tuple(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = ops.flip(y_rev, axis=1)
        output = self._merge(y, y_rev)
        if self.return_state:
            return (*output, *states) if self.merge_mode is None else (output, *states)
        return output

    def _merge(self, y, y_rev):
        mode = self.merge_mode
        if mode == "concat":
            return ops.concatenate([y, y_rev], axis=-1)
        if mode == "sum":
            return y + y_rev
        if mode == "ave":
            return (y + y_rev) / 2
        if mode == "mul":
            return y * y_rev
        return [y, y_rev]

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        shape = self.forward_layer.compute_output_shape(sequences_shape)
        states = ()
        if self.return_state:
            shape, states = shape[0], tuple(shape[1:])
        if self.merge_mode == "concat":
            shape = tuple(shape[:-1]) + (None if shape[-1] is None else 2 * shape[-1],)
        if self.merge_mode is None:
            outputs = [tuple(shape), tuple(shape)]
            return (*outputs, *states, *states) if self.return_state else outputs
        return (tuple(shape), *states, *states) if self.return_state else tuple(shape)

    def compute_output_spec(self, sequences, initial_state=None, mask=None, training=None):
        first = sequences[0] if isinstance(sequences, (list, tuple)) else sequences
        shapes = self.compute_output_shape(
            [tuple(s.shape) for s in sequences] if isinstance(sequences, (list, tuple))
            else tuple(first.shape))
        return spec_from_shapes(shapes, float_dtype(first, self.dtype_name))

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if self.return_sequences:
            output_mask = [mask, mask] if self.merge_mode is None else mask
        else:
            output_mask = [None, None] if self.merge_mode is None else None
        if self.return_state:
            count = 2 * (len(self.forward_layer.state_size)
                         if hasattr(self.forward_layer, "state_size") else 1)
            head = output_mask if isinstance(output_mask, list) else [output_mask]
            return head + [None] * count
        return output_mask

    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype_name,
                  "merge_mode": self.merge_mode, "layer": _serialize(self.forward_layer),
                  "backward_layer": _serialize(self.backward_layer)}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = list(self._batch_input_shape)
        return config

    @classmethod
    def from_config(cls, config):
        config = copy.deepcopy(config)
        from cornu.saving.serialization import deserialize_layer_config
        return cls(**deserialize_layer_config(cls, config))


def _clone(layer, **overrides):
    """A new layer of ``layer``'s class and config (with ``overrides``); no weights shared."""
    config = layer.get_config()
    config.update(overrides)
    cell = getattr(layer, "cell", None)
    if "cell" in config and cell is not None:  # a generic RNN: copy the cell object itself
        config["cell"] = type(cell).from_config(cell.get_config())
    return type(layer).from_config(config)
