"""A cross-entropy given the output of a sigmoid or softmax activation works from
that activation's logits (Keras 2's behaviour), so a saturated output keeps a gradient.

The reference values are computed here with NumPy from the logits."""
import numpy as np
import pytest

import cornu
from cornu import backend as K
from cornu import layers, losses, ops


def _grad_of(loss_fn, logits_np, activation):
    """The loss and the gradient of ``loss_fn(activation(z))`` with respect to z."""
    torch = pytest.importorskip("torch")
    z = torch.tensor(logits_np, requires_grad=True)
    loss = loss_fn(activation(z))
    loss.backward()
    return float(loss.detach()), z.grad.numpy()


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def test_saturated_sigmoid_keeps_its_gradient_in_binary_crossentropy():
    z = np.array([[40.0], [-40.0], [0.5]], dtype="float32")
    y = np.array([[0.0], [1.0], [1.0]], dtype="float32")
    value, grad = _grad_of(
        lambda p: ops.mean(losses.binary_crossentropy(y, p)), z, cornu.activations.sigmoid)
    # -log(sigmoid(z)) for y=1, -log(1-sigmoid(z)) for y=0, from the logits: 40, 40, 0.474
    expected = np.mean([40.0, 40.0, np.log1p(np.exp(-0.5))])
    np.testing.assert_allclose(value, expected, rtol=1e-5)
    # d/dz = (sigmoid(z) - y) / n: the saturated rows are not cut to zero by the clipping
    np.testing.assert_allclose(grad, (_sigmoid(z) - y) / 3, rtol=1e-5, atol=1e-7)


def test_plain_probabilities_are_still_clipped():
    p = np.array([[1.0], [0.0]], dtype="float32")
    y = np.array([[0.0], [1.0]], dtype="float32")
    value = float(ops.mean(losses.binary_crossentropy(y, p)))
    eps = cornu.config.epsilon()
    np.testing.assert_allclose(value, -np.log(eps), rtol=2e-2)


def test_ops_sigmoid_output_is_not_tagged():
    # only the activation a layer is given remembers its logits; ops.sigmoid is the op
    z = K.convert_to_tensor(np.array([[40.0]], dtype="float32"))
    value = float(ops.mean(losses.binary_crossentropy([[0.0]], ops.sigmoid(z))))
    np.testing.assert_allclose(value, -np.log(cornu.config.epsilon()), rtol=2e-2)


def test_softmax_logits_used_by_categorical_and_sparse_crossentropy():
    z = np.array([[60.0, 0.0, -60.0], [1.0, 2.0, 3.0]], dtype="float32")
    onehot = np.array([[0, 0, 1], [1, 0, 0]], dtype="float32")
    log_softmax = z - z.max(-1, keepdims=True)
    log_softmax -= np.log(np.exp(log_softmax).sum(-1, keepdims=True))
    expected = -(onehot * log_softmax).sum(-1).mean()
    value, grad = _grad_of(lambda p: ops.mean(losses.categorical_crossentropy(onehot, p)), z,
                           cornu.activations.softmax)
    np.testing.assert_allclose(value, expected, rtol=1e-5)
    np.testing.assert_allclose(grad, (np.exp(log_softmax) - onehot) / 2, atol=1e-6)
    value = float(ops.mean(losses.sparse_categorical_crossentropy(
        [2, 0], cornu.activations.softmax(K.convert_to_tensor(z)))))
    np.testing.assert_allclose(value, expected, rtol=1e-5)


def test_softmax_over_another_axis_is_not_mistaken_for_the_loss_axis():
    z = K.convert_to_tensor(np.array([[50.0, 0.0], [0.0, 0.0]], dtype="float32"))
    p = cornu.activations.softmax(z, axis=0)  # columns sum to 1, rows do not
    onehot = np.array([[0.0, 1.0], [1.0, 0.0]], dtype="float32")
    pn = K.convert_to_numpy(p)
    pn = np.clip(pn / pn.sum(-1, keepdims=True), cornu.config.epsilon(), 1 - cornu.config.epsilon())
    expected = -(onehot * np.log(pn)).sum(-1)
    np.testing.assert_allclose(K.convert_to_numpy(losses.categorical_crossentropy(onehot, p)),
                               expected, rtol=1e-5)


def test_output_changed_in_place_falls_back_to_the_probabilities():
    torch = pytest.importorskip("torch")
    p = cornu.activations.sigmoid(torch.tensor([[40.0]]))
    p.fill_(0.5)
    np.testing.assert_allclose(float(ops.mean(losses.binary_crossentropy([[1.0]], p))),
                               np.log(2.0), rtol=1e-5)


def test_a_saturated_sigmoid_model_recovers_in_fit():
    # the bias starts at -30: every output is ~1e-13, and with clipped probabilities
    # the gradient would be exactly zero and the model would never move
    cornu.utils.set_random_seed(0)
    x = np.random.default_rng(0).normal(size=(256, 4)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    model = cornu.Sequential([
        layers.Input((4,)),
        layers.Dense(1, activation="sigmoid", bias_initializer=cornu.initializers.Constant(-30.0)),
    ])
    model.compile(cornu.optimizers.Adam(0.5), "binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=10, batch_size=32, verbose=0)
    assert history.history["loss"][0] > 5
    assert history.history["accuracy"][-1] > 0.9, history.history
