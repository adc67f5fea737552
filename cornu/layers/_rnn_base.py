"""The recurrent machinery: the RNN layer, StackedRNNCells and the time loop shared
by every recurrent layer.

A cell computes one time step: ``cell.call(x_t, states) -> (output, new_states)``.
``RNN`` runs a cell over the time axis. A cell with ``project_sequence`` (the
built-in ones, _rnn_cells.py) has its input projection done for all steps at
once, so the loop only does the recurrent part per step.
"""
import inspect

from cornu import backend, ops, tree
from cornu.backend.common.keras_tensor import KerasTensor
from cornu.layers.input_spec import InputSpec
from cornu.layers.layer import Layer

__all__ = ["RNN", "StackedRNNCells"]


# ----------------------------------------------------------------- helpers

def init_param_names(cls):
    """The constructor parameter names of ``cls`` (without self / *args / **kwargs)."""
    params = inspect.signature(cls.__init__).parameters.values()
    return {p.name for p in params
            if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}


def prefix_paths(layer, owner):
    """Keras 3 variable paths of a sublayer: ``owner/<sublayer path>``."""
    for v in layer.weights:
        v.path = f"{owner}/{v.path}"


def build_sublayer(layer, input_shape, owner):
    """Build ``layer`` for ``input_shape`` (once) and give its weights paths under ``owner``."""
    if not layer.built:
        layer.build(input_shape)
        layer.built = True
        if getattr(layer, "_initial_weights", None) is not None:
            weights, layer._initial_weights = layer._initial_weights, None
            layer.set_weights(weights)
        prefix_paths(layer, owner)


def is_shape(x):
    """True for a shape tuple (ints and Nones), False for a nested structure of shapes."""
    return isinstance(x, (list, tuple)) and all(d is None or isinstance(d, int) for d in x)


def spec_from_shapes(shapes, dtype):
    """KerasTensors for a shape or a nested structure of shapes (tuples stay tuples)."""
    if is_shape(shapes):
        return KerasTensor(tuple(shapes), dtype=dtype)
    return type(shapes)(spec_from_shapes(s, dtype) for s in shapes)


def float_dtype(x, default):
    dtype = getattr(x, "dtype", None)
    if dtype is None:
        return default
    name = backend.standardize_dtype(dtype)
    return name if name.startswith(("float", "bfloat")) else default


def _expand_like(m, x):
    """A (batch,) mask reshaped to broadcast against ``x`` (batch, ...)."""
    return ops.reshape(m, (m.shape[0],) + (1,) * (len(x.shape) - 1))


def time_loop(step, inputs, states, mask=None, go_backwards=False, zero_output_for_mask=False,
              return_sequences=False):
    """Run ``step(x_t, states) -> (output, new_states)`` over axis 1 of ``inputs``.

    With a mask (batch, time), a masked step keeps the previous states and
    outputs the previous output (zeros with ``zero_output_for_mask``), as
    Keras does. With ``go_backwards`` the time axis is walked from the end and
    the output sequence stays in that (reversed) order.

    Returns ``(last_output, outputs or None, states)``.
    """
    steps = ops.unstack(inputs, axis=1)                     # T x (B, ...)
    if not steps:
        raise ValueError("A recurrent layer needs at least one time step; received an input "
                         f"with shape {tuple(inputs.shape)}.")
    masks = None
    if mask is not None:
        if backend.standardize_dtype(mask.dtype) != "bool":
            mask = ops.cast(mask, "bool")
        masks = ops.unstack(mask, axis=1)                   # T x (B,)
    if go_backwards:
        steps = steps[::-1]
        masks = masks[::-1] if masks is not None else None
    outputs = []
    output = None
    for t, x_t in enumerate(steps):
        new_output, new_states = step(x_t, states)
        if masks is not None:
            m = masks[t]
            if output is None or zero_output_for_mask:
                fill = ops.zeros_like(new_output)
            else:
                fill = output
            new_output = ops.where(_expand_like(m, new_output), new_output, fill)
            flat_new = [ops.where(_expand_like(m, n), n, o)
                        for n, o in zip(tree.flatten(new_states), tree.flatten(states))]
            new_states = tree.pack_sequence_as(states, flat_new)
        output, states = new_output, new_states
        if return_sequences:
            outputs.append(output)
    sequence = ops.stack(outputs, axis=1) if return_sequences else None
    return output, sequence, states


def state_template(state_size):
    """The nesting of the states: an int per state, lists for cells with several."""
    if isinstance(state_size, int):
        return [state_size]
    return list(state_size)


# ----------------------------------------------------------------- StackedRNNCells

def _cell_output_size(cell):
    size = getattr(cell, "output_size", None)
    if size is not None:
        return size
    state_size = cell.state_size
    return state_size[0] if isinstance(state_size, (list, tuple)) else state_size


def _check_cell(cell, owner):
    if not callable(getattr(cell, "call", None)):
        raise ValueError(f"{owner}: a cell needs a `call(inputs, states)` method; received "
                         f"cell={cell!r}.")
    if getattr(cell, "state_size", None) is None:
        raise ValueError(f"{owner}: the RNN cell should have a `state_size` attribute (an "
                         f"integer, or a list of integers, one per state); received cell="
                         f"{cell!r}.")


def _call_cell(cell, inputs, states, training):
    if getattr(cell, "_call_has_training", None) is None:
        has_training = "training" in inspect.signature(cell.call).parameters
    else:
        has_training = cell._call_has_training
    if has_training:
        return cell.call(inputs, states, training=training)
    return cell.call(inputs, states)


def _deserialize_layer(config):
    if isinstance(config, dict):
        from cornu import layers
        return layers.deserialize(config)
    return config


class StackedRNNCells(Layer):
    """A stack of RNN cells behaving as one cell: each cell's output feeds the next.

    Args:
        cells: a list of RNN cells.

    Example:
        >>> cells = [cornu.layers.LSTMCell(8), cornu.layers.LSTMCell(8)]
        >>> cornu.layers.RNN(cells)(np.zeros((2, 5, 3))).shape
        torch.Size([2, 8])
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        cells = [_deserialize_layer(c) for c in cells]
        for cell in cells:
            _check_cell(cell, f"StackedRNNCells '{self.name}'")
        self.cells = cells

    @property
    def state_size(self):
        return [c.state_size for c in self.cells]

    @property
    def output_size(self):
        return _cell_output_size(self.cells[-1])

    def get_initial_state(self, batch_size=None):
        states = []
        for cell in self.cells:
            fn = getattr(cell, "get_initial_state", None)
            if fn is not None:
                states.append(fn(batch_size=batch_size))
            elif isinstance(cell.state_size, int):
                states.append(ops.zeros((batch_size, cell.state_size), dtype=self.compute_dtype))
            else:
                states.append([ops.zeros((batch_size, d), dtype=self.compute_dtype)
                               for d in cell.state_size])
        return states

    def build(self, input_shape):
        for cell in self.cells:
            if isinstance(cell, Layer):
                build_sublayer(cell, input_shape, self.name)
            input_shape = (tree.flatten(input_shape)[0], _cell_output_size(cell))
        self.built = True

    def call(self, inputs, states, training=False):
        new_states = []
        for cell, cell_states in zip(self.cells, states):
            is_list = tree.is_nested(cell_states)
            cell_states = list(cell_states) if is_list else [cell_states]
            inputs, cell_states = _call_cell(cell, inputs, cell_states, training)
            if not tree.is_nested(cell_states):
                cell_states = [cell_states]
            if len(cell_states) == 1 and not is_list:
                cell_states = cell_states[0]
            new_states.append(cell_states)
        return inputs, new_states

    def get_config(self):
        config = super().get_config()
        from cornu.saving.serialization import serialize_keras_object
        config["cells"] = [serialize_keras_object(c) for c in self.cells]
        return config


# ----------------------------------------------------------------- RNN

class RNN(Layer):
    """Runs an RNN cell over the time axis of its input.

    Args:
        cell: an RNN cell (``call(inputs, states) -> (output, new_states)`` and a
            ``state_size``), or a list of cells (stacked with ``StackedRNNCells``).
        return_sequences: return the output of every step (batch, time, units), not
            only the last (batch, units).
        return_state: also return the final states: ``[output, *states]``.
        go_backwards: walk the sequence from the end (the output sequence is reversed).
        stateful: the final states of a batch are the initial states of the next
            (needs a fixed batch size); ``reset_states()`` sets them to zeros.
        unroll: accepted for compatibility: the loop is always a Python loop here.
        zero_output_for_mask: masked steps output zeros instead of the previous output.

    Call arguments: ``sequences`` (batch, time, ...), ``initial_state`` (a tensor or a
    list of them), ``mask`` (batch, time), ``training``.

    Example:
        >>> layer = cornu.layers.RNN(cornu.layers.SimpleRNNCell(4), return_sequences=True)
        >>> layer(np.zeros((2, 5, 3))).shape
        torch.Size([2, 5, 4])
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        cell = _deserialize_layer(cell)
        _check_cell(cell, f"{type(self).__name__} '{self.name}'")
        state_size = cell.state_size
        if not isinstance(state_size, (list, tuple, int)):
            raise ValueError(
                f"{type(self).__name__} '{self.name}': the cell's `state_size` must be an "
                f"integer or a list/tuple of integers; received {state_size!r}.")
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.zero_output_for_mask = zero_output_for_mask
        self.supports_masking = True
        self.states = None
        self.single_state = isinstance(state_size, int)
        self.state_size = [state_size] if self.single_state else list(state_size)

    # ------------------------------------------------------------ build and state

    def build(self, sequences_shape, initial_state_shape=None):
        if sequences_shape and not is_shape(sequences_shape):  # [inputs, *initial_states]
            sequences_shape = sequences_shape[0]
        step_shape = (sequences_shape[0],) + tuple(sequences_shape[2:])
        if isinstance(self.cell, Layer):
            build_sublayer(self.cell, step_shape, self.name)
        spec = self.input_spec
        if spec is not None and spec.ndim is not None and sequences_shape[-1] is not None:
            self.input_spec = InputSpec(ndim=spec.ndim, axes={-1: sequences_shape[-1]})
        if self.stateful and sequences_shape[0] is not None and self.states is None:
            self._create_state_variables(sequences_shape[0])
        self.built = True

    def _create_state_variables(self, batch_size):
        from cornu import initializers
        zeros = initializers.get("zeros")
        self.states = tree.map_structure(
            lambda value: backend.Variable(zeros, shape=tuple(value.shape), trainable=False,
                                           dtype=self.dtype_name, name="rnn_state"),
            self.get_initial_state(batch_size))

    def get_initial_state(self, batch_size):
        """Zero states (or the cell's own ``get_initial_state``) for ``batch_size``."""
        fn = getattr(self.cell, "get_initial_state", None)
        if fn is None:
            return [ops.zeros((batch_size, d), dtype=self.dtype_name) for d in self.state_size]
        states = fn(batch_size=batch_size)
        return list(states) if tree.is_nested(states) else [states]

    def reset_states(self, states=None):
        """Set the states of a stateful layer to zeros (or to ``states``)."""
        if not self.stateful:
            raise AttributeError(f"Layer '{self.name}' must be stateful (stateful=True) to "
                                 "reset its states.")
        if self.states is None:
            return
        variables = tree.flatten(self.states)
        if states is None:
            values = [ops.zeros_like(v.value) for v in variables]
        else:
            values = tree.flatten(states) if tree.is_nested(states) else [states]
            if len(values) != len(variables):
                raise ValueError(f"Layer '{self.name}' expects {len(variables)} states; "
                                 f"received {len(values)}.")
        for v, value in zip(variables, values):
            v.assign(value)

    reset_state = reset_states

    def _initial_states(self, sequences, initial_state):
        batch_size = sequences.shape[0]
        if initial_state is not None:
            states = list(initial_state) if tree.is_nested(initial_state) else [initial_state]
            states = tree.map_structure(
                lambda s: ops.convert_to_tensor(s, dtype=self.dtype_name), states)
            template = self.get_initial_state(batch_size) if len(states) != len(
                self.state_size) else None
            if template is not None and len(tree.flatten(template)) == len(states):
                states = tree.pack_sequence_as(template, states)  # Keras 2: a flat list
            return states
        if not self.stateful:
            return self.get_initial_state(batch_size)
        if self.states is None:
            self._create_state_variables(batch_size)
        expected = tree.flatten(self.states)[0].shape[0]
        if batch_size != expected and not backend.in_symbolic_scope():
            raise ValueError(
                f"Layer '{self.name}' is stateful with batch size {expected}, but received a "
                f"batch of {batch_size} samples. Feed batches of exactly {expected} samples "
                "(fit(..., batch_size=...), shuffle=False), or call reset_states() after "
                "rebuilding the model for a new batch size.")
        # A copy, so that assigning the new states later leaves autograd's saved values alone.
        return tree.map_structure(lambda v: ops.copy(v.value), self.states)

    # ------------------------------------------------------------ call

    def call(self, sequences, initial_state=None, mask=None, training=False):
        if isinstance(sequences, (list, tuple)):  # Keras 2: layer([inputs, *initial_states])
            if len(sequences) > 1 and initial_state is None:
                initial_state = list(sequences[1:])
            sequences = sequences[0]
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        states = self._initial_states(sequences, initial_state)
        try:
            result = self._fused_call(sequences, states, mask, training)
            if result is None:
                result = self._loop(sequences, states, mask, training)
        finally:
            self._reset_dropout_masks(self.cell)
        last_output, outputs, states = result
        if self.stateful and not backend.in_symbolic_scope():
            for variable, value in zip(tree.flatten(self.states), tree.flatten(states)):
                variable.assign(ops.stop_gradient(value))
        output = outputs if self.return_sequences else last_output
        if self.return_state:
            return (output, *states)
        return output

    def _fused_call(self, sequences, states, mask, training):
        """The fused-kernel path: ``(last, outputs, states)``, or None to use the loop."""
        return None

    def _loop(self, sequences, states, mask, training):
        cell = self.cell
        if hasattr(cell, "project_sequence"):  # the built-in cells: one input matmul
            inputs = cell.project_sequence(sequences, training)        # (B, T, gates)

            def step(x_t, s):
                return cell._recurrent(x_t, s, training)
        else:
            inputs = sequences

            def step(x_t, s):
                output, new_states = _call_cell(cell, x_t, s, training)
                return output, (new_states if tree.is_nested(new_states) else [new_states])
        return time_loop(step, inputs, states, mask=mask, go_backwards=self.go_backwards,
                         zero_output_for_mask=self.zero_output_for_mask,
                         return_sequences=self.return_sequences)

    def _reset_dropout_masks(self, cell):
        if hasattr(cell, "reset_dropout_mask"):
            cell.reset_dropout_mask()
            cell.reset_recurrent_dropout_mask()
        for sub in getattr(cell, "cells", ()):
            self._reset_dropout_masks(sub)

    # ------------------------------------------------------------ shapes and masks

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        if sequences_shape and not is_shape(sequences_shape):
            sequences_shape = sequences_shape[0]
        batch, length = sequences_shape[0], sequences_shape[1]
        if self.unroll and length is None:
            raise ValueError(
                f"Layer '{self.name}': cannot unroll an RNN whose time dimension is unknown "
                f"(input shape {tuple(sequences_shape)}). Give the Input a fixed number of "
                "time steps, e.g. Input(shape=(10, features)), or use unroll=False.")
        size = _cell_output_size(self.cell)
        output = (batch, length, size) if self.return_sequences else (batch, size)
        if not self.return_state:
            return output
        states = [(batch, s) if isinstance(s, int) else [(batch, d) for d in s]
                  for s in self.state_size]
        return (output, *states)

    def compute_output_spec(self, sequences, initial_state=None, mask=None, training=None):
        shapes = self.compute_output_shape(
            [tuple(s.shape) for s in sequences] if isinstance(sequences, (list, tuple))
            else tuple(sequences.shape))
        first = sequences[0] if isinstance(sequences, (list, tuple)) else sequences
        return spec_from_shapes(shapes, float_dtype(first, self.dtype_name))

    def compute_mask(self, inputs, mask=None):
        mask = tree.flatten(mask)[0] if mask is not None else None
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(tree.flatten(self.state_size))
        return output_mask

    # ------------------------------------------------------------ config

    def get_config(self):
        config = super().get_config()
        cell_params = init_param_names(type(self.cell)) - {"name", "dtype", "trainable"}
        from cornu.saving.serialization import serialize_keras_object
        for key in list(config):
            if key in cell_params and key != "cell" and hasattr(self.cell, key):
                config[key] = serialize_keras_object(getattr(self.cell, key))
        config.setdefault("zero_output_for_mask", self.zero_output_for_mask)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for legacy in ("implementation", "time_major"):  # Keras 2 configs
            config.pop(legacy, None)
        return super().from_config(config)
