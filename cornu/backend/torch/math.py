"""Math ops on torch tensors (Keras 3 ``keras.ops.math``): segment reductions, top-k,
FFTs and short-time Fourier transforms, special functions.

FFT ops take and return complex values as ``(real, imag)`` pairs of real tensors,
as Keras does.
"""
import torch
import torch.nn.functional as F

from cornu.backend.torch.core import convert_to_tensor, get_device
from cornu.backend.torch.numpy import _flat_axes, _tensors, _to_float

def erf(x):
    """Element-wise error function."""
    return torch.erf(_to_float(x))


def erfinv(x):
    """Element-wise inverse error function."""
    return torch.erfinv(_to_float(x))


def rsqrt(x):
    """Element-wise ``1 / sqrt(x)``."""
    return torch.rsqrt(_to_float(x))


def erfc(x):
    """Element-wise complementary error function, ``1 - erf(x)`` (accurate for large x)."""
    return torch.erfc(_to_float(x))


def cdist(x, y):
    """Euclidean distances between the rows (last axis) of ``x`` and of ``y``.

    Args:
        x: Tensor of shape ``(..., P, M)``.
        y: Tensor of shape ``(..., R, M)``; leading dims broadcast with x's.

    Returns:
        Tensor of shape ``(..., P, R)``.
    """
    x, y = _tensors(x, y, to_float=True)
    if x.ndim < 2 or y.ndim < 2 or x.shape[-1] != y.shape[-1]:
        raise ValueError(f"cdist expects inputs of rank >= 2 with the same last dimension; "
                         f"received shapes {tuple(x.shape)} and {tuple(y.shape)}.")
    diff = x.unsqueeze(-2) - y.unsqueeze(-3)  # (..., P, R, M)
    return torch.sqrt(torch.sum(diff * diff, dim=-1))


def logdet(x):
    """Log of the determinant of (batches of) square matrices."""
    return torch.logdet(_to_float(x))


def _segments(data, segment_ids, num_segments):
    """Data, ids with out-of-range ids sent to an extra last segment, and the segment count."""
    data = convert_to_tensor(data)
    ids = convert_to_tensor(segment_ids).long()
    if num_segments is None:
        num_segments = int(ids.max()) + 1 if ids.numel() else 0
    ids = torch.where((ids < 0) | (ids >= num_segments), num_segments, ids)
    return data, ids, int(num_segments)


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    """Sums of the rows of ``data`` with the same segment id; ids out of range are dropped."""
    data, ids, n = _segments(data, segment_ids, num_segments)
    out = torch.zeros((n + 1,) + data.shape[1:], dtype=data.dtype, device=data.device)
    return out.index_add_(0, ids, data)[:n]


def _segment_reduce(data, segment_ids, num_segments, how, empty):
    """``scatter_reduce`` ``how`` of the rows of ``data`` by segment id; empty segments hold
    ``empty(dtype info)``."""
    data, ids, n = _segments(data, segment_ids, num_segments)
    info = torch.finfo(data.dtype) if data.is_floating_point() else torch.iinfo(data.dtype)
    out = torch.full((n + 1,) + data.shape[1:], empty(info), dtype=data.dtype,
                     device=data.device)
    index = ids.reshape((-1,) + (1,) * (data.ndim - 1)).expand(data.shape)
    return out.scatter_reduce_(0, index, data, how, include_self=True)[:n]


def _lowest(info):
    return -float("inf") if isinstance(info, torch.finfo) else info.min


def _highest(info):
    return float("inf") if isinstance(info, torch.finfo) else info.max


def segment_max(data, segment_ids, num_segments=None, sorted=False):
    """Maxima of the rows of ``data`` with the same segment id (the dtype's lowest value for
    empty segments)."""
    return _segment_reduce(data, segment_ids, num_segments, "amax", _lowest)


def segment_min(data, segment_ids, num_segments=None, sorted=False):
    """Minima of the rows of ``data`` with the same segment id (the dtype's highest value,
    ``inf`` for floats, for empty segments); ids out of range are dropped."""
    return _segment_reduce(data, segment_ids, num_segments, "amin", _highest)


def segment_prod(data, segment_ids, num_segments=None, sorted=False):
    """Products of the rows of ``data`` with the same segment id (1 for empty segments);
    ids out of range are dropped."""
    return _segment_reduce(data, segment_ids, num_segments, "prod", lambda info: 1)


def top_k(x, k, sorted=True):
    """The ``k`` largest values along the last axis and their indices (int32)."""
    values, indices = torch.topk(convert_to_tensor(x), k, dim=-1, sorted=sorted)
    return values, indices.to(torch.int32)


def in_top_k(targets, predictions, k):
    """Whether each target class is among the ``k`` highest predictions (ties count as in)."""
    predictions = convert_to_tensor(predictions)
    targets = convert_to_tensor(targets).long()
    target_scores = predictions.gather(-1, targets.unsqueeze(-1))
    rank = (predictions > target_scores).sum(-1)
    return (rank < k) & torch.isfinite(target_scores.squeeze(-1))


def logsumexp(x, axis=None, keepdims=False):
    """``log(sum(exp(x)))`` along ``axis``, computed stably."""
    x = _to_float(x)
    if axis is None:
        y, keep_shape = _flat_axes(x, None)
        out = torch.logsumexp(y, dim=-1)
        return out.reshape(keep_shape) if keepdims else out
    return torch.logsumexp(x, dim=axis, keepdim=keepdims)


def extract_sequences(x, sequence_length, sequence_stride):
    """Frames of ``sequence_length`` taken every ``sequence_stride`` along the last axis:
    shape ``(..., num_frames, sequence_length)``."""
    return convert_to_tensor(x).unfold(-1, sequence_length, sequence_stride)


def view_as_complex(x):
    """A complex tensor from a real one whose last axis holds (real, imag)."""
    return torch.view_as_complex(_to_float(x).contiguous())


def view_as_real(x):
    """A real tensor with a last axis of (real, imag) from a complex one."""
    return torch.view_as_real(convert_to_tensor(x))


def _complex(x):
    """A complex tensor from a ``(real, imag)`` pair."""
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError("Expected complex input as a tuple (real, imag) of two tensors; "
                         f"received {type(x).__name__}.")
    real, imag = _to_float(x[0]), _to_float(x[1])
    if real.shape != imag.shape:
        raise ValueError(f"The real and imaginary parts differ in shape: {tuple(real.shape)} "
                         f"and {tuple(imag.shape)}.")
    return torch.complex(real, imag)


def _real_imag(c):
    return c.real.contiguous(), c.imag.contiguous()


def fft(x):
    """FFT along the last axis of ``x = (real, imag)``; returns ``(real, imag)``."""
    return _real_imag(torch.fft.fft(_complex(x)))


def fft2(x):
    """2-D FFT over the last two axes of ``x = (real, imag)``; returns ``(real, imag)``."""
    return _real_imag(torch.fft.fft2(_complex(x)))


def ifft2(x):
    """Inverse 2-D FFT over the last two axes of ``x = (real, imag)``; returns ``(real, imag)``."""
    return _real_imag(torch.fft.ifft2(_complex(x)))


def rfft(x, fft_length=None):
    """FFT of real ``x`` along the last axis (``fft_length // 2 + 1`` bins); ``(real, imag)``."""
    return _real_imag(torch.fft.rfft(_to_float(x), n=fft_length))


def irfft(x, fft_length=None):
    """Inverse of ``rfft``: a real signal of ``fft_length`` from ``x = (real, imag)``."""
    return torch.fft.irfft(_complex(x), n=fft_length)


def _stft_window(window, sequence_length, fft_length, dtype):
    """The analysis window, zero-padded on both sides to ``fft_length``."""
    if window is None:
        win = torch.ones(sequence_length, dtype=dtype, device=get_device())
    elif isinstance(window, str):
        makers = {"hann": torch.hann_window, "hamming": torch.hamming_window}
        if window not in makers:
            raise ValueError(f"Unknown window {window!r}. Expected 'hann', 'hamming', a "
                             "tensor of length sequence_length, or None.")
        win = makers[window](sequence_length, periodic=True, dtype=dtype, device=get_device())
    else:
        win = convert_to_tensor(window, dtype=dtype)
        if win.shape != (sequence_length,):
            raise ValueError(f"The window must have shape ({sequence_length},); received "
                             f"{tuple(win.shape)}.")
    left = (fft_length - sequence_length) // 2
    return F.pad(win, (left, fft_length - sequence_length - left))


def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    """Short-time Fourier transform along the last axis: ``(real, imag)`` of shape
    ``(..., num_frames, fft_length // 2 + 1)``."""
    x = _to_float(x)
    if center:
        pad = fft_length // 2
        batch = x.shape[:-1]
        x = F.pad(x.reshape(-1, 1, x.shape[-1]), (pad, pad), mode="reflect")
        x = x.reshape(batch + x.shape[-1:])
    frames = x.unfold(-1, fft_length, sequence_stride)  # (..., frames, fft_length)
    win = _stft_window(window, sequence_length, fft_length, x.dtype)
    return _real_imag(torch.fft.rfft(frames * win, n=fft_length))


def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann",
          center=True):
    """Inverse of ``stft`` by weighted overlap-add; ``length`` trims or pads the result."""
    frames = torch.fft.irfft(_complex(x), n=fft_length)  # (..., num_frames, fft_length)
    win = _stft_window(window, sequence_length, fft_length, frames.dtype)
    batch, num_frames = frames.shape[:-2], frames.shape[-2]
    out_len = fft_length + sequence_stride * (num_frames - 1)

    def overlap_add(y):  # (B, num_frames, fft_length) -> (B, out_len)
        return F.fold(y.transpose(1, 2), (1, out_len), (1, fft_length),
                      stride=(1, sequence_stride)).reshape(y.shape[0], out_len)

    signal = overlap_add((frames * win).reshape(-1, num_frames, fft_length))
    norm = overlap_add((win * win).expand(1, num_frames, fft_length))
    signal = signal / torch.where(norm > 1e-10, norm, 1)
    start = fft_length // 2 if center else 0
    end = out_len - start if length is None else start + length
    signal = signal[:, start:end]
    if length is not None and signal.shape[-1] < length:
        signal = F.pad(signal, (0, length - signal.shape[-1]))
    return signal.reshape(batch + signal.shape[-1:])
