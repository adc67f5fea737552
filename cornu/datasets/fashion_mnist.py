"""Fashion-MNIST: 70,000 28x28 grey images of 10 kinds of clothing (Zalando, MIT licence).

Labels: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt,
7 Sneaker, 8 Bag, 9 Ankle boot.
"""
import gzip
import os

import numpy as np

ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILE_HASHES = {
    "train-labels-idx1-ubyte.gz":
        "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    "train-images-idx3-ubyte.gz":
        "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    "t10k-labels-idx1-ubyte.gz":
        "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    "t10k-images-idx3-ubyte.gz":
        "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
}


def _read(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def load_data():
    """Load Fashion-MNIST, downloading its four IDX files once.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images of shape (60000, 28, 28)
        and (10000, 28, 28), and uint8 labels 0..9 of shape (60000,) and (10000,).
    """
    from cornu.utils.file_utils import get_file
    paths = {name: get_file(name, origin=ORIGIN_FOLDER + name,
                            cache_subdir=os.path.join("datasets", "fashion-mnist"),
                            file_hash=digest)
             for name, digest in FILE_HASHES.items()}
    y_train = _read(paths["train-labels-idx1-ubyte.gz"], 8)
    x_train = _read(paths["train-images-idx3-ubyte.gz"], 16).reshape(len(y_train), 28, 28)
    y_test = _read(paths["t10k-labels-idx1-ubyte.gz"], 8)
    x_test = _read(paths["t10k-images-idx3-ubyte.gz"], 16).reshape(len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)
