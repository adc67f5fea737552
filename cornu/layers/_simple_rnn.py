"""SimpleRNNCell and SimpleRNN:
``h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)``.
"""
from cornu import ops
from cornu.layers._rnn_cells import (
    FusedRNN, ProjectedCell, add_cell_weights, delegate_to_cell, set_cell_options,
)
from cornu.layers.input_spec import InputSpec


class SimpleRNNCell(ProjectedCell):
    """One step of a fully connected RNN (the cell of ``SimpleRNN``).

    Args:
        units: the size of the output and state.
        activation: the activation (default ``tanh``; None for linear).
        use_bias: whether to add a bias.
        kernel_initializer, recurrent_initializer, bias_initializer: initializers of
            ``kernel`` (input_dim, units), ``recurrent_kernel`` (units, units), ``bias``.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: weight penalties.
        kernel_constraint, recurrent_constraint, bias_constraint: weight projections.
        dropout, recurrent_dropout: fractions of the inputs / states dropped in training.
        seed: seed of the dropout masks.

    Example:
        >>> cell = SimpleRNNCell(4)
        >>> out, state = cell(np.zeros((2, 3)), [np.zeros((2, 4))])
    """

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        set_cell_options(self, units, activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, kernel_regularizer,
                         recurrent_regularizer, bias_regularizer, kernel_constraint,
                         recurrent_constraint, bias_constraint, dropout, recurrent_dropout, seed)
        self.state_size = self.units

    def build(self, input_shape):
        add_cell_weights(self, input_shape[-1], 1, (self.units,), self.bias_initializer)
        self.built = True

    def _project(self, x, masks):
        y = self._masked_matmul(x, self.kernel, masks, 1)         # (..., units)
        return y if self.bias is None else y + self.bias

    def _recurrent(self, x_proj, states, training):
        h = states[0]
        mask = self._recurrent_masks(h, training)
        if mask is not None:
            h = h * mask
        output = self.activation(x_proj + ops.matmul(h, self.recurrent_kernel))
        return output, [output]


@delegate_to_cell
class SimpleRNN(FusedRNN):
    """A fully connected RNN whose output is fed back as the next step's state.

    Args: those of ``SimpleRNNCell``, plus ``return_sequences``, ``return_state``,
    ``go_backwards``, ``stateful``, ``unroll`` of ``RNN``. With ``tanh`` or ``relu``
    and no recurrent dropout it runs on the engine's fused RNN kernel.

    Example:
        >>> SimpleRNN(4)(np.zeros((32, 10, 8))).shape
        torch.Size([32, 4])
    """

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, seed=None, **kwargs):
        cell = SimpleRNNCell(
            units, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True), name="simple_rnn_cell")
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.input_spec = InputSpec(ndim=3)

    def _fused_mode(self):
        from cornu import activations
        cell = self.cell
        if self.unroll or cell.recurrent_dropout:
            return None
        return {activations.tanh: "rnn_tanh", activations.relu: "rnn_relu"}.get(cell.activation)
