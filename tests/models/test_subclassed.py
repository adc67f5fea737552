"""Subclassed models: attribute tracking, lists/dicts of layers, building."""
import numpy as np

import cornu as keras
from cornu import layers


class MLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense_1 = layers.Dense(64, activation="relu")
        self.dense_2 = layers.Dense(10)

    def call(self, inputs):
        return self.dense_2(self.dense_1(inputs))


def test_mlp_tracks_layers_and_counts_after_symbolic_call():
    mlp = MLP()
    assert mlp.name == "mlp"
    out = mlp(keras.Input(shape=(784,)))
    assert out.shape == (None, 10)
    assert mlp.count_params() == 50890
    assert [l.name for l in mlp.layers] == ["dense", "dense_1"]


def test_lists_and_dicts_of_layers_are_tracked():
    class Tower(keras.Model):
        def __init__(self):
            super().__init__()
            self.blocks = [layers.Dense(4), layers.Dense(4)]
            self.heads = {"a": layers.Dense(1), "b": layers.Dense(2)}

        def call(self, x):
            for block in self.blocks:
                x = block(x)
            return self.heads["a"](x), self.heads["b"](x)

    tower = Tower()
    a, b = tower(np.ones((3, 5), "float32"))
    assert tuple(a.shape) == (3, 1) and tuple(b.shape) == (3, 2)
    assert len(tower.weights) == 8 and tower.count_params() == 24 + 20 + 5 + 10


def test_build_with_input_shape():
    mlp = MLP()
    mlp.build((None, 20))
    assert mlp.built and mlp.count_params() == 20 * 64 + 64 + 650


def test_models_nest_in_every_combination():
    seq = keras.Sequential([layers.Dense(3)])
    i = keras.Input((2,))
    func = keras.Model(i, seq(i))

    class Holder(keras.Model):
        def __init__(self):
            super().__init__()
            self.inner = func

        def call(self, x):
            return self.inner(x)

    holder = Holder()
    assert tuple(holder(np.ones((1, 2), "float32")).shape) == (1, 3)
    assert holder.count_params() == 9
