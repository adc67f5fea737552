"""audio_dataset_from_directory: a folder of class subfolders of .wav files, as batches.

WAV files are decoded here (PCM of 8, 16, 24 and 32 bits, and IEEE float), with no
TensorFlow or tensorflow-io; samples come out as float32 in [-1, 1], as
``tf.audio.decode_wav`` gives them. Resampling (``sampling_rate``) uses SciPy's FFT
resampler, as Keras's grain path does.
"""
import struct

import numpy as np

from cornu.utils import dataset_utils

ALLOWED_FORMATS = (".wav",)
_PCM, _FLOAT, _EXTENSIBLE = 1, 3, 0xFFFE


def read_wav(path):
    """``(audio, sampling_rate)`` of a WAV file: audio float32 of shape (samples, channels)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError(f"{path} is not a WAV file (no RIFF/WAVE header).")
    fmt = samples = None
    pos = 12
    while pos + 8 <= len(data):
        chunk, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        body = data[pos + 8:pos + 8 + size]
        if chunk == b"fmt " and len(body) >= 16:
            fmt = struct.unpack("<HHIIHH", body[:16])
            if fmt[0] == _EXTENSIBLE and len(body) >= 26:  # the real format is in the GUID
                fmt = (struct.unpack("<H", body[24:26])[0],) + fmt[1:]
        elif chunk == b"data":
            samples = body
        pos += 8 + size + (size & 1)  # chunks are padded to an even size
    if fmt is None or samples is None:
        raise ValueError(f"{path}: a WAV file needs a 'fmt ' and a 'data' chunk.")
    kind, channels, rate, _, _, bits = fmt
    width = bits // 8
    if channels < 1 or width < 1:
        raise ValueError(f"{path}: invalid WAV format ({channels} channels, {bits} bits).")
    samples = samples[:len(samples) - len(samples) % (width * channels)]
    if kind == _FLOAT and bits in (32, 64):
        audio = np.frombuffer(samples, dtype=f"<f{width}").astype("float32")
    elif kind == _PCM and bits == 8:  # unsigned, centred on 128
        audio = (np.frombuffer(samples, dtype="u1").astype("float32") - 128.0) / 128.0
    elif kind == _PCM and bits in (16, 32):
        audio = np.frombuffer(samples, dtype=f"<i{width}").astype("float32") / 2.0 ** (bits - 1)
    elif kind == _PCM and bits == 24:  # three little-endian bytes, sign-extended
        raw = np.frombuffer(samples, dtype="u1").reshape(-1, 3).astype("int32")
        values = raw[:, 0] | (raw[:, 1] << 8) | (raw[:, 2] << 16)
        values = np.where(values >= 1 << 23, values - (1 << 24), values)
        audio = values.astype("float32") / 2.0 ** 23
    else:
        raise ValueError(f"{path}: unsupported WAV encoding (format {kind}, {bits} bits); "
                         "expected PCM of 8, 16, 24 or 32 bits, or 32/64-bit float.")
    return audio.reshape(-1, channels), rate


def _resample(audio, rate, sampling_rate, path):
    if sampling_rate is None or rate == sampling_rate:
        return audio
    try:
        from scipy import signal
    except ImportError:
        raise ImportError(
            f"Resampling {path} from {rate} Hz to sampling_rate={sampling_rate} needs SciPy "
            "(`pip install scipy`); or pass sampling_rate=None to keep each file's rate."
        ) from None
    count = int(round(len(audio) * sampling_rate / rate))
    return signal.resample(audio, count, axis=0).astype("float32")


def _fit_length(audio, length):
    """``audio`` cut or zero-padded (at the end) to ``length`` samples."""
    audio = audio[:length]
    if len(audio) < length:
        audio = np.concatenate([audio, np.zeros((length - len(audio), audio.shape[1]),
                                                dtype=audio.dtype)])
    return audio


def audio_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                 class_names=None, batch_size=32, sampling_rate=None,
                                 output_sequence_length=None, ragged=False, shuffle=True,
                                 seed=None, validation_split=None, subset=None,
                                 follow_links=False, format="tf", verbose=True):
    """Batches of ``(audio, labels)`` from ``directory/<class>/<file>.wav`` files.

    Args:
        directory: the folder; with ``labels="inferred"``, one subfolder per class.
        labels: ``"inferred"``, None, or a list of integer labels (one per file, in
            the sorted order of the file paths).
        label_mode: ``"int"``, ``"categorical"``, ``"binary"`` or None.
        class_names: the class subfolders, in label order (``labels="inferred"`` only).
        batch_size: samples per batch (None: one sample at a time).
        sampling_rate: resample every file to this rate (needs SciPy), or None.
        output_sequence_length: cut or zero-pad every file to this many samples; when
            None, each batch is padded to its longest file.
        ragged: batches are lists of arrays of their own lengths (cornu has no ragged
            tensors; Keras gives a ``tf.RaggedTensor``).
        shuffle, seed, validation_split, subset, follow_links, verbose: as in
            ``image_dataset_from_directory``.
        format: accepted for Keras compatibility (``"tf"`` or ``"grain"``); cornu always
            returns its own dataset.

    Returns:
        A ``BatchDataset`` (a ``PyDataset``) yielding ``(audio, labels)`` with audio
        float32 of shape ``(batch, sequence_length, channels)`` in [-1, 1], or audio
        alone when there are no labels; ``[training, validation]`` with ``subset="both"``.
    """
    if format not in ("tf", "grain"):
        raise ValueError(f'`format` should be either "tf" or "grain". Received: format={format!r}')
    if ragged and output_sequence_length is not None:
        raise ValueError("Cannot set both `ragged` and `output_sequence_length`: a ragged "
                         "batch keeps each file's own length.")
    if sampling_rate is not None and (isinstance(sampling_rate, bool) or not isinstance(
            sampling_rate, (int, np.integer)) or sampling_rate <= 0):
        raise ValueError("`sampling_rate` should be a positive integer (samples per second). "
                         f"Received: sampling_rate={sampling_rate!r}")
    dataset_utils.check_labels_arg(labels, label_mode)
    paths, all_labels, label_mode, class_names, seed = dataset_utils.index_labelled_files(
        directory, labels, label_mode, ALLOWED_FORMATS, class_names, validation_split,
        subset, shuffle, seed, follow_links, verbose)

    def make(part):
        files, targets = dataset_utils.split_files(paths, all_labels, label_mode, class_names,
                                                   validation_split, part, verbose)

        def decode(path):
            audio, rate = read_wav(path)
            audio = _resample(audio, rate, sampling_rate, path)
            return audio if output_sequence_length is None else _fit_length(
                audio, output_sequence_length)

        def load(indices):
            clips = [decode(files[i]) for i in indices]
            if ragged and batch_size is not None:
                audio = clips
            else:  # padded to the longest clip of the batch, as tf's padded_batch
                longest = max(len(c) for c in clips)
                audio = np.stack([_fit_length(c, longest) for c in clips])
            return audio if targets is None else (audio, targets[indices])
        dataset = dataset_utils.BatchDataset(len(files), load, batch_size=batch_size,
                                             shuffle=shuffle, seed=seed)
        dataset.class_names = class_names
        dataset.file_paths = files
        return dataset
    return dataset_utils.labelled_datasets(subset, make)
