"""ConvLSTM1D/2D/3D: LSTMs whose input and recurrent transformations are convolutions.

Weights (Keras's): ``kernel`` (*kernel_size, channels, 4*filters),
``recurrent_kernel`` (*kernel_size, filters, 4*filters), ``bias`` (4*filters,);
gates i, f, c, o. The recurrent convolution is 'same'-padded with stride 1.
"""
from cornu import activations, ops
from cornu.backend import config
from cornu.layers._lstm import _ForgetBiasOnes
from cornu.layers._rnn_base import RNN
from cornu.layers._rnn_cells import (
    ProjectedCell, add_cell_weights, delegate_to_cell, set_cell_options,
)
from cornu.layers._sizes import integral_sizes
from cornu.layers.input_spec import InputSpec


def _tuple(value, rank, name, owner):
    value = integral_sizes(value, name)
    values = (value,) * rank if isinstance(value, int) else tuple(value)
    if len(values) != rank or not all(isinstance(v, int) and v > 0 for v in values):
        raise ValueError(f"{owner}: `{name}` must be an int or a tuple of {rank} positive "
                         f"ints; received {name}={value!r}.")
    return values


def _conv_length(size, kernel, stride, dilation, padding):
    if size is None:
        return None
    if padding == "same":
        return (size + stride - 1) // stride
    return (size - dilation * (kernel - 1) - 1) // stride + 1


class ConvLSTMCell(ProjectedCell):
    """One step of a convolutional LSTM (the cell of ``ConvLSTM1D/2D/3D``).

    Args:
        rank: 1, 2 or 3 spatial dimensions.
        filters: the number of output channels (of the state too).
        kernel_size, strides, padding, data_format, dilation_rate: of the input
            convolution, as in ``Conv2D``.
        Other arguments as in ``LSTMCell``.
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        owner = f"{type(self).__name__} '{self.name}'"
        if rank not in (1, 2, 3):
            raise ValueError(f"{owner}: `rank` must be 1, 2 or 3; received rank={rank!r}.")
        set_cell_options(self, filters, activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, kernel_regularizer,
                         recurrent_regularizer, bias_regularizer, kernel_constraint,
                         recurrent_constraint, bias_constraint, dropout, recurrent_dropout, seed)
        self.rank = rank
        self.filters = filters
        self.kernel_size = _tuple(kernel_size, rank, "kernel_size", owner)
        self.strides = _tuple(strides, rank, "strides", owner)
        self.dilation_rate = _tuple(dilation_rate, rank, "dilation_rate", owner)
        self.padding = str(padding).lower()
        if self.padding not in ("valid", "same"):
            raise ValueError(f"{owner}: `padding` must be 'valid' or 'same'; received "
                             f"padding={padding!r}.")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"{owner}: `strides > 1` is not compatible with `dilation_rate > "
                             f"1`; received strides={self.strides}, dilation_rate="
                             f"{self.dilation_rate}.")
        self.data_format = config.standardize_data_format(data_format)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias
        self.dropout_mask_count = 4
        self.input_spec = InputSpec(ndim=rank + 2)
        self.state_size = -1  # the state is a feature map, shaped in get_initial_state
        self.spatial_dims = None

    @property
    def _channel_axis(self):
        return -1 if self.data_format == "channels_last" else 1

    def build(self, input_shape):
        if self.data_format == "channels_first":
            channels, self.spatial_dims = input_shape[1], tuple(input_shape[2:])
        else:
            channels, self.spatial_dims = input_shape[-1], tuple(input_shape[1:-1])
        if None in self.spatial_dims or channels is None:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' needs known spatial and channel "
                f"dimensions; received input shape {tuple(input_shape)}.")
        self.input_dim = channels
        self.units = self.filters
        init = (_ForgetBiasOnes(self.bias_initializer, self.filters) if self.unit_forget_bias
                else self.bias_initializer)
        add_cell_weights(self, channels, 4, (4 * self.filters,), init)
        self.built = True

    def add_weight(self, shape=None, name=None, **kwargs):
        # Convolution kernels: (*kernel_size, in, 4 * filters) instead of (in, 4 * filters).
        if name in ("kernel", "recurrent_kernel"):
            shape = self.kernel_size + tuple(shape)
        return super().add_weight(shape=shape, name=name, **kwargs)

    def _output_spatial(self, spatial):
        return tuple(_conv_length(n, k, s, d, self.padding) for n, k, s, d in zip(
            spatial, self.kernel_size, self.strides, self.dilation_rate))

    def state_shape(self, batch_size):
        spatial = self._output_spatial(self.spatial_dims)
        if self.data_format == "channels_last":
            return (batch_size,) + spatial + (self.filters,)
        return (batch_size, self.filters) + spatial

    def get_initial_state(self, batch_size=None):
        shape = self.state_shape(batch_size)
        return [ops.zeros(shape, dtype=self.compute_dtype),
                ops.zeros(shape, dtype=self.compute_dtype)]

    def _gate_convs(self, xs, kernel, **conv_args):
        """Convolutions of the 4 gates, concatenated on the channel axis: one convolution
        with the whole kernel for one input, one per gate for per-gate (dropped) inputs."""
        if len(xs) == 1:
            return ops.conv(xs[0], kernel, data_format=self.data_format, **conv_args)
        kernels = ops.split(kernel, 4, axis=-1)
        return ops.concatenate(
            [ops.conv(x, k, data_format=self.data_format, **conv_args)
             for x, k in zip(xs, kernels)], axis=self._channel_axis)

    def _project(self, x, masks):
        xs = [x] if masks is None else [x * m for m in masks]
        sequence = len(x.shape) == self.rank + 3                   # (B, T, ...) at once
        if sequence:
            batch, steps = x.shape[0], x.shape[1]
            xs = [ops.reshape(v, (batch * steps,) + tuple(v.shape[2:])) for v in xs]
        z = self._gate_convs(xs, self.kernel, strides=self.strides, padding=self.padding,
                             dilation_rate=self.dilation_rate)
        if self.bias is not None:
            shape = ((1,) * (self.rank + 1) + (-1,) if self.data_format == "channels_last"
                     else (1, -1) + (1,) * self.rank)
            z = z + ops.reshape(self.bias, shape)
        if sequence:
            z = ops.reshape(z, (batch, steps) + tuple(z.shape[1:]))
        return z

    def _recurrent(self, x_proj, states, training):
        h, c = states[0], states[1]
        masks = self._recurrent_masks(h, training)
        hs = [h] if masks is None else [h * m for m in masks]
        z = x_proj + self._gate_convs(hs, self.recurrent_kernel, strides=1, padding="same")
        z_i, z_f, z_c, z_o = ops.split(z, 4, axis=self._channel_axis)
        act, gate = self.activation, self.recurrent_activation
        c = gate(z_f) * c + gate(z_i) * act(z_c)
        h = gate(z_o) * act(c)
        return h, [h, c]


@delegate_to_cell
class ConvLSTM(RNN):
    """Base of ConvLSTM1D/2D/3D: an ``RNN`` of a ``ConvLSTMCell``."""

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, **kwargs):
        cell = ConvLSTMCell(
            rank=rank, filters=filters, kernel_size=kernel_size, strides=strides,
            padding=padding, data_format=data_format, dilation_rate=dilation_rate,
            activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True), name="conv_lstm_cell")
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.input_spec = InputSpec(ndim=rank + 3)

    @property
    def seed(self):
        return self.cell.seed

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        cell = self.cell
        batch, steps = sequences_shape[0], sequences_shape[1]
        if cell.data_format == "channels_first":
            spatial = cell._output_spatial(sequences_shape[3:])
            state = (cell.filters,) + spatial
        else:
            state = cell._output_spatial(sequences_shape[2:-1]) + (cell.filters,)
        output = (batch, steps) + state if self.return_sequences else (batch,) + state
        if self.return_state:
            return (output, (batch,) + state, (batch,) + state)
        return output

    def compute_mask(self, inputs, mask=None):
        mask = None if mask is None else ([m for m in mask] if isinstance(mask, list)
                                          else [mask])[0]
        output_mask = mask if self.return_sequences else None
        return [output_mask, None, None] if self.return_state else output_mask


def _conv_lstm_class(rank):
    class _ConvLSTMND(ConvLSTM):
        def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                     dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                     use_bias=True, kernel_initializer="glorot_uniform",
                     recurrent_initializer="orthogonal", bias_initializer="zeros",
                     unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                     bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                     recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                     recurrent_dropout=0.0, seed=None, return_sequences=False,
                     return_state=False, go_backwards=False, stateful=False, **kwargs):
            super().__init__(
                rank, filters, kernel_size, strides=strides, padding=padding,
                data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                recurrent_activation=recurrent_activation, use_bias=use_bias,
                kernel_initializer=kernel_initializer,
                recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                unit_forget_bias=unit_forget_bias, kernel_regularizer=kernel_regularizer,
                recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
                activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
                dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed,
                return_sequences=return_sequences, return_state=return_state,
                go_backwards=go_backwards, stateful=stateful, **kwargs)
    return _ConvLSTMND


class ConvLSTM1D(delegate_to_cell(_conv_lstm_class(1))):
    """1D convolutional LSTM: inputs (batch, time, steps, channels) (channels_last).

    Example:
        >>> ConvLSTM1D(4, 3)(np.zeros((2, 5, 10, 3))).shape
        torch.Size([2, 8, 4])
    """


class ConvLSTM2D(delegate_to_cell(_conv_lstm_class(2))):
    """2D convolutional LSTM: inputs (batch, time, rows, cols, channels) (channels_last).

    Example:
        >>> ConvLSTM2D(4, 3, padding="same")(np.zeros((2, 5, 8, 8, 3))).shape
        torch.Size([2, 8, 8, 4])
    """


class ConvLSTM3D(delegate_to_cell(_conv_lstm_class(3))):
    """3D convolutional LSTM: inputs (batch, time, d1, d2, d3, channels) (channels_last).

    Example:
        >>> ConvLSTM3D(2, 3)(np.zeros((1, 2, 5, 5, 5, 1))).shape
        torch.Size([1, 3, 3, 3, 2])
    """
