"""Linear algebra on torch tensors (Keras 3 ``keras.ops.linalg``).

Every op works on batches of matrices in the last two axes; int inputs become floatx.
"""
import warnings

import torch

from cornu.backend.torch.core import convert_to_tensor
from cornu.backend.torch.numpy import _tensors, _to_float


def cholesky(x, upper=False):
    """The Cholesky factor of symmetric positive-definite ``x`` (lower unless ``upper``)."""
    return torch.linalg.cholesky(_to_float(x), upper=upper)


def cholesky_inverse(x, upper=False):
    """The inverse of ``A`` given its Cholesky factor ``x``."""
    return torch.cholesky_inverse(_to_float(x), upper=upper)


def det(x):
    """Determinant."""
    return torch.linalg.det(_to_float(x))


def inv(x):
    """Matrix inverse."""
    return torch.linalg.inv(_to_float(x))


def eig(x):
    """Eigenvalues and eigenvectors (complex) of a general square matrix."""
    return tuple(torch.linalg.eig(_to_float(x)))


def eigh(x):
    """Eigenvalues (ascending) and eigenvectors of a symmetric or Hermitian matrix."""
    return tuple(torch.linalg.eigh(_to_float(x)))


def lu_factor(x):
    """The packed LU factorisation and 0-based pivots (int32), as ``scipy.linalg.lu_factor``."""
    lu, pivots = torch.linalg.lu_factor(_to_float(x))
    return lu, (pivots - 1).to(torch.int32)  # LAPACK pivots count from 1


def norm(x, ord=None, axis=None, keepdims=False):
    """Vector or matrix norm, as ``numpy.linalg.norm``."""
    x = _to_float(x)
    if isinstance(axis, list):
        axis = tuple(axis)
    if axis is None and ord is None:
        return torch.linalg.vector_norm(x, keepdim=keepdims)
    return torch.linalg.norm(x, ord=ord, dim=axis, keepdim=keepdims)


def qr(x, mode="reduced"):
    """QR decomposition: ``(q, r)`` (``mode``: 'reduced' or 'complete')."""
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr(): mode must be 'reduced' or 'complete'; received {mode!r}.")
    return tuple(torch.linalg.qr(_to_float(x), mode=mode))


def solve(a, b):
    """The solution ``x`` of ``a @ x = b`` (``b`` a vector or a matrix)."""
    a, b = _tensors(a, b, to_float=True)
    return torch.linalg.solve(a, b)


def solve_triangular(a, b, lower=False):
    """The solution of ``a @ x = b`` for triangular ``a`` (upper unless ``lower``)."""
    a, b = _tensors(a, b, to_float=True)
    vector = b.ndim == a.ndim - 1
    x = torch.linalg.solve_triangular(a, b.unsqueeze(-1) if vector else b, upper=not lower)
    return x.squeeze(-1) if vector else x


def svd(x, full_matrices=True, compute_uv=True):
    """Singular value decomposition ``(u, s, vh)``; only ``s`` when not ``compute_uv``."""
    x = _to_float(x)
    if not compute_uv:
        return torch.linalg.svdvals(x)
    return tuple(torch.linalg.svd(x, full_matrices=full_matrices))


def lstsq(a, b, rcond=None):
    """The least-squares solution of ``a @ x = b``."""
    a, b = _tensors(a, b, to_float=True)
    vector = b.ndim == 1
    driver = "gelsd" if a.device.type == "cpu" else None
    x = torch.linalg.lstsq(a, b.unsqueeze(-1) if vector else b, rcond=rcond, driver=driver)
    return x.solution.squeeze(-1) if vector else x.solution


def jvp(fun, primals, tangents, has_aux=False):
    """``fun(*primals)`` and its Jacobian-vector product with ``tangents`` (and aux)."""
    primals = tuple(convert_to_tensor(p) for p in primals)
    tangents = tuple(convert_to_tensor(t) for t in tangents)
    with warnings.catch_warnings():  # torch's first forward-mode call warns about torch.jit
        warnings.simplefilter("ignore", DeprecationWarning)
        return torch.func.jvp(fun, primals, tangents, has_aux=has_aux)


def matrix_rank(x, tol=None):
    """Rank (int32) of (batches of) matrices: the number of singular values above ``tol``
    (by default ``max(M, N) * eps * largest singular value``, as numpy)."""
    return torch.linalg.matrix_rank(_to_float(x), atol=tol).to(torch.int32)


def pinv(x, rcond=None):
    """Moore-Penrose pseudo-inverse of (batches of) matrices, from the SVD; singular values
    below ``rcond`` times the largest count as zero (numpy's default cut when None)."""
    return torch.linalg.pinv(_to_float(x), rtol=rcond)
