"""Boston housing prices: 506 samples of 13 features; targets are prices in k$."""
from cornu.datasets._housing import split
from cornu.datasets._safe_load import load_npz

ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILE_HASH = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """Load the Boston housing data, downloading it once.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: float64 arrays of shape (n, 13) and (n,).
    """
    from cornu.utils.file_utils import get_file
    path = get_file(path, origin=ORIGIN_FOLDER + "boston_housing.npz", file_hash=FILE_HASH)
    f = load_npz(path)
    return split(f["x"], f["y"], test_split, seed)
