"""California housing prices (1990 census): 20,640 block groups of 8 features; targets
are median house values in dollars."""
from cornu.datasets._housing import split
from cornu.datasets._safe_load import load_npz

ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILE_HASH = "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"


def load_data(version="large", path="california_housing.npz", test_split=0.2, seed=113):
    """Load the California housing data, downloading it once.

    Args:
        version: "large" (all 20,640 samples) or "small" (the first 600).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: float arrays of shape (n, 8) and (n,).
    """
    if version not in ("small", "large"):
        raise ValueError(f"`version` must be 'small' or 'large'; received version={version!r}.")
    from cornu.utils.file_utils import get_file
    path = get_file(path, origin=ORIGIN_FOLDER + "california_housing.npz",
                    file_hash=FILE_HASH)
    f = load_npz(path)
    x, y = f["x"], f["y"]
    if version == "small":
        x, y = x[:600], y[:600]
    return split(x, y, test_split, seed)
