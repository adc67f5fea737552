"""Initializers with no randomness: Zeros, Ones, Constant, Identity, STFT."""
import math

import numpy as np

from cornu import backend, ops
from cornu.initializers.initializer import Initializer


def _from_numpy(array, shape, dtype):
    """A backend tensor of ``shape`` and ``dtype`` holding ``array`` broadcast to ``shape``."""
    try:
        array = np.broadcast_to(array, tuple(shape))
    except ValueError:
        raise ValueError(f"A value of shape {np.shape(array)} cannot fill a tensor of shape "
                         f"{tuple(shape)}: expected a scalar or a broadcastable array.") from None
    return backend.convert_to_tensor(array, dtype=backend.standardize_dtype(dtype))


class Zeros(Initializer):
    """Fills tensors with 0.

    Example:

    >>> cornu.initializers.Zeros()(shape=(2, 2))
    """

    def __call__(self, shape, dtype=None):
        return ops.zeros(tuple(shape), dtype=backend.standardize_dtype(dtype))


class Ones(Initializer):
    """Fills tensors with 1.

    Example:

    >>> cornu.initializers.Ones()(shape=(2, 2))
    """

    def __call__(self, shape, dtype=None):
        return ops.ones(tuple(shape), dtype=backend.standardize_dtype(dtype))


class Constant(Initializer):
    """Fills tensors with ``value``.

    Args:
        value: a Python number, or an array (or tensor) that broadcasts to the shape.

    Example:

    >>> cornu.initializers.Constant(3.0)(shape=(2, 2))
    """

    _fields = ("value",)

    def __init__(self, value=0.0):
        if isinstance(value, (list, tuple)):
            value = np.asarray(value)
        self.value = value

    def __call__(self, shape, dtype=None):
        dtype = backend.standardize_dtype(dtype)
        if isinstance(self.value, (int, float)):
            return ops.cast(ops.multiply(ops.ones(tuple(shape), dtype=dtype), self.value), dtype)
        return _from_numpy(backend.convert_to_numpy(self.value), shape, dtype)

    def get_config(self):
        value = self.value
        if not isinstance(value, (int, float)):
            value = backend.convert_to_numpy(value).tolist()
        return {"value": value}

    @classmethod
    def from_config(cls, config):
        value = config.get("value", 0.0)
        if isinstance(value, dict) and "config" in value:  # Keras 3's serialized array
            value = np.asarray(value["config"]["value"], dtype=value["config"].get("dtype"))
        return cls(value)


class Identity(Initializer):
    """Fills a 2D tensor with ``gain`` times the identity matrix (ones on the diagonal).

    Args:
        gain: the value on the diagonal.

    Example:

    >>> cornu.initializers.Identity()(shape=(3, 3))
    """

    _fields = ("gain",)

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) != 2:
            raise ValueError(
                "The Identity initializer can only be used for 2D matrices. Received: "
                f"shape={tuple(shape)} of rank {len(shape)}.")
        return _from_numpy(self.gain * np.eye(*shape), shape, dtype)


class STFT(Initializer):
    """Kernels of a Conv1D that computes the short-time Fourier transform.

    The kernel of shape ``(frame_length, input_channels, fft_bins)`` holds
    ``cos`` (``side="real"``) or ``sin`` (``side="imag"``) of ``-2 pi t f`` for
    frequency ``f = k / (2 (fft_bins - 1))``, times the window.

    Args:
        side: ``"real"`` or ``"imag"``: which part of the transform the kernel computes.
        window: ``"hann"``, ``"hamming"`` (any ``scipy.signal.windows`` name if SciPy is
            installed), an array of ``frame_length`` values, or None for no window.
        scaling: ``"density"`` (divide by the window's L2 norm), ``"spectrum"`` (by its
            L1 norm) or None.
        periodic: whether the window is periodic (for spectral analysis) or symmetric.

    Example:

    >>> cornu.initializers.STFT("real", "hann")(shape=(128, 1, 65))
    """

    _fields = ("side", "window", "scaling", "periodic")

    def __init__(self, side="real", window="hann", scaling="density", periodic=False):
        if side not in ("real", "imag"):
            raise ValueError(f"Invalid `side`: expected 'real' or 'imag'. Received: side={side!r}")
        if scaling not in (None, "density", "spectrum"):
            raise ValueError("Invalid `scaling`: expected None, 'density' or 'spectrum'. "
                             f"Received: scaling={scaling!r}")
        if window is not None and not isinstance(window, str):
            window = np.asarray(window).tolist()
        self.side = side
        self.window = window
        self.scaling = scaling
        self.periodic = bool(periodic)

    def __call__(self, shape, dtype=None):
        if len(shape) != 3:
            raise ValueError("The STFT initializer expects a kernel shape (frame_length, "
                             f"input_channels, fft_bins). Received: shape={tuple(shape)}")
        frame_length, _, bins = shape
        period = max((bins - 1) * 2, 1)
        t = np.arange(frame_length, dtype="float64")[:, None, None]  # (T, 1, 1)
        f = np.arange(bins, dtype="float64")[None, None, :] / period  # (1, 1, F)
        angle = -2.0 * math.pi * t * f
        kernel = np.cos(angle) if self.side == "real" else np.sin(angle)
        if self.window is not None:
            win = _window(self.window, frame_length, self.periodic)
            if self.scaling == "density":
                win = win / np.sqrt(np.sum(win ** 2))
            elif self.scaling == "spectrum":
                win = win / np.sum(np.abs(win))
            kernel = kernel * win[:, None, None]
        return _from_numpy(kernel, shape, dtype)


def _window(window, length, periodic):
    """The window values as a 1D float64 array of ``length``."""
    if isinstance(window, str):
        if window in ("hann", "hamming"):
            denom = length if periodic else length - 1
            if denom <= 0:
                return np.ones(length)
            a = 0.5 if window == "hann" else 0.54
            return a - (1 - a) * np.cos(2 * math.pi * np.arange(length) / denom)
        try:
            from scipy.signal import get_window
        except ImportError:
            raise ValueError(f"The window {window!r} needs SciPy (`pip install scipy`); "
                             "'hann' and 'hamming' work without it.") from None
        return np.asarray(get_window(window, length, fftbins=periodic), dtype="float64")
    win = np.asarray(window, dtype="float64")
    if win.shape != (length,):
        raise ValueError(f"The window must be 1D with frame_length={length} values. "
                         f"Received: window of shape {win.shape}")
    return win
