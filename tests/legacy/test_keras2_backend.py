"""Keras 2's `keras.backend` functions (`K.<name>`): every name exists, and each has
its Keras 2 meaning, checked against numpy or torch, eager and inside models."""
import pathlib

import numpy as np
import pytest
import torch

import cornu
from cornu import backend as K
from cornu import layers

NAMES = pathlib.Path(__file__).with_name("fixtures") / "keras2_backend_names.txt"
RNG = np.random.default_rng(0)


def f32(*shape):
    return RNG.normal(size=shape).astype("float32")


def value(x):
    return cornu.ops.convert_to_numpy(x)


def test_every_keras2_backend_name_exists_and_is_in_the_table():
    lines = NAMES.read_text().splitlines()
    names = [n for n in lines[1:] if n]
    assert len(names) == 141, lines[0]
    missing = [n for n in names if not hasattr(K, n)]
    assert not missing, missing
    from cornu.legacy import backend as legacy
    table = legacy.__doc__
    assert [n for n in names if n not in table] == []


def test_shapes_and_math_against_numpy():
    x = f32(3, 4, 2)
    np.testing.assert_allclose(value(K.batch_flatten(x)), x.reshape(3, 8))
    np.testing.assert_allclose(value(K.flatten(x)), x.reshape(-1))
    norm = x / np.sqrt(np.maximum((x ** 2).sum(axis=1, keepdims=True), 1e-12))
    np.testing.assert_allclose(value(K.l2_normalize(x, axis=1)), norm, rtol=1e-5)
    np.testing.assert_allclose(value(K.repeat(x[:, :, 0], 2)), np.repeat(
        x[:, None, :, 0], 2, axis=1))
    np.testing.assert_allclose(value(K.repeat_elements(x, 3, axis=1)), np.repeat(x, 3, axis=1))
    np.testing.assert_allclose(value(K.reverse(x, axes=[0, 2])), x[::-1, :, ::-1])
    np.testing.assert_allclose(value(K.cumsum(x, axis=1)), np.cumsum(x, axis=1), rtol=1e-5)
    np.testing.assert_allclose(value(K.hard_sigmoid(x)), np.clip(0.2 * x + 0.5, 0, 1))
    np.testing.assert_allclose(value(K.tile(x, (1, 2, 1))), np.tile(x, (1, 2, 1)))
    assert value(K.arange(5)).dtype == np.int32
    assert K.count_params(x) == 24 and K.is_sparse(x) is False
    np.testing.assert_allclose(value(K.temporal_padding(x, (1, 2))),
                               np.pad(x, ((0, 0), (1, 2), (0, 0))))
    e = K.eye(3)
    assert isinstance(e, cornu.Variable) and np.array_equal(K.get_value(e), np.eye(3))


def test_switch_phases_and_update():
    cond = np.array([True, False, True])
    x, y = np.ones((3, 2), "float32"), np.zeros((3, 2), "float32")
    np.testing.assert_array_equal(value(K.switch(cond, x, y))[:, 0], [1, 0, 1])
    assert K.switch(True, lambda: 1, lambda: 2) == 1
    assert K.in_train_phase(lambda: "train", "test", training=1) == "train"
    assert K.in_test_phase("test", "train", training=0) == "test"
    with K.learning_phase_scope(1):
        assert K.learning_phase() == 1
        assert K.in_train_phase("train", "test") == "train"
    assert K.learning_phase() == 0
    v = K.variable(np.zeros(2))
    K.update_add(v, np.ones(2))
    K.moving_average_update(v, np.full(2, 3.0), 0.5)
    np.testing.assert_allclose(K.get_value(v), [2.0, 2.0])


def test_functions_on_symbolic_tensors_inside_a_model():
    inputs = cornu.Input((4,))
    x = layers.Lambda(lambda t: K.l2_normalize(t, axis=1))(inputs)
    outputs = layers.Lambda(lambda t: K.switch(K.greater(t, 0.0), t, K.zeros_like(t)))(x)
    model = cornu.Model(inputs, outputs)
    data = f32(5, 4)
    norm = data / np.linalg.norm(data, axis=1, keepdims=True)
    np.testing.assert_allclose(model.predict(data, verbose=0), np.maximum(norm, 0), rtol=1e-5)
    # K.function, the Keras 2 way to read an intermediate layer
    get_hidden = K.function([model.input], [model.layers[1].output])
    np.testing.assert_allclose(get_hidden([data])[0], norm, rtol=1e-5)


def test_convolutions_pooling_and_padding_against_torch():
    x = f32(2, 6, 6, 3)
    kernel = f32(3, 3, 3, 4)
    xt = torch.from_numpy(x).permute(0, 3, 1, 2)
    ref = torch.nn.functional.conv2d(xt, torch.from_numpy(kernel).permute(3, 2, 0, 1))
    np.testing.assert_allclose(value(K.conv2d(x, kernel)), ref.permute(0, 2, 3, 1).numpy(),
                               rtol=1e-4, atol=1e-5)
    # transposed: kernel (h, w, out, in); output_shape fixes the size
    tkernel = f32(3, 3, 5, 3)
    out = K.conv2d_transpose(x, tkernel, (2, 13, 13, 5), strides=(2, 2), padding="valid")
    ref = torch.nn.functional.conv_transpose2d(
        xt, torch.from_numpy(tkernel).permute(3, 2, 0, 1), stride=2)
    np.testing.assert_allclose(value(out), ref.permute(0, 2, 3, 1).numpy(), rtol=1e-4,
                               atol=1e-5)
    seq = f32(2, 7, 3)
    causal = K.conv1d(seq, f32(2, 3, 4), padding="causal")
    assert tuple(causal.shape) == (2, 7, 4)
    pooled = K.pool2d(x, (2, 2), strides=(2, 2), pool_mode="avg")
    np.testing.assert_allclose(value(pooled), x.reshape(2, 3, 2, 3, 2, 3).mean(axis=(2, 4)),
                               rtol=1e-5)
    padded = K.spatial_2d_padding(x, ((1, 0), (2, 1)))
    np.testing.assert_array_equal(value(padded), np.pad(x, ((0, 0), (1, 0), (2, 1), (0, 0))))
    big = K.resize_images(x, 2, 3, "channels_last")
    np.testing.assert_array_equal(value(big), np.repeat(np.repeat(x, 2, axis=1), 3, axis=2))
    bias = f32(3)
    np.testing.assert_allclose(value(K.bias_add(x, bias)), x + bias)


def test_local_conv1d_against_a_loop():
    x, kernel = f32(2, 5, 3), f32(2, 2 * 3, 4)  # kernel_size 2, stride 2 -> 2 positions
    out = value(K.local_conv1d(x, kernel, (2,), (2,)))
    ref = np.stack([x[:, 2 * p:2 * p + 2].reshape(2, -1) @ kernel[p] for p in range(2)], 1)
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-6)


def test_batch_normalization_functions():
    x = f32(8, 3)
    normed, mean, var = K.normalize_batch_in_training(x, None, None, [0], epsilon=1e-3)
    np.testing.assert_allclose(value(mean), x.mean(0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(value(var), x.var(0), rtol=1e-5)
    np.testing.assert_allclose(value(normed), (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3),
                               rtol=1e-4, atol=1e-5)


def test_rnn_with_mask_matches_a_loop():
    x = f32(2, 4, 3)
    w = f32(3, 3)
    mask = np.array([[1, 1, 0, 1], [1, 0, 0, 0]], bool)

    def step(inp, states):
        h = np.tanh(inp @ w + states[0]) if isinstance(inp, np.ndarray) else cornu.ops.tanh(
            cornu.ops.add(cornu.ops.matmul(inp, w), states[0]))
        return h, [h]
    last, outputs, states = K.rnn(step, x, [np.zeros((2, 3), "float32")], mask=mask)
    h = np.zeros((2, 3), "float32")
    expected = []
    prev = np.zeros((2, 3), "float32")
    for t in range(4):
        new = np.tanh(x[:, t] @ w + h)
        m = mask[:, t:t + 1]
        h = np.where(m, new, h)
        out = np.where(m, new, prev if t else np.zeros_like(new))
        prev = out
        expected.append(out)
    np.testing.assert_allclose(value(outputs), np.stack(expected, 1), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(value(states[0]), h, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(value(last), expected[-1], rtol=1e-5, atol=1e-6)


def test_ctc_batch_cost_against_torch():
    probs = torch.softmax(torch.from_numpy(f32(2, 6, 4)), -1).numpy()
    labels = np.array([[0, 1, 0], [2, 2, 1]], "int32")
    input_length = np.array([[6], [5]])
    label_length = np.array([[2], [3]])
    loss = value(K.ctc_batch_cost(labels, probs, input_length, label_length))
    assert loss.shape == (2, 1)
    ref = torch.nn.functional.ctc_loss(
        torch.log(torch.from_numpy(probs)).permute(1, 0, 2), torch.from_numpy(labels).long(),
        torch.tensor([6, 5]), torch.tensor([2, 3]), blank=3, reduction="none")
    np.testing.assert_allclose(loss[:, 0], ref.numpy(), rtol=1e-4)
    decoded, _ = K.ctc_decode(probs, input_length[:, 0])
    assert len(decoded) == 1 and decoded[0].shape[0] == 2


def test_tensorflow1_only_functions_say_what_to_write():
    with pytest.raises(RuntimeError, match="keras.Input"):
        K.placeholder(shape=(None, 3))
    with pytest.raises(RuntimeError, match="train_step"):
        K.gradients(None, [])
    with pytest.raises(RuntimeError, match="dense labels"):
        K.ctc_label_dense_to_sparse(None, None)
