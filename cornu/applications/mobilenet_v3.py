"""MobileNetV3 Small and Large (Howard et al., 2019), laid out as Keras lays them out.

Reference: https://arxiv.org/abs/1905.02244. By default the model rescales its input
to [-1, 1] itself (``include_preprocessing=True``), so inputs are pixels in [0, 255]
and ``preprocess_input`` is a pass-through. Layer names and their order match Keras's
(the unnamed ``ReLU`` / ``Activation`` layers included, named in creation order), so
Keras's published ``.h5`` weight files load.
"""
import warnings

from cornu import backend, layers
from cornu.applications import _base, imagenet_utils
from cornu.applications.mobilenet_v2 import _check_same_width, _make_divisible

BASE_WEIGHT_PATH = ("https://storage.googleapis.com/tensorflow/keras-applications/"
                    "mobilenet_v3/")
# md5 of Keras's weight files: (with the top, without the top).
WEIGHTS_HASHES = {
    "large_224_0.75_float": ("765b44a33ad4005b3ac83185abf1d0eb",
                             "40af19a13ebea4e2ee0c676887f69a2e"),
    "large_224_1.0_float": ("59e551e166be033d707958cf9e29a6a7",
                            "07fb09a5933dd0c8eaafa16978110389"),
    "large_minimalistic_224_1.0_float": ("675e7b876c45c57e9e63e6d90a36599c",
                                         "ec5221f64a2f6d1ef965a614bdae7973"),
    "small_224_0.75_float": ("cb65d4e5be93758266aa0a7f2c6708b7",
                             "ebdb5cc8e0b497cd13a7c275d475c819"),
    "small_224_1.0_float": ("8768d4c2e7dee89b9d02b2d03d65d862",
                            "d3e8ec802a04aa4fc771ee12a9a9b836"),
    "small_minimalistic_224_1.0_float": ("99cd97fb2fcdad2bf028eb838de69e37",
                                         "cde8136e733e811080d9fcd8a252f7e4"),
}
_BN = {"epsilon": 1e-3, "momentum": 0.999}

# Blocks: (expansion, filters, kernel, stride, squeeze-excite, activation); kernel 0
# means the variant's kernel (5, or 3 when minimalistic), True/"hswish" likewise
# follow the variant (no squeeze-excite and ReLU when minimalistic).
_SMALL = ((1, 16, 3, 2, True, "relu"), (72 / 16, 24, 3, 2, False, "relu"),
          (88 / 24, 24, 3, 1, False, "relu"), (4, 40, 0, 2, True, "hswish"),
          (6, 40, 0, 1, True, "hswish"), (6, 40, 0, 1, True, "hswish"),
          (3, 48, 0, 1, True, "hswish"), (3, 48, 0, 1, True, "hswish"),
          (6, 96, 0, 2, True, "hswish"), (6, 96, 0, 1, True, "hswish"),
          (6, 96, 0, 1, True, "hswish"))
_LARGE = ((1, 16, 3, 1, False, "relu"), (4, 24, 3, 2, False, "relu"),
          (3, 24, 3, 1, False, "relu"), (3, 40, 0, 2, True, "relu"),
          (3, 40, 0, 1, True, "relu"), (3, 40, 0, 1, True, "relu"),
          (6, 80, 3, 2, False, "hswish"), (2.5, 80, 3, 1, False, "hswish"),
          (2.3, 80, 3, 1, False, "hswish"), (2.3, 80, 3, 1, False, "hswish"),
          (6, 112, 3, 1, True, "hswish"), (6, 112, 3, 1, True, "hswish"),
          (6, 160, 0, 2, True, "hswish"), (6, 160, 0, 1, True, "hswish"),
          (6, 160, 0, 1, True, "hswish"))


def _depth(v, divisor=8):
    """``v`` rounded to a multiple of 8, never more than 10% below ``v``."""
    return _make_divisible(v, divisor)


def relu(x):
    return layers.ReLU()(x)


def hard_sigmoid(x):
    # Ops on the tensor, not layers, as in Keras: ReLU6(x + 3) / 6.
    return layers.ReLU(6.0)(x + 3.0) * (1.0 / 6.0)


def hard_swish(x):
    return layers.Activation("hard_swish")(x)


def MobileNetV3(blocks, last_point_ch, input_shape=None, alpha=1.0, model_type="large",
                minimalistic=False, include_top=True, weights="imagenet", input_tensor=None,
                classes=1000, pooling=None, dropout_rate=0.2, classifier_activation="softmax",
                include_preprocessing=True, name=None):
    """The MobileNetV3 body and head around ``blocks`` (``_SMALL`` or ``_LARGE``).

    Args:
        blocks: the inverted residual blocks, as in ``_SMALL``.
        last_point_ch: the channels of the head's last 1x1 convolution (``conv_2``).
        model_type: "small" or "large": names the ImageNet weights file.
        Other arguments: as in ``MobileNetV3Small``.

    Returns:
        A functional ``Model``.
    """
    _base.check_weights_argument(weights, include_top, classes)
    _base.check_pooling(pooling)
    first = backend.image_data_format() == "channels_first"
    if input_tensor is not None:
        _base.image_input(input_tensor, None)  # a KerasTensor, or a clear error
        if input_shape is not None:
            _check_same_width(input_tensor, input_shape)
        else:  # as Keras does: rows and columns read from the tensor
            rows, cols = input_tensor.shape[2:4] if first else input_tensor.shape[1:3]
            input_shape = (3, cols, rows) if first else (cols, rows, 3)
    if input_shape is None:
        input_shape = (3, None, None) if first else (None, None, 3)
    rows, cols = input_shape[1:3] if first else input_shape[0:2]
    if rows and cols and (rows < 32 or cols < 32):
        raise ValueError(f"Input size must be at least 32x32; Received `input_shape="
                         f"{input_shape}`")
    if weights == "imagenet":
        if (alpha not in (0.75, 1.0) and not minimalistic) or (minimalistic and alpha != 1.0):
            raise ValueError("If imagenet weights are being loaded, alpha can be one of "
                             "`0.75`, `1.0` for non minimalistic or `1.0` for minimalistic "
                             f"only. Received: alpha={alpha}, minimalistic={minimalistic}")
        if rows != cols or rows != 224:
            warnings.warn("`input_shape` is undefined or non-square, or `rows` is not 224. "
                          "Weights for input shape (224, 224) will be loaded as the default.",
                          stacklevel=3)
    img_input = _base.image_input(input_tensor, input_shape)
    axis = 1 if first else -1
    kernel, activation, se_ratio = (3, relu, None) if minimalistic else (5, hard_swish, 0.25)

    x = img_input
    if include_preprocessing:
        x = layers.Rescaling(scale=1.0 / 127.5, offset=-1.0)(x)
    x = layers.Conv2D(16, kernel_size=3, strides=(2, 2), padding="same", use_bias=False,
                      name="conv")(x)
    x = layers.BatchNormalization(axis=axis, name="conv_bn", **_BN)(x)
    x = activation(x)
    for block_id, (expansion, filters, size, stride, se, act) in enumerate(blocks):
        x = _inverted_res_block(x, expansion, _depth(filters * alpha), size or kernel, stride,
                                se_ratio if se else None,
                                activation if act == "hswish" else relu, block_id)
    last_conv_ch = _depth(x.shape[axis] * 6)
    if alpha > 1.0:  # wider models widen the last layer too
        last_point_ch = _depth(last_point_ch * alpha)
    x = layers.Conv2D(last_conv_ch, kernel_size=1, padding="same", use_bias=False,
                      name="conv_1")(x)
    x = layers.BatchNormalization(axis=axis, name="conv_1_bn", **_BN)(x)
    x = activation(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Conv2D(last_point_ch, kernel_size=1, padding="same", use_bias=True,
                          name="conv_2")(x)
        x = activation(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate)(x)
        x = layers.Conv2D(classes, kernel_size=1, padding="same", name="logits")(x)
        x = layers.Flatten()(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Activation(activation=classifier_activation, name="predictions")(x)
    else:
        x = _base.pool(x, pooling, avg_name="avg_pool", max_name="max_pool")
    model = _base.make_model(input_tensor, img_input, x, name)

    url = file_name = file_hash = None
    if weights == "imagenet":
        key = (f"{model_type}{'_minimalistic' if minimalistic else ''}_224_"
               f"{float(alpha)}_float")
        file_name = (f"weights_mobilenet_v3_{key}.h5" if include_top
                     else f"weights_mobilenet_v3_{key}_no_top_v2.h5")
        url = BASE_WEIGHT_PATH + file_name
        file_hash = WEIGHTS_HASHES[key][0 if include_top else 1]
    return _base.load_weights(model, weights, url, file_name, file_hash)


def _se_block(inputs, filters, se_ratio, prefix):
    x = layers.GlobalAveragePooling2D(keepdims=True,
                                      name=f"{prefix}squeeze_excite_avg_pool")(inputs)
    x = layers.Conv2D(_depth(filters * se_ratio), kernel_size=1, padding="same",
                      name=f"{prefix}squeeze_excite_conv")(x)
    x = layers.ReLU(name=f"{prefix}squeeze_excite_relu")(x)
    x = layers.Conv2D(filters, kernel_size=1, padding="same",
                      name=f"{prefix}squeeze_excite_conv_1")(x)
    x = hard_sigmoid(x)
    return layers.Multiply(name=f"{prefix}squeeze_excite_mul")([inputs, x])


def _inverted_res_block(x, expansion, filters, kernel_size, stride, se_ratio, activation,
                        block_id):
    """Expand (1x1), depthwise kxk, optional squeeze-excite, project (1x1, linear); a
    residual add when the shapes allow."""
    axis = 1 if backend.image_data_format() == "channels_first" else -1
    shortcut = x
    in_filters = x.shape[axis]
    prefix = "expanded_conv_"
    if block_id:
        prefix = f"expanded_conv_{block_id}_"
        x = layers.Conv2D(_depth(in_filters * expansion), kernel_size=1, padding="same",
                          use_bias=False, name=f"{prefix}expand")(x)
        x = layers.BatchNormalization(axis=axis, name=f"{prefix}expand_bn", **_BN)(x)
        x = activation(x)
    if stride == 2:
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, kernel_size),
                                 name=f"{prefix}depthwise_pad")(x)
    x = layers.DepthwiseConv2D(kernel_size, strides=stride,
                               padding="same" if stride == 1 else "valid", use_bias=False,
                               name=f"{prefix}depthwise")(x)
    x = layers.BatchNormalization(axis=axis, name=f"{prefix}depthwise_bn", **_BN)(x)
    x = activation(x)
    if se_ratio:
        x = _se_block(x, _depth(in_filters * expansion), se_ratio, prefix)
    x = layers.Conv2D(filters, kernel_size=1, padding="same", use_bias=False,
                      name=f"{prefix}project")(x)
    x = layers.BatchNormalization(axis=axis, name=f"{prefix}project_bn", **_BN)(x)
    if stride == 1 and in_filters == filters:
        x = layers.Add(name=f"{prefix}add")([shortcut, x])
    return x


_DOC = """Instantiate the MobileNetV3{size} architecture ({count:,} parameters at
    ``alpha=1``).

    Reference: [Searching for MobileNetV3](https://arxiv.org/abs/1905.02244) (ICCV 2019).

    The model rescales pixels in [0, 255] to [-1, 1] itself, so
    ``cornu.applications.mobilenet_v3.preprocess_input`` is a pass-through.

    Args:
        input_shape: the input shape without the batch dimension (default
            ``(None, None, 3)``, or the shape of ``input_tensor``; at least 32x32).
            ImageNet weights were trained on 224x224 inputs.
        alpha: the width multiplier of every layer (ImageNet weights: 0.75 or 1.0, and
            1.0 only when minimalistic). Above 1 it widens the last layer too.
        minimalistic: no squeeze-and-excitation, no hard-swish and no 5x5 convolutions.
        include_top: whether to include the classifier (``logits`` and ``predictions``).
        weights: None (random initialization), "imagenet" (Keras's pretrained
            weights, downloaded once into ``$CORNU_HOME/models``), or the path of a
            weights file to load.
        input_tensor: an optional KerasTensor to use as the model's image input.
        classes: the number of classes (1000 with ImageNet weights and the top).
        pooling: with ``include_top=False``: None (4D feature maps), "avg" or "max".
        dropout_rate: the dropout rate before the ``logits`` layer.
        classifier_activation: the activation of the ``predictions`` layer; None
            returns logits. With pretrained weights only None or "softmax".
        include_preprocessing: whether the model starts with its ``Rescaling`` layer;
            without it, it expects inputs in [-1, 1].
        name: the model's name.

    Returns:
        A functional ``Model``.

    Example:
        >>> MobileNetV3{size}(weights=None).count_params()  # doctest: +SKIP
        {count}
    """


def MobileNetV3Small(input_shape=None, alpha=1.0, minimalistic=False, include_top=True,
                     weights="imagenet", input_tensor=None, classes=1000, pooling=None,
                     dropout_rate=0.2, classifier_activation="softmax",
                     include_preprocessing=True, name="MobileNetV3Small"):
    return MobileNetV3(_SMALL, 1024, input_shape, alpha, "small", minimalistic, include_top,
                       weights, input_tensor, classes, pooling, dropout_rate,
                       classifier_activation, include_preprocessing, name=name)


def MobileNetV3Large(input_shape=None, alpha=1.0, minimalistic=False, include_top=True,
                     weights="imagenet", input_tensor=None, classes=1000, pooling=None,
                     dropout_rate=0.2, classifier_activation="softmax",
                     include_preprocessing=True, name="MobileNetV3Large"):
    return MobileNetV3(_LARGE, 1280, input_shape, alpha, "large", minimalistic, include_top,
                       weights, input_tensor, classes, pooling, dropout_rate,
                       classifier_activation, include_preprocessing, name=name)


MobileNetV3Small.__doc__ = _DOC.format(size="Small", count=2_554_968)
MobileNetV3Large.__doc__ = _DOC.format(size="Large", count=5_507_432)

preprocess_input, decode_predictions = _base.passthrough_functions(
    "MobileNetV3", "a ``Rescaling`` layer, unless ``include_preprocessing=False``", __name__)
