"""audio_dataset_from_directory: WAV decoding (checked against Python's `wave` module
and SciPy's reader), padding, labels, resampling and errors."""
import struct
import wave

import numpy as np
import pytest

import cornu
from cornu.utils.audio_dataset_utils import read_wav

RATE = 8000


def write_pcm(path, samples, width=2, rate=RATE):
    """A PCM WAV of int samples (frames, channels) through the stdlib `wave` module."""
    samples = np.asarray(samples)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(samples.shape[1])
        w.setsampwidth(width)
        w.setframerate(rate)
        if width == 1:
            w.writeframes(samples.astype("u1").tobytes())
        elif width == 3:
            b = samples.astype("<i4").view("u1").reshape(-1, 4)[:, :3]
            w.writeframes(b.tobytes())
        else:
            w.writeframes(samples.astype(f"<i{width}").tobytes())


def write_float(path, samples, rate=RATE):
    samples = np.asarray(samples, dtype="<f4")
    channels = samples.shape[1]
    data = samples.tobytes()
    fmt = struct.pack("<HHIIHH", 3, channels, rate, rate * 4 * channels, 4 * channels, 32)
    body = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack(
        "<I", len(data)) + data
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)


@pytest.mark.parametrize("width, scale", [(2, 32768.0), (4, 2.0 ** 31), (3, 2.0 ** 23)])
def test_read_pcm_matches_the_integer_samples(tmp_path, width, scale):
    rng = np.random.default_rng(width)
    lim = int(scale)
    samples = rng.integers(-lim, lim, size=(50, 2))
    write_pcm(tmp_path / "a.wav", samples, width=width)
    audio, rate = read_wav(tmp_path / "a.wav")
    assert rate == RATE and audio.dtype == np.float32 and audio.shape == (50, 2)
    np.testing.assert_allclose(audio, samples / scale, rtol=1e-6)


def test_read_8bit_and_float_and_scipy_agrees(tmp_path):
    write_pcm(tmp_path / "u8.wav", np.array([[0], [128], [255]]), width=1)
    audio, _ = read_wav(tmp_path / "u8.wav")
    np.testing.assert_allclose(audio[:, 0], [-1.0, 0.0, 127 / 128])
    values = np.linspace(-1, 1, 30, dtype="float32").reshape(15, 2)
    write_float(tmp_path / "f.wav", values)
    audio, _ = read_wav(tmp_path / "f.wav")
    np.testing.assert_array_equal(audio, values)
    wavfile = pytest.importorskip("scipy.io.wavfile", reason="SciPy reads the WAV independently")
    rate, ref = wavfile.read(tmp_path / "f.wav")
    np.testing.assert_array_equal(audio, ref)


def test_not_a_wav_file_says_so(tmp_path):
    (tmp_path / "x.wav").write_bytes(b"ID3 not audio")
    with pytest.raises(ValueError, match="not a WAV file"):
        read_wav(tmp_path / "x.wav")


@pytest.fixture
def audio_dir(tmp_path):
    # class a: 3 clips of 100..300 samples; class b: 2 clips; mono, int16.
    lengths = {"a": [100, 200, 300], "b": [150, 250]}
    for label, lens in lengths.items():
        (tmp_path / label).mkdir()
        for i, n in enumerate(lens):
            write_pcm(tmp_path / label / f"{i}.wav", np.full((n, 1), 1000 * (i + 1)))
    return tmp_path


def test_batches_are_padded_to_their_longest_clip(audio_dir, capsys):
    ds = cornu.utils.audio_dataset_from_directory(audio_dir, batch_size=5, shuffle=False)
    assert "Found 5 files belonging to 2 classes." in capsys.readouterr().out
    assert ds.class_names == ["a", "b"]
    audio, labels = ds[0]
    assert audio.shape == (5, 300, 1) and audio.dtype == np.float32
    assert labels.tolist() == [0, 0, 0, 1, 1]
    # the first clip: 100 samples of 1000/32768, then zeros
    np.testing.assert_allclose(audio[0, :100, 0], 1000 / 32768)
    assert not audio[0, 100:].any()


def test_output_sequence_length_label_modes_and_ragged(audio_dir):
    ds = cornu.utils.audio_dataset_from_directory(
        audio_dir, batch_size=2, shuffle=False, output_sequence_length=120,
        label_mode="categorical", verbose=False)
    audio, labels = ds[0]
    assert audio.shape == (2, 120, 1) and labels.shape == (2, 2)
    ragged = cornu.utils.audio_dataset_from_directory(
        audio_dir, batch_size=5, shuffle=False, ragged=True, label_mode=None, verbose=False)
    assert [len(c) for c in ragged[0]] == [100, 200, 300, 150, 250]
    single = cornu.utils.audio_dataset_from_directory(
        audio_dir, batch_size=None, shuffle=False, verbose=False)
    audio, label = single[4]
    assert audio.shape == (250, 1) and int(label) == 1


def test_validation_split_and_resampling(audio_dir):
    train, val = cornu.utils.audio_dataset_from_directory(
        audio_dir, batch_size=8, validation_split=0.4, subset="both", seed=1, verbose=False)
    assert train.num_samples == 3 and val.num_samples == 2
    pytest.importorskip("scipy.signal", reason="resampling uses SciPy")
    ds = cornu.utils.audio_dataset_from_directory(
        audio_dir, batch_size=5, shuffle=False, sampling_rate=RATE // 2, verbose=False)
    assert ds[0][0].shape == (5, 150, 1)


def test_argument_errors(audio_dir):
    with pytest.raises(ValueError, match="ragged"):
        cornu.utils.audio_dataset_from_directory(audio_dir, ragged=True,
                                                 output_sequence_length=10)
    with pytest.raises(ValueError, match="sampling_rate"):
        cornu.utils.audio_dataset_from_directory(audio_dir, sampling_rate=-5)
    with pytest.raises(ValueError, match="format"):
        cornu.utils.audio_dataset_from_directory(audio_dir, format="torch")


def test_trains_with_fit(audio_dir):
    ds = cornu.utils.audio_dataset_from_directory(audio_dir, batch_size=2, verbose=False,
                                                  output_sequence_length=64)
    model = cornu.Sequential([cornu.Input((64, 1)), cornu.layers.Flatten(),
                              cornu.layers.Dense(2)])
    model.compile("adam", cornu.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(ds, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
