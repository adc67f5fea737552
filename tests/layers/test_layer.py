"""The Layer base class: build, call, weights, config, names, errors, training flag."""
import numpy as np
import pytest

import cornu
from cornu import backend, layers, ops


class Scale(layers.Layer):
    """y = x * w + b, with w (last dim,) and b scalar; records the training flag it saw."""

    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor
        self.seen_training = "unset"

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")
        self.b = self.add_weight(shape=(), initializer="zeros", trainable=False, name="b")

    def call(self, inputs, training=None):
        self.seen_training = training
        return inputs * self.w * self.factor + self.b


def test_build_on_first_call_and_weights():
    layer = Scale()
    assert not layer.built
    y = layer(np.ones((2, 3), dtype="float32"))
    assert layer.built and tuple(y.shape) == (2, 3)
    assert np.allclose(backend.convert_to_numpy(y), 2.0)
    assert [w.name for w in layer.weights] == ["w", "b"]
    assert [w.path for w in layer.weights] == ["scale/w", "scale/b"]
    assert layer.trainable_weights == [layer.w] and layer.non_trainable_weights == [layer.b]
    assert layer.count_params() == 4


def test_set_weights_checks_shapes_and_count():
    layer = Scale()
    layer(np.ones((1, 3)))
    layer.set_weights([np.full(3, 5.0), np.array(1.0)])
    assert np.allclose(layer.get_weights()[0], 5.0)
    with pytest.raises(ValueError, match=r"shape \(3,\).*\(4,\)"):
        layer.set_weights([np.ones(4), np.array(0.0)])
    with pytest.raises(ValueError, match="expects 2 weight arrays"):
        layer.set_weights([np.ones(3)])


def test_freezing_moves_weights_to_non_trainable():
    layer = Scale()
    layer(np.ones((1, 3)))
    layer.trainable = False
    assert layer.trainable_weights == []
    assert len(layer.non_trainable_weights) == 2


def test_automatic_names_and_slashes():
    a, b = layers.Dense(2), layers.Dense(2)
    assert (a.name, b.name) == ("dense", "dense_1")
    named = layers.Dense(2, name="fire2/squeeze1x1")
    named(np.ones((1, 3)))
    assert named.name == "fire2/squeeze1x1" and named.kernel.path == "fire2/squeeze1x1/kernel"
    backend.clear_session()
    assert layers.Dense(1).name == "dense"


def test_training_flag_passes_to_call_and_nested_layers():
    inner = Scale()

    class Outer(layers.Layer):
        def call(self, inputs):  # does not take `training` itself
            return inner(inputs)

    outer = Outer()
    x = np.ones((1, 2), dtype="float32")
    outer(x, training=True)
    assert inner.seen_training is True
    outer(x)
    assert inner.seen_training is None
    inner(x, training=False)
    assert inner.seen_training is False


def test_get_config_from_constructor_and_from_config():
    layer = Scale(factor=3.0, name="s")
    config = layer.get_config()
    assert config["factor"] == 3.0 and config["name"] == "s" and config["trainable"] is True
    clone = Scale.from_config(config)
    assert clone.factor == 3.0 and clone.name == "s"
    dense = layers.Dense(4, activation="relu", use_bias=False)
    config = dense.get_config()
    assert config["units"] == 4 and config["use_bias"] is False and config["activation"] == "relu"
    again = layers.Dense.from_config(config)
    assert again.units == 4 and again.use_bias is False


def test_unknown_keyword_suggests_the_closest():
    with pytest.raises(TypeError, match="`unit`.*`units`"):
        layers.Dense(unit=3)
    with pytest.raises(TypeError, match="activaton.*activation"):
        layers.Dense(3, activaton="relu")


def test_wrong_last_dimension_names_layer_and_shapes():
    dense = layers.Dense(4)
    dense(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"dense.*axis -1.*value 3.*\(2, 5\)"):
        dense(np.ones((2, 5)))
    with pytest.raises(ValueError, match=r"min_ndim=2.*\(5,\)"):
        layers.Dense(2)(np.ones(5))


def test_regularizer_losses_and_add_loss():
    dense = layers.Dense(2, kernel_regularizer=cornu.regularizers.L2(0.5),
                         kernel_initializer="ones")
    dense(np.ones((1, 3)))
    assert len(dense.losses) == 1
    assert float(backend.convert_to_numpy(dense.losses[0])) == pytest.approx(0.5 * 6)

    class Penalised(layers.Layer):
        def call(self, x):
            self.add_loss(ops.sum(x))
            return x

    p = Penalised()
    p(np.ones((2, 2)))
    assert float(backend.convert_to_numpy(p.losses[0])) == 4.0


def test_input_and_output_properties():
    x = cornu.Input(shape=(3,))
    dense = layers.Dense(5)
    y = dense(x)
    assert dense.input is x and dense.output is y
    assert dense.input_shape == (None, 3) and dense.output_shape == (None, 5)
    with pytest.raises(AttributeError, match="never been called"):
        layers.Dense(1).output


def test_symbolic_output_shape_comes_from_running_call():
    class Pairs(layers.Layer):  # no compute_output_shape: inferred from a shape-only run
        def call(self, x):
            return ops.reshape(x, (-1, x.shape[1] // 2, 2))

    y = Pairs()(cornu.Input(shape=(6,)))
    assert y.shape == (None, 3, 2)
    assert Pairs().compute_output_shape((4, 8)) == (4, 4, 2)


def test_masks_flow_through_supporting_layers():
    class RowMask(layers.Layer):  # masks the rows whose first entry is 0
        def call(self, x):
            return x

        def compute_mask(self, inputs, previous_mask=None):
            return ops.not_equal(inputs[:, 0], 0)

    x = np.array([[1.0, 2.0], [0.0, 3.0]], dtype="float32")
    out = layers.Activation("relu")(RowMask()(x))
    assert backend.convert_to_numpy(out._keras_mask).tolist() == [True, False]
    symbolic = layers.Activation("relu")(RowMask()(cornu.Input((2,))))
    assert symbolic._keras_mask is not None and symbolic._keras_mask.shape == (None,)


def test_dense_single_row_inference_path_matches_and_follows_updates():
    import torch
    dense = layers.Dense(6, activation="relu")
    x = np.random.default_rng(3).normal(size=(1, 5)).astype("float32")
    dense(x)
    with torch.no_grad():
        first = backend.convert_to_numpy(dense(x))
        np.testing.assert_allclose(
            first, np.maximum(x @ dense.kernel.numpy() + dense.bias.numpy(), 0), atol=1e-6)
        dense.kernel.assign(np.full((5, 6), 0.5, "float32"))  # the cached copy must refresh
        again = backend.convert_to_numpy(dense(x))
    np.testing.assert_allclose(again, np.maximum(x @ np.full((5, 6), 0.5) + dense.bias.numpy(),
                                                 0), atol=1e-6)
