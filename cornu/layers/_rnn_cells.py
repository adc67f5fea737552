"""What the built-in cells (SimpleRNNCell, LSTMCell, GRUCell, ConvLSTMCell) share:
dropout masks, the input-projection / recurrent split of a step, their weights and
options, and FusedRNN, the layer that tries ``backend.fused.rnn`` (torch's fused
LSTM/GRU/RNN kernels) before the step-by-step loop.
"""
from cornu import backend, ops, tree
from cornu.layers._rnn_base import RNN, init_param_names, state_template
from cornu.layers._sizes import integral
from cornu.layers.layer import Layer


# ----------------------------------------------------------------- dropout masks

class DropoutRNNCell:
    """Dropout masks of a cell, made once per layer call and reused at every step.

    A cell using it has ``dropout``, ``recurrent_dropout`` and ``seed_generator``;
    ``dropout_mask_count`` (when set) asks for one mask per gate.
    """

    def _create_dropout_mask(self, step_input, rate):
        ones = ops.ones_like(step_input)
        count = getattr(self, "dropout_mask_count", None)
        if count is None:
            return backend.random.dropout(ones, rate=rate, seed=self.seed_generator)
        return [backend.random.dropout(ones, rate=rate, seed=self.seed_generator)
                for _ in range(count)]

    def get_dropout_mask(self, step_input):
        """The cached input dropout mask (made from ``step_input``'s shape), or None."""
        if getattr(self, "_dropout_mask", None) is None and self.dropout > 0:
            self._dropout_mask = self._create_dropout_mask(step_input, self.dropout)
        return getattr(self, "_dropout_mask", None)

    def get_recurrent_dropout_mask(self, step_input):
        """The cached recurrent-state dropout mask, or None."""
        if getattr(self, "_recurrent_dropout_mask", None) is None and self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = self._create_dropout_mask(
                step_input, self.recurrent_dropout)
        return getattr(self, "_recurrent_dropout_mask", None)

    def reset_dropout_mask(self):
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self):
        self._recurrent_dropout_mask = None


class ProjectedCell(Layer, DropoutRNNCell):
    """Base of the built-in cells: a step is ``_recurrent(_project(x), states)``.

    ``_project`` is linear in ``x`` and the same at every step, so ``RNN`` applies it
    to the whole sequence at once; ``call`` applies it to one step.
    """

    def _input_masks(self, step_input, training):
        if training and 0.0 < self.dropout < 1.0:
            return self.get_dropout_mask(step_input)
        return None

    def _recurrent_masks(self, h, training):
        if training and 0.0 < self.recurrent_dropout < 1.0:
            return self.get_recurrent_dropout_mask(h)
        return None

    def call(self, inputs, states, training=False):
        nested = tree.is_nested(states)
        states = [ops.convert_to_tensor(s, dtype=self.dtype_name)
                  for s in (states if nested else [states])]
        masks = self._input_masks(inputs, training)
        output, new_states = self._recurrent(self._project(inputs, masks), states, training)
        if not nested and len(new_states) == 1:
            return output, new_states[0]
        return output, new_states

    def project_sequence(self, sequences, training):
        """``_project`` of every step of ``sequences`` (batch, time, features) at once."""
        masks = self._input_masks(sequences[:, 0], training)
        if masks is not None:
            masks = ([ops.expand_dims(m, 1) for m in masks] if isinstance(masks, list)
                     else ops.expand_dims(masks, 1))
        return self._project(sequences, masks)

    def get_initial_state(self, batch_size=None):
        return [ops.zeros((batch_size, d), dtype=self.compute_dtype)
                for d in state_template(self.state_size)]

    @staticmethod
    def _masked_matmul(x, kernel, masks, count):
        """``x @ kernel``; with per-gate masks, gate g uses ``x * masks[g]``."""
        if masks is None:
            return ops.matmul(x, kernel)
        if not isinstance(masks, list):
            return ops.matmul(x * masks, kernel)
        kernels = ops.split(kernel, count, axis=-1)
        return ops.concatenate([ops.matmul(x * m, k) for m, k in zip(masks, kernels)], axis=-1)


def check_units(layer, units, what="units"):
    if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
        raise ValueError(f"{type(layer).__name__}: `{what}` must be a positive integer; "
                         f"received {what}={units!r}.")


def clamp_rate(value):
    return min(1.0, max(0.0, float(value)))


# ----------------------------------------------------------------- the built-in cells' layers

def add_cell_weights(cell, input_dim, gates, bias_shape, bias_initializer):
    """kernel (input_dim, gates*units), recurrent_kernel (units, gates*units), bias: Keras's
    names, shapes and order."""
    units = cell.units
    cell.kernel = cell.add_weight(
        shape=(input_dim, gates * units), name="kernel", initializer=cell.kernel_initializer,
        regularizer=cell.kernel_regularizer, constraint=cell.kernel_constraint)
    cell.recurrent_kernel = cell.add_weight(
        shape=(units, gates * units), name="recurrent_kernel",
        initializer=cell.recurrent_initializer, regularizer=cell.recurrent_regularizer,
        constraint=cell.recurrent_constraint)
    cell.bias = None
    if cell.use_bias:
        cell.bias = cell.add_weight(
            shape=bias_shape, name="bias", initializer=bias_initializer,
            regularizer=cell.bias_regularizer, constraint=cell.bias_constraint)


def set_cell_options(cell, units, activation, use_bias, kernel_initializer, recurrent_initializer,
                     bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer,
                     kernel_constraint, recurrent_constraint, bias_constraint, dropout,
                     recurrent_dropout, seed):
    """The constructor arguments every built-in cell shares, resolved and stored."""
    from cornu import activations, constraints, initializers, regularizers
    units = integral(units, "units")
    check_units(cell, units)
    cell.units = units
    cell.activation = activations.get(activation)
    cell.use_bias = use_bias
    cell.kernel_initializer = initializers.get(kernel_initializer)
    cell.recurrent_initializer = initializers.get(recurrent_initializer)
    cell.bias_initializer = initializers.get(bias_initializer)
    cell.kernel_regularizer = regularizers.get(kernel_regularizer)
    cell.recurrent_regularizer = regularizers.get(recurrent_regularizer)
    cell.bias_regularizer = regularizers.get(bias_regularizer)
    cell.kernel_constraint = constraints.get(kernel_constraint)
    cell.recurrent_constraint = constraints.get(recurrent_constraint)
    cell.bias_constraint = constraints.get(bias_constraint)
    cell.dropout = clamp_rate(dropout)
    cell.recurrent_dropout = clamp_rate(recurrent_dropout)
    cell.seed = seed
    cell.seed_generator = backend.SeedGenerator(seed)
    cell.output_size = units


_CELL_ATTRIBUTES = (
    "units", "activation", "recurrent_activation", "use_bias", "kernel_initializer",
    "recurrent_initializer", "bias_initializer", "unit_forget_bias", "kernel_regularizer",
    "recurrent_regularizer", "bias_regularizer", "kernel_constraint", "recurrent_constraint",
    "bias_constraint", "dropout", "recurrent_dropout", "reset_after", "implementation", "filters",
    "kernel_size", "strides", "padding", "data_format", "dilation_rate")


def delegate_to_cell(cls):
    """Class decorator: the layer's hyperparameters read through to its cell
    (``LSTM(8).units`` is ``layer.cell.units``), as in Keras."""
    params = init_param_names(cls)
    for name in _CELL_ATTRIBUTES:
        if name in params and name not in cls.__dict__:
            setattr(cls, name, property(lambda self, _n=name: getattr(self.cell, _n),
                                        doc=f"The cell's ``{name}``."))
    return cls


class FusedRNN(RNN):
    """An RNN of one built-in cell that may run on ``backend.fused.rnn`` (torch's fused
    LSTM/GRU/RNN kernels). Subclasses say which kernel in ``_fused_mode``."""

    def _fused_mode(self):
        return None

    @property
    def seed(self):
        return self.cell.seed

    def _fused_call(self, sequences, states, mask, training):
        mode = self._fused_mode()
        fused = getattr(backend.fused, "rnn", None)
        if mode is None or fused is None:
            return None
        cell = self.cell
        if training and 0.0 < cell.dropout < 1.0:
            # The same input mask at every step: (B, F) -> (B, 1, F).
            sequences = sequences * ops.expand_dims(cell.get_dropout_mask(sequences[:, 0]), 1)
        return fused(mode, sequences, states, cell.kernel, cell.recurrent_kernel, cell.bias,
                     mask=mask, go_backwards=self.go_backwards,
                     return_sequences=self.return_sequences,
                     zero_output_for_mask=self.zero_output_for_mask)

    def _check_use_cudnn(self, use_cudnn):
        if use_cudnn not in ("auto", True, False):
            raise ValueError(f"{type(self).__name__} '{self.name}': `use_cudnn` must be one of "
                             f"'auto', True, False; received use_cudnn={use_cudnn!r}.")
        self.use_cudnn = use_cudnn

    def _cudnn_conditions(self, *extra):
        """Keras's cuDNN conditions (default activations, no recurrent dropout, no unroll)."""
        from cornu import activations
        cell = self.cell
        ok = (not self.unroll and cell.recurrent_dropout == 0
              and cell.activation is activations.tanh
              and cell.recurrent_activation is activations.sigmoid and all(extra))
        if not ok and self.use_cudnn is True:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': use_cudnn=True was given, but this "
                "configuration cannot use the fused kernel (it needs activation='tanh', "
                "recurrent_activation='sigmoid', recurrent_dropout=0, unroll=False"
                f"{', reset_after=True' if extra else ''}). Pass use_cudnn='auto'.")
        return ok and self.use_cudnn is not False
