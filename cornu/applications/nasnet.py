"""NASNetMobile and NASNetLarge (Zoph et al., 2018), laid out as Keras lays them out.

Layer names and their order match Keras's, so Keras's published ``.h5`` weight files
load into these models. Reference: https://arxiv.org/abs/1707.07012. Inputs are
expected scaled to [-1, 1] by ``preprocess_input``. As in Keras, NASNet supports only
the "channels_last" image data format.
"""
from cornu import backend, layers
from cornu.applications import _base, imagenet_utils

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/nasnet/"
# (url file name, cache file name, md5) of Keras's weight files, by (default_size, top).
WEIGHTS = {
    (224, True): ("NASNet-mobile.h5", "nasnet_mobile.h5", "020fb642bf7360b370c678b08e0adf61"),
    (224, False): ("NASNet-mobile-no-top.h5", "nasnet_mobile_no_top.h5",
                   "1ed92395b5b598bdda52abe5c0dbfd63"),
    (331, True): ("NASNet-large.h5", "nasnet_large.h5", "11577c9a518f0070763c2b964a382f17"),
    (331, False): ("NASNet-large-no-top.h5", "nasnet_large_no_top.h5",
                   "d81d89dc07e6e56530c4e77faddd61b5"),
}
_BN = {"axis": -1, "momentum": 0.9997, "epsilon": 1e-3}


def NASNet(input_shape=None, penultimate_filters=4032, num_blocks=6, stem_block_filters=96,
           skip_reduction=True, filter_multiplier=2, include_top=True, weights="imagenet",
           input_tensor=None, pooling=None, classes=1000, default_size=None,
           classifier_activation="softmax", name="NASNet"):
    """A NASNet-A model ``NASNet (num_blocks @ penultimate_filters)``.

    Args:
        input_shape: the input shape without the batch dimension (default
            ``(default_size, default_size, 3)``; at least 32x32).
        penultimate_filters: the filters of the penultimate layer; a multiple of
            ``24 * filter_multiplier ** 2``.
        num_blocks: the number of normal cells between reductions.
        stem_block_filters: the filters of the stem convolution.
        skip_reduction: whether the cells after each reduction take the cell before
            the reduction (rather than the reduction's input) as their previous input.
        filter_multiplier: the widening of the filters at each reduction.
        default_size: the default image size (331); ImageNet weights exist for 224
            (NASNetMobile) and 331 (NASNetLarge).
        Other arguments: as in ``NASNetMobile``.

    Returns:
        A functional ``Model``.
    """
    if backend.image_data_format() == "channels_first":
        raise ValueError("NASNet does not support the `channels_first` image data format. "
                         "Switch to `channels_last` with "
                         "`cornu.backend.set_image_data_format('channels_last')`.")
    _base.check_weights_argument(weights, include_top, classes)
    _base.check_pooling(pooling)
    if isinstance(input_shape, tuple) and None in input_shape and weights == "imagenet":
        raise ValueError("When specifying the input shape of a NASNet and loading `ImageNet` "
                         "weights, the input_shape argument must be static (no None entries)."
                         f" Got: `input_shape={input_shape}`.")
    default_size = 331 if default_size is None else default_size
    if weights == "imagenet" and default_size not in (224, 331):
        raise ValueError("ImageNet weights can only be loaded with NASNetLarge or "
                         f"NASNetMobile (default_size 331 or 224). Received: "
                         f"default_size={default_size}")
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32,
        data_format=backend.image_data_format(), require_flatten=include_top, weights=weights)
    img_input = _base.image_input(input_tensor, input_shape)
    if penultimate_filters % (24 * (filter_multiplier ** 2)) != 0:
        raise ValueError("For NASNet-A models, the `penultimate_filters` must be a multiple "
                         "of 24 * (`filter_multiplier` ** 2). Current value: "
                         f"{penultimate_filters}")
    filters = penultimate_filters // 24

    x = layers.Conv2D(stem_block_filters, (3, 3), strides=(2, 2), padding="valid",
                      use_bias=False, name="stem_conv1", kernel_initializer="he_normal")(img_input)
    x = layers.BatchNormalization(name="stem_bn1", **_BN)(x)
    p = None
    x, p = _reduction_a_cell(x, p, filters // (filter_multiplier ** 2), block_id="stem_1")
    x, p = _reduction_a_cell(x, p, filters // filter_multiplier, block_id="stem_2")
    for stage in range(3):
        if stage:  # a reduction cell between the stages of normal cells
            x, p0 = _reduction_a_cell(x, p, filters * filter_multiplier ** stage,
                                      block_id=f"reduce_{stage * num_blocks}")
            p = p if skip_reduction else p0
        for i in range(num_blocks):
            x, p = _normal_a_cell(x, p, filters * filter_multiplier ** stage,
                                  block_id=f"{stage * num_blocks + i + (stage > 0)}")
    x = layers.Activation("relu")(x)

    x = _base.classifier_head(x, include_top, pooling, classes, classifier_activation, weights,
                              avg_name=None)
    model = _base.make_model(input_tensor, img_input, x, name)

    url = file_name = file_hash = None
    if weights == "imagenet":
        url_name, file_name, file_hash = WEIGHTS[(default_size, bool(include_top))]
        url = BASE_WEIGHTS_PATH + url_name
    return _base.load_weights(model, weights, url, file_name, file_hash)


def _relu_sepconv_bn(x, filters, kernel_size, strides, name, bn_name):
    x = layers.Activation("relu")(x)
    x = layers.SeparableConv2D(filters, kernel_size, strides=strides, name=name,
                               padding="same" if strides == (1, 1) else "valid",
                               use_bias=False)(x)
    return layers.BatchNormalization(name=bn_name, **_BN)(x)


def _separable_conv_block(ip, filters, kernel_size=(3, 3), strides=(1, 1), block_id=None):
    """Twice ReLU, SeparableConv2D, BatchNormalization; the first one strided (with TF's
    "same" padding written as explicit zero padding)."""
    x = ip
    if strides == (2, 2):
        x = layers.Activation("relu")(x)
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, kernel_size),
                                 name=f"separable_conv_1_pad_{block_id}")(x)
        x = layers.SeparableConv2D(filters, kernel_size, strides=strides, padding="valid",
                                   name=f"separable_conv_1_{block_id}", use_bias=False)(x)
        x = layers.BatchNormalization(name=f"separable_conv_1_bn_{block_id}", **_BN)(x)
    else:
        x = _relu_sepconv_bn(x, filters, kernel_size, strides, f"separable_conv_1_{block_id}",
                             f"separable_conv_1_bn_{block_id}")
    return _relu_sepconv_bn(x, filters, kernel_size, (1, 1), f"separable_conv_2_{block_id}",
                            f"separable_conv_2_bn_{block_id}")


def _conv_1x1(x, filters, name):
    return layers.Conv2D(filters, (1, 1), padding="same", use_bias=False, name=name,
                         kernel_initializer="he_normal")(x)


def _adjust_block(p, ip, filters, block_id=None):
    """The previous cell's output ``p`` brought to ``ip``'s size and ``filters`` channels."""
    if p is None:
        return ip
    if p.shape[-2] != ip.shape[-2]:  # halve the size: two offset 1x1 paths, concatenated
        p = layers.Activation("relu", name=f"adjust_relu_1_{block_id}")(p)
        p1 = layers.AveragePooling2D((1, 1), strides=(2, 2), padding="valid",
                                     name=f"adjust_avg_pool_1_{block_id}")(p)
        p1 = _conv_1x1(p1, filters // 2, f"adjust_conv_1_{block_id}")
        p2 = layers.ZeroPadding2D(padding=((0, 1), (0, 1)))(p)
        p2 = layers.Cropping2D(cropping=((1, 0), (1, 0)))(p2)
        p2 = layers.AveragePooling2D((1, 1), strides=(2, 2), padding="valid",
                                     name=f"adjust_avg_pool_2_{block_id}")(p2)
        p2 = _conv_1x1(p2, filters // 2, f"adjust_conv_2_{block_id}")
        p = layers.concatenate([p1, p2], axis=-1)
        return layers.BatchNormalization(name=f"adjust_bn_{block_id}", **_BN)(p)
    if p.shape[-1] != filters:  # project the channels
        p = layers.Activation("relu")(p)
        p = _conv_1x1(p, filters, f"adjust_conv_projection_{block_id}")
        return layers.BatchNormalization(name=f"adjust_bn_{block_id}", **_BN)(p)
    return p


def _cell_input(ip, filters, name, block_id):
    h = layers.Activation("relu")(ip)
    h = _conv_1x1(h, filters, f"{name}_conv_1_{block_id}")
    return layers.BatchNormalization(name=f"{name}_bn_1_{block_id}", **_BN)(h)


def _avg_pool_3x3(x, strides, name):
    padding = "same" if strides == (1, 1) else "valid"
    return layers.AveragePooling2D((3, 3), strides=strides, padding=padding, name=name)(x)


def _normal_a_cell(ip, p, filters, block_id=None):
    """A normal cell of NASNet-A (Fig. 4 of the paper); returns (output, ``ip``)."""
    p = _adjust_block(p, ip, filters, block_id)
    h = _cell_input(ip, filters, "normal", block_id)
    x1_1 = _separable_conv_block(h, filters, (5, 5), block_id=f"normal_left1_{block_id}")
    x1_2 = _separable_conv_block(p, filters, block_id=f"normal_right1_{block_id}")
    x1 = layers.add([x1_1, x1_2], name=f"normal_add_1_{block_id}")
    x2_1 = _separable_conv_block(p, filters, (5, 5), block_id=f"normal_left2_{block_id}")
    x2_2 = _separable_conv_block(p, filters, (3, 3), block_id=f"normal_right2_{block_id}")
    x2 = layers.add([x2_1, x2_2], name=f"normal_add_2_{block_id}")
    x3 = _avg_pool_3x3(h, (1, 1), f"normal_left3_{block_id}")
    x3 = layers.add([x3, p], name=f"normal_add_3_{block_id}")
    x4_1 = _avg_pool_3x3(p, (1, 1), f"normal_left4_{block_id}")
    x4_2 = _avg_pool_3x3(p, (1, 1), f"normal_right4_{block_id}")
    x4 = layers.add([x4_1, x4_2], name=f"normal_add_4_{block_id}")
    x5 = _separable_conv_block(h, filters, block_id=f"normal_left5_{block_id}")
    x5 = layers.add([x5, h], name=f"normal_add_5_{block_id}")
    x = layers.concatenate([p, x1, x2, x3, x4, x5], axis=-1, name=f"normal_concat_{block_id}")
    return x, ip


def _reduction_a_cell(ip, p, filters, block_id=None):
    """A reduction cell of NASNet-A (Fig. 4 of the paper); returns (output, ``ip``)."""
    p = _adjust_block(p, ip, filters, block_id)
    h = _cell_input(ip, filters, "reduction", block_id)
    h3 = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(h, 3),
                              name=f"reduction_pad_1_{block_id}")(h)
    s2 = (2, 2)
    x1_1 = _separable_conv_block(h, filters, (5, 5), s2, f"reduction_left1_{block_id}")
    x1_2 = _separable_conv_block(p, filters, (7, 7), s2, f"reduction_right1_{block_id}")
    x1 = layers.add([x1_1, x1_2], name=f"reduction_add_1_{block_id}")
    x2_1 = layers.MaxPooling2D((3, 3), strides=s2, padding="valid",
                               name=f"reduction_left2_{block_id}")(h3)
    x2_2 = _separable_conv_block(p, filters, (7, 7), s2, f"reduction_right2_{block_id}")
    x2 = layers.add([x2_1, x2_2], name=f"reduction_add_2_{block_id}")
    x3_1 = _avg_pool_3x3(h3, s2, f"reduction_left3_{block_id}")
    x3_2 = _separable_conv_block(p, filters, (5, 5), s2, f"reduction_right3_{block_id}")
    x3 = layers.add([x3_1, x3_2], name=f"reduction_add3_{block_id}")
    x4 = _avg_pool_3x3(x1, (1, 1), f"reduction_left4_{block_id}")
    x4 = layers.add([x2, x4])
    x5_1 = _separable_conv_block(x1, filters, (3, 3), block_id=f"reduction_left4_{block_id}")
    x5_2 = layers.MaxPooling2D((3, 3), strides=s2, padding="valid",
                               name=f"reduction_right5_{block_id}")(h3)
    x5 = layers.add([x5_1, x5_2], name=f"reduction_add4_{block_id}")
    x = layers.concatenate([x2, x3, x4, x5], axis=-1, name=f"reduction_concat_{block_id}")
    return x, ip


def NASNetMobile(input_shape=None, include_top=True, weights="imagenet", input_tensor=None,
                 pooling=None, classes=1000, classifier_activation="softmax",
                 name="nasnet_mobile"):
    if not include_top and input_shape is None:
        input_shape = (224, 224, 3)
    return NASNet(input_shape, penultimate_filters=1056, num_blocks=4, stem_block_filters=32,
                  skip_reduction=False, filter_multiplier=2, include_top=include_top,
                  weights=weights, input_tensor=input_tensor, pooling=pooling, classes=classes,
                  default_size=224, classifier_activation=classifier_activation, name=name)


def NASNetLarge(input_shape=None, include_top=True, weights="imagenet", input_tensor=None,
                pooling=None, classes=1000, classifier_activation="softmax",
                name="nasnet_large"):
    return NASNet(input_shape, penultimate_filters=4032, num_blocks=6, stem_block_filters=96,
                  skip_reduction=True, filter_multiplier=2, include_top=include_top,
                  weights=weights, input_tensor=input_tensor, pooling=pooling, classes=classes,
                  default_size=331, classifier_activation=classifier_activation, name=name)


_PAPER = ("[Learning Transferable Architectures for Scalable Image Recognition]"
          "(https://arxiv.org/abs/1707.07012) (CVPR 2018)")
_NOTE = ("\n\n    Only the \"channels_last\" image data format is supported, as in Keras. "
         "The first\n    argument is ``input_shape``, as in Keras.")
NASNetMobile.__doc__ = _base.application_doc(
    "NASNetMobile", 5326716, _PAPER, "nasnet", "pixels scaled to [-1, 1]", 224, 32,
    _NOTE + "\n\n    Keras 3.15 refuses NASNetMobile on its torch backend (a workaround Keras "
    "has since\n    removed); cornu builds it on every backend.")
NASNetLarge.__doc__ = _base.application_doc("NASNetLarge", 88949818, _PAPER, "nasnet",
                                            "pixels scaled to [-1, 1]", 331, 32, _NOTE)

preprocess_input, decode_predictions = _base.module_functions("tf", __name__)
