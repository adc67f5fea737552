"""Xception (Chollet, 2017), laid out as Keras lays it out.

Layer names and their order match Keras's (the residual convolutions keep automatic
names, as in Keras), so Keras's published ``.h5`` weight files load into this model.
Reference: https://arxiv.org/abs/1610.02357. Inputs are expected scaled to [-1, 1] by
``preprocess_input``.
"""
from cornu import backend, layers
from cornu.applications import _base, imagenet_utils

WEIGHTS_PATH = ("https://storage.googleapis.com/tensorflow/keras-applications/"
                "xception/xception_weights_tf_dim_ordering_tf_kernels.h5")
WEIGHTS_PATH_NO_TOP = ("https://storage.googleapis.com/tensorflow/keras-applications/"
                       "xception/xception_weights_tf_dim_ordering_tf_kernels_notop.h5")
# md5 of Keras's weight files: (with the top, without the top).
WEIGHTS_HASHES = ("0a58e3b7378bc2990ea3b43d5981f1f6", "b0042744bf5b25fce3cb969f33bebb97")


def _sepconv_bn(x, filters, name, act_name=None):
    """An optional ReLU (``act_name``), a 3x3 SeparableConv2D and its BatchNormalization."""
    axis = _base.channel_axis()
    if act_name is not None:
        x = layers.Activation("relu", name=act_name)(x)
    x = layers.SeparableConv2D(filters, (3, 3), padding="same", use_bias=False, name=name)(x)
    return layers.BatchNormalization(axis=axis, name=f"{name}_bn")(x)


def _downsampling_block(x, filters, block, first_act=True):
    """Two separable convs and a stride-2 max pool, added to a strided 1x1 conv of ``x``."""
    axis = _base.channel_axis()
    residual = layers.Conv2D(filters[1], (1, 1), strides=(2, 2), padding="same",
                             use_bias=False)(x)
    residual = layers.BatchNormalization(axis=axis)(residual)
    x = _sepconv_bn(x, filters[0], f"block{block}_sepconv1",
                    f"block{block}_sepconv1_act" if first_act else None)
    x = _sepconv_bn(x, filters[1], f"block{block}_sepconv2", f"block{block}_sepconv2_act")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same",
                            name=f"block{block}_pool")(x)
    return layers.add([x, residual])


def Xception(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
             pooling=None, classes=1000, classifier_activation="softmax", name="xception"):
    _base.check_weights_argument(weights, include_top, classes)
    _base.check_pooling(pooling)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=299, min_size=71, data_format=backend.image_data_format(),
        require_flatten=include_top, weights=weights)
    img_input = _base.image_input(input_tensor, input_shape)
    axis = _base.channel_axis()

    x = layers.Conv2D(32, (3, 3), strides=(2, 2), use_bias=False, name="block1_conv1")(img_input)
    x = layers.BatchNormalization(axis=axis, name="block1_conv1_bn")(x)
    x = layers.Activation("relu", name="block1_conv1_act")(x)
    x = layers.Conv2D(64, (3, 3), use_bias=False, name="block1_conv2")(x)
    x = layers.BatchNormalization(axis=axis, name="block1_conv2_bn")(x)
    x = layers.Activation("relu", name="block1_conv2_act")(x)

    x = _downsampling_block(x, (128, 128), 2, first_act=False)
    x = _downsampling_block(x, (256, 256), 3)
    x = _downsampling_block(x, (728, 728), 4)
    for block in range(5, 13):  # the middle flow: 8 residual blocks of 3 separable convs
        residual = x
        for i in (1, 2, 3):
            x = _sepconv_bn(x, 728, f"block{block}_sepconv{i}", f"block{block}_sepconv{i}_act")
        x = layers.add([x, residual])
    x = _downsampling_block(x, (728, 1024), 13)

    x = _sepconv_bn(x, 1536, "block14_sepconv1")
    x = layers.Activation("relu", name="block14_sepconv1_act")(x)
    x = _sepconv_bn(x, 2048, "block14_sepconv2")
    x = layers.Activation("relu", name="block14_sepconv2_act")(x)

    x = _base.classifier_head(x, include_top, pooling, classes, classifier_activation, weights)
    model = _base.make_model(input_tensor, img_input, x, name)

    url = file_name = file_hash = None
    if weights == "imagenet":
        url = WEIGHTS_PATH if include_top else WEIGHTS_PATH_NO_TOP
        file_name = url.rsplit("/", 1)[1]
        file_hash = WEIGHTS_HASHES[0 if include_top else 1]
    return _base.load_weights(model, weights, url, file_name, file_hash)


Xception.__doc__ = _base.application_doc(
    "Xception", 22910480,
    "[Xception: Deep Learning with Depthwise Separable Convolutions]"
    "(https://arxiv.org/abs/1610.02357) (CVPR 2017)",
    "xception", "pixels scaled to [-1, 1]", 299, 71)

preprocess_input, decode_predictions = _base.module_functions("tf", __name__)
