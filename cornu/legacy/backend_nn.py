"""Keras 2's backend neural-network functions: convolutions, pooling, padding,
resizing, batch normalization, ``K.rnn`` and CTC, with Keras 2's argument names and
defaults (``data_format=None`` means the configured image data format).
"""
import numpy as np

from cornu import ops


def _t(x):
    """numpy arrays and numbers as tensors (so Python operators work); tensors and
    symbolic tensors as they are."""
    if isinstance(x, (np.ndarray, np.generic, float, int)):
        return ops.convert_to_tensor(x)
    return x


def _data_format(data_format):
    from cornu.backend.config import image_data_format
    data_format = data_format or image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"Unknown data_format: {data_format!r}; expected 'channels_last' or "
                         "'channels_first'.")
    return data_format


# ----------------------------------------------------------------- convolutions

def conv1d(x, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """1D convolution; ``kernel`` is ``(width, in, out)``. ``padding="causal"`` pads the
    start of the sequence."""
    data_format = _data_format(data_format)
    if padding == "causal":
        left = dilation_rate * (kernel.shape[0] - 1)
        pad = [[0, 0], [left, 0], [0, 0]] if data_format == "channels_last" else [
            [0, 0], [0, 0], [left, 0]]
        x, padding = ops.pad(x, pad), "valid"
    return ops.conv(x, kernel, strides, padding, data_format, dilation_rate)


def conv2d(x, kernel, strides=(1, 1), padding="valid", data_format=None, dilation_rate=(1, 1)):
    """2D convolution; ``kernel`` is ``(h, w, in, out)``."""
    return ops.conv(x, kernel, strides, padding, _data_format(data_format), dilation_rate)


def conv3d(x, kernel, strides=(1, 1, 1), padding="valid", data_format=None,
           dilation_rate=(1, 1, 1)):
    """3D convolution; ``kernel`` is ``(d, h, w, in, out)``."""
    return ops.conv(x, kernel, strides, padding, _data_format(data_format), dilation_rate)


def _transpose(x, kernel, output_shape, strides, padding, data_format, dilation_rate):
    data_format = _data_format(data_format)
    channels_last = data_format == "channels_last"
    spatial_in = x.shape[1:-1] if channels_last else x.shape[2:]
    spatial_out = output_shape[1:-1] if channels_last else output_shape[2:]
    rank = len(spatial_in)
    strides = (strides,) * rank if isinstance(strides, int) else tuple(strides)
    dilation = (dilation_rate,) * rank if isinstance(dilation_rate, int) else tuple(
        dilation_rate)
    # The output size `output_shape` asks for fixes the output padding:
    # out = (in - 1) * stride + effective kernel - 2 * pad + output_padding.
    output_padding = []
    for size, want, stride, k, d in zip(spatial_in, spatial_out, strides, kernel.shape,
                                        dilation):
        k = d * (k - 1) + 1
        pad = k // 2 if padding == "same" else 0
        output_padding.append(int(want) - ((size - 1) * stride + k - 2 * pad))
    if any(p < 0 or p >= s for p, s in zip(output_padding, strides)):
        raise ValueError(f"K.conv_transpose: output_shape={tuple(output_shape)} cannot come "
                         f"from an input of shape {tuple(x.shape)} with strides={strides} "
                         f"and padding={padding!r}.")
    return ops.conv_transpose(x, kernel, strides, padding, output_padding=output_padding,
                              data_format=data_format, dilation_rate=dilation_rate)


def conv2d_transpose(x, kernel, output_shape, strides=(1, 1), padding="valid",
                     data_format=None, dilation_rate=(1, 1)):
    """Transposed 2D convolution to ``output_shape``; ``kernel`` is ``(h, w, out, in)``."""
    return _transpose(x, kernel, output_shape, strides, padding, data_format, dilation_rate)


def depthwise_conv2d(x, depthwise_kernel, strides=(1, 1), padding="valid", data_format=None,
                     dilation_rate=(1, 1)):
    return ops.depthwise_conv(x, depthwise_kernel, strides, padding,
                              _data_format(data_format), dilation_rate)


def separable_conv2d(x, depthwise_kernel, pointwise_kernel, strides=(1, 1), padding="valid",
                     data_format=None, dilation_rate=(1, 1)):
    return ops.separable_conv(x, depthwise_kernel, pointwise_kernel, strides, padding,
                              _data_format(data_format), dilation_rate)


def _local_conv(inputs, kernel, kernel_size, strides, output_shape, data_format):
    """Locally connected convolution: each output position has its own kernel
    ``(positions, prod(kernel_size) * in, out)``."""
    data_format = _data_format(data_format)
    if data_format == "channels_first":
        inputs = ops.moveaxis(inputs, 1, -1)
    patches = []
    for position in np.ndindex(*output_shape):
        window = tuple(slice(p * s, p * s + k) for p, s, k in zip(position, strides,
                                                                  kernel_size))
        patch = inputs[(slice(None),) + window + (slice(None),)]
        patches.append(ops.reshape(patch, (1, -1, int(np.prod(patch.shape[1:])))))
    x = ops.concatenate(patches, axis=0)  # (positions, batch, k * in)
    out = ops.matmul(x, kernel)  # (positions, batch, out)
    out = ops.reshape(ops.transpose(out, (1, 0, 2)), (-1,) + tuple(output_shape) + (
        kernel.shape[-1],))
    return ops.moveaxis(out, -1, 1) if data_format == "channels_first" else out


def local_conv1d(inputs, kernel, kernel_size, strides, data_format=None):
    """Keras 2's unshared-weight 1D convolution (``kernel``: ``(out_len, k * in, out)``)."""
    return _local_conv(inputs, kernel, tuple(kernel_size), tuple(strides),
                       (kernel.shape[0],), data_format)


def local_conv2d(inputs, kernel, kernel_size, strides, output_shape, data_format=None):
    """Keras 2's unshared-weight 2D convolution (``kernel``: ``(rows*cols, k*in, out)``)."""
    return _local_conv(inputs, kernel, tuple(kernel_size), tuple(strides),
                       tuple(output_shape), data_format)


# ----------------------------------------------------------------- pooling

def _pool(x, pool_size, strides, padding, data_format, pool_mode):
    if pool_mode not in ("max", "avg"):
        raise ValueError(f"Invalid pool_mode: {pool_mode!r}; expected 'max' or 'avg'.")
    fn = ops.max_pool if pool_mode == "max" else ops.average_pool
    return fn(x, pool_size, strides, padding, _data_format(data_format))


def pool2d(x, pool_size, strides=(1, 1), padding="valid", data_format=None, pool_mode="max"):
    return _pool(x, pool_size, strides, padding, data_format, pool_mode)


def pool3d(x, pool_size, strides=(1, 1, 1), padding="valid", data_format=None,
           pool_mode="max"):
    return _pool(x, pool_size, strides, padding, data_format, pool_mode)


# ----------------------------------------------------------------- padding and resizing

def _spatial_pad(x, padding, data_format):
    data_format = _data_format(data_format)
    pads = [list(p) for p in padding]
    width = [[0, 0]] + (pads + [[0, 0]] if data_format == "channels_last" else [[0, 0]] + pads)
    return ops.pad(x, width)


def temporal_padding(x, padding=(1, 1)):
    """Zeros before and after the time axis of ``(batch, time, features)``."""
    return ops.pad(x, [[0, 0], list(padding), [0, 0]])


def spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None):
    return _spatial_pad(x, padding, data_format)


def spatial_3d_padding(x, padding=((1, 1), (1, 1), (1, 1)), data_format=None):
    return _spatial_pad(x, padding, data_format)


def resize_images(x, height_factor, width_factor, data_format, interpolation="nearest"):
    """Images scaled by integer factors (``nearest`` repeats pixels, as Keras 2)."""
    data_format = _data_format(data_format)
    rows, cols = (1, 2) if data_format == "channels_last" else (2, 3)
    if interpolation == "nearest":
        return ops.repeat(ops.repeat(x, height_factor, axis=rows), width_factor, axis=cols)
    size = (x.shape[rows] * height_factor, x.shape[cols] * width_factor)
    return ops.image.resize(x, size, interpolation=interpolation, data_format=data_format)


def resize_volumes(x, depth_factor, height_factor, width_factor, data_format):
    """Volumes scaled by integer factors along their three spatial axes."""
    data_format = _data_format(data_format)
    first = 1 if data_format == "channels_last" else 2
    for axis, factor in zip(range(first, first + 3), (depth_factor, height_factor,
                                                      width_factor)):
        x = ops.repeat(x, factor, axis=axis)
    return x


def bias_add(x, bias, data_format=None):
    """``x + bias`` along the channel axis."""
    data_format = _data_format(data_format)
    x, bias = _t(x), _t(bias)
    if data_format == "channels_first" and len(x.shape) > 2:
        bias = ops.reshape(bias, (-1,) + (1,) * (len(x.shape) - 2)) if len(
            bias.shape) == 1 else ops.moveaxis(bias, -1, 0)
    return x + bias


# ----------------------------------------------------------------- normalization

def batch_normalization(x, mean, var, beta, gamma, axis=-1, epsilon=1e-3):
    """``(x - mean) / sqrt(var + epsilon) * gamma + beta``."""
    x, mean, var = _t(x), _t(mean), _t(var)
    gamma = None if gamma is None else _t(gamma)
    beta = None if beta is None else _t(beta)
    out = (x - mean) * ops.rsqrt(var + epsilon)
    if gamma is not None:
        out = out * gamma
    return out if beta is None else out + beta


def normalize_batch_in_training(x, gamma, beta, reduction_axes, epsilon=1e-3):
    """``(normalized x, batch mean, batch variance)`` over ``reduction_axes``."""
    mean, var = ops.moments(x, axes=list(reduction_axes), keepdims=True)
    normed = batch_normalization(x, mean, var, beta, gamma, epsilon=epsilon)
    keep = [a for a in range(len(x.shape)) if a not in [r % len(x.shape) for r in
                                                          reduction_axes]]
    shape = tuple(x.shape[a] for a in keep)
    return normed, ops.reshape(mean, shape), ops.reshape(var, shape)


# ----------------------------------------------------------------- recurrence

def rnn(step_function, inputs, initial_states, go_backwards=False, mask=None, constants=None,
        unroll=False, input_length=None, time_major=False, zero_output_for_mask=False,
        return_all_outputs=True):
    """Iterate ``step_function(x_t, states) -> (output_t, new_states)`` over time.

    Returns:
        ``(last_output, outputs, new_states)``: outputs ``(batch, time, ...)`` (only the
        last step when ``return_all_outputs=False``). Where ``mask`` is 0, states carry
        over and the output repeats the previous one (zeros with
        ``zero_output_for_mask``).
    """
    if not time_major:
        inputs = ops.moveaxis(inputs, 1, 0)  # (time, batch, ...)
        if mask is not None:
            mask = ops.moveaxis(mask, 1, 0)
    steps = list(range(inputs.shape[0]))
    if go_backwards:
        steps.reverse()
    states = list(initial_states)
    outputs, previous = [], None
    for t in steps:
        args = (inputs[t], states + list(constants)) if constants else (inputs[t], states)
        output, new_states = step_function(*args)
        new_states = list(new_states)
        if mask is not None:
            keep = ops.cast(mask[t], "bool")

            def select(new, old):
                m = keep
                while len(m.shape) < len(new.shape):
                    m = ops.expand_dims(m, -1)
                return ops.where(m, new, old)
            states = [select(n, o) for n, o in zip(new_states, states)]
            fallback = ops.zeros_like(output) if (zero_output_for_mask or previous is None) \
                else previous
            output = select(output, fallback)
        else:
            states = new_states
        previous = output
        outputs.append(output)
    stacked = ops.stack(outputs, axis=0)
    if not time_major:
        stacked = ops.moveaxis(stacked, 0, 1)
    if not return_all_outputs:
        stacked = ops.expand_dims(outputs[-1], 1 if not time_major else 0)
    return outputs[-1], stacked, states


# ----------------------------------------------------------------- CTC

def ctc_batch_cost(y_true, y_pred, input_length, label_length):
    """CTC loss per sample, ``(batch, 1)``, of softmax outputs ``y_pred`` (batch, time,
    classes) whose last class is the blank (Keras 2's convention)."""
    blank = y_pred.shape[-1] - 1
    input_length = ops.reshape(ops.cast(input_length, "int32"), (-1,))
    label_length = ops.reshape(ops.cast(label_length, "int32"), (-1,))
    loss = ops.ctc_loss(ops.cast(y_true, "int32"), ops.log(y_pred + 1e-7), label_length,
                        input_length, mask_index=blank)
    return ops.expand_dims(loss, 1)


def ctc_decode(y_pred, input_length, greedy=True, beam_width=100, top_paths=1):
    """Decode softmax outputs (last class = blank): ``([decoded paths], log_probs)``; each
    path is ``(batch, time)`` padded with -1, as Keras 2 returns them."""
    decoded, log_probs = ops.ctc_decode(
        ops.log(y_pred + 1e-7), ops.reshape(ops.cast(input_length, "int32"), (-1,)),
        strategy="greedy" if greedy else "beam_search", beam_width=beam_width,
        top_paths=top_paths, mask_index=y_pred.shape[-1] - 1)
    return [decoded[i] for i in range(decoded.shape[0])], log_probs
