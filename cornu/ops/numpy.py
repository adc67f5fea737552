"""numpy-like ops (``keras.ops.numpy``)."""
from cornu import backend as _backend
from cornu.backend.common.keras_tensor import KerasTensor as _KerasTensor
from cornu.ops._dispatch import backend_module as _backend_module, export as _export

__all__ = _export(_backend.numpy, globals()) + _export(_backend_module("statistics"), globals())

_unique = unique  # noqa: F821 (made by _export)


def unique(x, sorted=True, return_index=False, return_inverse=False, return_counts=False,
           axis=None, size=None, fill_value=None):
    """The unique entries of ``x``, or its unique slices along ``axis``.

    Args:
        x: Input tensor.
        sorted: Return the unique values in ascending order.
        return_index: Also return the index (int32) of each value's first occurrence.
        return_inverse: Also return the index (int32) into the result of each entry of ``x``.
        return_counts: Also return how often (int32) each value occurs.
        axis: None (the flattened ``x``) or the axis whose slices are compared.
        size: A fixed length for the result, for static shapes (cut, or padded with
            ``fill_value``).
        fill_value: The padding of the unique values (0 when None).

    Returns:
        The unique values, or a tuple ``(values, [index], [inverse], [counts])``. On a
        KerasTensor without ``size`` the length of the unique values is None (data-dependent).
    """
    out = _unique(x, sorted=sorted, return_index=return_index, return_inverse=return_inverse,
                  return_counts=return_counts, axis=axis, size=size, fill_value=fill_value)
    if size is None and isinstance(x, _KerasTensor):
        # the placeholder run gave an upper bound; the true length is known only at run time
        outs = out if isinstance(out, tuple) else (out,)
        d = 0 if axis is None else axis % len(x.shape)
        outs[0].shape = outs[0].shape[:d] + (None,) + outs[0].shape[d + 1:]
        if return_index:
            outs[1].shape = (None,)
        if return_counts:
            outs[-1].shape = (None,)
    return out


unique.__module__ = "cornu.ops"
