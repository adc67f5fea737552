"""Call state of the Layer base: added losses reset per outermost call (Keras 3), and the
``training`` flag is per thread."""
import threading
import time

import numpy as np

import cornu
from cornu import layers, ops

RNG = np.random.default_rng(1)
X = RNG.normal(size=(8, 3)).astype("float32")
Y = RNG.normal(size=(8, 1)).astype("float32")


class AddsLoss(layers.Layer):
    """Adds ``scale * mean(x ** 2)`` to the losses; returns ``x``."""

    def __init__(self, scale=1.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def call(self, x):
        self.add_loss(self.scale * ops.mean(x ** 2))
        return x


def _np(x):
    return cornu.backend.convert_to_numpy(x)


# ------------------------------------------------------------------ losses

def test_added_losses_do_not_accumulate_over_calls():
    layer = AddsLoss()
    layer(X)
    layer(2 * X)
    assert len(layer.losses) == 1
    np.testing.assert_allclose(_np(layer.losses[0]), np.mean((2 * X) ** 2), rtol=1e-6)


def test_weight_regularization_losses_stay():
    class Both(AddsLoss):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(2,), initializer="ones", regularizer="l2")

    layer = Both()
    layer(X)
    layer(X)
    assert len(layer.losses) == 2  # the added one (last call) + the kernel's l2
    np.testing.assert_allclose(sorted(float(_np(v)) for v in layer.losses),
                               sorted([np.mean(X ** 2), 0.01 * 2.0]), rtol=1e-6)


def test_nested_calls_keep_their_parents_losses():
    class Outer(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.inner = AddsLoss(scale=10.0)

        def call(self, x):
            self.add_loss(ops.sum(x) * 0 + 1.0)  # before the inner calls: must survive them
            return self.inner(self.inner(x))

    outer = Outer()
    for _ in range(3):
        outer(X)
    values = sorted(float(_np(v)) for v in outer.losses)
    # the last outer call: its own loss and the inner layer's two
    inner = 10 * np.mean(X ** 2)
    np.testing.assert_allclose(values, sorted([1.0, inner, inner]), rtol=1e-6)
    assert len(outer.inner.losses) == 2


def test_fit_and_evaluate_add_the_added_loss():
    model = cornu.Sequential([cornu.Input((3,)), layers.Dense(1, kernel_initializer="ones"),
                              AddsLoss(scale=0.5)])
    model.compile(optimizer=cornu.optimizers.SGD(learning_rate=0.0), loss="mse")
    pred = X.sum(axis=1, keepdims=True)  # Dense with ones and a zero bias
    batches = [slice(0, 4), slice(4, 8)]
    expected = np.mean([np.mean((pred[b] - Y[b]) ** 2) + 0.5 * np.mean(pred[b] ** 2)
                        for b in batches])
    history = model.fit(X, Y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], [expected, expected], rtol=1e-5)
    np.testing.assert_allclose(model.evaluate(X, Y, batch_size=4, verbose=0), expected,
                               rtol=1e-5)
    assert len(model.losses) == 1


# ------------------------------------------------------------------ training, per thread

class SlowDropout(layers.Layer):
    """Yields the thread inside the call, then runs an inner Dropout that inherits
    ``training`` from the enclosing call."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dropout = layers.Dropout(0.5)

    def call(self, x):
        time.sleep(0.0005)  # let the other thread run while this call is under way
        return self.dropout(x)


def _race(training_a, calls_a, training_b, calls_b):
    model = cornu.Sequential([cornu.Input((64,)), SlowDropout()])
    x = np.ones((4, 64), "float32")
    out_a, out_b = [], []
    errors = []

    def run(training, n, out):
        try:
            for _ in range(n):
                out.append(_np(model(x, training=training)))
        except Exception as e:  # surfaced in the main thread
            errors.append(e)

    a = threading.Thread(target=run, args=(training_a, calls_a, out_a))
    b = threading.Thread(target=run, args=(training_b, calls_b, out_b))
    a.start()
    b.start()
    a.join()
    b.join()
    assert not errors, errors
    return x, out_a, out_b


def test_inference_in_one_thread_ignores_training_in_another():
    for training_b in (False, None):
        x, _, out_b = _race(True, 60, training_b, 60)
        for out in out_b:
            np.testing.assert_array_equal(out, x)


def test_training_in_one_thread_ignores_inference_in_another():
    x, out_a, _ = _race(True, 60, False, 60)
    for out in out_a:
        assert (out == 0).any()  # dropout applied: some entries dropped, the rest scaled
        np.testing.assert_allclose(out[out != 0], 2.0)


def test_subclassed_model_with_add_loss_trains_from_its_first_step():
    # The guide's VAE: the model adds a loss in `call`; building it runs `call` on
    # shape-only tensors, whose loss must not reach the first training step.
    import numpy as np
    import cornu
    from cornu import layers, ops

    class WithPenalty(cornu.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(4)

        def call(self, x):
            y = self.dense(x)
            self.add_loss(ops.mean(ops.square(y)))
            return y

    model = WithPenalty()
    model.compile("adam", "mse")
    x = np.random.default_rng(0).random((32, 4)).astype("float32")
    history = model.fit(x, x, epochs=2, batch_size=32, verbose=0)
    assert len(model.losses) == 1 and np.isfinite(history.history["loss"]).all()
    y = model.predict(x, verbose=0)
    expected = np.mean((y - x) ** 2) + np.mean(y ** 2)  # mse + the added penalty
    np.testing.assert_allclose(model.evaluate(x, x, verbose=0), expected, rtol=1e-4)
