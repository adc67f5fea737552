"""numpy-like ops on torch tensors (Keras 3 ``keras.ops`` numpy names and signatures)."""
import torch

from cornu.backend.torch.core import convert_to_tensor, to_torch_dtype, cast


def _pair(x1, x2):
    """Two tensors of a common dtype; Python scalars adopt the tensor's dtype."""
    t1 = isinstance(x1, torch.Tensor)
    t2 = isinstance(x2, torch.Tensor)
    if t1 and isinstance(x2, (int, float)) and not isinstance(x2, bool):
        if x1.is_floating_point() or isinstance(x2, int):
            return x1, x2
    if t2 and isinstance(x1, (int, float)) and not isinstance(x1, bool):
        if x2.is_floating_point() or isinstance(x1, int):
            return x1, x2
    x1 = convert_to_tensor(x1)
    x2 = convert_to_tensor(x2)
    if x1.dtype != x2.dtype:
        dtype = torch.promote_types(x1.dtype, x2.dtype)
        x1, x2 = x1.to(dtype), x2.to(dtype)
    return x1, x2


def add(x1, x2):
    """Element-wise ``x1 + x2``."""
    x1, x2 = _pair(x1, x2)
    return torch.add(x1, x2) if isinstance(x1, torch.Tensor) else torch.add(x2, x1)


def subtract(x1, x2):
    """Element-wise ``x1 - x2``."""
    x1, x2 = _pair(x1, x2)
    return torch.subtract(x1, x2) if isinstance(x1, torch.Tensor) else torch.rsub(x2, x1)


def multiply(x1, x2):
    """Element-wise ``x1 * x2``."""
    x1, x2 = _pair(x1, x2)
    return torch.multiply(x1, x2) if isinstance(x1, torch.Tensor) else torch.multiply(x2, x1)


def true_divide(x1, x2):
    """Element-wise ``x1 / x2``."""
    x1, x2 = convert_to_tensor(x1), convert_to_tensor(x2)
    return torch.true_divide(x1, x2)


divide = true_divide


def matmul(x1, x2):
    """Matrix product of two tensors (numpy broadcasting rules)."""
    x1, x2 = _pair(convert_to_tensor(x1), convert_to_tensor(x2))
    return torch.matmul(x1, x2)


def reshape(x, newshape):
    """``x`` with shape ``newshape`` (one entry may be -1)."""
    if isinstance(newshape, int):
        newshape = (newshape,)
    return torch.reshape(convert_to_tensor(x), tuple(-1 if d is None else int(d) for d in newshape))


def transpose(x, axes=None):
    """Permute the axes of ``x`` (reverse them when ``axes`` is None)."""
    x = convert_to_tensor(x)
    if axes is None:
        axes = tuple(range(x.ndim - 1, -1, -1))
    return x.permute(*axes)


def concatenate(xs, axis=0):
    """Join tensors along an existing axis."""
    xs = [convert_to_tensor(x) for x in xs]
    return torch.cat(xs, dim=axis)


def mean(x, axis=None, keepdims=False):
    """Mean along ``axis`` (all axes when None)."""
    x = convert_to_tensor(x)
    if not x.is_floating_point():
        x = x.to(torch.float32)
    if axis is None:
        return x.mean() if not keepdims else x.mean().reshape([1] * x.ndim)
    return torch.mean(x, dim=axis, keepdim=keepdims)


def sum(x, axis=None, keepdims=False):
    """Sum along ``axis`` (all axes when None)."""
    x = convert_to_tensor(x)
    if axis is None:
        return x.sum() if not keepdims else x.sum().reshape([1] * x.ndim)
    return torch.sum(x, dim=axis, keepdim=keepdims)


def ones(shape, dtype=None):
    from cornu.backend.torch.core import get_device
    return torch.ones(tuple(shape), dtype=to_torch_dtype(dtype), device=get_device())


def zeros(shape, dtype=None):
    from cornu.backend.torch.core import get_device
    return torch.zeros(tuple(shape), dtype=to_torch_dtype(dtype), device=get_device())


def get_item(x, key):
    """``x[key]``."""
    return convert_to_tensor(x)[key]
