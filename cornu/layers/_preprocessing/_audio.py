"""Audio front ends: ``MelSpectrogram`` (STFT, mel filter bank, decibels) and
``STFTSpectrogram`` (the STFT as a strided Conv1D with trainable kernels)."""
import math
import warnings

import numpy as np

from cornu import backend, initializers, ops
from cornu.backend.config import standardize_data_format
from cornu.layers._preprocessing._common import check_choice
from cornu.layers.input_spec import InputSpec
from cornu.layers.layer import Layer

__all__ = ["MelSpectrogram", "STFTSpectrogram"]

# HTK's mel scale: mel(f) = 1127 ln(1 + f / 700).
_MEL_BREAK_HZ = 700.0
_MEL_HIGH_Q = 1127.0


def _window_config(window):
    """A window as the config keeps it: a name, None, or a list of floats."""
    if window is None or isinstance(window, str):
        return window
    return np.asarray(backend.convert_to_numpy(window), dtype="float64").tolist()


class _Constants:
    """Per-(name, device, dtype) tensors made once from numpy arrays, so ``call`` does
    not copy host data to the device on every step."""

    def __init__(self):
        self._cache = {}

    def get(self, name, make, dtype):
        key = (name, backend.get_device(), dtype)
        value = self._cache.get(key)
        if value is None:
            value = self._cache[key] = ops.convert_to_tensor(make(), dtype=dtype)
        return value


def _hertz_to_mel(hz):
    return _MEL_HIGH_Q * np.log1p(np.asarray(hz, dtype="float64") / _MEL_BREAK_HZ)


def linear_to_mel_weight_matrix(num_mel_bins, num_spectrogram_bins, sampling_rate,
                                lower_edge_hertz, upper_edge_hertz):
    """The ``(num_spectrogram_bins, num_mel_bins)`` HTK triangular filter bank (peaks of
    1, the DC bin left out) that Keras's ``MelSpectrogram`` multiplies spectra by."""
    freqs = np.linspace(0.0, sampling_rate / 2.0, num_spectrogram_bins)[1:]
    bins_mel = _hertz_to_mel(freqs)[:, None]  # (S - 1, 1)
    edges = np.linspace(_hertz_to_mel(lower_edge_hertz), _hertz_to_mel(upper_edge_hertz),
                        num_mel_bins + 2)
    lower, center, upper = edges[None, :-2], edges[None, 1:-1], edges[None, 2:]  # (1, M)
    rising = (bins_mel - lower) / (center - lower)
    falling = (upper - bins_mel) / (upper - center)
    weights = np.maximum(0.0, np.minimum(rising, falling))  # (S - 1, M)
    return np.pad(weights, [(1, 0), (0, 0)])


class MelSpectrogram(Layer):
    """Raw audio to mel spectrograms: STFT magnitudes, a mel filter bank, decibels.

    Args:
        fft_length: size of the FFT window.
        sequence_stride: samples between successive STFT frames.
        sequence_length: samples the ``window`` covers in each frame (default
            ``fft_length``).
        window: ``"hann"``, ``"hamming"``, an array of ``sequence_length`` values, or
            None (no window).
        sampling_rate: sample rate of the signal, in Hz.
        num_mel_bins: number of mel bands.
        min_freq: lowest frequency of the mel bands, in Hz.
        max_freq: highest frequency of the mel bands (default ``sampling_rate / 2``).
        power_to_db: convert the mel power to decibels.
        top_db: in decibels, clip values below ``max - top_db`` (max over the whole batch).
        mag_exp: exponent of the STFT magnitude (1 magnitude, 2 power).
        min_power: floor for the power and for ``ref_power`` before the log.
        ref_power: decibels are ``10 log10(S / ref_power)``.

    Input shape: ``(samples,)`` or ``(batch, samples)``.
    Output shape: ``(..., num_mel_bins, frames)`` with ``frames = 1 + samples //
    sequence_stride``.

    Example:

    >>> layer = cornu.layers.MelSpectrogram(num_mel_bins=64, sampling_rate=8000,
    ...                                     sequence_stride=256, fft_length=2048)
    >>> layer(np.random.uniform(size=(16000,)).astype("float32")).shape
    torch.Size([64, 63])
    """

    def __init__(self, fft_length=2048, sequence_stride=512, sequence_length=None,
                 window="hann", sampling_rate=16000, num_mel_bins=128, min_freq=20.0,
                 max_freq=None, power_to_db=True, top_db=80.0, mag_exp=2.0, min_power=1e-10,
                 ref_power=1.0, **kwargs):
        super().__init__(**kwargs)
        self.fft_length = int(fft_length)
        self.sequence_stride = int(sequence_stride)
        self.sequence_length = int(sequence_length or fft_length)
        if self.fft_length < self.sequence_length:
            raise ValueError(
                f"{type(self).__name__}: `fft_length` must be >= `sequence_length`. "
                f"Received: sequence_length={self.sequence_length}, "
                f"fft_length={self.fft_length}.")
        if isinstance(window, str):
            check_choice(type(self).__name__, "window", window, ("hann", "hamming"))
        self.window = _window_config(window)
        self.sampling_rate = sampling_rate
        self.num_mel_bins = int(num_mel_bins)
        self.min_freq = min_freq
        self.max_freq = max_freq or int(sampling_rate / 2)
        self.power_to_db = power_to_db
        self.top_db = top_db
        self.mag_exp = mag_exp
        self.min_power = min_power
        self.ref_power = ref_power
        self.input_spec = InputSpec(min_ndim=1)
        self._constants = _Constants()

    def _mel_matrix(self):
        return linear_to_mel_weight_matrix(
            self.num_mel_bins, self.fft_length // 2 + 1, self.sampling_rate,
            self.min_freq, self.max_freq)

    def call(self, inputs):
        # The STFT runs in float32 (float64 when the layer computes in float64).
        dtype = "float64" if self.compute_dtype == "float64" else "float32"
        x = ops.cast(inputs, dtype)
        window = self.window
        if isinstance(window, list):
            window = self._constants.get("window", lambda: np.asarray(self.window), dtype)
        real, imag = ops.stft(x, self.sequence_length, self.sequence_stride,
                              self.fft_length, window=window, center=True)
        power = ops.square(real) + ops.square(imag)  # (..., frames, fft_length // 2 + 1)
        spec = power if self.mag_exp == 2 else ops.power(ops.sqrt(power), self.mag_exp)
        mel = ops.matmul(spec, self._constants.get("mel", self._mel_matrix, dtype))
        if self.power_to_db:
            mel = self._to_db(mel)
        return ops.cast(ops.swapaxes(mel, -1, -2), self.compute_dtype)  # (..., mels, frames)

    def compute_output_shape(self, input_shape):
        # Written out: the shape-only run cannot tell an unknown length's frame count.
        n = input_shape[-1]
        frames = None if n is None else 1 + (
            n + 2 * (self.fft_length // 2) - self.fft_length) // self.sequence_stride
        return tuple(input_shape[:-1]) + (self.num_mel_bins, frames)

    def _to_db(self, power):
        db = 10.0 * ops.log10(ops.maximum(power, self.min_power))
        ref = max(abs(float(self.ref_power)), self.min_power)
        db = db - 10.0 * math.log10(ref)
        if self.top_db is None:
            return db
        return ops.maximum(db, ops.max(db) - self.top_db)


class STFTSpectrogram(Layer):
    """The short-time Fourier transform of 1D signals, as strided convolutions.

    The real and imaginary parts come from two Conv1D kernels (``real_kernel``,
    ``imag_kernel``) initialised to the windowed Fourier basis (see
    ``initializers.STFT``); they train with the model unless ``trainable=False``.
    Each input channel is transformed on its own with the same kernels.

    Args:
        mode: ``"log"`` (log magnitude), ``"magnitude"``, ``"psd"`` (one-sided power
            spectral density), ``"real"``, ``"imag"``, ``"angle"`` or ``"stft"`` (real and
            imaginary parts stacked along the frequency axis).
        frame_length: samples per frame.
        frame_step: samples between frames (default ``frame_length // 2``).
        fft_length: FFT size (default: the smallest power of two >= ``frame_length``).
        window: ``"hann"``, ``"hamming"``, any ``scipy.signal`` window name, an array of
            ``frame_length`` values, or None.
        periodic: use the periodic (not symmetric) form of a named window.
        scaling: ``"density"`` (window divided by its L2 norm), ``"spectrum"`` (by its L1
            norm) or None.
        padding: ``"valid"`` or ``"same"``.
        expand_dims: keep channels on their own axis (image-like output).
        data_format: ``"channels_last"`` (inputs ``(batch, time, channels)``) or
            ``"channels_first"`` (``(batch, channels, time)``).

    Output shape (``F = fft_length // 2 + 1``, doubled for ``"stft"``):
        channels_last: ``(batch, frames, channels * F)``, or ``(batch, frames, F,
        channels)`` with ``expand_dims``; channels_first: ``(batch, channels * F,
        frames)``, or ``(batch, channels, frames, F)`` with ``expand_dims``.

    Example:

    >>> layer = cornu.layers.STFTSpectrogram(mode="log", frame_length=256, frame_step=128,
    ...                                      fft_length=512, padding="same")
    >>> layer(np.random.uniform(size=(3, 16000, 2)).astype("float32")).shape
    torch.Size([3, 125, 514])
    """

    _MODES = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")

    def __init__(self, mode="log", frame_length=256, frame_step=None, fft_length=None,
                 window="hann", periodic=False, scaling="density", padding="valid",
                 expand_dims=False, data_format=None, **kwargs):
        name = type(self).__name__
        if frame_step is not None and not 1 <= frame_step <= frame_length:
            raise ValueError(
                f"{name}: `frame_step` must be a positive integer not greater than "
                f"`frame_length`. Received: frame_step={frame_step}, "
                f"frame_length={frame_length}.")
        if fft_length is not None and fft_length < frame_length:
            raise ValueError(
                f"{name}: `fft_length` must be >= `frame_length`. Received: "
                f"fft_length={fft_length}, frame_length={frame_length}.")
        if fft_length is not None and fft_length & (fft_length - 1):
            warnings.warn(f"{name}: `fft_length` is best a power of two. Received: "
                          f"fft_length={fft_length}.", stacklevel=2)
        check_choice(name, "mode", mode, self._MODES)
        check_choice(name, "scaling", scaling, (None, "density", "spectrum"))
        check_choice(name, "padding", padding, ("valid", "same"))
        if isinstance(window, str):
            try:  # an unknown name fails now, not at build time
                initializers.STFT("real", window, scaling, periodic)(shape=(1, 1, 2))
            except ValueError as e:
                raise ValueError(f"{name}: invalid `window` {window!r}: {e}") from None
        super().__init__(**kwargs)
        self.mode = mode
        self.frame_length = int(frame_length)
        self.frame_step = frame_step
        self._frame_step = int(frame_step or self.frame_length // 2)
        self.fft_length = fft_length
        self._fft_length = int(fft_length or 2 ** math.ceil(math.log2(frame_length)))
        self.window = _window_config(window)
        self.periodic = periodic
        self.scaling = scaling
        self.padding = padding
        self.expand_dims = expand_dims
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=3)
        self._constants = _Constants()

    def build(self, input_shape):
        shape = (self.frame_length, 1, self._fft_length // 2 + 1)
        if self.mode != "imag":
            self.real_kernel = self.add_weight(
                shape=shape, name="real_kernel", initializer=initializers.STFT(
                    "real", self.window, self.scaling, self.periodic))
        if self.mode != "real":
            self.imag_kernel = self.add_weight(
                shape=shape, name="imag_kernel", initializer=initializers.STFT(
                    "imag", self.window, self.scaling, self.periodic))

    def _kernel(self):
        if self.mode == "real":
            return self.real_kernel
        if self.mode == "imag":
            return self.imag_kernel
        # One convolution gives both parts: (frame_length, 1, 2 F).
        return ops.concatenate([self.real_kernel, self.imag_kernel], axis=-1)

    def call(self, inputs):
        dtype = backend.standardize_dtype(inputs.dtype)
        if dtype not in ("float16", "float32", "float64"):
            raise TypeError(f"{type(self).__name__} expects float16, float32 or float64 "
                            f"inputs. Received: inputs of dtype {dtype}.")
        x = inputs
        if self.data_format == "channels_last":
            x = ops.swapaxes(x, 1, 2)
        channels, length = x.shape[1], x.shape[2]
        x = ops.reshape(x, (-1, 1, length))  # (B * C, 1, T): channels transformed alike
        y = ops.conv(x, ops.cast(self._kernel(), dtype), strides=self._frame_step,
                     padding=self.padding, data_format="channels_first")
        y = ops.reshape(y, (-1, channels) + tuple(y.shape[1:]))  # (B, C, F or 2F, frames)
        if self.mode in ("real", "imag", "stft"):
            return self._arrange(y)
        bins = self._fft_length // 2 + 1
        real, imag = y[:, :, :bins], y[:, :, bins:]
        if self.mode == "angle":
            return self._arrange(ops.arctan2(imag, real))
        power = ops.square(real) + ops.square(imag)
        if self.mode == "psd":  # one-sided: every bin but the first and last counts twice
            return self._arrange(power * self._constants.get(
                "psd", lambda: np.array([1.0] + [2.0] * (bins - 2) + [1.0])[:, None], dtype))
        magnitude = self._arrange(ops.sqrt(ops.maximum(power, backend.epsilon())))
        if self.mode == "magnitude":
            return magnitude
        return ops.log(ops.maximum(magnitude, backend.epsilon()))

    def compute_output_shape(self, input_shape):
        # Written out: the shape-only run cannot tell an unknown length's frame count.
        if self.data_format == "channels_last":
            batch, length, channels = input_shape
        else:
            batch, channels, length = input_shape
        bins = (self._fft_length // 2 + 1) * (2 if self.mode == "stft" else 1)
        step = self._frame_step
        frames = None if length is None else (
            (length - self.frame_length) // step + 1 if self.padding == "valid"
            else (length + step - 1) // step)
        if self.expand_dims:
            return ((batch, frames, bins, channels) if self.data_format == "channels_last"
                    else (batch, channels, frames, bins))
        flat = None if channels is None else channels * bins
        return ((batch, frames, flat) if self.data_format == "channels_last"
                else (batch, flat, frames))

    def _arrange(self, y):
        """``(B, C, F, frames)`` to the output layout of ``data_format``/``expand_dims``."""
        _, channels, bins, frames = y.shape
        if self.expand_dims:
            perm = (0, 3, 2, 1) if self.data_format == "channels_last" else (0, 1, 3, 2)
            return ops.transpose(y, perm)
        y = ops.reshape(y, (-1, channels * bins, frames))
        return ops.swapaxes(y, 1, 2) if self.data_format == "channels_last" else y
