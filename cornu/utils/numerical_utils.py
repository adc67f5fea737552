"""Label and array helpers: to_categorical, normalize."""
import numpy as np


def to_categorical(x, num_classes=None):
    """One-hot encode integer labels: ``to_categorical([0, 2], 3)`` ->
    ``[[1, 0, 0], [0, 0, 1]]`` (float32; a trailing axis of size 1 is dropped)."""
    x = np.asarray(x, dtype="int64")
    shape = x.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    x = x.reshape(-1)
    if x.size and x.min() < 0:
        raise ValueError(f"to_categorical expects non-negative labels; received {x.min()}.")
    if num_classes is None:
        num_classes = int(x.max()) + 1 if x.size else 0
    if x.size and x.max() >= num_classes:
        raise ValueError(
            f"to_categorical: label {int(x.max())} is out of range for num_classes="
            f"{num_classes}; labels must be in [0, {num_classes - 1}].")
    out = np.zeros((x.size, num_classes), dtype="float32")
    out[np.arange(x.size), x] = 1
    return out.reshape(shape + (num_classes,))


def normalize(x, axis=-1, order=2):
    """``x`` divided by its ``order``-norm along ``axis`` (zero vectors stay zero).

    A tensor (one that carries gradients too, inside a loss) gives a tensor, computed
    with ``cornu.ops`` so that gradients flow through it, as Keras 3 does; anything else
    gives a numpy array.
    """
    if not isinstance(x, (np.ndarray, list, tuple, int, float)):
        from cornu import ops
        if order == 2:
            return ops.normalize(x, axis=axis, order=2)
        norm = ops.norm(x, ord=order, axis=axis, keepdims=True)
        return x / ops.where(norm == 0, ops.ones_like(norm), norm)
    x = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)
