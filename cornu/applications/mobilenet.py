"""MobileNet (Howard et al., 2017): depthwise-separable convolutions, width ``alpha``.

Reference: https://arxiv.org/abs/1704.04861. Inputs are expected scaled to [-1, 1]
by ``cornu.applications.mobilenet.preprocess_input``.
"""
from cornu import backend, layers
from cornu.applications import _base, imagenet_utils

BASE_WEIGHT_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/"
_SIZES = (128, 160, 192, 224)
_ALPHA_TEXT = {1.0: "1_0", 0.75: "7_5", 0.5: "5_0", 0.25: "2_5"}
# (pointwise filters, stride) of the 13 depthwise-separable blocks.
_BLOCKS = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1),
           (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1))


def MobileNet(input_shape=None, alpha=1.0, depth_multiplier=1, dropout=1e-3, include_top=True,
              weights="imagenet", input_tensor=None, pooling=None, classes=1000,
              classifier_activation="softmax", name=None):
    """Instantiate the MobileNet architecture (4.3M parameters at ``alpha=1``).

    Args:
        input_shape: the input shape without the batch dimension (default
            ``(224, 224, 3)``; at least 32x32). ImageNet weights exist for square
            inputs of 128, 160, 192 or 224 pixels.
        alpha: the width multiplier: scales the number of filters of every layer.
            With ImageNet weights: 0.25, 0.5, 0.75 or 1.0.
        depth_multiplier: the depthwise convolutions' channel multiplier (the
            paper's resolution multiplier); 1 with ImageNet weights.
        dropout: the dropout rate before the classifier.
        include_top: whether to include the classifier (``conv_preds``).
        weights: None (random initialization), "imagenet" (Keras's pretrained
            weights, downloaded once into ``$CORNU_HOME/models``), or the path of a
            weights file to load.
        input_tensor: an optional KerasTensor to use as the model's image input.
        pooling: with ``include_top=False``: None (4D feature maps), "avg" or "max".
        classes: the number of classes (1000 with ImageNet weights and the top).
        classifier_activation: the activation of the ``predictions`` layer; None
            returns logits. With pretrained weights only None or "softmax".
        name: the model's name (default ``mobilenet_{alpha:.2f}_{rows}``).

    Returns:
        A functional ``Model``.

    Example:
        >>> MobileNet(weights=None).count_params()  # doctest: +SKIP
        4253864
    """
    _base.check_weights_argument(weights, include_top, classes)
    _base.check_pooling(pooling)
    default_size = _base.square_size(input_shape, None, _SIZES)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32,
        data_format=backend.image_data_format(), require_flatten=include_top, weights=weights)
    if weights == "imagenet":
        if depth_multiplier != 1:
            raise ValueError("If imagenet weights are being loaded, depth multiplier must be "
                             f"1. Received depth_multiplier={depth_multiplier}")
        if alpha not in _ALPHA_TEXT:
            raise ValueError("If imagenet weights are being loaded, alpha can be one of "
                             f"`0.25`, `0.50`, `0.75` or `1.0` only. Received alpha={alpha}")
    rows = _base.weights_rows(input_shape, weights, _SIZES)
    img_input = _base.image_input(input_tensor, input_shape)

    x = _conv_block(img_input, 32, alpha, strides=(2, 2))
    for block_id, (filters, stride) in enumerate(_BLOCKS, start=1):
        x = _depthwise_conv_block(x, filters, alpha, depth_multiplier,
                                  strides=(stride, stride), block_id=block_id)
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Conv2D(classes, (1, 1), padding="same", name="conv_preds")(x)
        x = layers.Reshape((classes,), name="reshape_2")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Activation(activation=classifier_activation, name="predictions")(x)
    else:
        x = _base.pool(x, pooling)
    model = _base.make_model(input_tensor, img_input, x,
                             name if name is not None else f"mobilenet_{alpha:0.2f}_{rows}")

    url = file_name = None
    if weights == "imagenet":
        suffix = "" if include_top else "_no_top"
        file_name = f"mobilenet_{_ALPHA_TEXT[alpha]}_{rows}_tf{suffix}.h5"
        url = BASE_WEIGHT_PATH + file_name
    return _base.load_weights(model, weights, url, file_name)  # Keras publishes no hash


def _conv_block(inputs, filters, alpha, kernel=(3, 3), strides=(1, 1)):
    """The stem: a strided conv, batch normalization and ReLU6."""
    x = layers.Conv2D(int(filters * alpha), kernel, padding="same", use_bias=False,
                      strides=strides, name="conv1")(inputs)
    x = layers.BatchNormalization(axis=_base.channel_axis(), name="conv1_bn")(x)
    return layers.ReLU(6.0, name="conv1_relu")(x)


def _depthwise_conv_block(inputs, pointwise_conv_filters, alpha, depth_multiplier=1,
                          strides=(1, 1), block_id=1):
    """A 3x3 depthwise conv and a 1x1 pointwise conv, each with BN and ReLU6."""
    axis = _base.channel_axis()
    x = inputs
    if strides != (1, 1):
        # TF's "same" padding for stride 2 pads bottom/right only: pad, then "valid".
        x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{block_id}")(x)
    x = layers.DepthwiseConv2D((3, 3), padding="same" if strides == (1, 1) else "valid",
                               depth_multiplier=depth_multiplier, strides=strides,
                               use_bias=False, name=f"conv_dw_{block_id}")(x)
    x = layers.BatchNormalization(axis=axis, name=f"conv_dw_{block_id}_bn")(x)
    x = layers.ReLU(6.0, name=f"conv_dw_{block_id}_relu")(x)
    x = layers.Conv2D(int(pointwise_conv_filters * alpha), (1, 1), padding="same",
                      use_bias=False, strides=(1, 1), name=f"conv_pw_{block_id}")(x)
    x = layers.BatchNormalization(axis=axis, name=f"conv_pw_{block_id}_bn")(x)
    return layers.ReLU(6.0, name=f"conv_pw_{block_id}_relu")(x)


def preprocess_input(x, data_format=None):
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    return imagenet_utils.decode_predictions(preds, top=top)


preprocess_input.__doc__ = imagenet_utils.preprocess_doc("tf")
decode_predictions.__doc__ = imagenet_utils.decode_predictions.__doc__
