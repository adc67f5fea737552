"""Math ops (``keras.ops.math``): segment reductions, top-k, FFT/STFT, special functions."""
from cornu import backend as _backend
from cornu.ops._dispatch import export as _export

__all__ = _export(_backend.math, globals())
