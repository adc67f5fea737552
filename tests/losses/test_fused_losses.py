"""The one-kernel batch means of the common losses (``backend.fused_losses``) give the
values and gradients of Keras's general path, and step aside where they do not apply."""
import numpy as np
import pytest

import cornu
from cornu import losses, ops

torch = pytest.importorskip("torch")


def _general(loss, y_true, y_pred):
    """The loss through Keras's general path: per-sample values, then the batch mean."""
    return ops.mean(loss.fn(y_true, y_pred, **loss._fn_kwargs))


def _value_and_grad(fn, z):
    z = z.detach().clone().requires_grad_()
    value = fn(z)
    (grad,) = torch.autograd.grad(value, z)
    return float(value.detach()), grad.numpy()


rng = np.random.default_rng(0)
LOGITS = torch.tensor(rng.normal(size=(6, 4)) * 3, dtype=torch.float32)
SPARSE = torch.tensor(rng.integers(0, 4, 6))
ONEHOT = torch.nn.functional.one_hot(SPARSE, 4).float()
BINARY = torch.tensor(rng.integers(0, 2, (6, 1)), dtype=torch.float32)
REGRESSION = torch.tensor(rng.normal(size=(6, 3)), dtype=torch.float32)


CASES = {
    "mse": (losses.MeanSquaredError(), REGRESSION, lambda z: z[:, :3], None),
    "sparse_cce": (losses.SparseCategoricalCrossentropy(), SPARSE,
                   lambda z: cornu.activations.softmax(z), "sparse"),
    "sparse_cce_column": (losses.SparseCategoricalCrossentropy(), SPARSE[:, None],
                          lambda z: cornu.activations.softmax(z), "sparse"),
    "sparse_cce_logits": (losses.SparseCategoricalCrossentropy(from_logits=True), SPARSE,
                          lambda z: z, "sparse"),
    "cce": (losses.CategoricalCrossentropy(), ONEHOT,
            lambda z: cornu.activations.softmax(z), "onehot"),
    "bce": (losses.BinaryCrossentropy(), BINARY,
            lambda z: cornu.activations.sigmoid(z[:, :1]), "binary"),
    "bce_logits": (losses.BinaryCrossentropy(from_logits=True), BINARY, lambda z: z[:, :1],
                   "binary"),
}


def _reference(case, z):
    """numpy: the batch mean of each loss, from the logits z."""
    z = z.astype("float64")
    if case.startswith("mse"):
        return np.mean((z[:, :3] - REGRESSION.numpy()) ** 2)
    if case.startswith("bce"):
        x, t = z[:, :1], BINARY.numpy()
        return np.mean(np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x))))
    log_softmax = z - z.max(1, keepdims=True)
    log_softmax -= np.log(np.exp(log_softmax).sum(1, keepdims=True))
    return -np.mean(log_softmax[np.arange(6), SPARSE.numpy()])


@pytest.mark.parametrize("case", sorted(CASES))
def test_fast_path_equals_the_general_path_and_numpy(case):
    loss, y_true, head, _ = CASES[case]
    assert loss._fast is not None
    fast = _value_and_grad(lambda z: loss(y_true, head(z)), LOGITS)
    general = _value_and_grad(lambda z: _general(loss, y_true, head(z)), LOGITS)
    np.testing.assert_allclose(fast[0], general[0], rtol=1e-6)
    np.testing.assert_allclose(fast[1], general[1], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(fast[0], _reference(case, LOGITS.numpy()), rtol=1e-5)


def test_the_fast_path_is_taken(monkeypatch):
    calls = []
    real = cornu.backend.fused_losses.mean_loss

    def spy(*args, **kwargs):
        value = real(*args, **kwargs)
        calls.append(value is not None)
        return value

    monkeypatch.setattr(cornu.backend.fused_losses, "mean_loss", spy)
    losses.SparseCategoricalCrossentropy()(SPARSE, cornu.activations.softmax(LOGITS))
    losses.BinaryCrossentropy()(BINARY, torch.sigmoid(LOGITS[:, :1]))  # no logits: general
    assert calls == [True, False]


@pytest.mark.parametrize("loss", [
    losses.SparseCategoricalCrossentropy(ignore_class=0),
    losses.CategoricalCrossentropy(label_smoothing=0.1),
    losses.BinaryCrossentropy(label_smoothing=0.1),
    losses.MeanSquaredError(reduction="sum"),
    losses.CategoricalCrossentropy(axis=0),
])
def test_other_options_keep_the_general_path(loss):
    assert loss._fast is None


def test_weights_masks_and_other_shapes_fall_back_with_keras_values():
    loss = losses.MeanSquaredError()
    y_pred = REGRESSION + 1.0
    weights = torch.tensor([1.0, 0.0, 2.0, 1.0, 1.0, 0.5])
    per_sample = ((y_pred - REGRESSION) ** 2).mean(1)
    np.testing.assert_allclose(float(loss(REGRESSION, y_pred, sample_weight=weights)),
                               float((per_sample * weights).sum() / 6), rtol=1e-6)
    masked = y_pred.clone()
    masked._keras_mask = torch.tensor([True, True, False, True, True, True])
    value = float(loss(REGRESSION, masked))
    np.testing.assert_allclose(value, float(per_sample[masked._keras_mask].mean()), rtol=1e-6)
    # (N,) targets against (N, 1) predictions: Keras reconciles the ranks
    np.testing.assert_allclose(float(loss(REGRESSION[:, 0], y_pred[:, :1])), 1.0, rtol=1e-6)
    # float64 predictions with a float32 loss: Keras computes in the loss's dtype
    value = loss(REGRESSION.double(), y_pred.double())
    assert value.dtype == torch.float32
    np.testing.assert_allclose(float(value), 1.0, rtol=1e-6)


def test_fit_takes_the_fast_path_and_learns():
    cornu.utils.set_random_seed(0)
    x = np.random.default_rng(1).normal(size=(64, 5)).astype("float32")
    y = (x[:, 0] > 0).astype("int64")
    model = cornu.Sequential([cornu.layers.Input((5,)),
                              cornu.layers.Dense(2, activation="softmax")])
    model.compile(cornu.optimizers.Adam(0.05), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, batch_size=16, epochs=8, verbose=0).history
    assert history["accuracy"][-1] > 0.9
    probs = model.predict(x, verbose=0)
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0)[0],
                               -np.mean(np.log(probs[np.arange(64), y])), rtol=1e-4)
