"""EfficientNetV2 B0 to B3, S, M and L (Tan & Le, 2021), laid out as Keras lays them out.

Reference: https://arxiv.org/abs/2104.00298. By default the preprocessing is inside
the model (``include_preprocessing=True``): the B variants rescale to [0, 1] and
normalise by the ImageNet means and variances, S/M/L rescale to [-1, 1]; inputs are
pixels in [0, 255] and ``preprocess_input`` is a pass-through. Layer names and their
order match Keras's, so Keras's published ``.h5`` weight files load.
"""
import copy
import math

from cornu import backend, initializers, layers
from cornu.applications import _base, imagenet_utils
from cornu.applications.efficientnet import (CONV_KERNEL_INITIALIZER,
                                             DENSE_KERNEL_INITIALIZER, squeeze_excite)

BASE_WEIGHTS_PATH = ("https://storage.googleapis.com/tensorflow/keras-applications/"
                     "efficientnet_v2/")
# md5 of Keras's weight files: (with the top, without the top).
WEIGHTS_HASHES = {
    "b0": ("21ecbf6da12460d5c40bb2f29ceb2188", "893217f2bb855e2983157299931e43ff"),
    "b1": ("069f0534ff22adf035c89e2d9547a9dc", "0e80663031ca32d657f9caa404b6ec37"),
    "b2": ("424e49f28180edbde1e94797771950a7", "1dfe2e7a5d45b6632553a8961ea609eb"),
    "b3": ("1f1fc43bd98a6e4fd8fdfd551e02c7a0", "f6abf7b5849ac99a89b50dd3fd532856"),
    "-s": ("e1d88a8495beba45748fedd0cecbe016", "af0682fb74e8c54910f2d4393339c070"),
    "-m": ("a3bf6aa3276309f4fc6a34aa114c95cd", "1b8dc055df72dde80d614482840fe342"),
    "-l": ("27e6d408b53c7ebc868fefa357689935", "b0b66b5c863aef5b46e8608fe1711615"),
}

# Stages: (kernel_size, num_repeat, input_filters, output_filters, expand_ratio,
# se_ratio, strides, conv_type); conv_type 1 is a fused MBConv block, 0 an MBConv block.
_B_STAGES = ((3, 1, 32, 16, 1, 0, 1, 1), (3, 2, 16, 32, 4, 0, 2, 1),
             (3, 2, 32, 48, 4, 0, 2, 1), (3, 3, 48, 96, 4, 0.25, 2, 0),
             (3, 5, 96, 112, 6, 0.25, 1, 0), (3, 8, 112, 192, 6, 0.25, 2, 0))
_STAGES = {
    "efficientnetv2-s": ((3, 2, 24, 24, 1, 0, 1, 1), (3, 4, 24, 48, 4, 0, 2, 1),
                         (3, 4, 48, 64, 4, 0, 2, 1), (3, 6, 64, 128, 4, 0.25, 2, 0),
                         (3, 9, 128, 160, 6, 0.25, 1, 0), (3, 15, 160, 256, 6, 0.25, 2, 0)),
    "efficientnetv2-m": ((3, 3, 24, 24, 1, 0, 1, 1), (3, 5, 24, 48, 4, 0, 2, 1),
                         (3, 5, 48, 80, 4, 0, 2, 1), (3, 7, 80, 160, 4, 0.25, 2, 0),
                         (3, 14, 160, 176, 6, 0.25, 1, 0), (3, 18, 176, 304, 6, 0.25, 2, 0),
                         (3, 5, 304, 512, 6, 0.25, 1, 0)),
    "efficientnetv2-l": ((3, 4, 32, 32, 1, 0, 1, 1), (3, 7, 32, 64, 4, 0, 2, 1),
                         (3, 7, 64, 96, 4, 0, 2, 1), (3, 10, 96, 192, 4, 0.25, 2, 0),
                         (3, 19, 192, 224, 6, 0.25, 1, 0), (3, 25, 224, 384, 6, 0.25, 2, 0),
                         (3, 7, 384, 640, 6, 0.25, 1, 0)),
    **{f"efficientnetv2-b{i}": _B_STAGES for i in range(4)},
}
_KEYS = ("kernel_size", "num_repeat", "input_filters", "output_filters", "expand_ratio",
         "se_ratio", "strides", "conv_type")
DEFAULT_BLOCKS_ARGS = {name: [dict(zip(_KEYS, stage)) for stage in stages]
                       for name, stages in _STAGES.items()}


def round_filters(filters, width_coefficient, min_depth, depth_divisor):
    """``filters * width_coefficient`` rounded to a multiple of ``depth_divisor``."""
    filters *= width_coefficient
    minimum = min_depth or depth_divisor
    return int(max(minimum, int(filters + depth_divisor / 2) // depth_divisor * depth_divisor))


def MBConvBlock(input_filters, output_filters, expand_ratio=1, kernel_size=3, strides=1,
                se_ratio=0.0, bn_momentum=0.9, activation="swish", survival_probability=0.8,
                name=None):
    """An MBConv block (expand 1x1, depthwise, squeeze-and-excite, project 1x1); returns
    the function that applies it."""
    return _block(False, input_filters, output_filters, expand_ratio, kernel_size, strides,
                  se_ratio, bn_momentum, activation, survival_probability, name)


def FusedMBConvBlock(input_filters, output_filters, expand_ratio=1, kernel_size=3,
                     strides=1, se_ratio=0.0, bn_momentum=0.9, activation="swish",
                     survival_probability=0.8, name=None):
    """A fused MBConv block: one full kxk convolution replaces the expansion and the
    depthwise convolution; returns the function that applies it."""
    return _block(True, input_filters, output_filters, expand_ratio, kernel_size, strides,
                  se_ratio, bn_momentum, activation, survival_probability, name)


def _block(fused, input_filters, output_filters, expand_ratio, kernel_size, strides,
           se_ratio, bn_momentum, activation, survival_probability, name):
    axis = _base.channel_axis()
    name = name if name is not None else str(backend.get_uid("block0"))  # as Keras names it

    def conv_bn(x, filters, size, stride, suffix, act=True):
        x = layers.Conv2D(filters, kernel_size=size, strides=stride,
                          kernel_initializer=CONV_KERNEL_INITIALIZER, padding="same",
                          use_bias=False, name=f"{name}{suffix}_conv")(x)
        x = layers.BatchNormalization(axis=axis, momentum=bn_momentum,
                                      name=f"{name}{suffix}_bn")(x)
        if act:
            x = layers.Activation(activation, name=f"{name}{suffix}_activation")(x)
        return x

    def apply(inputs):
        filters = input_filters * expand_ratio
        x = inputs
        if expand_ratio != 1:
            x = conv_bn(x, filters, kernel_size if fused else 1, strides if fused else 1,
                        "expand")
        if not fused:
            x = layers.DepthwiseConv2D(kernel_size=kernel_size, strides=strides,
                                       depthwise_initializer=CONV_KERNEL_INITIALIZER,
                                       padding="same", use_bias=False,
                                       name=f"{name}dwconv2")(x)
            x = layers.BatchNormalization(axis=axis, momentum=bn_momentum, name=f"{name}bn")(x)
            x = layers.Activation(activation, name=f"{name}activation")(x)
        if 0 < se_ratio <= 1:
            x = squeeze_excite(x, filters, max(1, int(input_filters * se_ratio)), activation,
                               name)
        # Fused without expansion: the project conv is the block's kxk strided conv.
        alone = fused and expand_ratio == 1
        x = conv_bn(x, output_filters, kernel_size if alone else 1, strides if alone else 1,
                    "project", act=alone)
        if strides == 1 and input_filters == output_filters:
            if survival_probability:
                # As in Keras: the rate of this Dropout is the block's drop-path rate.
                x = layers.Dropout(survival_probability, noise_shape=(None, 1, 1, 1),
                                   name=f"{name}drop")(x)
            x = layers.add([x, inputs], name=f"{name}add")
        return x

    return apply


def EfficientNetV2(width_coefficient, depth_coefficient, default_size, dropout_rate=0.2,
                   drop_connect_rate=0.2, depth_divisor=8, min_depth=8, bn_momentum=0.9,
                   activation="swish", blocks_args="default", name="efficientnetv2",
                   include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                   pooling=None, classes=1000, classifier_activation="softmax",
                   include_preprocessing=True, weights_name=None):
    """The EfficientNetV2 family, scaled by ``width_coefficient`` and ``depth_coefficient``.

    Args:
        width_coefficient: scales the number of filters of every layer.
        depth_coefficient: scales the number of blocks of every stage (rounded up).
        default_size: the default input side.
        dropout_rate: the dropout rate before the classifier.
        drop_connect_rate: the largest drop-path rate (block ``b`` of ``n`` has
            ``drop_connect_rate * b / n``).
        depth_divisor: filter counts are rounded to multiples of it.
        min_depth: the smallest filter count.
        bn_momentum: the momentum of the batch normalizations.
        activation: the activation of the convolutions (default swish).
        blocks_args: "default" (the stages of the variant ``name`` names) or a list of
            dicts with Keras's keys (``kernel_size``, ``num_repeat``, ``input_filters``,
            ``output_filters``, ``expand_ratio``, ``se_ratio``, ``strides``,
            ``conv_type``).
        name: the model's name; with ``blocks_args="default"`` it is one of Keras's
            variant names ("efficientnetv2-b0", ..., "efficientnetv2-l").
        weights_name: the key of ``WEIGHTS_HASHES``.
        Other arguments: as in ``EfficientNetV2B0``.

    Returns:
        A functional ``Model``.
    """
    if blocks_args == "default":
        if name not in DEFAULT_BLOCKS_ARGS:
            raise ValueError("With `blocks_args='default'`, `name` picks the variant and "
                             f"must be one of {sorted(DEFAULT_BLOCKS_ARGS)}. Received: "
                             f"name={name!r}. Pass `blocks_args` to name the model freely.")
        blocks_args = DEFAULT_BLOCKS_ARGS[name]
    _base.check_weights_argument(weights, include_top, classes)
    _base.check_pooling(pooling)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32,
        data_format=backend.image_data_format(), require_flatten=include_top, weights=weights)
    img_input = _base.image_input(input_tensor, input_shape)
    axis = _base.channel_axis()

    def rounded(filters):
        return round_filters(filters, width_coefficient, min_depth, depth_divisor)

    x = img_input
    if include_preprocessing:
        # The B variants keep EfficientNet's (V1) preprocessing when the input is RGB.
        if name.split("-")[-1].startswith("b") and input_shape[axis - 1] == 3:
            x = layers.Rescaling(scale=1.0 / 255)(x)
            x = layers.Normalization(mean=[0.485, 0.456, 0.406],
                                     variance=[0.229 ** 2, 0.224 ** 2, 0.225 ** 2],
                                     axis=axis)(x)
        else:
            x = layers.Rescaling(scale=1.0 / 128.0, offset=-1)(x)

    x = layers.Conv2D(rounded(blocks_args[0]["input_filters"]), kernel_size=3, strides=2,
                      kernel_initializer=CONV_KERNEL_INITIALIZER, padding="same",
                      use_bias=False, name="stem_conv")(x)
    x = layers.BatchNormalization(axis=axis, momentum=bn_momentum, name="stem_bn")(x)
    x = layers.Activation(activation, name="stem_activation")(x)

    blocks_args = copy.deepcopy(blocks_args)
    total = float(sum(args["num_repeat"] for args in blocks_args))  # unrounded, as Keras
    b = 0
    for i, args in enumerate(blocks_args):
        if args["num_repeat"] <= 0:
            raise ValueError("The number of repeats in `EfficientNetV2` must be > 0. "
                             f"Received: num_repeat={args['num_repeat']} (stage {i + 1}).")
        args["input_filters"] = rounded(args["input_filters"])
        args["output_filters"] = rounded(args["output_filters"])
        block = FusedMBConvBlock if args.pop("conv_type") == 1 else MBConvBlock
        for j in range(int(math.ceil(depth_coefficient * args.pop("num_repeat")))):
            if j > 0:  # only the first block of a stage strides and widens
                args["strides"] = 1
                args["input_filters"] = args["output_filters"]
            x = block(activation=activation, bn_momentum=bn_momentum,
                      survival_probability=drop_connect_rate * b / total,
                      name=f"block{i + 1}{chr(j + 97)}_", **args)(x)
            b += 1

    x = layers.Conv2D(rounded(1280), kernel_size=1, strides=1,
                      kernel_initializer=CONV_KERNEL_INITIALIZER, padding="same",
                      use_bias=False, name="top_conv")(x)
    x = layers.BatchNormalization(axis=axis, momentum=bn_momentum, name="top_bn")(x)
    x = layers.Activation(activation, name="top_activation")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation,
                         kernel_initializer=DENSE_KERNEL_INITIALIZER,
                         bias_initializer=initializers.Constant(0.0), name="predictions")(x)
    else:
        x = _base.pool(x, pooling, avg_name="avg_pool", max_name="max_pool")
    model = _base.make_model(input_tensor, img_input, x, name)

    url = file_name = file_hash = None
    if weights == "imagenet":
        file_name = name + (".h5" if include_top else "_notop.h5")
        url = BASE_WEIGHTS_PATH + file_name
        file_hash = WEIGHTS_HASHES[weights_name][0 if include_top else 1]
    return _base.load_weights(model, weights, url, file_name, file_hash)


# name -> (width, depth, default size, weights key, parameters with the top)
_VARIANTS = {
    "B0": (1.0, 1.0, 224, "b0", 7_200_312), "B1": (1.0, 1.1, 240, "b1", 8_212_124),
    "B2": (1.1, 1.2, 260, "b2", 10_178_374), "B3": (1.2, 1.4, 300, "b3", 14_467_622),
    "S": (1.0, 1.0, 384, "-s", 21_612_360), "M": (1.0, 1.0, 480, "-m", 54_431_388),
    "L": (1.0, 1.0, 480, "-l", 119_027_848),
}
_PAPER = ("[EfficientNetV2: Smaller Models and Faster Training]("
          "https://arxiv.org/abs/2104.00298) (ICML 2021)")


def _variant(variant):
    width, depth, size, key, count = _VARIANTS[variant]

    def constructor(include_top=True, weights="imagenet", input_tensor=None,
                    input_shape=None, pooling=None, classes=1000,
                    classifier_activation="softmax", include_preprocessing=True,
                    name=f"efficientnetv2{key if key.startswith('-') else '-' + key}"):
        return EfficientNetV2(width, depth, size, name=name, include_top=include_top,
                              weights=weights, input_tensor=input_tensor,
                              input_shape=input_shape, pooling=pooling, classes=classes,
                              classifier_activation=classifier_activation,
                              include_preprocessing=include_preprocessing, weights_name=key)

    constructor.__name__ = constructor.__qualname__ = f"EfficientNetV2{variant}"
    constructor.__module__ = __name__
    constructor.__doc__ = _base.application_doc(
        f"EfficientNetV2{variant}", count, _PAPER, "efficientnet_v2",
        "a pass-through: the model takes pixels in [0, 255] and rescales them itself",
        size, 32,
        note="\n\n    Extra argument: ``include_preprocessing`` (default True): whether the "
             "model\n    starts with its rescaling layers; without them it expects inputs in "
             "[-1, 1].")
    return constructor


EfficientNetV2B0 = _variant("B0")
EfficientNetV2B1 = _variant("B1")
EfficientNetV2B2 = _variant("B2")
EfficientNetV2B3 = _variant("B3")
EfficientNetV2S = _variant("S")
EfficientNetV2M = _variant("M")
EfficientNetV2L = _variant("L")

preprocess_input, decode_predictions = _base.passthrough_functions(
    "EfficientNetV2", "``Rescaling`` layers, unless ``include_preprocessing=False``",
    __name__)
