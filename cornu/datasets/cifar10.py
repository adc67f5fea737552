"""CIFAR-10: 60,000 32x32 colour images in 10 classes (Krizhevsky, 2009).

Labels: 0 airplane, 1 automobile, 2 bird, 3 cat, 4 deer, 5 dog, 6 frog, 7 horse,
8 ship, 9 truck.
"""
import os

import numpy as np

from cornu.datasets.cifar import channels_last, load_batch

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
FILE_HASH = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"


def load_data():
    """Load CIFAR-10, downloading and extracting it once.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images of shape (50000, 32, 32, 3)
        and (10000, 32, 32, 3) (channels first with ``image_data_format
        "channels_first"``), and uint8 labels 0..9 of shape (50000, 1) and (10000, 1).
    """
    from cornu.utils.file_utils import get_file
    path = get_file(fname="cifar-10-batches-py-target", origin=ORIGIN, extract=True,
                    file_hash=FILE_HASH)
    path = os.path.join(path, "cifar-10-batches-py")
    parts = [load_batch(os.path.join(path, f"data_batch_{i}")) for i in range(1, 6)]
    x_train = np.concatenate([x for x, _ in parts]).astype("uint8")
    y_train = np.concatenate([np.asarray(y, dtype="uint8") for _, y in parts])
    x_test, y_test = load_batch(os.path.join(path, "test_batch"))
    x_test = x_test.astype("uint8")
    y_test = np.asarray(y_test, dtype="uint8")
    return ((channels_last(x_train), y_train.reshape(-1, 1)),
            (channels_last(x_test), y_test.reshape(-1, 1)))
