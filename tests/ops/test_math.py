"""cornu.ops math ops against numpy and hand-written references."""
import math

import numpy as np
import pytest
import torch

from cornu import backend, ops

rng = np.random.default_rng(1)
X = rng.standard_normal((3, 5)).astype("float32")
SIGNAL = rng.standard_normal((2, 40)).astype("float32")


def np_(x):
    return tuple(np_(v) for v in x) if isinstance(x, (tuple, list)) else ops.convert_to_numpy(x)


def close(actual, expected, tol=1e-5):
    np.testing.assert_allclose(np_(actual), expected, rtol=tol, atol=tol)


def test_segment_sum_and_max():
    data = np.arange(12, dtype="float32").reshape(4, 3)
    ids = np.array([2, 0, 2, 5])  # 5 is out of range for num_segments=4: dropped
    expected_sum = np.zeros((4, 3), "float32")
    expected_max = np.full((4, 3), -np.inf, "float32")
    for row, i in zip(data, ids):
        if i < 4:
            expected_sum[i] += row
            expected_max[i] = np.maximum(expected_max[i], row)
    close(ops.segment_sum(data, ids, num_segments=4), expected_sum)
    close(ops.segment_max(data, ids, num_segments=4), expected_max)
    close(ops.segment_sum(data, [0, 0, 1, 1]), [data[:2].sum(0), data[2:].sum(0)])
    ints = ops.segment_max(np.array([3, 1, 2], "int32"), [0, 0, 2], num_segments=3)
    assert np_(ints).tolist() == [3, np.iinfo(np.int32).min, 2]


def test_top_k_and_in_top_k():
    values, indices = ops.top_k(X, 2)
    order = np.argsort(-X, axis=-1)[:, :2]
    close(values, np.take_along_axis(X, order, -1))
    assert np_(indices).tolist() == order.tolist() and indices.dtype == torch.int32
    preds = np.array([[0.1, 0.5, 0.4], [0.3, 0.3, 0.4], [0.9, 0.05, 0.05]], "float32")
    assert np_(ops.in_top_k([2, 0, 1], preds, 1)).tolist() == [False, False, False]
    assert np_(ops.in_top_k([2, 0, 1], preds, 2)).tolist() == [True, True, True]  # tie counts


@pytest.mark.parametrize("kwargs", [{}, {"axis": 1}, {"axis": 0, "keepdims": True},
                                    {"keepdims": True}])
def test_logsumexp(kwargs):
    axis = kwargs.get("axis")
    expected = np.log(np.sum(np.exp(X), axis=axis, keepdims=kwargs.get("keepdims", False)))
    close(ops.logsumexp(X, **kwargs), expected)


def test_elementwise_special_functions():
    close(ops.rsqrt(np.abs(X) + 0.1), 1 / np.sqrt(np.abs(X) + 0.1))
    close(ops.erf(X), np.vectorize(math.erf)(X))
    u = np.clip(X / 4, -0.9, 0.9)
    close(ops.erf(ops.erfinv(u)), u)
    spd = X @ X.T + 3 * np.eye(3, dtype="float32")
    close(ops.logdet(spd), np.linalg.slogdet(spd)[1], tol=1e-4)
    assert ops.erf(np.array([1, 2], "int32")).dtype == torch.float32


def test_extract_sequences():
    out = ops.extract_sequences(SIGNAL, 8, 3)
    expected = np.stack([SIGNAL[:, i:i + 8] for i in range(0, 40 - 8 + 1, 3)], axis=1)
    close(out, expected)


def test_fft_family():
    re, im = X, X[::-1].copy()
    z = re + 1j * im
    close(ops.fft((re, im)), (np.fft.fft(z).real, np.fft.fft(z).imag), tol=1e-4)
    close(ops.fft2((re, im)), (np.fft.fft2(z).real, np.fft.fft2(z).imag), tol=1e-4)
    close(ops.ifft2((re, im)), (np.fft.ifft2(z).real, np.fft.ifft2(z).imag), tol=1e-4)
    spec = np.fft.rfft(X, n=8)
    close(ops.rfft(X, fft_length=8), (spec.real, spec.imag), tol=1e-4)
    close(ops.irfft((spec.real, spec.imag), fft_length=8), np.fft.irfft(spec, n=8), tol=1e-4)
    with pytest.raises(ValueError, match="real, imag"):
        ops.fft(X)


def _np_stft(x, length, stride, fft_length, center):
    if center:
        x = np.pad(x, [(0, 0), (fft_length // 2, fft_length // 2)], mode="reflect")
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(length) / length)  # periodic Hann
    left = (fft_length - length) // 2
    window = np.pad(window, (left, fft_length - length - left))
    frames = np.stack([x[:, i:i + fft_length] for i in range(
        0, x.shape[-1] - fft_length + 1, stride)], axis=1)
    return np.fft.rfft(frames * window, n=fft_length)


@pytest.mark.parametrize("length,stride,fft_length,center", [
    (16, 4, 16, True), (12, 4, 16, True), (16, 8, 32, False), (10, 5, 16, False)])
def test_stft_and_istft_round_trip(length, stride, fft_length, center):
    re, im = ops.stft(SIGNAL, length, stride, fft_length, center=center)
    expected = _np_stft(SIGNAL, length, stride, fft_length, center)
    close((re, im), (expected.real, expected.imag), tol=1e-4)
    back = np_(ops.istft((re, im), length, stride, fft_length, length=40, center=center))
    assert back.shape == (2, 40)
    # without centring the first and last frames are covered by one window only
    inner = slice(None) if center else slice(fft_length, 40 - fft_length)
    np.testing.assert_allclose(back[:, inner], SIGNAL[:, inner], atol=1e-4)


def test_view_as_complex_and_real():
    pairs = X.reshape(3, -1)[:, :4].reshape(3, 2, 2)
    z = ops.view_as_complex(pairs)
    np.testing.assert_allclose(np_(z), pairs[..., 0] + 1j * pairs[..., 1], rtol=1e-6)
    close(ops.view_as_real(z), pairs)


def test_math_ops_on_meta_tensors():
    with backend.core.symbolic_scope():
        values, indices = ops.top_k(X, 2)
        re, im = ops.stft(SIGNAL, 16, 4, 16)
        seg = ops.segment_sum(X, np.array([0, 1, 1]), num_segments=2)
        lse = ops.logsumexp(X, axis=1)
    assert values.device.type == "meta" and tuple(indices.shape) == (3, 2)
    assert tuple(re.shape) == (2, 11, 9) and tuple(seg.shape) == (2, 5)
    assert tuple(lse.shape) == (3,)
