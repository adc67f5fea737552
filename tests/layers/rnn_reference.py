"""Numpy references for the recurrent layers: Keras's equations and masking rules,
written out independently of cornu."""
import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


ACTIVATIONS = {"tanh": np.tanh, "sigmoid": sigmoid, "relu": lambda x: np.maximum(x, 0.0),
               "linear": lambda x: x,
               "hard_sigmoid": lambda x: np.clip(x / 6.0 + 0.5, 0.0, 1.0)}


def lstm_step(x, states, kernel, recurrent_kernel, bias, act="tanh", gate="sigmoid"):
    h, c = states
    z = x @ kernel + h @ recurrent_kernel + (0.0 if bias is None else bias)
    i, f, g, o = np.split(z, 4, axis=-1)
    act, gate = ACTIVATIONS[act], ACTIVATIONS[gate]
    c = gate(f) * c + gate(i) * act(g)
    h = gate(o) * act(c)
    return h, [h, c]


def gru_step(x, states, kernel, recurrent_kernel, bias, reset_after=True, act="tanh",
             gate="sigmoid"):
    h = states[0]
    u = h.shape[-1]
    act, gate = ACTIVATIONS[act], ACTIVATIONS[gate]
    if reset_after:
        b_in, b_rec = (0.0, 0.0) if bias is None else (bias[0], bias[1])
        xz, xr, xh = np.split(x @ kernel + b_in, 3, axis=-1)
        rz, rr, rh = np.split(h @ recurrent_kernel + b_rec, 3, axis=-1)
        z, r = gate(xz + rz), gate(xr + rr)
        hh = act(xh + r * rh)
    else:
        xz, xr, xh = np.split(x @ kernel + (0.0 if bias is None else bias), 3, axis=-1)
        z = gate(xz + h @ recurrent_kernel[:, :u])
        r = gate(xr + h @ recurrent_kernel[:, u:2 * u])
        hh = act(xh + (r * h) @ recurrent_kernel[:, 2 * u:])
    h = z * h + (1 - z) * hh
    return h, [h]


def simple_step(x, states, kernel, recurrent_kernel, bias, act="tanh"):
    h = ACTIVATIONS[act](x @ kernel + states[0] @ recurrent_kernel +
                         (0.0 if bias is None else bias))
    return h, [h]


def scan(step, x, states, mask=None, go_backwards=False, zero_output_for_mask=False):
    """Keras's time loop: returns (last_output, outputs (B, T, ...), final states)."""
    x = np.asarray(x, np.float64)
    order = range(x.shape[1] - 1, -1, -1) if go_backwards else range(x.shape[1])
    outputs, prev = [], None
    for t in order:
        out, new = step(x[:, t], states)
        if mask is not None:
            m = np.asarray(mask)[:, t].reshape((-1,) + (1,) * (out.ndim - 1)).astype(bool)
            fill = np.zeros_like(out) if prev is None or zero_output_for_mask else prev
            out = np.where(m, out, fill)
            new = [np.where(m, n, s) for n, s in zip(new, states)]
        prev, states = out, new
        outputs.append(out)
    return prev, np.stack(outputs, axis=1), states


def np_conv_same_or_valid(x, kernel, strides, dilation, padding):
    """channels_last N-D cross-correlation with TensorFlow's 'same' padding."""
    import itertools
    rank = x.ndim - 2
    ksize = kernel.shape[:rank]
    pads = []
    for n, k, s, d in zip(x.shape[1:-1], ksize, strides, dilation):
        k = (k - 1) * d + 1
        total = max((-(-n // s) - 1) * s + k - n, 0) if padding == "same" else 0
        pads.append((total // 2, total - total // 2))
    xp = np.pad(x, [(0, 0), *pads, (0, 0)])
    sizes = [(xp.shape[1 + i] - (ksize[i] - 1) * dilation[i] - 1) // strides[i] + 1
             for i in range(rank)]
    out = np.zeros((x.shape[0], *sizes, kernel.shape[-1]))
    for tap in itertools.product(*[range(k) for k in ksize]):
        index = tuple(slice(t * d, t * d + (o - 1) * s + 1, s)
                      for t, d, o, s in zip(tap, dilation, sizes, strides))
        out += xp[(slice(None),) + index] @ kernel[tap]
    return out


def conv_lstm_step(x, states, kernel, recurrent_kernel, bias, strides, dilation, padding):
    h, c = states
    rank = x.ndim - 2
    z = (np_conv_same_or_valid(x, kernel, strides, dilation, padding) +
         np_conv_same_or_valid(h, recurrent_kernel, (1,) * rank, (1,) * rank, "same") +
         (0.0 if bias is None else bias))
    i, f, g, o = np.split(z, 4, axis=-1)
    c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    h = sigmoid(o) * np.tanh(c)
    return h, [h, c]
