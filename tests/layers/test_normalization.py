"""Normalization layers against Keras fixtures, numpy, and torch.nn.functional.batch_norm."""
import os

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import cornu
from cornu import backend, layers
from tests.layers.fixtures import keras_cases
from tests.layers.harness import check_layer

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "normalization_fixtures.npz")
CASES, ARRAYS = keras_cases.load(FIXTURES)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
@pytest.mark.parametrize("from_keras_config", [False, True], ids=["args", "keras_config"])
def test_matches_keras(case, from_keras_config):
    keras_cases.check_case(case, ARRAYS, from_keras_config=from_keras_config)


def _np(x):
    return backend.convert_to_numpy(x)


def _bn_reference(x, weights, axis=-1, epsilon=1e-3):
    gamma, beta, mean, var = weights
    shape = [1] * x.ndim
    shape[axis] = -1
    r = lambda v: v.reshape(shape)  # noqa: E731
    return (x - r(mean)) / np.sqrt(r(var) + epsilon) * r(gamma) + r(beta)


def _randomize(layer, rng):
    layer.set_weights([rng.normal(size=w.shape).astype("float32") if "variance" not in w.name
                       else rng.random(w.shape).astype("float32") + 0.5
                       for w in layer.weights])


# ------------------------------------------------------------------ BatchNormalization

def test_batch_normalization_harness():
    check_layer(layers.BatchNormalization, {"axis": 1}, input_shape=(3, 4, 2),
                expected_num_trainable_weights=2, expected_num_non_trainable_weights=2,
                expected_weight_shapes=[(4,), (4,), (4,), (4,)],
                reference=lambda x, w: _bn_reference(x, w, axis=1))
    check_layer(layers.BatchNormalization, {"center": False, "scale": False},
                input_shape=(3, 4), expected_weight_shapes=[(4,), (4,)], train=False)


@pytest.mark.parametrize("shape, axis", [((6, 3), -1), ((4, 5, 5, 3), 3), ((4, 3, 5, 5), 1),
                                         ((2, 4, 3), -1)])
def test_batch_normalization_equals_torch_batch_norm(shape, axis):
    rng = np.random.default_rng(0)
    x = (rng.normal(size=shape) * 2 + 0.5).astype("float32")
    layer = layers.BatchNormalization(axis=axis, momentum=0.8, epsilon=1e-2)
    layer.build(shape)
    _randomize(layer, rng)
    gamma, beta, mean, var = [torch.tensor(w) for w in layer.get_weights()]
    xt = torch.tensor(x).movedim(axis, 1)
    # inference: the moving statistics
    expected = F.batch_norm(xt, mean, var, gamma, beta, False, 0.0, 1e-2).movedim(1, axis)
    np.testing.assert_allclose(_np(layer(x)), expected.numpy(), atol=1e-5, rtol=1e-5)
    # training: the batch statistics; the moving ones follow Keras's formula
    run_mean, run_var = mean.clone(), var.clone()
    expected = F.batch_norm(xt, run_mean, run_var, gamma, beta, True, 0.2, 1e-2)
    y = layer(x, training=True)
    np.testing.assert_allclose(_np(y), expected.movedim(1, axis).numpy(), atol=1e-5, rtol=1e-5)
    axes = tuple(i for i in range(len(shape)) if i != axis % len(shape))
    np.testing.assert_allclose(layer.moving_mean.numpy(),
                               mean.numpy() * 0.8 + x.mean(axis=axes) * 0.2, rtol=1e-6)
    np.testing.assert_allclose(layer.moving_variance.numpy(),
                               var.numpy() * 0.8 + x.var(axis=axes) * 0.2, rtol=1e-6)


def test_batch_normalization_moving_statistics_over_several_steps():
    rng = np.random.default_rng(1)
    layer = layers.BatchNormalization(momentum=0.9)
    mean, var = np.zeros(3), np.ones(3)
    for step in range(5):
        x = (rng.normal(size=(8, 3)) * (step + 1) + step).astype("float32")
        layer(x, training=True)
        mean = mean * 0.9 + x.mean(0) * 0.1
        var = var * 0.9 + x.var(0) * 0.1    # Keras: the biased batch variance
    np.testing.assert_allclose(layer.moving_mean.numpy(), mean, rtol=1e-5)
    np.testing.assert_allclose(layer.moving_variance.numpy(), var, rtol=1e-5)


def test_batch_normalization_fused_and_ops_paths_agree():
    rng = np.random.default_rng(2)
    x = torch.tensor(rng.normal(size=(5, 4, 4, 3)).astype("float32"))
    fused, plain = layers.BatchNormalization(), layers.BatchNormalization()
    for layer in (fused, plain):
        layer.build(x.shape)
    _randomize(fused, rng)
    plain.set_weights(fused.get_weights())
    for training in (True, False, True):
        a = fused(x, training=training)
        b = plain._call_ops(x, training, None)
        np.testing.assert_allclose(_np(a), _np(b), atol=1e-5)
        for u, v in zip(fused.weights, plain.weights):
            np.testing.assert_allclose(u.numpy(), v.numpy(), rtol=1e-6)


def test_batch_normalization_update_is_outside_autograd():
    layer = layers.BatchNormalization()
    x = torch.tensor(np.random.default_rng(3).normal(size=(6, 2)).astype("float32"),
                     requires_grad=True)
    y = layer(x, training=True)
    assert not layer.moving_mean.value.requires_grad
    assert layer.moving_mean.value.grad_fn is None and layer.moving_variance.value.grad_fn is None
    (y * torch.arange(2.0)).sum().backward()
    assert layer.gamma.value.grad is not None and x.grad is not None
    assert layer.moving_mean.value.grad is None


def test_batch_normalization_frozen_runs_in_inference_mode():
    layer = layers.BatchNormalization()
    x = np.random.default_rng(4).normal(size=(6, 2)).astype("float32") + 3
    layer.trainable = False
    y = layer(x, training=True)
    np.testing.assert_allclose(_np(y), x / np.sqrt(1 + 1e-3), rtol=1e-6)
    np.testing.assert_array_equal(layer.moving_mean.numpy(), 0.0)


def test_batch_normalization_in_fit_updates_moving_statistics():
    model = cornu.Sequential([cornu.Input((3,)), layers.BatchNormalization(), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(5).normal(size=(32, 3)).astype("float32") + 2
    model.fit(x, x[:, :1], batch_size=8, epochs=1, verbose=0)
    bn = model.layers[0]
    assert np.all(bn.moving_mean.numpy() > 0.05)
    assert bn.moving_mean.value.grad is None


def test_batch_normalization_arguments_and_errors():
    assert layers.BatchNormalization(axis=[3]).axis == 3  # Keras 2 configs
    with pytest.raises(ValueError, match="one integer"):
        layers.BatchNormalization(axis=[1, 2])
    with pytest.raises(ValueError, match="axis 4 is out of bounds"):
        layers.BatchNormalization(axis=4)(np.ones((2, 3)))
    with pytest.raises(ValueError, match="renorm_clipping"):
        layers.BatchNormalization(renorm=True, renorm_clipping={"rmx": 1})
    layer = layers.BatchNormalization()
    layer(np.ones((2, 3)))
    with pytest.raises(ValueError, match="batch_normalization.*axis -1 of input shape to have "
                                         "value 3"):
        layer(np.ones((2, 4)))
    with pytest.raises(ValueError, match="mask should have one dimension less"):
        layer(np.ones((2, 3)), training=True, mask=np.ones((2, 3), bool))
    inp = cornu.Input((None, 5))
    assert layers.BatchNormalization()(inp).shape == (None, None, 5)


# ------------------------------------------------------------------ the others

def _ln_reference(x, axes, gamma=None, beta=None, epsilon=1e-3):
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    y = (x - mean) / np.sqrt(var + epsilon)
    return y * (1 if gamma is None else gamma) + (0 if beta is None else beta)


@pytest.mark.parametrize("axis, shape", [(-1, (2, 3, 4)), ([1, 2], (2, 3, 4, 5)),
                                         (1, (2, 3, 4)), ([1, 3], (2, 3, 2, 4))])
def test_layer_normalization(axis, shape):
    axes = tuple(a % len(shape) for a in (axis if isinstance(axis, list) else [axis]))
    bshape = [shape[i] if i in axes else 1 for i in range(len(shape))]

    def reference(x, w):
        return _ln_reference(x, axes, w[0].reshape(bshape), w[1].reshape(bshape))
    out = check_layer(layers.LayerNormalization, {"axis": axis}, input_shape=shape,
                      expected_weight_shapes=[tuple(shape[a] for a in axes)] * 2)
    assert out.shape == shape
    layer = layers.LayerNormalization(axis=axis)
    layer.build(shape)
    _randomize(layer, np.random.default_rng(0))
    x = np.random.default_rng(1).normal(size=shape).astype("float32")
    np.testing.assert_allclose(_np(layer(x)), reference(x, layer.get_weights()), atol=1e-5)


def test_layer_normalization_rms_scaling_is_deprecated():
    with pytest.warns(DeprecationWarning, match="RMSNormalization"):
        layer = layers.LayerNormalization(rms_scaling=True)
    x = np.random.default_rng(0).normal(size=(2, 5)).astype("float32")
    expected = x / np.sqrt(x.var(-1, keepdims=True) + 1e-3)
    np.testing.assert_allclose(_np(layer(x)), expected, atol=1e-5)
    assert [w.name for w in layer.weights] == ["gamma"]


@pytest.mark.parametrize("groups, axis, shape", [(2, -1, (2, 3, 3, 4)), (-1, 1, (2, 4, 5)),
                                                 (1, -1, (3, 6))])
def test_group_normalization(groups, axis, shape):
    channels = shape[axis]
    g = channels if groups == -1 else groups

    def reference(x, w):
        xm = np.moveaxis(x, axis, -1)
        grouped = xm.reshape(xm.shape[:-1] + (g, channels // g))
        axes = tuple(range(1, grouped.ndim - 2)) + (grouped.ndim - 1,)
        y = _ln_reference(grouped, axes).reshape(xm.shape) * w[0] + w[1]
        return np.moveaxis(y, -1, axis)
    check_layer(layers.GroupNormalization, {"groups": groups, "axis": axis}, input_shape=shape,
                expected_weight_shapes=[(channels,), (channels,)], reference=reference)


def test_group_normalization_errors():
    with pytest.raises(ValueError, match="positive integer"):
        layers.GroupNormalization(groups=0)
    with pytest.raises(ValueError, match=r"groups \(4\) must divide the number of channels "
                                         r"\(6\)"):
        layers.GroupNormalization(groups=4)(np.ones((2, 6)))


@pytest.mark.parametrize("axis", [-1, [1, 2]])
def test_unit_normalization(axis):
    axes = tuple(axis) if isinstance(axis, list) else axis
    check_layer(layers.UnitNormalization, {"axis": axis}, input_shape=(2, 3, 4),
                reference=lambda x, w: x / np.sqrt((x ** 2).sum(axis=axes, keepdims=True)))
    with pytest.raises(TypeError, match="axis"):
        layers.UnitNormalization(axis="last")


def test_rms_normalization():
    def reference(x, w):
        return x / np.sqrt((x ** 2).mean(-1, keepdims=True) + 1e-6) * w[0]
    check_layer(layers.RMSNormalization, {}, input_shape=(3, 5), expected_weight_shapes=[(5,)],
                reference=reference)


def test_spectral_normalization():
    out = check_layer(layers.SpectralNormalization, {"layer": layers.Dense(3)},
                      input_shape=(4, 5), expected_num_trainable_weights=2,
                      expected_num_non_trainable_weights=1,
                      expected_weight_shapes=[(5, 3), (1, 3), (3,)])
    assert out.shape == (4, 3)
    layer = layers.SpectralNormalization(layers.Dense(4, name="d"), power_iterations=20,
                                         name="sn")
    x = np.random.default_rng(0).normal(size=(2, 6)).astype("float32")
    layer(x)
    for _ in range(3):
        layer(x, training=True)
    sigma = np.linalg.svd(layer.layer.kernel.numpy(), compute_uv=False)[0]
    assert abs(sigma - 1.0) < 1e-2
    assert [w.path for w in layer.weights] == ["sn/d/kernel", "sn/vector_u", "sn/d/bias"]
    with pytest.raises(ValueError, match="power_iterations"):
        layers.SpectralNormalization(layers.Dense(2), power_iterations=0)
    with pytest.raises(ValueError, match="no `kernel` nor `embeddings`"):
        layers.SpectralNormalization(layers.Flatten())(np.ones((2, 3)))


# ------------------------------------------------------------------ seed 000: HappyModel

@pytest.mark.skipif(not hasattr(layers, "Conv2D") or not hasattr(layers, "MaxPooling2D"),
                    reason="Conv2D / MaxPooling2D are not written yet")
def test_happy_model_parameter_counts_and_shapes():
    x_input = cornu.Input((64, 64, 3))
    x = layers.ZeroPadding2D((3, 3))(x_input)
    x = layers.Conv2D(32, (7, 7), strides=(1, 1), name="conv0")(x)
    x = layers.BatchNormalization(axis=3, name="bn0")(x)
    x = layers.Activation("relu")(x)
    x = layers.MaxPooling2D((2, 2), name="max_pool")(x)
    x = layers.Flatten()(x)
    x = layers.Dense(1, activation="sigmoid", name="fc")(x)
    model = cornu.Model(inputs=x_input, outputs=x, name="HappyModel")
    assert model.count_params() == 37633
    non_trainable = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    assert non_trainable == 64
    assert model.get_layer("conv0").output.shape == (None, 64, 64, 32)
    assert model.get_layer("max_pool").output.shape == (None, 32, 32, 32)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    data = np.random.default_rng(0).random((4, 64, 64, 3)).astype("float32")
    model.fit(data, np.array([[0], [1], [1], [0]], "float32"), batch_size=2, epochs=1, verbose=0)
    assert model.predict(data, verbose=0).shape == (4, 1)
