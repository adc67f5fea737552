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
        weights: None (random initialization), "imagenet" (Keras's pretrained
            weights, downloaded once into ``$CORNU_HOME/models``), or the path of a
            weights file to load.
        input_tensor: an optional KerasTensor to use as the model's image input.
        input_shape: the input shape without the batch dimension (default
            ``(224, 224, 3)``; at least 32x32). With ImageNet weights it has 3
            channels, and with the top as well it must be ``(224, 224, 3)``.
        pooling: with ``include_top=False``: None (4D feature maps), "avg" or "max"
            (global pooling to a 2D output).
        classes: the number of classes (1000 with ImageNet weights and the top).
        classifier_activation: the activation of the ``predictions`` layer; None
            returns logits. With pretrained weights only None or "softmax".
        name: the model's name.

    Returns:
        A functional ``Model``.

    Example:
        >>> model = {model}(weights=None)  # doctest: +SKIP
        >>> model.count_params()  # doctest: +SKIP
        {count}
    """


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
