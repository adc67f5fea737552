"""The benchmark data: numpy arrays from a fixed seed, the same for every implementation."""
import numpy as np


def make(workload, n, seed=0):
    """``(x, y)`` with ``n`` samples for a fit workload (``y`` is None for predict1)."""
    rng = np.random.default_rng(seed)
    if workload in ("mlp", "predict1"):  # MNIST-shaped: 784 pixels in [0, 1), 10 classes
        x = rng.random((n, 784), dtype=np.float32)
        return x, rng.integers(0, 10, n).astype(np.int64)
    if workload == "cnn":  # mnist_convnet: (28, 28, 1) images, one-hot labels
        x = rng.random((n, 28, 28, 1), dtype=np.float32)
        return x, np.eye(10, dtype=np.float32)[rng.integers(0, 10, n)]
    if workload == "lstm":  # IMDB-shaped: word ids < 5000, padded to 200 (pad_sequences: int32)
        x = rng.integers(0, 5000, (n, 200)).astype(np.int32)
        return x, rng.integers(0, 2, (n, 1)).astype(np.float32)
    if workload == "tiny":  # linear regression on 10 features
        x = rng.standard_normal((n, 10), dtype=np.float32)
        w = rng.standard_normal((10, 1), dtype=np.float32)
        return x, (x @ w + 0.1 * rng.standard_normal((n, 1), dtype=np.float32))
    if workload in ("resnet50", "effnetb0", "resnet50_fit", "effnetb0_fit"):
        # ImageNet-shaped: (224, 224, 3) pixels in [0, 255), 1000 classes
        x = rng.uniform(0, 255, (n, 224, 224, 3)).astype(np.float32)
        return x, rng.integers(0, 1000, n).astype(np.int64)
    raise ValueError(f"No data for workload {workload!r}.")


def layer_call(seed=0):
    """``(x, kernel, bias)`` for the eager Dense(64) call: x (32, 64), kernel (64, 64)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((32, 64), dtype=np.float32)
    kernel = rng.standard_normal((64, 64), dtype=np.float32) / 8.0
    bias = rng.standard_normal(64, dtype=np.float32)
    return x, kernel, bias
