"""GRUCell and GRU (Cho et al., 2014), in Keras's weight layout.

Weights: ``kernel`` (input_dim, 3*units), ``recurrent_kernel`` (units, 3*units),
gates in the order z, r, h; ``bias`` (3*units,), or (2, 3*units) with
``reset_after=True`` (row 0 for the inputs, row 1 for the recurrent part: the
formulation of cuDNN and torch, whose gate order is r, z, n).
"""
from cornu import activations, ops
from cornu.layers._rnn_cells import (
    FusedRNN, ProjectedCell, add_cell_weights, delegate_to_cell, set_cell_options,
)
from cornu.layers.input_spec import InputSpec


class GRUCell(ProjectedCell):
    """One step of a GRU (the cell of ``GRU``).

    Args:
        units: the size of the output and state.
        activation: the candidate activation (default ``tanh``).
        recurrent_activation: the gate activation (default ``sigmoid``).
        use_bias: whether to add biases.
        kernel_initializer, recurrent_initializer, bias_initializer: initializers.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: weight penalties.
        kernel_constraint, recurrent_constraint, bias_constraint: weight projections.
        dropout, recurrent_dropout: fractions of the inputs / state dropped in training.
        reset_after: apply the reset gate after the recurrent matmul (True, cuDNN's
            convention) or before it (False).
        seed: seed of the dropout masks.
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, reset_after=True,
                 seed=None, **kwargs):
        super().__init__(**kwargs)
        set_cell_options(self, units, activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, kernel_regularizer,
                         recurrent_regularizer, bias_regularizer, kernel_constraint,
                         recurrent_constraint, bias_constraint, dropout, recurrent_dropout, seed)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = reset_after
        self.implementation = 1 if self.recurrent_dropout else 2
        self.dropout_mask_count = 3 if self.recurrent_dropout else None
        self.state_size = self.units

    def build(self, input_shape):
        shape = (2, 3 * self.units) if self.reset_after else (3 * self.units,)
        add_cell_weights(self, input_shape[-1], 3, shape, self.bias_initializer)
        self.built = True

    def _project(self, x, masks):
        y = self._masked_matmul(x, self.kernel, masks, 3)         # (..., 3 * units)
        if self.bias is None:
            return y
        return y + (self.bias[0] if self.reset_after else self.bias)

    def _recurrent(self, x_proj, states, training):
        h = states[0]
        u = self.units
        masks = self._recurrent_masks(h, training)
        if masks is None:
            h_z = h_r = h_h = h
        else:
            h_z, h_r, h_h = (h * m for m in masks)
        x_z, x_r, x_h = ops.split(x_proj, 3, axis=-1)
        kernel = self.recurrent_kernel
        gate = self.recurrent_activation
        if self.reset_after:
            if masks is not None:
                inner = ops.concatenate([ops.matmul(h_z, kernel[:, :u]),
                                         ops.matmul(h_r, kernel[:, u:2 * u]),
                                         ops.matmul(h_h, kernel[:, 2 * u:])], axis=-1)
            else:
                inner = ops.matmul(h, kernel)                      # (B, 3u)
            if self.bias is not None:
                inner = inner + self.bias[1]
            r_z, r_r, r_h = ops.split(inner, 3, axis=-1)
            z = gate(x_z + r_z)
            r = gate(x_r + r_r)
            candidate = self.activation(x_h + r * r_h)
        else:
            if masks is not None:
                r_z = ops.matmul(h_z, kernel[:, :u])
                r_r = ops.matmul(h_r, kernel[:, u:2 * u])
            else:
                r_z, r_r = ops.split(ops.matmul(h, kernel[:, :2 * u]), 2, axis=-1)
            z = gate(x_z + r_z)
            r = gate(x_r + r_r)
            candidate = self.activation(x_h + ops.matmul(r * h_h, kernel[:, 2 * u:]))
        h = z * h + (1.0 - z) * candidate
        return h, [h]


@delegate_to_cell
class GRU(FusedRNN):
    """Gated Recurrent Unit layer (Cho et al., 2014).

    Args: those of ``GRUCell``, plus ``return_sequences``, ``return_state``,
    ``go_backwards``, ``stateful``, ``unroll`` of ``RNN``, and ``use_cudnn``.
    With Keras's cuDNN conditions (tanh / sigmoid, no recurrent dropout,
    unroll=False, reset_after=True) it runs on the engine's fused GRU kernel.

    Example:
        >>> GRU(4)(np.zeros((32, 10, 8))).shape
        torch.Size([32, 4])
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, reset_after=True,
                 use_cudnn="auto", **kwargs):
        cell = GRUCell(
            units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, reset_after=reset_after,
            seed=seed, dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
            name="gru_cell")
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.input_spec = InputSpec(ndim=3)
        self._check_use_cudnn(use_cudnn)

    def _fused_mode(self):
        return "gru" if self._cudnn_conditions(self.cell.reset_after) else None
