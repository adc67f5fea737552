"""What every application model shares: argument checks, the input, pooling, weights."""
import os
import warnings

from cornu import backend, layers


def check_weights_argument(weights, include_top, classes):
    """Keras's checks of ``weights`` and ``classes``, before anything is built."""
    is_file = isinstance(weights, (str, os.PathLike)) and os.path.exists(weights)
    if not (weights in ("imagenet", None) or is_file):
        raise ValueError("The `weights` argument should be either `None` (random "
                         "initialization), 'imagenet' (pre-training on ImageNet), or the "
                         f"path to the weights file to be loaded. Received: weights={weights!r}"
                         " (no file exists at that path).")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError("If using `weights='imagenet'` with `include_top=True`, `classes` "
                         f"should be 1000. Received: classes={classes}")


def check_pooling(pooling):
    if pooling not in (None, "avg", "max"):
        raise ValueError("`pooling` must be None, 'avg' or 'max'. Received: "
                         f"pooling={pooling!r}")


def channel_axis():
    """The channel axis of a 4D image batch under the global data format."""
    return 1 if backend.image_data_format() == "channels_first" else 3


def image_input(input_tensor, input_shape):
    """The model's image input: a new ``Input`` or the user's KerasTensor."""
    if input_tensor is None:
        return layers.Input(shape=input_shape)
    if not backend.is_keras_tensor(input_tensor):
        raise ValueError("`input_tensor` must be a KerasTensor (the output of "
                         "`cornu.Input()` or of layers applied to it). Received: "
                         f"{type(input_tensor).__name__}. To run the model on data, build it "
                         "with `input_shape=` and call it on the data.")
    return input_tensor


def pool(x, pooling, avg_name=None, max_name=None):
    """Global average or max pooling of the features, or none (``pooling=None``)."""
    if pooling == "avg":
        return layers.GlobalAveragePooling2D(name=avg_name)(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D(name=max_name)(x)
    return x


def source_inputs(tensor):
    """The ``Input`` tensors that ``tensor`` was computed from."""
    layer, node_index, _ = tensor._keras_history
    node = layer._inbound_nodes[node_index]
    if node.is_input:
        return [tensor]
    found = []
    for parent in node.input_tensors:
        for x in source_inputs(parent):
            if not any(x is seen for seen in found):
                found.append(x)
    return found


def make_model(input_tensor, img_input, outputs, name):
    """The functional model, taking in the inputs behind ``input_tensor`` if one was given."""
    from cornu.models import Functional
    inputs = img_input if input_tensor is None else source_inputs(input_tensor)
    if isinstance(inputs, list) and len(inputs) == 1:
        inputs = inputs[0]
    return Functional(inputs, outputs, name=name)


def load_weights(model, weights, url=None, file_name=None, file_hash=None):
    """Load ``weights``: a local file, or for "imagenet" Keras's published file at ``url``.

    The ImageNet file is downloaded once through ``get_file`` (into
    ``$CORNU_HOME/models``), checked against ``file_hash`` when Keras has one, and
    read by the legacy ``.h5`` loader, layer by layer in order as Keras reads it.
    """
    if weights == "imagenet":
        from cornu.utils.file_utils import get_file
        weights = get_file(file_name, url, cache_subdir="models", file_hash=file_hash)
    if weights is not None:
        model.load_weights(weights)
    return model


def square_size(input_shape, input_tensor, sizes, default=224):
    """The image's height when it is square and one of ``sizes`` (the sizes weights
    exist for), else ``default``; read from ``input_shape``, else from ``input_tensor``."""
    first = backend.image_data_format() == "channels_first"
    if input_shape is not None:
        rows, cols = input_shape[1:3] if first else input_shape[0:2]
    elif input_tensor is not None and backend.is_keras_tensor(input_tensor):
        rows, cols = input_tensor.shape[2:4] if first else input_tensor.shape[1:3]
    else:
        return default
    return rows if rows == cols and rows in sizes else default


def weights_rows(input_shape, weights, sizes):
    """The image size that names ImageNet weights: the input's if square and in ``sizes``,
    else 224 with a warning (as Keras falls back)."""
    first = backend.image_data_format() == "channels_first"
    rows, cols = input_shape[1:3] if first else input_shape[0:2]
    if weights == "imagenet" and (rows != cols or rows not in sizes):
        warnings.warn("`input_shape` is undefined or non-square, or `rows` is not in "
                      f"{list(sizes)}. Weights for input shape (224, 224) will be loaded as "
                      "the default.", stacklevel=3)
        return 224
    return rows


# The Args tail shared by the ResNet and VGG docstrings ({model}, {count} filled in).
MODEL_ARGS_DOC = """        weights: None (random initialization), "imagenet" (Keras's pretrained
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


def classifier_head(x, include_top, pooling, classes, classifier_activation, weights,
                    avg_name="avg_pool", max_name=None, pool_avg_name=None):
    """The top: global average pooling (``avg_name``) and the ``predictions`` Dense layer;
    without it, the optional ``pooling`` (``pool_avg_name`` / ``max_name``)."""
    if include_top:
        from cornu.applications import imagenet_utils
        x = layers.GlobalAveragePooling2D(name=avg_name)(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        return layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    return pool(x, pooling, avg_name=pool_avg_name, max_name=max_name)


def application_doc(model, count, paper, module, preprocessing, default_size, min_size,
                    note=""):
    """The docstring of an application constructor with Keras's common arguments."""
    return f"""Instantiate the {model} architecture ({count:,} parameters with the top).

    Reference: {paper}.

    Inputs are expected preprocessed by ``cornu.applications.{module}.preprocess_input``
    ({preprocessing}).{note}

    Args:
        include_top: whether to include the classifier (global average pooling and
            the ``predictions`` Dense layer).
        weights: None (random initialization), "imagenet" (Keras's pretrained
            weights, downloaded once into ``$CORNU_HOME/models``), or the path of a
            weights file to load.
        input_tensor: an optional KerasTensor to use as the model's image input.
        input_shape: the input shape without the batch dimension (default
            ``({default_size}, {default_size}, 3)``; at least {min_size}x{min_size}).
            With ImageNet weights it has 3 channels, and with the top as well it must
            be ``({default_size}, {default_size}, 3)``.
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


def module_functions(mode, module):
    """A model module's ``preprocess_input`` (fixed ``mode``) and ``decode_predictions``,
    attributed to ``module`` (its ``__name__``)."""
    from cornu.applications import imagenet_utils

    def preprocess_input(x, data_format=None):
        return imagenet_utils.preprocess_input(x, data_format=data_format, mode=mode)

    def decode_predictions(preds, top=5):
        return imagenet_utils.decode_predictions(preds, top=top)

    preprocess_input.__doc__ = imagenet_utils.preprocess_doc(mode)
    decode_predictions.__doc__ = imagenet_utils.decode_predictions.__doc__
    preprocess_input.__module__ = decode_predictions.__module__ = module
    return preprocess_input, decode_predictions


_PASSTHROUGH_DOC = """A pass-through, kept for compatibility: {family} models preprocess inside
    the model, with {inside}; inputs are given as they are.

    Args:
        x: a float NumPy array or a tensor of images.
        data_format: unused; "channels_last", "channels_first" or None.

    Returns:
        ``x``, unchanged.
    """


def passthrough_functions(family, inside, module):
    """A model module's ``preprocess_input`` (which returns its input: ``family``'s
    preprocessing is ``inside`` the model) and ``decode_predictions``, attributed to
    ``module``."""
    from cornu.applications import imagenet_utils

    def preprocess_input(x, data_format=None):
        return x

    def decode_predictions(preds, top=5):
        return imagenet_utils.decode_predictions(preds, top=top)

    preprocess_input.__doc__ = _PASSTHROUGH_DOC.format(family=family, inside=inside)
    decode_predictions.__doc__ = imagenet_utils.decode_predictions.__doc__
    preprocess_input.__module__ = decode_predictions.__module__ = module
    return preprocess_input, decode_predictions
