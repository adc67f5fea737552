"""Dense on a single row goes through a transposed copy of its kernel (the fast GEMV
layout): outputs and gradients, first and second order, equal the plain computation."""
import numpy as np
import pytest

import cornu
from cornu import layers

torch = pytest.importorskip("torch")


def _dense(units=5, activation="tanh"):
    layer = layers.Dense(units, activation=activation)
    layer.build((None, 7))
    rng = np.random.default_rng(0)
    layer.set_weights([rng.normal(size=(7, units)).astype("float32"),
                       rng.normal(size=(units,)).astype("float32")])
    return layer


def _plain(x, kernel, bias):
    return torch.tanh(x @ kernel + bias)


def test_one_row_output_and_gradients_equal_the_plain_computation():
    layer = _dense()
    k, b = layer.kernel.value, layer.bias.value
    x = torch.tensor(np.random.default_rng(1).normal(size=(1, 7)), dtype=torch.float32,
                     requires_grad=True)
    out = layer(x)
    got = torch.autograd.grad((out * torch.arange(5.0)).sum(), [x, k, b])
    kr, br = k.detach().clone().requires_grad_(), b.detach().clone().requires_grad_()
    ref_out = _plain(x, kr, br)
    want = torch.autograd.grad((ref_out * torch.arange(5.0)).sum(), [x, kr, br])
    np.testing.assert_allclose(out.detach().numpy(), ref_out.detach().numpy(), atol=1e-6)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-5, atol=1e-6)


def test_one_row_second_derivative_equals_the_plain_one():
    # a gradient penalty: d/dkernel of |d out / d x|^2
    layer = _dense()
    k = layer.kernel.value
    x = torch.tensor(np.random.default_rng(2).normal(size=(1, 7)), dtype=torch.float32,
                     requires_grad=True)
    (gx,) = torch.autograd.grad(layer(x).sum(), x, create_graph=True)
    (got,) = torch.autograd.grad(gx.pow(2).sum(), k)
    kr = k.detach().clone().requires_grad_()
    (gxr,) = torch.autograd.grad(_plain(x, kr, layer.bias.value.detach()).sum(), x,
                                 create_graph=True)
    (want,) = torch.autograd.grad(gxr.pow(2).sum(), kr)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)


def test_one_row_sees_kernel_updates():
    layer = _dense(activation=None)
    x = np.ones((1, 7), "float32")
    before = cornu.ops.convert_to_numpy(layer(x))
    layer.kernel.assign(layer.kernel.numpy() * 2)
    after = cornu.ops.convert_to_numpy(layer(x))
    bias = layer.bias.numpy()
    np.testing.assert_allclose(after - bias, 2 * (before - bias), rtol=1e-5)


def test_fit_with_batch_size_one_matches_batches_of_one_through_addmm():
    # batch_size=1 training takes the one-row path; the same steps written in torch
    rng = np.random.default_rng(3)
    x = rng.normal(size=(6, 7)).astype("float32")
    y = rng.normal(size=(6, 5)).astype("float32")
    layer = _dense(activation=None)
    k = torch.tensor(layer.kernel.numpy(), requires_grad=True)
    b = torch.tensor(layer.bias.numpy(), requires_grad=True)
    model = cornu.Sequential([layers.Input((7,)), layer])
    model.compile(cornu.optimizers.SGD(0.1), "mse")
    model.fit(x, y, batch_size=1, epochs=1, shuffle=False, verbose=0)
    for i in range(6):
        loss = ((torch.tensor(x[i:i + 1]) @ k + b - torch.tensor(y[i:i + 1])) ** 2).mean()
        gk, gb = torch.autograd.grad(loss, [k, b])
        with torch.no_grad():
            k -= 0.1 * gk
            b -= 0.1 * gb
    np.testing.assert_allclose(layer.kernel.numpy(), k.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.bias.numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)
