"""compile(jit_compile=True): the training forward pass and loss are one torch.compile
graph (no graph breaks), and training gives eager mode's losses."""
import numpy as np
import pytest

import cornu as keras
from cornu import layers

torch = pytest.importorskip("torch")


def _cnn():
    return keras.Sequential([
        layers.Input((10, 10, 1)), layers.Conv2D(4, 3, activation="relu"),
        layers.MaxPooling2D(2), layers.Flatten(), layers.Dropout(0.5),
        layers.Dense(3, activation="softmax")])


def _mlp():
    return keras.Sequential([layers.Input((12,)), layers.Dense(16, activation="relu"),
                             layers.Dropout(0.2), layers.Dense(3, activation="softmax")])


def _tiny():
    return keras.Sequential([layers.Input((10,)), layers.Dense(1)])


CASES = {
    "mlp": (_mlp, (12,), "adam", "sparse_categorical_crossentropy"),
    "cnn": (_cnn, (10, 10, 1), "adam", "sparse_categorical_crossentropy"),
    "tiny": (_tiny, (10,), "sgd", "mse"),
}


def _data(name, n=24):
    _, shape, _, loss = CASES[name]
    rng = np.random.default_rng(0)
    x = rng.random((n,) + shape).astype("float32")
    y = rng.integers(0, 3, n) if loss.startswith("sparse") else rng.random((n, 1)).astype(
        "float32")
    return x, y


@pytest.mark.parametrize("name", sorted(CASES))
def test_training_forward_is_one_graph(name):
    build, _, optimizer, loss = CASES[name]
    model = build()
    model.compile(optimizer=optimizer, loss=loss, jit_compile=True)
    x, y = _data(name)
    model.train_on_batch(x, y)  # builds and settles which tensors need gradients
    explained = torch._dynamo.explain(model._forward_and_loss)(
        torch.as_tensor(x), torch.as_tensor(y), None)
    assert (explained.graph_count, explained.graph_break_count) == (1, 0), [
        b.reason for b in explained.break_reasons]


@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_compiled_steps_give_eager_losses(name):
    build, _, optimizer, loss = CASES[name]
    x, y = _data(name)
    losses = {}
    for jit in (False, True):
        keras.utils.set_random_seed(0)  # same weights and the same dropout masks
        model = build()
        model.compile(optimizer=optimizer, loss=loss, jit_compile=jit)
        # full batches, then a smaller one (compiled again for its shape), then full ones
        sizes = [8, 8, 5, 8, 8]
        losses[jit] = np.array([model.train_on_batch(x[:n], y[:n]) for n in sizes])
        weights = [w.numpy() for w in model.weights]
        losses[jit, "weights"] = weights
    assert losses[False][-1] < losses[False][0]
    np.testing.assert_allclose(losses[True], losses[False], rtol=1e-5, atol=1e-6)
    for a, b in zip(losses[True, "weights"], losses[False, "weights"]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_fit_with_jit_compile_learns_and_matches_eager():
    x, y = _data("tiny", 64)
    history = {}
    for jit in (False, True):
        keras.utils.set_random_seed(1)
        model = _tiny()
        model.compile(optimizer="sgd", loss="mse", jit_compile=jit)
        history[jit] = model.fit(x, y, batch_size=16, epochs=4, verbose=0).history["loss"]
    assert history[False][-1] < history[False][0]
    np.testing.assert_allclose(history[True], history[False], rtol=1e-5)


def test_adam_update_compiles_and_a_jit_model_saves(tmp_path):
    x, y = _data("mlp")
    model = _mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", jit_compile=True)
    for _ in range(3):
        model.train_on_batch(x, y)
    assert type(model.optimizer._K).__name__ == "CompiledKernels"
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert int(loaded.optimizer.iterations.numpy()) == 3
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               atol=1e-6)
    for a, b in zip(loaded.optimizer.variables, model.optimizer.variables):
        np.testing.assert_allclose(np.asarray(a.numpy()), np.asarray(b.numpy()), atol=1e-7)
