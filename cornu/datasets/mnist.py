"""MNIST: 70,000 28x28 grey images of handwritten digits (LeCun, Cortes and Burges)."""
from cornu.datasets._safe_load import load_npz

ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILE_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


def load_data(path="mnist.npz"):
    """Load MNIST, downloading it once into ``~/.cornu/datasets``.

    Args:
        path: the file name in the cache.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images of shape (60000, 28, 28)
        and (10000, 28, 28) with values 0..255, and uint8 labels 0..9 of shape (60000,)
        and (10000,).
    """
    from cornu.utils.file_utils import get_file
    path = get_file(path, origin=ORIGIN_FOLDER + "mnist.npz", file_hash=FILE_HASH)
    f = load_npz(path)
    return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
