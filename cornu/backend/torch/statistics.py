"""Order statistics, NaN-ignoring reductions and ``unique`` (``keras.ops.numpy`` names).

Kept apart from numpy.py (which passed 1,000 lines); ``cornu.ops.numpy`` exports both.
Float results follow Keras: int and bool inputs become floatx, float64 stays float64.
"""
import torch

from cornu.backend.torch.core import convert_to_tensor, in_symbolic_scope
from cornu.backend.torch.numpy import (
    _flat_axes, _floatx, _int32, _to_float, argmax, argmin, cumprod, cumsum, quantile,
)


def percentile(x, q, axis=None, method="linear", keepdims=False):
    """The ``q``-th percentiles (``q`` in [0, 100]) along ``axis``; q's shape leads the result.

    Args:
        x: Input tensor.
        q: A percentile or a tensor of percentiles.
        axis: An axis, a tuple of axes, or None for all axes.
        method: ``"linear"``, ``"lower"``, ``"higher"``, ``"midpoint"`` or ``"nearest"``.
        keepdims: Keep the reduced axes with size 1.

    Returns:
        The percentiles, a float tensor.
    """
    return quantile(x, convert_to_tensor(q, dtype=_floatx()) / 100.0, axis=axis,
                    method=method, keepdims=keepdims)


def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    """The ``q``-th quantiles (``q`` in [0, 1]) along ``axis``, NaNs ignored (NaN where a
    slice holds only NaNs). Arguments as for ``quantile``."""
    x = _to_float(x)
    q = convert_to_tensor(q, dtype=x.dtype)
    y, keep_shape = _flat_axes(x, axis)
    out = torch.nanquantile(y, q, dim=-1, interpolation=method)
    return out.reshape(tuple(q.shape) + tuple(keep_shape)) if keepdims else out


def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    """The ``q``-th percentiles (``q`` in [0, 100]) along ``axis``, NaNs ignored."""
    return nanquantile(x, convert_to_tensor(q, dtype=_floatx()) / 100.0, axis=axis,
                       method=method, keepdims=keepdims)


def nanmedian(x, axis=None, keepdims=False):
    """Median along ``axis`` (all axes when None) of the non-NaN entries."""
    if axis == () or axis == []:
        return _to_float(x)
    return nanquantile(x, 0.5, axis=axis, keepdims=keepdims)


def _axes(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def nanvar(x, axis=None, keepdims=False):
    """Variance along ``axis`` of the non-NaN entries (NaN where there are none)."""
    x = _to_float(x)
    axis = _axes(axis)
    if axis == ():
        return torch.where(torch.isnan(x), x, torch.zeros_like(x))
    valid = ~torch.isnan(x)
    mean = torch.nanmean(x, dim=axis, keepdim=True)
    centered = torch.where(valid, x - mean, torch.zeros_like(x))
    squares = centered.real ** 2 + centered.imag ** 2 if x.is_complex() else centered ** 2
    count = valid.sum(dim=axis, keepdim=keepdims)
    return squares.sum(dim=axis, keepdim=keepdims) / count


def nanstd(x, axis=None, keepdims=False):
    """Standard deviation along ``axis`` of the non-NaN entries."""
    return torch.sqrt(nanvar(x, axis=axis, keepdims=keepdims))


def _nan_arg(fn, fill, x, axis, keepdims):
    x = convert_to_tensor(x)
    if not x.is_floating_point():
        return fn(x, axis=axis, keepdims=keepdims)
    nan = torch.isnan(x)
    out = fn(torch.where(nan, fill, x), axis=axis, keepdims=keepdims)
    all_nan = nan.all() if axis is None else nan.all(dim=axis, keepdim=keepdims)
    if axis is None and keepdims:
        all_nan = all_nan.reshape(out.shape)
    return torch.where(all_nan, torch.full_like(out, -1), out)


def nanargmax(x, axis=None, keepdims=False):
    """Index (int32) of the maximum along ``axis`` ignoring NaNs; -1 where all are NaN."""
    return _nan_arg(argmax, -float("inf"), x, axis, keepdims)


def nanargmin(x, axis=None, keepdims=False):
    """Index (int32) of the minimum along ``axis`` ignoring NaNs; -1 where all are NaN."""
    return _nan_arg(argmin, float("inf"), x, axis, keepdims)


def _nan_as(x, value):
    x = convert_to_tensor(x)
    if x.is_floating_point() or x.is_complex():
        return torch.where(torch.isnan(x), torch.full_like(x, value), x)
    return x


def nancumsum(x, axis=None, dtype=None):
    """Cumulative sum along ``axis`` (of the flattened ``x`` when None), NaNs counted as 0.

    Unlike Keras on torch (which also turns infinities into the dtype's largest values),
    infinities are kept, as in ``numpy.nancumsum``.
    """
    return cumsum(_nan_as(x, 0), axis=axis, dtype=dtype)


def nancumprod(x, axis=None, dtype=None):
    """Cumulative product along ``axis`` (flattened when None), NaNs counted as 1
    (infinities kept, as in ``numpy.nancumprod``)."""
    return cumprod(_nan_as(x, 1), axis=axis, dtype=dtype)


def _fit(t, dim, size, fill):
    """``t`` cut or padded with ``fill`` along ``dim`` to length ``size``."""
    n = t.shape[dim]
    if n >= size:
        return t.narrow(dim, 0, size)
    shape = list(t.shape)
    shape[dim] = size - n
    return torch.cat([t, torch.full(shape, fill, dtype=t.dtype, device=t.device)], dim)


def _unique_placeholder(x, dim, size, return_index, return_inverse, return_counts):
    """Meta tensors standing for unique's results during shape inference: the data-dependent
    length is ``size`` or its upper bound (``cornu.ops.unique`` then marks it unknown)."""
    flat = x.reshape(-1) if dim is None else x
    d = 0 if dim is None else dim
    n = flat.shape[d] if size is None else size
    shape = list(flat.shape)
    shape[d] = n
    out = [torch.empty(shape, dtype=x.dtype, device=x.device)]
    if return_index:
        out.append(torch.empty(n, dtype=torch.int32, device=x.device))
    if return_inverse:
        inv_shape = x.shape if dim is None else (x.shape[dim],)
        out.append(torch.empty(inv_shape, dtype=torch.int32, device=x.device))
    if return_counts:
        out.append(torch.empty(n, dtype=torch.int32, device=x.device))
    return out[0] if len(out) == 1 else tuple(out)


def unique(x, sorted=True, return_index=False, return_inverse=False, return_counts=False,
           axis=None, size=None, fill_value=None):
    """The unique entries of ``x`` (of the flattened ``x``), or unique slices along ``axis``.

    Args:
        x: Input tensor.
        sorted: Return the unique values in ascending order.
        return_index: Also return the index (int32) of each value's first occurrence.
        return_inverse: Also return, for each entry (slice) of ``x``, the index (int32) of
            its value in the result.
        return_counts: Also return how often (int32) each value occurs.
        axis: None (unique scalars of the flattened ``x``) or the axis whose slices are
            compared.
        size: A fixed length for the result (static shapes): longer results are cut,
            shorter ones padded with ``fill_value`` (0 when None); counts pad with 0 and
            first-occurrence indices with 1, as Keras on torch pads them.
        fill_value: The padding value of the unique values.

    Returns:
        The unique values, or a tuple ``(values, [index], [inverse], [counts])``.
        Without ``size`` the result's length depends on the data, so on a KerasTensor that
        dimension is None.
    """
    x = convert_to_tensor(x)
    dim = None if axis is None else axis % x.ndim
    if in_symbolic_scope() or x.is_meta:
        return _unique_placeholder(x, dim, size, return_index, return_inverse, return_counts)
    values, inverse, counts = torch.unique(x, sorted=sorted, return_inverse=True,
                                           return_counts=True, dim=dim)
    d = 0 if dim is None else dim
    n = values.shape[d]
    extra = []
    if return_index:
        flat_inverse = inverse.reshape(-1)
        positions = torch.arange(flat_inverse.numel(), device=x.device)
        first = torch.full((n,), flat_inverse.numel(), dtype=torch.long, device=x.device)
        first = first.scatter_reduce(0, flat_inverse, positions, "amin")
        extra.append(first)
    if return_inverse:
        extra.append(inverse)
    if return_counts:
        extra.append(counts)
    extra = [_int32(e) for e in extra]
    if size is not None:
        values = _fit(values, d, size, 0 if fill_value is None else fill_value)
        if return_index:
            extra[0] = _fit(extra[0], 0, size, 1)
        if return_counts:
            extra[-1] = _fit(extra[-1], 0, size, 0)
    return tuple([values] + extra) if extra else values
