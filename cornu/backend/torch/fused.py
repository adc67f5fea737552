"""Fused kernels for the hottest layers: one engine call where the ops would take several.

``dense`` is ``activation(x @ kernel + bias)`` as a single ``addmm`` (plus the
activation), which is what a hand-written ``nn.Linear`` costs.
"""
import torch

from cornu.backend.torch import logits
from cornu.backend.torch.core import Variable, convert_to_tensor

_NATIVE = {
    "relu": torch.relu,
    "sigmoid": logits.sigmoid,
    "tanh": torch.tanh,
    "softmax": logits.softmax,
}


def native_activation(fn):
    """The torch function for one of cornu's own activations, with default arguments
    (None for the identity); ``fn`` itself for anything else."""
    name = getattr(fn, "__name__", None)
    module = getattr(fn, "__module__", "") or ""
    if not module.startswith("cornu.activations"):
        return fn
    if name == "linear":
        return None
    return _NATIVE.get(name, fn)


def _transposed(variable, k):
    """``k.t().contiguous()``, kept on the Variable until ``k`` is updated in place."""
    cached = variable.__dict__.get("_transposed_cache")
    if cached is None or cached[0] != k._version or cached[1].shape[::-1] != k.shape:
        with torch.no_grad():
            cached = (k._version, k.t().contiguous())
        variable._transposed_cache = cached
    return cached[1]


class _OneRowDense(torch.autograd.Function):
    """``x @ kernel + bias`` for one row, computed through the kernel's (out, in) copy
    ``kt``; the gradients are ``addmm``'s, written with differentiable ops (so a second
    derivative works too), ``grad @ kernel.T`` in the fast layout."""

    @staticmethod
    def forward(ctx, x, kernel, bias, kt):
        ctx.save_for_backward(x, kernel)
        return torch.addmm(bias, x, kt.t())

    @staticmethod
    def backward(ctx, grad):
        x, kernel = ctx.saved_tensors
        need = ctx.needs_input_grad
        grad_x = torch.nn.functional.linear(grad, kernel) if need[0] else None   # (1, in)
        grad_kernel = x.t().mm(grad) if need[1] else None                        # (in, out)
        grad_bias = grad.sum(0) if need[2] else None
        return grad_x, grad_kernel, grad_bias, None


def dense(x, kernel, bias=None, activation=None):
    """``activation(x @ kernel + bias)`` with a Keras-layout kernel (in, out)."""
    if x.__class__ is not torch.Tensor:
        x = convert_to_tensor(x)
    k = kernel.value if kernel.__class__ is Variable else kernel
    if x.dtype != k.dtype:  # integer (or other float) inputs compute in the kernel's dtype
        x = x.to(k.dtype)
    if bias is not None:
        b = bias.value if bias.__class__ is Variable else bias
        if x.ndim == 2 and x.shape[0] == 1 and kernel.__class__ is Variable and (
                k.device.type == "cpu"):
            # One row: the (out, in) copy of the kernel makes this a single-threaded GEMV,
            # as nn.Linear's layout does; (in, out) wakes the thread pool and costs 2-30x
            # more. The copy is remade when the kernel changes.
            kt = _transposed(kernel, k)
            if torch.is_grad_enabled() and (
                    x.requires_grad or k.requires_grad or b.requires_grad):
                y = _OneRowDense.apply(x, k, b, kt)
            else:
                y = torch.addmm(b, x, kt.t())
        elif x.ndim == 2:
            y = torch.addmm(b, x, k)           # (B, in) @ (in, out) + (out,)
        else:
            y = torch.matmul(x, k) + b         # (..., in) @ (in, out)
    else:
        y = torch.matmul(x, k)
    return y if activation is None else activation(y)


# ------------------------------------------------------------ convolutions
# The conv layers' kernels: the Keras-layout kernel is permuted to torch's layout
# inside the call (a view; weights change every step, so nothing is cached), the
# bias rides along in the torch conv, and channels_last inputs go in as a
# permuted view, which torch runs in its channels_last memory format (no copies).
import torch.nn.functional as _F  # noqa: E402

from cornu.backend.torch import nn as _nn  # noqa: E402

_CONV_ND = (None, _F.conv1d, _F.conv2d, _F.conv3d)


def _weights(kernel, bias):
    k = kernel.value if kernel.__class__ is Variable else kernel
    if bias is not None and bias.__class__ is Variable:
        bias = bias.value
    return k, bias


def _conv_input(x, k):
    if x.__class__ is not torch.Tensor:
        x = convert_to_tensor(x)
    return x if x.dtype == k.dtype else x.to(k.dtype)


def _conv_cf(x, weight, bias, strides, padding, dilation, groups):
    """``x`` (N, C, *S) convolved with a torch-layout ``weight``; TensorFlow's padding."""
    pairs = _nn._pad_pairs(padding, x.shape[2:], weight.shape[2:], strides, dilation)
    x, pad = _nn._padded(x, pairs)
    return _CONV_ND[x.ndim - 2](x, weight, bias, strides, pad, dilation, groups)


def conv(x, kernel, bias, strides, padding, dilation_rate, groups=1,
         data_format="channels_last", activation=None):
    """``activation(conv(x, kernel) + bias)``, kernel ``(*kernel_size, C / groups, filters)``;
    ``strides`` and ``dilation_rate`` are tuples of one int per spatial dim."""
    k, b = _weights(kernel, bias)
    x = _conv_input(x, k)
    n = k.ndim - 2
    weight = k.permute(n + 1, n, *range(n))  # (*K, C/g, F) -> (F, C/g, *K)
    if data_format == "channels_last":
        y = _conv_cf(x.movedim(-1, 1), weight, b, strides, padding, dilation_rate, groups)
        y = y.movedim(1, -1)  # (N, F, *S) -> (N, *S, F)
    else:
        y = _conv_cf(x, weight, b, strides, padding, dilation_rate, groups)
    return y if activation is None else activation(y)


def depthwise_conv(x, kernel, bias, strides, padding, dilation_rate,
                   data_format="channels_last", activation=None):
    """``activation(depthwise_conv(x, kernel) + bias)``, kernel
    ``(*kernel_size, C, depth_multiplier)``; output channel ``c * depth_multiplier + m``."""
    k, b = _weights(kernel, bias)
    x = _conv_input(x, k)
    n = k.ndim - 2
    weight = _nn._depthwise_weight(k, n)  # (C * M, 1, *K)
    channels = k.shape[-2]
    if data_format == "channels_last":
        y = _conv_cf(x.movedim(-1, 1), weight, b, strides, padding, dilation_rate, channels)
        y = y.movedim(1, -1)
    else:
        y = _conv_cf(x, weight, b, strides, padding, dilation_rate, channels)
    return y if activation is None else activation(y)


def separable_conv(x, depthwise_kernel, pointwise_kernel, bias, strides, padding,
                   dilation_rate, data_format="channels_last", activation=None):
    """A depthwise convolution (no bias), then a 1x1 convolution with
    ``pointwise_kernel`` ``(*ones, C * depth_multiplier, filters)`` plus ``bias``."""
    dk, b = _weights(depthwise_kernel, bias)
    pk, _ = _weights(pointwise_kernel, None)
    x = _conv_input(x, dk)
    n = dk.ndim - 2
    last = data_format == "channels_last"
    if last:
        x = x.movedim(-1, 1)
    y = _conv_cf(x, _nn._depthwise_weight(dk, n), None, strides, padding, dilation_rate,
                 dk.shape[-2])
    y = _CONV_ND[n](y, pk.permute(n + 1, n, *range(n)), b)  # (F, C * M, *ones)
    if last:
        y = y.movedim(1, -1)
    return y if activation is None else activation(y)


def batch_norm(x, axis, gamma, beta, moving_mean, moving_variance, momentum, epsilon,
               training):
    """Keras's BatchNormalization as one ``F.batch_norm`` call on the channel ``axis``.

    Training normalises with the batch statistics and then updates the moving ones
    as Keras does, ``moving = moving * momentum + batch * (1 - momentum)`` with the
    biased batch variance, outside autograd; inference uses the moving statistics.
    Returns None when torch's kernel cannot stand in (one value per channel while
    training), so that the caller takes the ops path.
    """
    if x.__class__ is not torch.Tensor:
        x = convert_to_tensor(x)
    unwrap = lambda v: v.value if v.__class__ is Variable else v  # noqa: E731
    g, b = unwrap(gamma), unwrap(beta)
    half = x.dtype in (torch.float16, torch.bfloat16)
    xt = x.float() if half else x
    if axis != 1:
        xt = xt.movedim(axis, 1)              # (N, C, ...): a view, no copy
    if not training:
        out = torch.nn.functional.batch_norm(
            xt, unwrap(moving_mean), unwrap(moving_variance), g, b, False, 0.0, epsilon)
    else:
        channels = xt.shape[1]
        n = xt.numel() // max(channels, 1)
        if n < 2:
            return None
        # With momentum 1 torch's running buffers receive exactly the batch mean and
        # the unbiased batch variance, computed by the same kernel as the output.
        mean = torch.zeros(channels, dtype=xt.dtype, device=xt.device)
        var = torch.ones(channels, dtype=xt.dtype, device=xt.device)
        out = torch.nn.functional.batch_norm(xt, mean, var, g, b, True, 1.0, epsilon)
        with torch.no_grad():   # (the buffers are saved for backward: no in-place ops)
            biased = var * ((n - 1) / n)      # unbiased -> biased, as Keras's moments
            for moving, batch in ((unwrap(moving_mean), mean),
                                  (unwrap(moving_variance), biased)):
                moving.copy_(moving * momentum + batch.to(moving.dtype) * (1.0 - momentum))
    if axis != 1:
        out = out.movedim(1, axis)
    return out


# ----------------------------------------------------------------- recurrent layers (rnn)

import warnings  # noqa: E402

_RNN_KERNELS = {"lstm": torch.lstm, "gru": torch.gru, "rnn_tanh": torch.rnn_tanh,
                "rnn_relu": torch.rnn_relu}
# cuDNN copies the per-call weights into its own buffer (they change every step anyway).
warnings.filterwarnings("ignore", message="RNN module weights are not part of single",
                        category=UserWarning, module=r"cornu\.backend\.torch\.fused")


def _as_tensor(x):
    if x.__class__ is Variable:
        return x.value
    return x if isinstance(x, torch.Tensor) else convert_to_tensor(x)


def _rnn_params(mode, kernel, recurrent_kernel, bias):
    """torch's ``[w_ih, w_hh, b_ih, b_hh]`` from Keras-layout weights, made on every call
    (small transposed copies) so that gradients reach the Keras variables."""
    if mode == "gru":  # Keras gates z, r, h -> torch r, z, n
        u = recurrent_kernel.shape[0]

        def order(w):
            return torch.cat([w[..., u:2 * u], w[..., :u], w[..., 2 * u:]], dim=-1)
        params = [order(kernel).t().contiguous(), order(recurrent_kernel).t().contiguous()]
        if bias is not None:  # reset_after: (2, 3u), row 0 input bias, row 1 recurrent bias
            params.extend(order(bias).unbind(0))
        return params
    # (in, G*u) -> (G*u, in); Keras's LSTM gates i, f, c, o are torch's i, f, g, o
    params = [kernel.t().contiguous(), recurrent_kernel.t().contiguous()]
    if bias is not None:
        params.extend([bias, torch.zeros_like(bias)])
    return params


def rnn(mode, inputs, initial_state, kernel, recurrent_kernel, bias=None, mask=None,
        go_backwards=False, return_sequences=False, zero_output_for_mask=False):
    """One recurrent layer on torch's fused kernel (``torch.lstm``, ``torch.gru``,
    ``torch.rnn_tanh``, ``torch.rnn_relu``), from Keras-layout weights.

    ``mode`` names the kernel; ``initial_state`` is the list of (batch, units)
    states; the GRU bias is Keras's reset_after (2, 3*units) one. With a mask, each
    sample's unmasked steps must form one block (right or left padding, ...): they
    run as a packed sequence, and masked steps get Keras's outputs (the previous
    output, or zeros with ``zero_output_for_mask``). Returns ``(last_output,
    outputs or None, states)``, or None when this kernel cannot do it (meta tensors,
    another kind of mask), for the caller's step-by-step loop. Under ``torch.compile``
    it runs eagerly (inductor cannot lower the functional CPU kernel).
    """
    x = _as_tensor(inputs)
    if x.device.type == "meta" or x.ndim != 3 or x.shape[1] == 0:
        return None
    k, rk = _as_tensor(kernel), _as_tensor(recurrent_kernel)
    b = None if bias is None else _as_tensor(bias)
    if x.shape[2] != k.shape[0]:  # torch's functional kernels do not check this themselves
        raise ValueError(f"rnn: the inputs have {x.shape[2]} features but the kernel expects "
                         f"{k.shape[0]} (kernel shape {tuple(k.shape)}).")
    if x.dtype != k.dtype:
        x = x.to(k.dtype)
    params = _rnn_params(mode, k, rk, b)
    hx = [_as_tensor(s).to(k.dtype).unsqueeze(0) for s in initial_state]    # (1, B, u)
    if go_backwards:
        x = x.flip(1)
        mask = None if mask is None else _as_tensor(mask).flip(1)
    kernel_fn = _RNN_KERNELS[mode]
    train = torch.is_grad_enabled()
    if mask is not None:
        return _masked_rnn(kernel_fn, x, hx, params, b is not None, train, _as_tensor(mask),
                           return_sequences, zero_output_for_mask)
    out = kernel_fn(x, tuple(hx) if len(hx) > 1 else hx[0], params, b is not None, 1, 0.0,
                    train, False, True)
    y = out[0]                                                            # (B, T, u)
    return y[:, -1], (y if return_sequences else None), [h.squeeze(0) for h in out[1:]]


def _masked_rnn(kernel_fn, x, hx, params, has_bias, train, mask, return_sequences,
                zero_output_for_mask):
    from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence
    m = mask if mask.dtype == torch.bool else mask.to(torch.bool)
    batch, steps = m.shape
    t = torch.arange(steps, device=m.device)
    lengths = m.sum(1)                                                    # (B,)
    start = m.to(torch.int32).argmax(1)                                   # first unmasked step
    end = start + lengths
    block = (t >= start[:, None]) & (t < end[:, None])
    ok = (m == block).all() & (lengths > 0).all()
    host = torch.cat([lengths, start, ok.view(1).to(lengths.dtype)]).cpu()   # one sync
    if not bool(host[-1]):
        return None
    host_lengths, shifted = host[:batch], bool(host[batch:2 * batch].any())
    if bool((host_lengths == steps).all()):
        out = kernel_fn(x, tuple(hx) if len(hx) > 1 else hx[0], params, has_bias, 1, 0.0,
                        train, False, True)
        y = out[0]
        return y[:, -1], (y if return_sequences else None), [h.squeeze(0) for h in out[1:]]
    if shifted:  # move each sample's block to the front: right padding for the kernel
        index = (t[None] + start[:, None]) % steps                        # (B, T)
        x = x.gather(1, index[..., None].expand(-1, -1, x.shape[2]))
    packed = pack_padded_sequence(x, host_lengths, batch_first=True, enforce_sorted=False)
    hx = [h.index_select(1, packed.sorted_indices) for h in hx]
    out = kernel_fn(packed.data, packed.batch_sizes, tuple(hx) if len(hx) > 1 else hx[0],
                    params, has_bias, 1, 0.0, train, False)
    states = [h.index_select(1, packed.unsorted_indices).squeeze(0) for h in out[1:]]
    y, _ = pad_packed_sequence(
        PackedSequence(out[0], packed.batch_sizes, packed.sorted_indices,
                       packed.unsorted_indices), batch_first=True, total_length=steps)
    units = y.shape[2]
    last_valid = y.gather(1, (lengths - 1).view(batch, 1, 1).expand(-1, 1, units))[:, 0]
    last = last_valid
    if zero_output_for_mask:  # Keras's last output is the (zeroed) output of the last step
        last = torch.where((end < steps)[:, None], torch.zeros_like(last_valid), last_valid)
    if not return_sequences:
        return last, None, states
    if not zero_output_for_mask:  # masked steps after the block repeat its last output
        y = torch.where(t[None, :, None] < lengths[:, None, None], y, last_valid[:, None])
    if shifted:  # back to each sample's own time positions; steps before the block are 0
        index = (t[None] - start[:, None]) % steps
        y = y.gather(1, index[..., None].expand(-1, -1, units))
        y = torch.where((t[None] >= start[:, None])[..., None], y, torch.zeros_like(y))
    return last, y, states


def prepare_for_compile():
    """Make the kernels torch.compile cannot lower run eagerly inside a compiled step (a
    graph break, as nn.LSTM has). Done only when compiling: applying
    ``torch.compiler.disable`` imports torch._dynamo, which costs seconds at start-up."""
    global rnn
    if not getattr(rnn, "_eager_under_compile", False):
        rnn = torch.compiler.disable(rnn)
        rnn._eager_under_compile = True
