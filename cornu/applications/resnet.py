"""ResNet50, ResNet101 and ResNet152 (He et al., 2015), laid out as Keras lays them out.

Layer names and their order match Keras's, so Keras's published ``.h5`` weight files
load into these models. Reference: https://arxiv.org/abs/1512.03385
"""
from cornu import backend, layers
from cornu.applications import _base, imagenet_utils

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
# md5 of Keras's weight files: (with the top, without the top).
WEIGHTS_HASHES = {
    "resnet50": ("2cb95161c43110f7111970584f804107", "4d473c1dd8becc155b73f8504c6f6626"),
    "resnet101": ("f1aeb4b969a6efcfb50fad2f0c20cfc5", "88cf7a10940856eca736dc7b7e228a21"),
    "resnet152": ("100835be76be38e30d865e96f2aaae62", "ee4c566cf9a93f14d82f913c2dc6dd0c"),
    "resnet50v2": ("3ef43a0b657b3be2300d5770ece849e0", "fac2f116257151a9d068a22e544a4917"),
    "resnet101v2": ("6343647c601c52e1368623803854d971", "c0ed64b8031c3730f411d2eb4eea35b5"),
    "resnet152v2": ("a49b44d1979771252814e80f8ec446f9", "ed17cf2e0169df9d443503ef94b23b33"),
}
_EPSILON = 1.001e-5


def ResNet(stack_fn, preact, use_bias, name="resnet", include_top=True, weights="imagenet",
           input_tensor=None, input_shape=None, pooling=None, classes=1000,
           classifier_activation="softmax", weights_name=None):
    """The ResNet family's stem and head around ``stack_fn``'s residual stacks.

    Args:
        stack_fn: builds the residual stacks on the stem's output.
        preact: pre-activation (ResNetV2): no BN/ReLU after the first conv, and a
            final ``post_bn`` / ``post_relu`` instead.
        use_bias: whether the first convolution has a bias.
        name: the model's name.
        weights_name: the key of Keras's weight files (default ``name``).
        Other arguments: as in ``ResNet50``.
    """
    weights_name = weights_name or name
    _base.check_weights_argument(weights, include_top, classes)
    _base.check_pooling(pooling)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=224, min_size=32, data_format=backend.image_data_format(),
        require_flatten=include_top, weights=weights)
    img_input = _base.image_input(input_tensor, input_shape)
    bn_axis = _base.channel_axis()

    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=use_bias, name="conv1_conv")(x)
    if not preact:
        x = layers.BatchNormalization(axis=bn_axis, epsilon=_EPSILON, name="conv1_bn")(x)
        x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)

    x = stack_fn(x)

    if preact:
        x = layers.BatchNormalization(axis=bn_axis, epsilon=_EPSILON, name="post_bn")(x)
        x = layers.Activation("relu", name="post_relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = _base.pool(x, pooling, avg_name="avg_pool", max_name="max_pool")
    model = _base.make_model(input_tensor, img_input, x, name)

    url = file_name = file_hash = None
    if weights == "imagenet":
        suffix = "" if include_top else "_notop"
        file_name = f"{weights_name}_weights_tf_dim_ordering_tf_kernels{suffix}.h5"
        url = BASE_WEIGHTS_PATH + file_name
        file_hash = WEIGHTS_HASHES[weights_name][0 if include_top else 1]
    return _base.load_weights(model, weights, url, file_name, file_hash)


def residual_block_v1(x, filters, kernel_size=3, stride=1, conv_shortcut=True, name=None):
    """A bottleneck block: 1x1 (stride), kxk, 1x1 (4x filters) convs, added to the shortcut."""
    bn_axis = _base.channel_axis()
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=name + "_0_conv")(x)
        shortcut = layers.BatchNormalization(axis=bn_axis, epsilon=_EPSILON,
                                             name=name + "_0_bn")(shortcut)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=stride, name=name + "_1_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, epsilon=_EPSILON, name=name + "_1_bn")(x)
    x = layers.Activation("relu", name=name + "_1_relu")(x)
    x = layers.Conv2D(filters, kernel_size, padding="same", name=name + "_2_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, epsilon=_EPSILON, name=name + "_2_bn")(x)
    x = layers.Activation("relu", name=name + "_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=name + "_3_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, epsilon=_EPSILON, name=name + "_3_bn")(x)
    # The shortcut comes first: it decides the layer order, and so the weight files' order.
    x = layers.Add(name=name + "_add")([shortcut, x])
    return layers.Activation("relu", name=name + "_out")(x)


def stack_residual_blocks_v1(x, filters, blocks, stride1=2, name=None):
    """``blocks`` v1 blocks; the first has a conv shortcut and stride ``stride1``."""
    x = residual_block_v1(x, filters, stride=stride1, name=name + "_block1")
    for i in range(2, blocks + 1):
        x = residual_block_v1(x, filters, conv_shortcut=False, name=f"{name}_block{i}")
    return x


def _stacks_v1(blocks):
    def stack_fn(x):
        x = stack_residual_blocks_v1(x, 64, blocks[0], stride1=1, name="conv2")
        x = stack_residual_blocks_v1(x, 128, blocks[1], name="conv3")
        x = stack_residual_blocks_v1(x, 256, blocks[2], name="conv4")
        return stack_residual_blocks_v1(x, 512, blocks[3], name="conv5")
    return stack_fn


_DOC = """Instantiate the {model} architecture ({size} parameters).

    Reference: {paper}.

    Inputs are expected preprocessed by ``cornu.applications.{module}.preprocess_input``
    ({preprocessing}).

    Args:
        include_top: whether to include the classifier (global average pooling and
            the ``predictions`` Dense layer).
""" + _base.MODEL_ARGS_DOC + """    """


def model_doc(model, size, count, v2=False):
    """The docstring of a ResNet constructor."""
    if v2:
        paper = ("[Identity Mappings in Deep Residual Networks]("
                 "https://arxiv.org/abs/1603.05027) (ECCV 2016)")
        module, preprocessing = "resnet_v2", "pixels scaled to [-1, 1]"
    else:
        paper = ("[Deep Residual Learning for Image Recognition]("
                 "https://arxiv.org/abs/1512.03385) (CVPR 2016)")
        module, preprocessing = "resnet", "caffe mode: RGB to BGR, minus the ImageNet means"
    return _DOC.format(model=model, size=size, count=count, paper=paper, module=module,
                       preprocessing=preprocessing)


def ResNet50(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
             pooling=None, classes=1000, classifier_activation="softmax", name="resnet50"):
    return ResNet(_stacks_v1((3, 4, 6, 3)), False, True, name, include_top, weights,
                  input_tensor, input_shape, pooling, classes, classifier_activation,
                  weights_name="resnet50")


def ResNet101(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
              pooling=None, classes=1000, classifier_activation="softmax", name="resnet101"):
    return ResNet(_stacks_v1((3, 4, 23, 3)), False, True, name, include_top, weights,
                  input_tensor, input_shape, pooling, classes, classifier_activation,
                  weights_name="resnet101")


def ResNet152(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
              pooling=None, classes=1000, classifier_activation="softmax", name="resnet152"):
    return ResNet(_stacks_v1((3, 8, 36, 3)), False, True, name, include_top, weights,
                  input_tensor, input_shape, pooling, classes, classifier_activation,
                  weights_name="resnet152")


ResNet50.__doc__ = model_doc("ResNet50", "25.6M", 25636712)
ResNet101.__doc__ = model_doc("ResNet101", "44.7M", 44707176)
ResNet152.__doc__ = model_doc("ResNet152", "60.4M", 60419944)


def preprocess_input(x, data_format=None):
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top=5):
    return imagenet_utils.decode_predictions(preds, top=top)


preprocess_input.__doc__ = imagenet_utils.preprocess_doc("caffe")
decode_predictions.__doc__ = imagenet_utils.decode_predictions.__doc__
