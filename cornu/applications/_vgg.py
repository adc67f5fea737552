"""The VGG body shared by VGG16 and VGG19 (Simonyan & Zisserman, 2014)."""
from cornu import backend, layers
from cornu.applications import _base, imagenet_utils

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/"
_FILTERS = (64, 128, 256, 512, 512)

DOC = """Instantiate the {model} architecture ({size} parameters).

    Reference: [Very Deep Convolutional Networks for Large-Scale Image Recognition](
    https://arxiv.org/abs/1409.1556) (ICLR 2015).

    Inputs are expected preprocessed by ``cornu.applications.{module}.preprocess_input``
    (caffe mode: RGB to BGR, minus the ImageNet channel means).

    Args:
        include_top: whether to include the 3 fully-connected layers (``fc1``,
            ``fc2``, ``predictions``) at the top of the network.
""" + _base.MODEL_ARGS_DOC + """    """


def vgg(convs_per_block, name, include_top, weights, input_tensor, input_shape, pooling,
        classes, classifier_activation, weights_name, file_hashes):
    """Five blocks of 3x3 "same" convs (``convs_per_block``), each closed by 2x2 max pooling."""
    _base.check_weights_argument(weights, include_top, classes)
    _base.check_pooling(pooling)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=224, min_size=32, data_format=backend.image_data_format(),
        require_flatten=include_top, weights=weights)
    img_input = _base.image_input(input_tensor, input_shape)
    x = img_input
    for block, (filters, convs) in enumerate(zip(_FILTERS, convs_per_block), start=1):
        for conv in range(1, convs + 1):
            x = layers.Conv2D(filters, (3, 3), activation="relu", padding="same",
                              name=f"block{block}_conv{conv}")(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)
    if include_top:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = _base.pool(x, pooling)
    model = _base.make_model(input_tensor, img_input, x, name)

    url = file_name = file_hash = None
    if weights == "imagenet":
        suffix = "" if include_top else "_notop"
        file_name = f"{weights_name}_weights_tf_dim_ordering_tf_kernels{suffix}.h5"
        url = f"{BASE_WEIGHTS_PATH}{weights_name}/{file_name}"
        file_hash = file_hashes[0 if include_top else 1]
    return _base.load_weights(model, weights, url, file_name, file_hash)
