"""LSTMCell and LSTM (Hochreiter & Schmidhuber, 1997), in Keras's weight layout.

Weights: ``kernel`` (input_dim, 4*units), ``recurrent_kernel`` (units, 4*units),
``bias`` (4*units,), gates in the order i, f, c, o (torch's i, f, g, o).
"""
from cornu import activations, initializers, ops
from cornu.layers._rnn_cells import (
    FusedRNN, ProjectedCell, add_cell_weights, delegate_to_cell, set_cell_options,
)
from cornu.layers.input_spec import InputSpec


class _ForgetBiasOnes:
    """``bias_initializer`` with the forget-gate quarter set to ones (unit_forget_bias)."""

    def __init__(self, base, units):
        self.base, self.units = base, units

    def __call__(self, shape, dtype=None):
        u = self.units
        return ops.concatenate([self.base((u,), dtype=dtype),
                                initializers.get("ones")((u,), dtype=dtype),
                                self.base((2 * u,), dtype=dtype)])


class LSTMCell(ProjectedCell):
    """One step of an LSTM (the cell of ``LSTM``).

    Args:
        units: the size of the output and of each state (h and c).
        activation: the cell/output activation (default ``tanh``).
        recurrent_activation: the gate activation (default ``sigmoid``).
        use_bias: whether to add a bias.
        kernel_initializer, recurrent_initializer, bias_initializer: initializers.
        unit_forget_bias: start the forget-gate bias at 1 (bias_initializer elsewhere).
        kernel_regularizer, recurrent_regularizer, bias_regularizer: weight penalties.
        kernel_constraint, recurrent_constraint, bias_constraint: weight projections.
        dropout, recurrent_dropout: fractions of the inputs / states dropped in training.
        seed: seed of the dropout masks.

    Example:
        >>> cell = LSTMCell(4)
        >>> h, (h, c) = cell(np.zeros((2, 3)), [np.zeros((2, 4)), np.zeros((2, 4))])
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        set_cell_options(self, units, activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, kernel_regularizer,
                         recurrent_regularizer, bias_regularizer, kernel_constraint,
                         recurrent_constraint, bias_constraint, dropout, recurrent_dropout, seed)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias
        # Keras: recurrent dropout needs one mask per gate (its "implementation 1").
        self.implementation = 1 if self.recurrent_dropout else 2
        self.dropout_mask_count = 4 if self.recurrent_dropout else None
        self.state_size = [self.units, self.units]

    def build(self, input_shape):
        init = (_ForgetBiasOnes(self.bias_initializer, self.units) if self.unit_forget_bias
                else self.bias_initializer)
        add_cell_weights(self, input_shape[-1], 4, (4 * self.units,), init)
        self.built = True

    def _project(self, x, masks):
        z = self._masked_matmul(x, self.kernel, masks, 4)         # (..., 4 * units)
        return z if self.bias is None else z + self.bias

    def _recurrent(self, x_proj, states, training):
        h, c = states[0], states[1]
        masks = self._recurrent_masks(h, training)
        z = x_proj + self._masked_matmul(h, self.recurrent_kernel, masks, 4)   # (B, 4u)
        z_i, z_f, z_c, z_o = ops.split(z, 4, axis=-1)
        act, gate = self.activation, self.recurrent_activation
        c = gate(z_f) * c + gate(z_i) * act(z_c)
        h = gate(z_o) * act(c)
        return h, [h, c]


@delegate_to_cell
class LSTM(FusedRNN):
    """Long Short-Term Memory layer (Hochreiter & Schmidhuber, 1997).

    Args: those of ``LSTMCell``, plus ``return_sequences``, ``return_state``,
    ``go_backwards``, ``stateful``, ``unroll`` of ``RNN``, and ``use_cudnn``
    ('auto', True, False). With Keras's cuDNN conditions (tanh / sigmoid, no
    recurrent dropout, unroll=False) and no mask or a mask that is one block of
    steps per sample (right or left padding), it runs on the engine's fused LSTM
    kernel; otherwise step by step. Both give the same numbers.

    Example:
        >>> lstm = LSTM(4, return_sequences=True, return_state=True)
        >>> seq, h, c = lstm(np.zeros((32, 10, 8)))
        >>> seq.shape, h.shape
        (torch.Size([32, 10, 4]), torch.Size([32, 4]))
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False,
                 use_cudnn="auto", **kwargs):
        cell = LSTMCell(
            units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True), name="lstm_cell")
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.input_spec = InputSpec(ndim=3)
        self._check_use_cudnn(use_cudnn)

    def _fused_mode(self):
        return "lstm" if self._cudnn_conditions() else None
