"""DenseNet121, DenseNet169 and DenseNet201 (Huang et al., 2017), laid out as Keras lays them out.

Layer names and their order match Keras's, so Keras's published ``.h5`` weight files
load into these models. Reference: https://arxiv.org/abs/1608.06993. Inputs are
expected preprocessed by ``preprocess_input`` ("torch" mode). As in Keras, DenseNet
supports only the "channels_last" image data format.
"""
from cornu import backend, layers
from cornu.applications import _base, imagenet_utils

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/densenet/"
# md5 of Keras's weight files: (with the top, without the top).
WEIGHTS_HASHES = {
    "densenet121": ("9d60b8095a5708f2dcce2bca79d332c7", "30ee3e1110167f948a6b9946edeeb738"),
    "densenet169": ("d699b8f76981ab1b30698df4c175e90b", "b8c4d4c20dd625c148057b9ff1c1176b"),
    "densenet201": ("1ceb130c1ea1b78c3bf6114dbdfd8807", "c13680b51ded0fb44dff2d8f86ac8bb1"),
}
_BLOCKS = {(6, 12, 24, 16): "densenet121", (6, 12, 32, 32): "densenet169",
           (6, 12, 48, 32): "densenet201"}
_EPSILON = 1.001e-5


def _bn_relu(x, name):
    x = layers.BatchNormalization(axis=3, epsilon=_EPSILON, name=f"{name}_bn")(x)
    return layers.Activation("relu", name=f"{name}_relu")(x)


def conv_block(x, growth_rate, name):
    """BN-ReLU-1x1 conv (4x growth) then BN-ReLU-3x3 conv, concatenated onto ``x``."""
    y = _bn_relu(x, f"{name}_0")
    y = layers.Conv2D(4 * growth_rate, 1, use_bias=False, name=f"{name}_1_conv")(y)
    y = _bn_relu(y, f"{name}_1")
    y = layers.Conv2D(growth_rate, 3, padding="same", use_bias=False,
                      name=f"{name}_2_conv")(y)
    return layers.Concatenate(axis=3, name=f"{name}_concat")([x, y])


def dense_block(x, blocks, name):
    """``blocks`` conv blocks, each adding 32 channels."""
    for i in range(blocks):
        x = conv_block(x, 32, name=f"{name}_block{i + 1}")
    return x


def transition_block(x, reduction, name):
    """BN-ReLU, a 1x1 conv keeping ``reduction`` of the channels, 2x2 average pooling."""
    x = _bn_relu(x, name)
    x = layers.Conv2D(int(x.shape[3] * reduction), 1, use_bias=False, name=f"{name}_conv")(x)
    return layers.AveragePooling2D(2, strides=2, name=f"{name}_pool")(x)


def DenseNet(blocks, include_top=True, weights="imagenet", input_tensor=None,
             input_shape=None, pooling=None, classes=1000, classifier_activation="softmax",
             name="densenet"):
    """A DenseNet with ``blocks`` conv blocks in each of its four dense blocks.

    Args:
        blocks: the numbers of conv blocks of the four dense blocks; ImageNet weights
            exist for (6, 12, 24, 16), (6, 12, 32, 32) and (6, 12, 48, 32).
        Other arguments: as in ``DenseNet121``.

    Returns:
        A functional ``Model``.
    """
    if backend.image_data_format() == "channels_first":
        raise ValueError("DenseNet does not support the `channels_first` image data format. "
                         "Switch to `channels_last` with "
                         "`cornu.backend.set_image_data_format('channels_last')`.")
    _base.check_weights_argument(weights, include_top, classes)
    _base.check_pooling(pooling)
    key = _BLOCKS.get(tuple(blocks))
    if weights == "imagenet" and key is None:
        raise ValueError("ImageNet weights exist only for the blocks of DenseNet121, 169 and "
                         f"201 ({[list(b) for b in _BLOCKS]}). Received: blocks={blocks}")
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=224, min_size=32, data_format=backend.image_data_format(),
        require_flatten=include_top, weights=weights)
    img_input = _base.image_input(input_tensor, input_shape)

    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)))(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1_conv")(x)
    x = _bn_relu(x, "conv1")
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    for stage, count in enumerate(blocks[:3], start=2):
        x = dense_block(x, count, name=f"conv{stage}")
        x = transition_block(x, 0.5, name=f"pool{stage}")
    x = dense_block(x, blocks[3], name="conv5")
    x = layers.BatchNormalization(axis=3, epsilon=_EPSILON, name="bn")(x)
    x = layers.Activation("relu", name="relu")(x)
    x = _base.classifier_head(x, include_top, pooling, classes, classifier_activation, weights,
                              pool_avg_name="avg_pool", max_name="max_pool")
    model = _base.make_model(input_tensor, img_input, x, name)

    url = file_name = file_hash = None
    if weights == "imagenet":
        suffix = "" if include_top else "_notop"
        file_name = f"{key}_weights_tf_dim_ordering_tf_kernels{suffix}.h5"
        url = BASE_WEIGHTS_PATH + file_name
        file_hash = WEIGHTS_HASHES[key][0 if include_top else 1]
    return _base.load_weights(model, weights, url, file_name, file_hash)


def DenseNet121(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax",
                name="densenet121"):
    return DenseNet((6, 12, 24, 16), include_top, weights, input_tensor, input_shape,
                    pooling, classes, classifier_activation, name=name)


def DenseNet169(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax",
                name="densenet169"):
    return DenseNet((6, 12, 32, 32), include_top, weights, input_tensor, input_shape,
                    pooling, classes, classifier_activation, name=name)


def DenseNet201(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax",
                name="densenet201"):
    return DenseNet((6, 12, 48, 32), include_top, weights, input_tensor, input_shape,
                    pooling, classes, classifier_activation, name=name)


_PAPER = ("[Densely Connected Convolutional Networks](https://arxiv.org/abs/1608.06993) "
          "(CVPR 2017)")
_PREPROCESSING = "torch mode: scaled to [0, 1], then normalised by the ImageNet statistics"
_NOTE = "\n\n    Only the \"channels_last\" image data format is supported, as in Keras."
for _fn, _count in ((DenseNet121, 8062504), (DenseNet169, 14307880), (DenseNet201, 20242984)):
    _fn.__doc__ = _base.application_doc(_fn.__name__, _count, _PAPER, "densenet",
                                        _PREPROCESSING, 224, 32, _NOTE)

preprocess_input, decode_predictions = _base.module_functions("torch", __name__)
