"""cornu.ops core ops: scatter/slice updates, control flow, mapping, casts, custom gradients."""
import numpy as np
import pytest
import torch

from cornu import backend, ops
from cornu.backend.common.keras_tensor import KerasTensor

X = np.arange(12, dtype="float32").reshape(3, 4)


def np_(x):
    if isinstance(x, (tuple, list)):
        return type(x)(np_(v) for v in x)
    if isinstance(x, dict):
        return {k: np_(v) for k, v in x.items()}
    return ops.convert_to_numpy(x)


def test_scatter_adds_duplicates():
    indices = np.array([[0, 1], [2, 3], [0, 1]])
    out = ops.scatter(indices, np.array([1.0, 2.0, 3.0], "float32"), (3, 4))
    expected = np.zeros((3, 4), "float32")
    np.add.at(expected, tuple(indices.T), [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(np_(out), expected)
    rows = ops.scatter([[1]], np.ones((1, 4), "float32"), (3, 4))  # whole rows
    np.testing.assert_array_equal(np_(rows), np.eye(3, 4, dtype="float32")[[2, 2, 2]] * 0 + [
        [0], [1], [0]])


def test_scatter_update_and_slices():
    out = ops.scatter_update(X, [[0, 0], [2, 1]], [-1.0, -2.0])
    expected = X.copy()
    expected[0, 0], expected[2, 1] = -1, -2
    np.testing.assert_array_equal(np_(out), expected)
    np.testing.assert_array_equal(np_(ops.slice(X, (1, 1), (2, 2))), X[1:3, 1:3])
    np.testing.assert_array_equal(np_(ops.slice(X, torch.tensor([0, 2]), (3, 2))), X[:, 2:4])
    updated = ops.slice_update(X, (1, 2), np.zeros((2, 2), "float32"))
    expected = X.copy()
    expected[1:3, 2:4] = 0
    np.testing.assert_array_equal(np_(updated), expected)
    np.testing.assert_array_equal(X, np.arange(12).reshape(3, 4))  # inputs untouched


def test_unstack():
    parts = ops.unstack(X, axis=1)
    assert len(parts) == 4
    np.testing.assert_array_equal(np_(parts[2]), X[:, 2])


def test_cond_and_switch():
    x = torch.tensor(2.0)
    assert float(ops.cond(x > 1, lambda: x * 10, lambda: x)) == 20.0
    assert float(ops.cond(x > 5, lambda: x * 10, lambda: x)) == 2.0
    branches = [lambda a: a + 1, lambda a: a * 2, lambda a: -a]
    assert [float(ops.switch(i, branches, x)) for i in (0, 1, 2, 9, -3)] == [
        3.0, 4.0, -2.0, -2.0, 3.0]


def test_loops():
    total = ops.fori_loop(0, 5, lambda i, acc: acc + i, torch.tensor(0))
    assert int(total) == 10
    i, acc = ops.while_loop(lambda i, acc: i < 4, lambda i, acc: (i + 1, acc * 2),
                            (torch.tensor(0), torch.tensor(1)))
    assert (int(i), int(acc)) == (4, 16)
    single = ops.while_loop(lambda v: v < 100, lambda v: v * 3, torch.tensor(1))
    assert int(single) == 243
    capped = ops.while_loop(lambda v: v < 100, lambda v: v + 1, [torch.tensor(0)],
                            maximum_iterations=7)
    assert isinstance(capped, tuple) and int(capped[0]) == 7


def test_map_and_vectorized_map():
    out = ops.map(lambda row: ops.sum(row * row), X)
    np.testing.assert_allclose(np_(out), (X * X).sum(1))
    nested = ops.map(lambda d: {"s": d["a"] + d["b"], "p": d["a"] * d["b"]},
                     {"a": X, "b": X + 1})
    np.testing.assert_allclose(np_(nested["p"]), X * (X + 1))
    np.testing.assert_allclose(np_(ops.vectorized_map(lambda r: r.sum() * r, X)),
                               X.sum(1, keepdims=True) * X)
    pair = ops.vectorized_map(lambda t: t[0] - t[1], (torch.tensor(X), torch.tensor(X * 2)))
    np.testing.assert_allclose(np_(pair), -X)


@pytest.mark.parametrize("reverse", [False, True])
def test_scan(reverse):
    def step(carry, x):
        carry = carry + x
        return carry, carry * 2
    carry, ys = ops.scan(step, torch.zeros(4), torch.tensor(X), reverse=reverse)
    cums = np.cumsum(X[::-1] if reverse else X, axis=0)
    np.testing.assert_allclose(np_(carry), X.sum(0))
    np.testing.assert_allclose(np_(ys), 2 * (cums[::-1] if reverse else cums))
    count, none = ops.scan(lambda c, _: (c + 1, None), torch.tensor(0), length=3)
    assert int(count) == 3 and none is None


@pytest.mark.parametrize("reverse,axis", [(False, 0), (True, 0), (False, 1)])
def test_associative_scan(reverse, axis):
    out = ops.associative_scan(lambda a, b: a + b, X, reverse=reverse, axis=axis)
    flip = (lambda a: np.flip(a, axis)) if reverse else (lambda a: a)
    np.testing.assert_allclose(np_(out), flip(np.cumsum(flip(X), axis=axis)))
    pairs = ops.associative_scan(lambda a, b: (a[0] + b[0], a[1] * b[1]), (X, X + 1))
    np.testing.assert_allclose(np_(pairs[1]), np.cumprod(X + 1, axis=0))


def test_saturate_cast():
    x = np.array([-1e10, -3.7, 0.5, 300.2, 1e10], "float32")
    np.testing.assert_array_equal(np_(ops.saturate_cast(x, "uint8")), [0, 0, 0, 255, 255])
    big = np_(ops.saturate_cast(x, "int32"))
    assert big[0] == np.iinfo("int32").min and big[-1] > 2 ** 30 and big.dtype == np.int32
    ints = np.array([-70000, 5, 70000], "int32")
    np.testing.assert_array_equal(np_(ops.saturate_cast(ints, "int16")), [-32768, 5, 32767])
    half = np_(ops.saturate_cast(np.array([1e6], "float32"), "float16"))
    assert half[0] == np.finfo("float16").max


def test_custom_gradient():
    @ops.custom_gradient
    def clipped_square(x):
        def grad(upstream):
            return upstream * 0.5
        return x * x, grad

    x = torch.tensor([1.0, 3.0], requires_grad=True)
    clipped_square(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.5, 0.5])


def test_core_ops_on_meta_tensors():
    with backend.core.symbolic_scope():
        s = ops.slice(X, (1, 0), (2, 3))
        u = ops.slice_update(X, (0, 1), np.ones((2, 2), "float32"))
        sc = ops.scatter(np.array([[0], [2]]), np.ones((2, 4), "float32"), (5, 4))
        c = ops.cond(ops.convert_to_tensor(X).sum() > 0, lambda: X[:1] * 2, lambda: X[:1])
    assert [tuple(t.shape) for t in (s, u, sc, c)] == [(2, 3), (3, 4), (5, 4), (1, 4)]
    assert all(t.device.type == "meta" for t in (s, u, sc))


def test_symbolic_unstack_and_slice():
    x = KerasTensor((None, 3))
    parts = ops.unstack(x, axis=1)
    assert len(parts) == 3 and parts[0].shape == (None,)
    assert ops.slice(x, (0, 1), (2, 2)).shape == (2, 2)
