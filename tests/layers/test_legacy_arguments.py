"""Keras 1/2 constructor spellings: each works and warns with the modern spelling."""
import warnings

import numpy as np
import pytest

import cornu as keras
from cornu import backend, layers


def _warned(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn()
    return out, " ".join(str(w.message) for w in caught if w.category is DeprecationWarning)


@pytest.mark.parametrize("make, attribute, value, modern", [
    (lambda: layers.Dense(output_dim=4), "units", 4, "units"),
    (lambda: layers.Dense(4, init="zeros"), "kernel_initializer", None, "kernel_initializer"),
    (lambda: layers.Dense(4, W_regularizer="l2"), "kernel_regularizer", None,
     "kernel_regularizer"),
    (lambda: layers.Dense(4, bias=False), "use_bias", False, "use_bias"),
    (lambda: layers.Conv2D(8, (3, 3), border_mode="same"), "padding", "same", "padding"),
    (lambda: layers.Conv2D(8, (3, 3), subsample=(2, 2)), "strides", (2, 2), "strides"),
    (lambda: layers.Conv2D(8, (3, 3), dim_ordering="th"), "data_format", "channels_first",
     "data_format"),
    (lambda: layers.Conv2D(nb_filter=8, nb_row=2, nb_col=3), "kernel_size", (2, 3),
     "kernel_size"),
    (lambda: layers.Conv2D(64, 3, 3), "kernel_size", (3, 3), "kernel_size"),
])
def test_keras1_arguments_translate_and_warn(make, attribute, value, modern):
    layer, message = _warned(make)
    if value is not None:
        assert getattr(layer, attribute) == value
    assert modern in message


def test_keras1_conv_in_channels_first_model():
    backend.set_image_data_format("channels_first")
    model, message = _warned(lambda: keras.Sequential([layers.Conv2D(
        64, 3, 3, border_mode="same", input_shape=(3, 32, 32))]))
    assert model.output_shape == (None, 64, 32, 32) and "padding" in message
    model.add(layers.Flatten())
    assert model.output_shape == (None, 65536)


def test_unknown_and_doubled_arguments_are_type_errors():
    with pytest.raises(TypeError, match="kernel_sise.*kernel_size"):
        layers.Conv2D(8, kernel_sise=3)
    with pytest.raises(TypeError, match="both `output_dim`.*`units`"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            layers.Dense(4, output_dim=4)


def test_dropped_keras1_argument_warns():
    layer, message = _warned(lambda: layers.Conv2DTranspose(4, 3, output_shape=(None, 8, 8, 4)))
    assert "no effect" in message and layer.filters == 4
    x = np.ones((1, 6, 6, 2), "float32")
    assert tuple(layer(x).shape) == (1, 8, 8, 4)


@pytest.mark.parametrize("make, attribute, expected", [
    (lambda: layers.Embedding(10, 4, init="zeros"), "embeddings_initializer", "Zeros"),
    (lambda: layers.BatchNormalization(beta_init="ones"), "beta_initializer", "Ones"),
    (lambda: layers.PReLU(init="ones"), "alpha_initializer", "Ones"),
])
def test_one_keras1_name_maps_to_each_layers_own_argument(make, attribute, expected):
    layer, message = _warned(make)
    assert type(getattr(layer, attribute)).__name__ == expected and attribute in message


def test_keras1_scalar_renames():
    assert _warned(lambda: layers.GaussianNoise(sigma=0.1))[0].stddev == 0.1
    assert _warned(lambda: layers.Dropout(p=0.3))[0].rate == 0.3
    assert _warned(lambda: layers.UpSampling1D(length=3))[0].size == 3
    layer, message = _warned(lambda: layers.BatchNormalization(mode=0))
    assert "no effect" in message


def test_keras2_module_homes_of_layers():
    from cornu.layers.convolutional import MaxPooling2D, UpSampling2D, ZeroPadding2D
    from cornu.layers.core import Dropout, Flatten, Permute, RepeatVector
    assert Dropout is layers.Dropout and Flatten is layers.Flatten
    assert Permute is layers.Permute and RepeatVector is layers.RepeatVector
    assert (MaxPooling2D, UpSampling2D, ZeroPadding2D) == (
        layers.MaxPooling2D, layers.UpSampling2D, layers.ZeroPadding2D)
    with pytest.raises(ImportError):
        from cornu.layers.core import NotALayer  # noqa: F401


def test_tf23_preprocessing_names_and_module():
    assert _warned(lambda: layers.Discretization(bins=[0.0, 1.0]))[0].bin_boundaries == [0.0, 1.0]
    assert _warned(lambda: layers.CategoryEncoding(max_tokens=4))[0].num_tokens == 4
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import importlib
        import cornu.layers.experimental.preprocessing as module
        importlib.reload(module)
    assert module.Normalization is layers.Normalization
    assert any("keras.layers" in str(w.message) for w in caught)


def test_string_inputs_reach_lookup_layers_in_a_model():
    inp = keras.Input(shape=(1,), dtype="string")
    x = layers.StringLookup(vocabulary=["a", "b", "c"])(inp)
    out = layers.Dense(2)(layers.CategoryEncoding(5, output_mode="one_hot")(x))
    model = keras.Model(inp, out)
    assert model.predict(np.array([["a"], ["c"], ["z"]]), verbose=0).shape == (3, 2)
    assert layers.Dense(2)(np.ones((2, 3), "int64")).dtype == backend.convert_to_tensor(
        np.ones(1, "float32")).dtype


def test_a_users_init_with_kwargs_receives_arguments_its_parent_lacks():
    # PixelCNN (keras.io): the layer hands **kwargs to a Conv2D it makes itself.
    import numpy as np
    import cornu

    class PixelConvLayer(cornu.layers.Layer):
        def __init__(self, mask_type, **kwargs):
            super().__init__()
            self.mask_type = mask_type
            self.conv = cornu.layers.Conv2D(**kwargs)

        def call(self, x):
            return self.conv(x)

    layer = PixelConvLayer(mask_type="A", filters=4, kernel_size=3, padding="same")
    assert tuple(layer(np.zeros((1, 5, 5, 1), "float32")).shape) == (1, 5, 5, 4)

    class PassesOn(cornu.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)

    with pytest.raises(TypeError, match="unexpected keyword argument `colour`"):
        PassesOn(3, colour=1)  # unconsumed, it still reaches Layer and is refused
