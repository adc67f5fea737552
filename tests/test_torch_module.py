"""On torch, a cornu layer is a torch.nn.Module (as in Keras 3): parameters, state_dict,
torch.optim, nesting both ways. Numerics are checked against the same computation in
plain torch or by hand."""
import copy

import numpy as np
import pytest
import torch

import cornu
from cornu import layers

pytestmark = pytest.mark.skipif(cornu.backend.backend() != "torch", reason="torch backend only")

RNG = np.random.default_rng(0)
X = RNG.normal(size=(16, 3)).astype("float32")
Y = RNG.normal(size=(16, 1)).astype("float32")


def _mlp():
    return cornu.Sequential([cornu.Input((3,)), layers.Dense(4, activation="relu"),
                             layers.Dense(1)])


def _torch_twin(model):
    """The same MLP in plain torch, with the cornu model's weights."""
    k0, b0, k1, b1 = model.get_weights()
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor(k0.T))
        net[0].bias.copy_(torch.tensor(b0))
        net[2].weight.copy_(torch.tensor(k1.T))
        net[2].bias.copy_(torch.tensor(b1))
    return net


class Subclassed(cornu.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(4, activation="relu")
        self.out = layers.Dense(1)

    def call(self, x):
        return self.out(self.hidden(x))


# ------------------------------------------------------------------ 1. the Module API

def test_layers_and_models_are_modules():
    inputs = cornu.Input((3,))
    functional = cornu.Model(inputs, layers.Dense(2)(inputs))
    for obj in (layers.Dense(2), _mlp(), functional, Subclassed()):
        assert isinstance(obj, torch.nn.Module)


def test_parameters_are_the_variables_once_each():
    inner = _mlp()
    inputs = cornu.Input((3,))
    outer = cornu.Model(inputs, layers.Dense(2)(inner(inputs)))  # a model holding a model
    params = list(outer.parameters())
    assert len(params) == len({id(p) for p in params}) == len(outer.weights) == 6
    assert {id(p) for p in params} == {id(v.value) for v in outer.weights}
    names = [n for n, _ in outer.named_parameters()]
    assert len(names) == len(set(names)) == 6
    assert all(n.endswith(("kernel", "bias")) for n in names)


def test_state_dict_round_trip_between_two_models():
    a, b = _mlp(), _mlp()
    assert list(a.state_dict()) == ["0.kernel", "0.bias", "1.kernel", "1.bias"]
    np.testing.assert_allclose(a.state_dict()["0.kernel"].numpy(), a.layers[0].kernel.numpy())
    b.load_state_dict(a.state_dict())
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    np.testing.assert_allclose(cornu.ops.convert_to_numpy(b(X)),
                               cornu.ops.convert_to_numpy(a(X)), rtol=1e-6)


def test_state_dict_keys_of_a_subclassed_model_are_attribute_names():
    model = Subclassed()
    model(X)
    assert list(model.state_dict()) == ["hidden.kernel", "hidden.bias", "out.kernel", "out.bias"]
    assert dict(model.named_children()).keys() == {"hidden", "out"}


def test_load_state_dict_with_assign_keeps_the_variables_in_charge():
    a, b = _mlp(), _mlp()
    kernel_variable = b.layers[0].kernel
    state = {k: v.clone() for k, v in a.state_dict().items()}
    b.load_state_dict(state, assign=True)
    assert b.layers[0].kernel is kernel_variable  # the attribute is still the Variable
    np.testing.assert_array_equal(kernel_variable.numpy(), a.layers[0].kernel.numpy())
    assert b.layers[0].kernel.value is dict(b.named_parameters())["0.kernel"]


def test_zero_grad_train_eval_and_to():
    model = _mlp()
    before = cornu.ops.convert_to_numpy(model(X))
    loss = model(X).sum()
    loss.backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    assert model.eval() is model and model.training is False
    assert model.layers[0].training is False
    assert model.train() is model and model.training is True
    kernel = model.layers[0].kernel
    param = kernel.value
    assert model.to("cpu") is model
    assert kernel.value is param and kernel.value.device.type == "cpu"
    np.testing.assert_allclose(cornu.ops.convert_to_numpy(model(X)), before, rtol=1e-6)


def test_to_dtype_moves_the_variables():
    model = _mlp()
    model.to(torch.float64)
    assert all(v.dtype == "float64" for v in model.weights)
    assert all(p.dtype == torch.float64 for p in model.parameters())


def test_variables_created_after_parameters_appear_later():
    layer = layers.Dense(2)
    assert list(layer.parameters()) == []
    layer(X)
    assert [n for n, _ in layer.named_parameters()] == ["kernel", "bias"]


def test_deepcopy_and_clone_model_are_modules_with_their_own_parameters():
    model = _mlp()
    twin = copy.deepcopy(model)
    assert isinstance(twin, torch.nn.Module)
    assert not {id(p) for p in twin.parameters()} & {id(p) for p in model.parameters()}
    assert {id(p) for p in twin.parameters()} == {id(v.value) for v in twin.weights}
    np.testing.assert_allclose(cornu.ops.convert_to_numpy(twin(X)),
                               cornu.ops.convert_to_numpy(model(X)), rtol=1e-6)
    clone = cornu.models.clone_model(model)
    assert len(list(clone.parameters())) == 4
    assert list(clone.state_dict()) == list(model.state_dict())


def test_layer_made_by_new_has_the_module_part():
    layer = layers.Dense.__new__(layers.Dense)
    assert isinstance(layer._parameters, dict) and layer.training is True


def test_a_property_keeps_its_own_error_message():
    with pytest.raises(AttributeError, match="never been called"):
        layers.Dense(2).input


def test_image_preprocessing_layers_move_with_to():
    model = cornu.Sequential([cornu.Input((8, 8, 3)), layers.Resizing(4, 4),
                              layers.Conv2D(2, 3)])
    model.to("cpu")
    assert model(np.zeros((1, 8, 8, 3), "float32")).shape == (1, 2, 2, 2)


# ------------------------------------------------------------------ 2. torch.optim trains it

def test_torch_optim_adam_trains_a_cornu_model_like_plain_torch():
    model = _mlp()
    twin = _torch_twin(model)
    before = model.get_weights()
    x, y = torch.tensor(X), torch.tensor(Y)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    ref_opt = torch.optim.Adam(twin.parameters(), lr=0.01)
    losses = []
    for _ in range(20):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
        ref_opt.zero_grad()
        ((twin(x) - y) ** 2).mean().backward()
        ref_opt.step()
    assert losses[-1] < losses[0]
    after = model.get_weights()
    assert not np.allclose(after[0], before[0])
    np.testing.assert_allclose(after[0], twin[0].weight.detach().numpy().T, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(after[3], twin[2].bias.detach().numpy(), rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------ 3. cornu inside torch

def test_cornu_model_inside_a_torch_module_trains():
    class Head(torch.nn.Module):
        def __init__(self, body):
            super().__init__()
            self.body = body
            self.scale = torch.nn.Parameter(torch.tensor(2.0))

        def forward(self, x):
            return self.body(x) * self.scale

    body = _mlp()
    net = Head(body)
    assert {id(p) for p in net.parameters()} == {id(v.value) for v in body.weights} | {
        id(net.scale)}
    assert sorted(net.state_dict()) == sorted(
        ["scale"] + [f"body.{k}" for k in body.state_dict()])
    twin = _torch_twin(body)
    x, y = torch.tensor(X), torch.tensor(Y)
    np.testing.assert_allclose(net(x).detach().numpy(), (twin(x) * 2.0).detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    opt = torch.optim.SGD(net.parameters(), lr=0.05)
    first = None
    for _ in range(10):
        opt.zero_grad()
        loss = ((net(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        first = float(loss.detach()) if first is None else first
    assert float(((net(x) - y) ** 2).mean().detach()) < first
    np.testing.assert_allclose(body.layers[1].bias.numpy(),
                               dict(net.named_parameters())["body.1.bias"].detach().numpy())


# ------------------------------------------------------------------ 4. torch inside cornu

class WithTorchLinear(layers.Layer):
    def __init__(self, **kwargs):
        self.linear = torch.nn.Linear(3, 1)  # before super().__init__, as users do
        super().__init__(**kwargs)

    def call(self, x):
        return self.linear(x)


def test_torch_module_attribute_is_tracked_and_fit_trains_it():
    layer = WithTorchLinear()
    assert isinstance(layer.linear, layers.TorchModuleWrapper)
    module = layer.linear.module
    assert {id(v.value) for v in layer.trainable_weights} == {
        id(module.weight), id(module.bias)}
    model = cornu.Sequential([cornu.Input((3,)), layer])
    w0 = module.weight.detach().numpy().copy()  # (1, 3)
    b0 = module.bias.detach().numpy().copy()
    model.compile(optimizer=cornu.optimizers.SGD(learning_rate=0.1), loss="mse")
    model.fit(X, Y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    # one full-batch SGD step on mse, by hand
    err = X @ w0.T + b0 - Y  # (16, 1)
    w1 = w0 - 0.1 * (2 / 16) * (err.T @ X)
    b1 = b0 - 0.1 * (2 / 16) * err.sum(axis=0)
    np.testing.assert_allclose(module.weight.detach().numpy(), w1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(module.bias.detach().numpy(), b1, rtol=1e-5, atol=1e-6)
    assert len(list(model.parameters())) == 2


# ------------------------------------------------------------------ 5. grads, cornu optimizer

def test_backward_fills_variable_grads_for_a_cornu_optimizer():
    model = _mlp()
    before = model.get_weights()
    loss = ((model(torch.tensor(X)) - torch.tensor(Y)) ** 2).mean()
    loss.backward()
    grads = [v.value.grad for v in model.trainable_weights]
    assert all(g is not None for g in grads)
    twin = _torch_twin(model)
    ((twin(torch.tensor(X)) - torch.tensor(Y)) ** 2).mean().backward()
    np.testing.assert_allclose(grads[0].numpy(), twin[0].weight.grad.numpy().T, rtol=1e-5,
                               atol=1e-6)
    cornu.optimizers.SGD(learning_rate=0.1).apply(grads, model.trainable_weights)
    for b, a, g in zip(before, model.get_weights(), grads):
        np.testing.assert_allclose(a, b - 0.1 * g.numpy(), rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------ 6. forward is __call__

def test_forward_and_call_agree():
    model = _mlp()
    x = torch.tensor(X)
    np.testing.assert_array_equal(model.forward(x).detach().numpy(),
                                  model(x).detach().numpy())
    np.testing.assert_allclose(model(x).detach().numpy(),
                               _torch_twin(model)(x).detach().numpy(), rtol=1e-5, atol=1e-6)

    class Doubling(cornu.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1)

        def call(self, x):
            return self.dense(x)

        def __call__(self, *args, **kwargs):  # the model's own __call__ is kept
            return super().__call__(*args, **kwargs) * 2

    doubling = Doubling()
    np.testing.assert_allclose(doubling.forward(x).detach().numpy(),
                               (doubling.dense(x) * 2).detach().numpy(), rtol=1e-6)


def test_the_getattr_fallback_keeps_a_propertys_message():
    # When CPython routes a failed lookup to __getattr__ (the hook the fast path skips),
    # a property's own AttributeError still comes out, not nn.Module's generic one.
    layer = cornu.layers.Dense(2)
    with pytest.raises(AttributeError, match="never been called"):
        type(layer).__getattr__(layer, "input")
    with pytest.raises(AttributeError, match="has no attribute 'nothing_here'"):
        type(layer).__getattr__(layer, "nothing_here")
