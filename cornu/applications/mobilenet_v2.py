"""MobileNetV2 (Sandler et al., 2018): inverted residual blocks with linear bottlenecks.

Reference: https://arxiv.org/abs/1801.04381. Inputs are expected scaled to [-1, 1]
by ``cornu.applications.mobilenet_v2.preprocess_input``.
"""
from cornu import backend, layers
from cornu.applications import _base, imagenet_utils

BASE_WEIGHT_PATH = ("https://storage.googleapis.com/tensorflow/keras-applications/"
                    "mobilenet_v2/")
_SIZES = (96, 128, 160, 192, 224)
_ALPHAS = (0.35, 0.50, 0.75, 1.0, 1.3, 1.4)
# (filters, stride, expansion) of the 17 inverted residual blocks, block_id 0..16.
_BLOCKS = ((16, 1, 1), (24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6), (32, 1, 6),
           (64, 2, 6), (64, 1, 6), (64, 1, 6), (64, 1, 6), (96, 1, 6), (96, 1, 6),
           (96, 1, 6), (160, 2, 6), (160, 1, 6), (160, 1, 6), (320, 1, 6))
_BN = {"epsilon": 1e-3, "momentum": 0.999}


def MobileNetV2(input_shape=None, alpha=1.0, include_top=True, weights="imagenet",
                input_tensor=None, pooling=None, classes=1000,
                classifier_activation="softmax", name=None):
    """Instantiate the MobileNetV2 architecture (3.5M parameters at ``alpha=1``).

    Args:
        input_shape: the input shape without the batch dimension (default
            ``(224, 224, 3)``, or the shape of ``input_tensor``; at least 32x32).
            ImageNet weights exist for square inputs of 96, 128, 160, 192 or 224.
        alpha: the width multiplier: scales the number of filters of every layer.
            With ImageNet weights: 0.35, 0.5, 0.75, 1.0, 1.3 or 1.4.
        include_top: whether to include the classifier (``predictions``).
        weights: None (random initialization), "imagenet" (Keras's pretrained
            weights, downloaded once into ``$CORNU_HOME/models``), or the path of a
            weights file to load.
        input_tensor: an optional KerasTensor to use as the model's image input.
        pooling: with ``include_top=False``: None (4D feature maps), "avg" or "max".
        classes: the number of classes (1000 with ImageNet weights and the top).
        classifier_activation: the activation of the ``predictions`` layer; None
            returns logits. With pretrained weights only None or "softmax".
        name: the model's name (default ``mobilenetv2_{alpha:.2f}_{rows}``).

    Returns:
        A functional ``Model``.

    Example:
        >>> MobileNetV2(weights=None).count_params()  # doctest: +SKIP
        3538984
    """
    _base.check_weights_argument(weights, include_top, classes)
    _base.check_pooling(pooling)
    if input_tensor is not None:
        _base.image_input(input_tensor, None)  # a KerasTensor, or a clear error
        if input_shape is not None:
            _check_same_width(input_tensor, input_shape)
    default_size = _base.square_size(input_shape, input_tensor, _SIZES)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32,
        data_format=backend.image_data_format(), require_flatten=include_top, weights=weights)
    if weights == "imagenet" and alpha not in _ALPHAS:
        raise ValueError("If imagenet weights are being loaded, alpha must be one of `0.35`, "
                         f"`0.50`, `0.75`, `1.0`, `1.3` or `1.4` only; Received `alpha={alpha}`")
    rows = _base.weights_rows(input_shape, weights, _SIZES)
    img_input = _base.image_input(input_tensor, input_shape)
    axis = _base.channel_axis()

    x = layers.Conv2D(_make_divisible(32 * alpha, 8), kernel_size=3, strides=(2, 2),
                      padding="same", use_bias=False, name="Conv1")(img_input)
    x = layers.BatchNormalization(axis=axis, name="bn_Conv1", **_BN)(x)
    x = layers.ReLU(6.0, name="Conv1_relu")(x)
    for block_id, (filters, stride, expansion) in enumerate(_BLOCKS):
        x = _inverted_res_block(x, expansion=expansion, stride=stride, alpha=alpha,
                                filters=filters, block_id=block_id)
    # Following the paper, alpha < 1 does not shrink the last conv; alpha > 1 widens it.
    last_block_filters = _make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = layers.Conv2D(last_block_filters, kernel_size=1, use_bias=False, name="Conv_1")(x)
    x = layers.BatchNormalization(axis=axis, name="Conv_1_bn", **_BN)(x)
    x = layers.ReLU(6.0, name="out_relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D()(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = _base.pool(x, pooling)
    model = _base.make_model(input_tensor, img_input, x,
                             name if name is not None else f"mobilenetv2_{alpha:0.2f}_{rows}")

    url = file_name = None
    if weights == "imagenet":
        suffix = "" if include_top else "_no_top"
        file_name = (f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{float(alpha)}_{rows}"
                     f"{suffix}.h5")
        url = BASE_WEIGHT_PATH + file_name
    return _base.load_weights(model, weights, url, file_name)  # Keras publishes no hash


def _check_same_width(input_tensor, input_shape):
    if backend.image_data_format() == "channels_first":
        same, what = input_tensor.shape[1] == input_shape[1], "input_tensor.shape[1]"
    else:
        same, what = input_tensor.shape[2] == input_shape[1], "input_tensor.shape[2]"
    if not same:
        raise ValueError(f"{what} must equal input_shape[1]; Received "
                         f"`input_tensor.shape={input_tensor.shape}`, "
                         f"`input_shape={input_shape}`")


def _inverted_res_block(inputs, expansion, stride, alpha, filters, block_id):
    """Expand (1x1), depthwise 3x3, project (1x1, linear); a residual add when shapes allow."""
    axis = _base.channel_axis()
    in_channels = inputs.shape[axis]
    pointwise_filters = _make_divisible(int(filters * alpha), 8)
    x = inputs
    prefix = f"block_{block_id}_"
    if block_id:
        x = layers.Conv2D(expansion * in_channels, kernel_size=1, padding="same",
                          use_bias=False, activation=None, name=f"{prefix}expand")(x)
        x = layers.BatchNormalization(axis=axis, name=f"{prefix}expand_BN", **_BN)(x)
        x = layers.ReLU(6.0, name=f"{prefix}expand_relu")(x)
    else:
        prefix = "expanded_conv_"
    if stride == 2:
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, 3),
                                 name=f"{prefix}pad")(x)
    x = layers.DepthwiseConv2D(kernel_size=3, strides=stride, activation=None, use_bias=False,
                               padding="same" if stride == 1 else "valid",
                               name=f"{prefix}depthwise")(x)
    x = layers.BatchNormalization(axis=axis, name=f"{prefix}depthwise_BN", **_BN)(x)
    x = layers.ReLU(6.0, name=f"{prefix}depthwise_relu")(x)
    x = layers.Conv2D(pointwise_filters, kernel_size=1, padding="same", use_bias=False,
                      activation=None, name=f"{prefix}project")(x)
    x = layers.BatchNormalization(axis=axis, name=f"{prefix}project_BN", **_BN)(x)
    if in_channels == pointwise_filters and stride == 1:
        return layers.Add(name=f"{prefix}add")([inputs, x])
    return x


def _make_divisible(v, divisor, min_value=None):
    """``v`` rounded to a multiple of ``divisor``, never more than 10% below ``v``."""
    min_value = divisor if min_value is None else min_value
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


def preprocess_input(x, data_format=None):
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    return imagenet_utils.decode_predictions(preds, top=top)


preprocess_input.__doc__ = imagenet_utils.preprocess_doc("tf")
decode_predictions.__doc__ = imagenet_utils.decode_predictions.__doc__
