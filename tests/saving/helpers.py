"""Small models and checks shared by the saving tests."""
import numpy as np

import cornu as keras

L = keras.layers


def data(shape, seed=0, dtype="float32"):
    return np.random.default_rng(seed).normal(size=shape).astype(dtype)


def as_list(out):
    if isinstance(out, dict):
        return [out[k] for k in sorted(out)]
    return list(out) if isinstance(out, (list, tuple)) else [out]


def assert_same_predictions(a, b, x, atol=1e-6):
    for pa, pb in zip(as_list(a.predict(x, verbose=0)), as_list(b.predict(x, verbose=0))):
        np.testing.assert_allclose(pa, pb, atol=atol)


def assert_same_weights(a, b, atol=0.0):
    wa, wb = a.get_weights(), b.get_weights()
    assert len(wa) == len(wb)
    for x, y in zip(wa, wb):
        np.testing.assert_allclose(x, y, atol=atol)


def mlp(name=None):
    return keras.Sequential([keras.Input((6,)), L.Dense(8, activation="relu"),
                             L.BatchNormalization(), L.Dense(3)], name=name)


def multi_io():
    """Two inputs, two outputs, a shared layer called twice, a nested model."""
    a = keras.Input((4,), name="a")
    b = keras.Input((3,), name="b")
    shared = L.Dense(4, name="shared")
    inner = keras.Sequential([keras.Input((4,)), L.Dense(4, activation="tanh")], name="inner")
    sa = shared(a)
    sb = shared(L.Dense(4)(b))
    x = L.Concatenate()([inner(sa), sb])
    out1 = L.Dense(2, name="out1")(x)
    out2 = L.Dense(1, activation="sigmoid", name="out2")(L.Add()([sa, sb]))
    return keras.Model([a, b], [out1, out2], name="multi_io")


def multi_io_data(n=8, seed=0):
    x = [data((n, 4), seed), data((n, 3), seed + 1)]
    y = [data((n, 2), seed + 2), (data((n, 1), seed + 3) > 0).astype("float32")]
    return x, y
