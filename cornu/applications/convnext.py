"""ConvNeXt Tiny, Small, Base, Large and XLarge (Liu et al., 2022), laid out as Keras
lays them out.

Reference: https://arxiv.org/abs/2201.03545. The preprocessing is inside the model (a
``Normalization`` layer by the ImageNet means and variances, on pixels in [0, 255]), so
``preprocess_input`` is a pass-through. The stem and the downsampling blocks are nested
``Sequential`` models and each block ends with a ``LayerScale`` and a
``StochasticDepth`` layer, as in Keras: names and configs match, so Keras's weight
files and saved models load.
"""
import numpy as np

from cornu import backend, initializers, layers, ops, random
from cornu.applications import _base, imagenet_utils
from cornu.layers.layer import Layer

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/convnext/"
# sha256 of Keras's weight files: (with the top, without the top).
WEIGHTS_HASHES = {
    "convnext_tiny": ("8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff",
                      "d547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1"),
    "convnext_small": ("ce1277d8f1ee5a0ef0e171469089c18f5233860ceaf9b168049cb9263fd7483c",
                       "6fc8009faa2f00c1c1dfce59feea9b0745eb260a7dd11bee65c8e20843da6eab"),
    "convnext_base": ("52cbb006d3dadd03f6e095a8ca1aca47aecdd75acb4bc74bce1f5c695d0086e6",
                      "40a20c5548a5e9202f69735ecc06c990e6b7c9d2de39f0361e27baeb24cb7c45"),
    "convnext_large": ("070c5ed9ed289581e477741d3b34beffa920db8cf590899d6d2c67fba2a198a6",
                       "96f02b6f0753d4f543261bc9d09bed650f24dd6bc02ddde3066135b63d23a1cd"),
    "convnext_xlarge": ("c1f5ccab661354fc3a79a10fa99af82f0fbf10ec65cb894a3ae0815f17a889ee",
                        "de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05"),
}
MODEL_CONFIGS = {
    "tiny": {"depths": [3, 3, 9, 3], "projection_dims": [96, 192, 384, 768],
             "default_size": 224},
    "small": {"depths": [3, 3, 27, 3], "projection_dims": [96, 192, 384, 768],
              "default_size": 224},
    "base": {"depths": [3, 3, 27, 3], "projection_dims": [128, 256, 512, 1024],
             "default_size": 224},
    "large": {"depths": [3, 3, 27, 3], "projection_dims": [192, 384, 768, 1536],
              "default_size": 224},
    "xlarge": {"depths": [3, 3, 27, 3], "projection_dims": [256, 512, 1024, 2048],
               "default_size": 224},
}


class StochasticDepth(Layer):
    """Drops the residual branch of whole samples while training (drop path).

    Each sample's branch is kept with probability ``1 - drop_path_rate`` and then
    scaled by ``1 / (1 - drop_path_rate)``; the identity at inference.

    Args:
        drop_path_rate: the probability of dropping a sample's branch, in [0, 1].
    """

    def __init__(self, drop_path_rate, **kwargs):
        super().__init__(**kwargs)
        self.drop_path_rate = drop_path_rate

    def call(self, x, training=None):
        if not training:
            return x
        keep_prob = 1 - self.drop_path_rate
        shape = (ops.shape(x)[0],) + (1,) * (len(x.shape) - 1)  # (batch, 1, ..., 1)
        mask = ops.cast(ops.floor(keep_prob + random.uniform(shape, 0, 1)), x.dtype)
        return (x / keep_prob) * mask

    def compute_output_shape(self, input_shape):
        return input_shape


class LayerScale(Layer):
    """Multiplies its input by a learned per-channel scale (``gamma``).

    Reference: https://arxiv.org/abs/2103.17239.

    Args:
        init_values: the scale's initial value (small, e.g. 1e-6).
        projection_dim: the number of channels (the last axis).
    """

    def __init__(self, init_values, projection_dim, **kwargs):
        super().__init__(**kwargs)
        self.init_values = init_values
        self.projection_dim = projection_dim

    def build(self, input_shape):
        # Unnamed, as in Keras: "variable", "variable_1", ... in creation order.
        self.gamma = self.add_weight(shape=(self.projection_dim,),
                                     initializer=initializers.Constant(self.init_values),
                                     trainable=True)
        self.built = True

    def call(self, x):
        return x * self.gamma

    def compute_output_shape(self, input_shape):
        return input_shape


def ConvNeXtBlock(projection_dim, drop_path_rate=0.0, layer_scale_init_value=1e-6,
                  name=None):
    """A ConvNeXt block: depthwise 7x7 conv, LayerNorm, Dense (4x), GELU, Dense, layer
    scale and stochastic depth, added to the input. Returns the function applying it."""
    if name is None:
        name = f"prestem{backend.get_uid('prestem')}"

    def apply(inputs):
        x = layers.Conv2D(projection_dim, kernel_size=7, padding="same", groups=projection_dim,
                          name=f"{name}_depthwise_conv")(inputs)
        x = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_layernorm")(x)
        x = layers.Dense(4 * projection_dim, name=f"{name}_pointwise_conv_1")(x)
        x = layers.Activation("gelu", name=f"{name}_gelu")(x)
        x = layers.Dense(projection_dim, name=f"{name}_pointwise_conv_2")(x)
        if layer_scale_init_value is not None:
            x = LayerScale(layer_scale_init_value, projection_dim,
                           name=f"{name}_layer_scale")(x)
        if drop_path_rate:
            x = StochasticDepth(drop_path_rate, name=f"{name}_stochastic_depth")(x)
        else:
            x = layers.Activation("linear", name=f"{name}_identity")(x)
        return inputs + x  # an op, not an Add layer, as in Keras

    return apply


def ConvNeXt(depths, projection_dims, drop_path_rate=0.0, layer_scale_init_value=1e-6,
             default_size=224, name="convnext", include_preprocessing=True, include_top=True,
             weights=None, input_tensor=None, input_shape=None, pooling=None, classes=1000,
             classifier_activation="softmax", weights_name=None):
    """The ConvNeXt family: four stages of ``depths[i]`` blocks of width
    ``projection_dims[i]``, each after a downsampling block (the stem for the first).

    Args:
        depths: the number of blocks of each of the 4 stages.
        projection_dims: the channels of each stage.
        drop_path_rate: the largest stochastic-depth rate (linear from 0 over blocks).
        layer_scale_init_value: the initial layer scale; None for no ``LayerScale``.
        default_size: the default input side.
        name: the model's name (and the prefix of its layers' names).
        weights_name: the variant whose ImageNet weights ``weights="imagenet"`` loads.
        Other arguments: as in ``ConvNeXtTiny``.

    Returns:
        A functional ``Model``.
    """
    if backend.image_data_format() == "channels_first":
        raise ValueError("ConvNeXt does not support the `channels_first` image data format. "
                         "Switch to `channels_last` with "
                         "`cornu.backend.set_image_data_format('channels_last')`.")
    _base.check_weights_argument(weights, include_top, classes)
    _base.check_pooling(pooling)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32,
        data_format=backend.image_data_format(), require_flatten=include_top, weights=weights)
    if weights == "imagenet":
        _check_variant(depths, projection_dims, name, weights_name)
    img_input = _base.image_input(input_tensor, input_shape)
    x = img_input
    if include_preprocessing and input_shape[-1] == 3:
        x = layers.Normalization(
            mean=[0.485 * 255, 0.456 * 255, 0.406 * 255],
            variance=[(0.229 * 255) ** 2, (0.224 * 255) ** 2, (0.225 * 255) ** 2],
            name=f"{name}_prestem_normalization")(x)

    from cornu.models import Sequential
    downsample = [Sequential([
        layers.Conv2D(projection_dims[0], kernel_size=4, strides=4, name=f"{name}_stem_conv"),
        layers.LayerNormalization(epsilon=1e-6, name=f"{name}_stem_layernorm"),
    ], name=f"{name}_stem")]
    for i in range(3):
        downsample.append(Sequential([
            layers.LayerNormalization(epsilon=1e-6, name=f"{name}_downsampling_layernorm_{i}"),
            layers.Conv2D(projection_dims[i + 1], kernel_size=2, strides=2,
                          name=f"{name}_downsampling_conv_{i}"),
        ], name=f"{name}_downsampling_block_{i}"))

    rates = [float(r) for r in np.linspace(0.0, drop_path_rate, sum(depths))]
    first = 0
    for i in range(4):
        x = downsample[i](x)
        for j in range(depths[i]):
            x = ConvNeXtBlock(projection_dims[i], drop_path_rate=rates[first + j],
                              layer_scale_init_value=layer_scale_init_value,
                              name=f"{name}_stage_{i}_block_{j}")(x)
        first += depths[i]

    if include_top:
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.GlobalAveragePooling2D(name=f"{name}_head_gap")(x)
        x = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_head_layernorm")(x)
        x = layers.Dense(classes, activation=classifier_activation,
                         name=f"{name}_head_dense")(x)
    else:
        # As in Keras, a final LayerNormalization even without pooling (on the 4D maps).
        x = _base.pool(x, pooling)
        x = layers.LayerNormalization(epsilon=1e-6)(x)
    inputs = img_input if input_tensor is None else _base.source_inputs(input_tensor)[0]
    from cornu.models import Functional
    model = Functional(inputs, x, name=name)

    url = file_name = file_hash = None
    if weights == "imagenet":
        file_name = name + (".h5" if include_top else "_notop.h5")
        url = BASE_WEIGHTS_PATH + file_name
        file_hash = WEIGHTS_HASHES[weights_name][0 if include_top else 1]
    return _base.load_weights(model, weights, url, file_name, file_hash)


def _check_variant(depths, projection_dims, name, weights_name):
    expected = MODEL_CONFIGS[weights_name.split("convnext_")[-1]]
    if (list(depths) != expected["depths"]
            or list(projection_dims) != expected["projection_dims"]):
        raise ValueError(
            f"Architecture configuration does not match {weights_name} variant. With "
            "pretrained weights the architecture must match the pretrained one exactly. "
            f"Expected depths: {expected['depths']}, got: {depths}. Expected "
            f"projection_dims: {expected['projection_dims']}, got: {projection_dims}.")
    if weights_name not in name:
        raise ValueError(f'Model name "{name}" does not match weights variant '
                         f'"{weights_name}". With imagenet weights the model name must contain '
                         f'the variant (e.g. "{weights_name}"), as it names the weights file.')


_COUNTS = {"tiny": 28_589_128, "small": 50_223_688, "base": 88_591_464,
           "large": 197_767_336, "xlarge": 350_196_968}
_PAPER = "[A ConvNet for the 2020s](https://arxiv.org/abs/2201.03545) (CVPR 2022)"


def _variant(variant, title):
    config = MODEL_CONFIGS[variant]

    def constructor(include_top=True, include_preprocessing=True, weights="imagenet",
                    input_tensor=None, input_shape=None, pooling=None, classes=1000,
                    classifier_activation="softmax", name=f"convnext_{variant}"):
        return ConvNeXt(weights_name=f"convnext_{variant}", depths=config["depths"],
                        projection_dims=config["projection_dims"], drop_path_rate=0.0,
                        layer_scale_init_value=1e-6, default_size=config["default_size"],
                        name=name, include_top=include_top,
                        include_preprocessing=include_preprocessing, weights=weights,
                        input_tensor=input_tensor, input_shape=input_shape, pooling=pooling,
                        classes=classes, classifier_activation=classifier_activation)

    constructor.__name__ = constructor.__qualname__ = f"ConvNeXt{title}"
    constructor.__module__ = __name__
    constructor.__doc__ = _base.application_doc(
        f"ConvNeXt{title}", _COUNTS[variant], _PAPER, "convnext",
        "a pass-through: the model takes pixels in [0, 255] and normalises them itself",
        224, 32,
        note="\n\n    Extra argument: ``include_preprocessing`` (default True, needed for "
             "ImageNet\n    weights): whether the model starts with its ``Normalization`` "
             "layer. Without\n    the top, the output passes a final ``LayerNormalization`` "
             "(after the optional\n    pooling), as in Keras. Only ``channels_last``.")
    return constructor


ConvNeXtTiny = _variant("tiny", "Tiny")
ConvNeXtSmall = _variant("small", "Small")
ConvNeXtBase = _variant("base", "Base")
ConvNeXtLarge = _variant("large", "Large")
ConvNeXtXLarge = _variant("xlarge", "XLarge")

preprocess_input, decode_predictions = _base.passthrough_functions(
    "ConvNeXt", "a ``Normalization`` layer, unless ``include_preprocessing=False``", __name__)
