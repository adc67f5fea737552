"""The UCI handwritten digits: 1,797 8x8 grey images of the digits 0-9, shipped with cornu.

Source: E. Alpaydin and C. Kaynak, "Optical Recognition of Handwritten Digits",
UCI Machine Learning Repository (CC BY 4.0). Pixels are counts 0..16.
"""
import os

import numpy as np

_PATH = os.path.join(os.path.dirname(__file__), "data", "digits.npz")


def load_data(test_split=0.2, seed=113):
    """Load the digits, shuffled with ``seed`` and split.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images of shape (n, 8, 8)
        with values 0..16, and uint8 labels 0..9.
    """
    if not 0 <= test_split < 1:
        raise ValueError(f"test_split must be in [0, 1); received {test_split}.")
    with np.load(_PATH, allow_pickle=False) as data:
        x, y = data["x"], data["y"]
    order = np.random.RandomState(seed).permutation(len(x))
    x, y = x[order], y[order]
    cut = int(len(x) * (1 - test_split))
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])
