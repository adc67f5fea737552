"""The CIFAR "python version" batches: pickles of {b"data": uint8 (n, 3072), b"labels": [..]}.

They are read by the restricted unpickler of ``_safe_load`` (numpy arrays only; no
code from the file runs).
"""
import numpy as np

from cornu.datasets._safe_load import load_pickle


def load_batch(fpath, label_key="labels"):
    """One batch file as ``(data, labels)``: uint8 (n, 3, 32, 32) and a list of ints."""
    with open(fpath, "rb") as f:
        d = load_pickle(f, encoding="bytes")
    if not isinstance(d, dict):
        raise ValueError(f"{fpath} is not a CIFAR batch: it holds a {type(d).__name__}.")
    d = {k.decode("utf8") if isinstance(k, bytes) else k: v for k, v in d.items()}
    data = np.asarray(d["data"])
    return data.reshape(data.shape[0], 3, 32, 32), d[label_key]


def channels_last(x):
    """(n, 3, 32, 32) -> (n, 32, 32, 3) when the image data format is channels_last."""
    from cornu.backend import config
    if config.image_data_format() == "channels_last":
        return x.transpose(0, 2, 3, 1)
    return x
