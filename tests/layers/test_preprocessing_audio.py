"""MelSpectrogram and STFTSpectrogram: Keras fixtures, numpy references, the harness,
symbolic shapes, a small fit, and the errors."""
import json
import os

import numpy as np
import pytest

import cornu
from cornu import backend, layers
from tests.layers.fixtures import keras_cases
from tests.layers.harness import check_layer

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "audio_fixtures.npz")
CASES, ARRAYS = keras_cases.load(FIXTURES)
INIT_CASES = json.loads(str(ARRAYS["init_cases"]))


def _np(x):
    return backend.convert_to_numpy(x)


# ------------------------------------------------------------ numpy references

def _window(name, length, periodic):
    if name is None:
        return np.ones(length)
    n = np.arange(length)
    denom = length if periodic else length - 1
    a = {"hann": 0.5, "hamming": 0.54}[name]
    return a - (1 - a) * np.cos(2 * np.pi * n / denom)


def _mel_filters(num_mel, num_bins, rate, lo, hi):
    """The HTK filter bank, one triangle at a time."""
    mel = lambda f: 1127.0 * np.log(1.0 + f / 700.0)  # noqa: E731
    edges = np.linspace(mel(lo), mel(hi), num_mel + 2)
    out = np.zeros((num_bins, num_mel))
    for k in range(1, num_bins):  # bin 0 (DC) stays zero
        m = mel(k * rate / 2.0 / (num_bins - 1))
        for j in range(num_mel):
            left, center, right = edges[j:j + 3]
            out[k, j] = max(0.0, min((m - left) / (center - left), (right - m) / (right - center)))
    return out


def mel_reference(x, fft_length, stride, num_mel, rate, window="hann", seq_len=None,
                  lo=20.0, hi=None, to_db=True, top_db=80.0, mag_exp=2.0, min_power=1e-10,
                  ref_power=1.0):
    seq_len = seq_len or fft_length
    x = np.asarray(x, "float64")
    pad = fft_length // 2
    xp = np.pad(x, [(0, 0)] * (x.ndim - 1) + [(pad, pad)], mode="reflect")
    starts = range(0, xp.shape[-1] - fft_length + 1, stride)
    frames = np.stack([xp[..., s:s + fft_length] for s in starts], axis=-2)
    win = _window(window, seq_len, periodic=True)
    left = (fft_length - seq_len) // 2
    win = np.pad(win, (left, fft_length - seq_len - left))
    spec = np.abs(np.fft.rfft(frames * win, axis=-1)) ** mag_exp
    mel = spec @ _mel_filters(num_mel, fft_length // 2 + 1, rate, lo, hi or rate // 2)
    if to_db:
        mel = 10 * np.log10(np.maximum(mel, min_power)) - 10 * np.log10(
            max(ref_power, min_power))
        mel = np.maximum(mel, mel.max() - top_db)
    return np.swapaxes(mel, -1, -2)


def stft_reference(x, frame_length, step, fft_length, mode="log", window="hann",
                   scaling="density", padding="valid", channels_last=True, kernels=None):
    """rfft of windowed frames, (batch, channels, bins, frames) arranged as Keras does
    without expand_dims. With ``kernels``, the transform uses them instead of rfft."""
    x = np.asarray(x, "float64")
    if channels_last:
        x = np.swapaxes(x, 1, 2)  # (B, C, T)
    if padding == "same":
        length = x.shape[-1]
        total = max(0, (-(-length // step) - 1) * step + frame_length - length)
        x = np.pad(x, [(0, 0), (0, 0), (total // 2, total - total // 2)])
    win = _window(window, frame_length, periodic=False)
    win = win / np.sqrt(np.sum(win ** 2)) if scaling == "density" else win
    starts = range(0, x.shape[-1] - frame_length + 1, step)
    frames = np.stack([x[..., s:s + frame_length] for s in starts], axis=-1)  # (B, C, L, T')
    if kernels is None:
        z = np.fft.rfft(frames * win[:, None], n=fft_length, axis=-2)  # (B, C, F, T')
    else:  # the layer's own (real, imag) kernels, each (L, 1, F)
        real, imag = (np.einsum("bclt,lf->bcft", frames, k[:, 0]) for k in kernels)
        z = real + 1j * imag
    power = np.abs(z) ** 2
    out = {"real": z.real, "imag": z.imag, "angle": np.angle(z),
           "stft": np.concatenate([z.real, z.imag], axis=2),
           "psd": power * np.r_[1.0, np.full(z.shape[2] - 2, 2.0), 1.0][:, None],
           "magnitude": np.sqrt(np.maximum(power, 1e-7)),
           "log": np.log(np.sqrt(np.maximum(power, 1e-7)))}[mode]
    out = out.reshape(out.shape[0], -1, out.shape[-1])  # (B, C * F, T')
    return np.swapaxes(out, 1, 2) if channels_last else out


# ------------------------------------------------------------ Keras fixtures

@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
@pytest.mark.parametrize("from_keras_config", [False, True], ids=["args", "keras_config"])
def test_matches_keras(case, from_keras_config):
    keras_cases.check_case(case, ARRAYS, from_keras_config=from_keras_config)


@pytest.mark.parametrize("case", INIT_CASES, ids=[c["id"] for c in INIT_CASES])
def test_stft_initial_kernels_match_keras(case):
    cid = case["id"]
    if case["kwargs"].get("window") not in (None, "hann", "hamming") and isinstance(
            case["kwargs"].get("window"), str):
        # cornu computes hann and hamming itself; other named windows come from SciPy
        # (as in Keras), which the `test` extra installs.
        pytest.importorskip("scipy.signal", reason=f"the {case['kwargs']['window']!r} "
                            "window of STFTSpectrogram needs SciPy")
    layers_made = [layers.STFTSpectrogram(**case["kwargs"])]
    if f"{cid}/config" in ARRAYS:
        layers_made.append(layers.deserialize(json.loads(str(ARRAYS[f"{cid}/config"]))))
    for layer in layers_made:
        got, want = _np(layer(ARRAYS[f"{cid}/x"])), ARRAYS[f"{cid}/y"]
        if case["kwargs"].get("mode") == "angle":
            # At the Nyquist bin the imaginary part is float32 round-off in Keras's
            # kernel (sin(pi t) computed in float32) and ~1e-15 in cornu's (float64, then
            # cast), so its angle is noise there; compare the other bins, modulo 2 pi.
            keep = np.arange(got.shape[-1]) % 9 != 8
            got, want = got[..., keep], want[..., keep]
            got = want + (got - want + np.pi) % (2 * np.pi) - np.pi
        np.testing.assert_allclose(got, want, atol=1e-5, rtol=1e-5, err_msg=cid)


# ------------------------------------------------------------ MelSpectrogram

MEL_ARGS = {"fft_length": 32, "sequence_stride": 16, "num_mel_bins": 6, "sampling_rate": 8000}


@pytest.mark.parametrize("extra", [{}, {"power_to_db": False, "mag_exp": 1.0, "window": None},
                                   {"sequence_length": 20, "window": "hamming", "top_db": 10.0,
                                    "min_freq": 200.0, "max_freq": 3500.0, "ref_power": 3.0}])
def test_mel_harness_and_reference(extra):
    kwargs = dict(MEL_ARGS, **extra)
    ref_kwargs = {{"sequence_length": "seq_len", "min_freq": "lo", "max_freq": "hi",
                   "power_to_db": "to_db"}.get(k, k): v for k, v in extra.items()}
    check_layer(layers.MelSpectrogram, kwargs, input_shape=(2, 100),
                expected_output_shape=(2, 6, 7), expected_num_trainable_weights=0,
                train=False, reference=lambda x, w: mel_reference(
                    x, 32, 16, 6, 8000, **ref_kwargs))


def test_mel_unbatched_and_higher_rank():
    x = np.random.default_rng(0).normal(size=(2, 3, 100)).astype("float32")
    layer = layers.MelSpectrogram(**MEL_ARGS, power_to_db=False)
    np.testing.assert_allclose(_np(layer(x[0, 0])), _np(layer(x[:1, :1]))[0, 0], rtol=1e-5)
    assert tuple(layer(x).shape) == (2, 3, 6, 7)


def test_mel_defaults_and_config():
    layer = layers.MelSpectrogram()
    config = layer.get_config()
    assert {k: config[k] for k in ("fft_length", "sequence_stride", "sequence_length",
                                   "window", "sampling_rate", "num_mel_bins", "min_freq",
                                   "max_freq", "power_to_db", "top_db", "mag_exp",
                                   "min_power", "ref_power")} == {
        "fft_length": 2048, "sequence_stride": 512, "sequence_length": 2048, "window": "hann",
        "sampling_rate": 16000, "num_mel_bins": 128, "min_freq": 20.0, "max_freq": 8000,
        "power_to_db": True, "top_db": 80.0, "mag_exp": 2.0, "min_power": 1e-10,
        "ref_power": 1.0}
    assert tuple(layer(np.zeros(16000, "float32")).shape) == (128, 32)


@pytest.mark.parametrize("length", [99, 100, 111, 112])
def test_mel_symbolic_shapes(length):
    layer = layers.MelSpectrogram(**MEL_ARGS)
    eager = tuple(layer(np.zeros((1, length), "float32")).shape)
    assert tuple(layer(cornu.Input((length,))).shape) == (None,) + eager[1:]
    assert tuple(layer(cornu.Input((None,))).shape) == (None, 6, None)


def test_mel_in_functional_model():
    inputs = cornu.Input((100,))
    outputs = layers.Dense(2)(layers.Flatten()(layers.MelSpectrogram(**MEL_ARGS)(inputs)))
    model = cornu.Model(inputs, outputs)
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).normal(size=(4, 100)).astype("float32")
    model.fit(x, np.zeros((4, 2), "float32"), epochs=1, verbose=0)
    assert model.predict(x, verbose=0).shape == (4, 2)


def test_mel_errors():
    with pytest.raises(ValueError, match="MelSpectrogram.*fft_length.*sequence_length"):
        layers.MelSpectrogram(fft_length=32, sequence_length=64)
    with pytest.raises(ValueError, match="MelSpectrogram.*window"):
        layers.MelSpectrogram(window="blackman")
    with pytest.raises(ValueError, match="mel_spectrogram"):
        layers.MelSpectrogram(**MEL_ARGS)(np.float32(1.0))


# ------------------------------------------------------------ STFTSpectrogram

STFT_ARGS = {"frame_length": 16, "frame_step": 8}


@pytest.mark.parametrize("mode", ["log", "magnitude", "psd", "real", "imag", "angle", "stft"])
def test_stft_harness_modes(mode):
    n_kernels = {"real": 1, "imag": 1}.get(mode, 2)
    bins = 18 if mode == "stft" else 9
    # The angle at the Nyquist bin is the sign of round-off (its imaginary part is ~0):
    # that mode is checked with the layer's own kernels, the others against rfft.
    check_layer(layers.STFTSpectrogram, dict(STFT_ARGS, mode=mode), input_shape=(2, 40, 2),
                expected_output_shape=(2, 4, 2 * bins),
                expected_weight_shapes=[(16, 1, 9)] * n_kernels,
                expected_num_trainable_weights=n_kernels,
                reference=lambda x, w: stft_reference(
                    x, 16, 8, 16, mode=mode, kernels=w if mode == "angle" else None))


@pytest.mark.parametrize("kwargs", [
    {"padding": "same", "data_format": "channels_first"},
    {"mode": "psd", "padding": "same", "scaling": None, "window": "hamming"},
    {"mode": "stft", "fft_length": 32, "data_format": "channels_first"},
], ids=["same_cf", "psd_same_hamming", "stft_fft32_cf"])
def test_stft_harness_options(kwargs):
    cf = kwargs.get("data_format") == "channels_first"
    shape = (2, 2, 37) if cf else (2, 37, 2)
    ref_kwargs = {k: v for k, v in kwargs.items() if k not in ("data_format", "fft_length")}
    check_layer(layers.STFTSpectrogram, dict(STFT_ARGS, **kwargs), input_shape=shape,
                reference=lambda x, w: stft_reference(
                    x, 16, 8, kwargs.get("fft_length", 16), channels_last=not cf,
                    **ref_kwargs))


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_stft_expand_dims(data_format):
    x = np.random.default_rng(0).normal(size=(2, 40, 3)).astype("float32")
    if data_format == "channels_first":
        x = np.swapaxes(x, 1, 2)
    flat = _np(layers.STFTSpectrogram(**STFT_ARGS, data_format=data_format)(x))
    image = _np(layers.STFTSpectrogram(**STFT_ARGS, data_format=data_format,
                                       expand_dims=True)(x))
    if data_format == "channels_last":  # (B, T', C * F) vs (B, T', F, C)
        assert image.shape == (2, 4, 9, 3)
        np.testing.assert_allclose(image, flat.reshape(2, 4, 3, 9).transpose(0, 1, 3, 2))
    else:  # (B, C * F, T') vs (B, C, T', F)
        assert image.shape == (2, 3, 4, 9)
        np.testing.assert_allclose(image, flat.reshape(2, 3, 9, 4).transpose(0, 1, 3, 2))


def test_stft_defaults_weights_and_config():
    layer = layers.STFTSpectrogram()
    layer(np.zeros((1, 512, 1), "float32"))
    assert [w.path.split("/")[-1] for w in layer.weights] == ["real_kernel", "imag_kernel"]
    assert [tuple(w.shape) for w in layer.weights] == [(256, 1, 129)] * 2
    config = layer.get_config()
    assert {k: config[k] for k in ("mode", "frame_length", "frame_step", "fft_length",
                                   "window", "periodic", "scaling", "padding",
                                   "expand_dims", "data_format")} == {
        "mode": "log", "frame_length": 256, "frame_step": None, "fft_length": None,
        "window": "hann", "periodic": False, "scaling": "density", "padding": "valid",
        "expand_dims": False, "data_format": "channels_last"}
    frozen = layers.STFTSpectrogram(**STFT_ARGS, trainable=False)
    frozen(np.zeros((1, 40, 1), "float32"))
    assert not frozen.trainable_weights and len(frozen.non_trainable_weights) == 2


def test_stft_array_window_round_trips():
    win = np.hanning(16)
    layer = layers.STFTSpectrogram(**STFT_ARGS, window=win, scaling=None, mode="real")
    clone = layers.STFTSpectrogram.from_config(json.loads(json.dumps(layer.get_config())))
    x = np.random.default_rng(0).normal(size=(1, 40, 1)).astype("float32")
    np.testing.assert_allclose(_np(clone(x)), _np(layer(x)))
    z = np.fft.rfft(np.stack([x[0, s:s + 16, 0] * win for s in range(0, 25, 8)]), axis=-1)
    np.testing.assert_allclose(_np(layer(x))[0], z.real, atol=1e-5)


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_stft_unknown_length_is_symbolic(padding, data_format):
    layer = layers.STFTSpectrogram(**STFT_ARGS, padding=padding, data_format=data_format)
    shape = (None, 2) if data_format == "channels_last" else (2, None)
    expected = (None, None, 18) if data_format == "channels_last" else (None, 18, None)
    assert tuple(layer(cornu.Input(shape)).shape) == expected
    for length in (37, 40, 41):
        x = np.zeros((1,) + tuple(length if d is None else d for d in shape), "float32")
        eager = tuple(layer(x).shape)
        known = tuple(layer(cornu.Input(x.shape[1:])).shape)
        assert known == (None,) + eager[1:]


def test_stft_trains_in_a_functional_model():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 40, 1)).astype("float32")
    y = rng.normal(size=(8, 1)).astype("float32")
    inputs = cornu.Input((40, 1))
    stft = layers.STFTSpectrogram(**STFT_ARGS, mode="magnitude", trainable=True)
    outputs = layers.Dense(1)(layers.GlobalAveragePooling1D()(stft(inputs)))
    model = cornu.Model(inputs, outputs)
    before = [w.numpy().copy() for w in stft.weights]
    model.compile(optimizer=cornu.optimizers.Adam(0.01), loss="mse")
    history = model.fit(x, y, epochs=3, batch_size=4, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    for w, b in zip(stft.weights, before):
        assert not np.allclose(w.numpy(), b), w.path
    frozen = layers.STFTSpectrogram(**STFT_ARGS, trainable=False)
    inputs = cornu.Input((40, 1))
    model = cornu.Model(inputs, layers.Dense(1)(layers.Flatten()(frozen(inputs))))
    before = [w.numpy().copy() for w in frozen.weights]
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, epochs=1, verbose=0)
    for w, b in zip(frozen.weights, before):
        np.testing.assert_array_equal(w.numpy(), b)


def test_stft_float64_input_keeps_dtype():
    x = np.random.default_rng(0).normal(size=(1, 40, 1))
    layer = layers.STFTSpectrogram(**STFT_ARGS, mode="real", dtype="float64")
    assert backend.standardize_dtype(layer(x).dtype) == "float64"


def test_stft_errors():
    name = "STFTSpectrogram"
    with pytest.raises(ValueError, match=f"{name}.*frame_step"):
        layers.STFTSpectrogram(frame_length=16, frame_step=17)
    with pytest.raises(ValueError, match=f"{name}.*fft_length"):
        layers.STFTSpectrogram(frame_length=16, fft_length=8)
    with pytest.warns(UserWarning, match="power of two"):
        layers.STFTSpectrogram(frame_length=16, fft_length=20)
    for arg, value in (("mode", "power"), ("scaling", "l2"), ("padding", "causal")):
        with pytest.raises(ValueError, match=f"{name}.*{arg}"):
            layers.STFTSpectrogram(**{arg: value})
    with pytest.raises(ValueError, match=f"{name}.*window"):
        layers.STFTSpectrogram(window="no_such_window")
    with pytest.raises(ValueError, match="stft_spectrogram.*ndim=3|stft_spectrogram.*rank"):
        layers.STFTSpectrogram(**STFT_ARGS)(np.zeros((2, 40), "float32"))
    with pytest.raises(TypeError, match=f"{name}.*float"):
        layers.STFTSpectrogram(**STFT_ARGS)(np.zeros((2, 40, 1), "int32"))
