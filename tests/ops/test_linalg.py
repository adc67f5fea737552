"""cornu.ops.linalg against numpy.linalg (and the defining identities where results
are unique only up to sign or order)."""
import numpy as np
import pytest
import torch

from cornu import backend, ops

rng = np.random.default_rng(2)
M = rng.standard_normal((4, 4)).astype("float32")
SPD = (M @ M.T + 4 * np.eye(4)).astype("float32")
BATCH = rng.standard_normal((2, 3, 3)).astype("float32") + 3 * np.eye(3, dtype="float32")
TALL = rng.standard_normal((5, 3)).astype("float32")
RHS = rng.standard_normal((4, 2)).astype("float32")


def np_(x):
    return tuple(np_(v) for v in x) if isinstance(x, (tuple, list)) else ops.convert_to_numpy(x)


def close(actual, expected, tol=1e-4):
    np.testing.assert_allclose(np_(actual), expected, rtol=tol, atol=tol)


@pytest.mark.parametrize("name,args,ref", [
    ("det", (M,), np.linalg.det), ("det", (BATCH,), np.linalg.det),
    ("inv", (M,), np.linalg.inv), ("inv", (BATCH,), np.linalg.inv),
    ("cholesky", (SPD,), np.linalg.cholesky),
    ("solve", (M, RHS), np.linalg.solve), ("solve", (M, RHS[:, 0]), np.linalg.solve),
    ("solve", (BATCH, BATCH[..., :1]), np.linalg.solve),
])
def test_matches_numpy(name, args, ref):
    close(getattr(ops.linalg, name)(*args), ref(*args))


@pytest.mark.parametrize("kwargs", [
    {}, {"ord": "fro"}, {"ord": "nuc"}, {"ord": 1}, {"ord": -1}, {"ord": 2}, {"ord": np.inf},
    {"axis": 0}, {"axis": 1, "ord": 1}, {"axis": -1, "ord": 3, "keepdims": True},
    {"axis": 0, "ord": 0}, {"axis": (0, 1)}, {"axis": (1, 0), "ord": np.inf},
])
def test_norm(kwargs):
    close(ops.norm(M, **kwargs), np.linalg.norm(M, **kwargs))


def test_norm_of_a_batch_and_of_ints():
    close(ops.norm(BATCH), np.linalg.norm(BATCH))
    close(ops.norm(BATCH, axis=(1, 2)), np.linalg.norm(BATCH, axis=(1, 2)))
    assert ops.norm(np.array([3, 4], "int32")).dtype == torch.float32


def test_cholesky_upper_and_inverse():
    upper = ops.linalg.cholesky(SPD, upper=True)
    close(upper, np.linalg.cholesky(SPD).T)
    close(ops.linalg.cholesky_inverse(ops.linalg.cholesky(SPD)), np.linalg.inv(SPD))


def test_eig_and_eigh():
    w, v = np_(ops.eig(M))
    np.testing.assert_allclose(M @ v, v * w, atol=1e-4)
    w, v = np_(ops.eigh(SPD))
    np.testing.assert_allclose(w, np.linalg.eigvalsh(SPD), rtol=1e-4)
    np.testing.assert_allclose(SPD @ v, v * w, atol=1e-3)


def test_lu_factor_reconstructs():
    lu, piv = np_(ops.lu_factor(M))
    assert piv.dtype == np.int32 and piv.min() >= 0
    lower = np.tril(lu, -1) + np.eye(4)
    upper = np.triu(lu)
    a = M.copy()
    for i, p in enumerate(piv):  # apply the row swaps in order (0-based, as scipy)
        a[[i, p]] = a[[p, i]]
    np.testing.assert_allclose(lower @ upper, a, atol=1e-4)


@pytest.mark.parametrize("mode", ["reduced", "complete"])
def test_qr(mode):
    q, r = np_(ops.qr(TALL, mode=mode))
    nq, nr = np.linalg.qr(TALL, mode=mode)
    assert q.shape == nq.shape and r.shape == nr.shape
    np.testing.assert_allclose(q @ r, TALL, atol=1e-4)
    np.testing.assert_allclose(np.abs(r), np.abs(nr), atol=1e-4)
    with pytest.raises(ValueError, match="mode"):
        ops.qr(TALL, mode="r")


@pytest.mark.parametrize("full_matrices", [True, False])
def test_svd(full_matrices):
    u, s, vh = np_(ops.svd(TALL, full_matrices=full_matrices))
    nu, ns, nvh = np.linalg.svd(TALL, full_matrices=full_matrices)
    assert (u.shape, s.shape, vh.shape) == (nu.shape, ns.shape, nvh.shape)
    np.testing.assert_allclose(s, ns, rtol=1e-4)
    np.testing.assert_allclose((u[:, :3] * s) @ vh[:3], TALL, atol=1e-4)
    close(ops.svd(TALL, compute_uv=False), ns)


def test_solve_triangular():
    upper = np.triu(M) + 4 * np.eye(4, dtype="float32")
    close(ops.solve_triangular(upper, RHS), np.linalg.solve(upper, RHS))
    close(ops.solve_triangular(upper.T, RHS[:, 0], lower=True), np.linalg.solve(upper.T, RHS[:, 0]))


def test_lstsq():
    b = rng.standard_normal(5).astype("float32")
    close(ops.lstsq(TALL, b), np.linalg.lstsq(TALL, b, rcond=None)[0])
    close(ops.lstsq(TALL, np.stack([b, 2 * b], 1)),
          np.linalg.lstsq(TALL, np.stack([b, 2 * b], 1), rcond=None)[0])


def test_jvp():
    x = torch.tensor([1.0, 2.0])
    out, tangent = ops.linalg.jvp(lambda v: v ** 3, (x,), (torch.ones(2),))
    close(out, [1.0, 8.0])
    close(tangent, [3.0, 12.0])


def test_linalg_on_meta_tensors():
    with backend.core.symbolic_scope():
        inv = ops.inv(BATCH)
        q, r = ops.qr(TALL)
        n = ops.norm(M, axis=1)
    assert inv.device.type == "meta" and tuple(inv.shape) == (2, 3, 3)
    assert tuple(q.shape) == (5, 3) and tuple(r.shape) == (3, 3) and tuple(n.shape) == (4,)
