"""ImageNet helpers: input preprocessing, prediction decoding, input-shape checks.

The class index ships inside cornu (``data/imagenet_class_index.json``, the same
bytes as the file Keras downloads), so ``decode_predictions`` works offline.
"""
import json
import os
import warnings

import numpy as np

from cornu import backend, ops

_CLASS_INDEX = None
_CLASS_INDEX_PATH = os.path.join(os.path.dirname(__file__), "data", "imagenet_class_index.json")

_CAFFE_MEAN = (103.939, 116.779, 123.68)  # BGR order, on [0, 255] pixels
_TORCH_MEAN = (0.485, 0.456, 0.406)  # RGB order, on [0, 1] pixels
_TORCH_STD = (0.229, 0.224, 0.225)
_MODES = ("caffe", "tf", "torch")

PREPROCESS_INPUT_DOC = """Preprocess a batch of images (or one image) for an ImageNet model.

    Args:
        x: a float NumPy array or a tensor, 3D or 4D, with 3 colour channels and
            values in [0, 255]. A float NumPy array is preprocessed in place (as in
            Keras); pass ``numpy.copy(x)`` to keep the original. Integer arrays are
            converted to ``floatx()`` first.
        data_format: "channels_last" or "channels_first" (default: the global
            ``image_data_format()``).{mode}

    Returns:
        The preprocessed array or tensor (float32 for uint8 or float32 input).{ret}

    Example:
        >>> import numpy as np
        >>> x = np.full((1, 2, 2, 3), 255.0, dtype="float32")
        >>> round(float(preprocess_input(x{example})[0, 0, 0, 0]), 3)
        {value}
    """

_MODE_DOC = """
        mode: "caffe" (RGB to BGR, then minus the ImageNet channel means, no
            scaling), "tf" (scaled to [-1, 1]) or "torch" (scaled to [0, 1], then
            normalised by the ImageNet channel means and standard deviations)."""

_RET_DOC = {
    "caffe": "\n        Channels are reordered RGB to BGR and centred on the ImageNet means.",
    "tf": "\n        Pixels are scaled to [-1, 1].",
    "torch": "\n        Pixels are scaled to [0, 1] and normalised per channel.",
}
_EXAMPLE_VALUE = {"caffe": "151.061", "tf": "1.0", "torch": "2.249"}


def preprocess_doc(mode):
    """The docstring of a model module's ``preprocess_input`` (fixed ``mode``)."""
    return PREPROCESS_INPUT_DOC.format(mode="", ret=_RET_DOC[mode], example="",
                                       value=_EXAMPLE_VALUE[mode])


def preprocess_input(x, data_format=None, mode="caffe"):
    if mode not in _MODES:
        raise ValueError(f"Expected mode to be one of `caffe`, `tf` or `torch`. "
                         f"Received: mode={mode!r}")
    if data_format is None:
        data_format = backend.image_data_format()
    elif data_format not in ("channels_first", "channels_last"):
        raise ValueError("Expected data_format to be one of `channels_first` or "
                         f"`channels_last`. Received: data_format={data_format!r}")
    if isinstance(x, np.ndarray):
        return _preprocess_numpy(x, data_format, mode)
    return _preprocess_tensor(x, data_format, mode)


preprocess_input.__doc__ = PREPROCESS_INPUT_DOC.format(
    mode=_MODE_DOC, ret="", example=", mode='tf'", value="1.0")


def _channel_axis(ndim, data_format):
    if data_format == "channels_last":
        return ndim - 1
    return 0 if ndim == 3 else 1


def _preprocess_numpy(x, data_format, mode):
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(backend.floatx(), copy=False)
    if mode == "tf":
        x /= 127.5
        x -= 1.0
        return x
    axis = _channel_axis(x.ndim, data_format)
    if mode == "torch":
        x /= 255.0
        mean, std = _TORCH_MEAN, _TORCH_STD
    else:
        x = np.flip(x, axis=axis)  # RGB -> BGR: a view, so the caller's array is written too
        mean, std = _CAFFE_MEAN, None
    # One Python float per channel: the arithmetic stays in x's dtype, exactly as Keras's.
    for c in range(3):
        index = (slice(None),) * axis + (c,)
        x[index] -= mean[c]
        if std is not None:
            x[index] /= std[c]
    return x


def _preprocess_tensor(x, data_format, mode):
    if not backend.is_keras_tensor(x):  # symbolic inputs stay symbolic
        x = ops.convert_to_tensor(x)
    if "float" not in backend.standardize_dtype(x.dtype):
        x = ops.cast(x, backend.floatx())
    if mode == "tf":
        return x / 127.5 - 1.0
    ndim = len(x.shape)
    axis = _channel_axis(ndim, data_format)
    shape = [1] * ndim
    shape[axis] = 3
    if mode == "torch":
        x = x / 255.0
        mean, std = _TORCH_MEAN, _TORCH_STD
    else:
        x = ops.flip(x, axis=axis)  # RGB -> BGR
        mean, std = _CAFFE_MEAN, None
    x = x + ops.convert_to_tensor(np.reshape(np.negative(mean), shape), dtype=x.dtype)
    if std is not None:
        x = x / ops.convert_to_tensor(np.reshape(std, shape), dtype=x.dtype)
    return x


def _class_index():
    global _CLASS_INDEX
    if _CLASS_INDEX is None:
        with open(_CLASS_INDEX_PATH, encoding="utf-8") as f:
            _CLASS_INDEX = json.load(f)
    return _CLASS_INDEX


def decode_predictions(preds, top=5):
    """Decode a batch of ImageNet predictions into its ``top`` classes.

    Args:
        preds: an array or tensor of shape ``(samples, 1000)``.
        top: how many classes to return for each sample.

    Returns:
        One list per sample of ``(class_id, class_name, score)`` tuples, best first,
        e.g. ``('n02504458', 'African_elephant', 0.64)``.

    Example:
        >>> import numpy as np
        >>> preds = np.zeros((1, 1000), dtype="float32"); preds[0, 386] = 0.9
        >>> decode_predictions(preds, top=1)[0][0][:2]
        ('n02504458', 'African_elephant')
    """
    shape = tuple(preds.shape)
    if len(shape) != 2 or shape[1] != 1000:
        raise ValueError("`decode_predictions` expects a batch of predictions (i.e. a 2D "
                         f"array of shape (samples, 1000)). Received array with shape: "
                         f"{shape}")
    index = _class_index()
    results = []
    for pred in ops.convert_to_numpy(preds):
        top_indices = pred.argsort()[-top:][::-1]
        result = [tuple(index[str(i)]) + (pred[i],) for i in top_indices]
        result.sort(key=lambda item: item[2], reverse=True)
        results.append(result)
    return results


def obtain_input_shape(input_shape, default_size, min_size, data_format, require_flatten,
                       weights=None):
    """The input shape (one sample) a model builds on, checked against its constraints.

    Args:
        input_shape: None (the default shape) or the user's shape.
        default_size: the default height and width.
        min_size: the smallest height or width accepted.
        data_format: "channels_last" or "channels_first".
        require_flatten: whether the top needs a fixed shape (``include_top=True``).
        weights: "imagenet" demands 3 channels, and the default shape with the top.
    """
    channels_first = data_format == "channels_first"
    channels = 3
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        channels = input_shape[0] if channels_first else input_shape[-1]
        if channels not in (1, 3):
            warnings.warn("This model usually expects 1 or 3 input channels. However, it "
                          f"was passed an input_shape with {channels} input channels.",
                          stacklevel=3)
    default_shape = ((channels, default_size, default_size) if channels_first
                     else (default_size, default_size, channels))
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and tuple(input_shape) != default_shape:
            raise ValueError("When setting `include_top=True` and loading `imagenet` "
                             f"weights, `input_shape` should be {default_shape}. Received: "
                             f"input_shape={input_shape}")
        return default_shape
    if input_shape:
        input_shape = tuple(input_shape)
        if len(input_shape) != 3:
            raise ValueError("`input_shape` must be a tuple of three integers (height, "
                             f"width, channels). Received: input_shape={input_shape}")
        channels = input_shape[0] if channels_first else input_shape[-1]
        if channels != 3 and weights == "imagenet":
            raise ValueError(f"The input must have 3 channels; Received "
                             f"`input_shape={input_shape}`")
        spatial = input_shape[1:] if channels_first else input_shape[:2]
        if any(size is not None and size < min_size for size in spatial):
            raise ValueError(f"Input size must be at least {min_size}x{min_size}; "
                             f"Received: input_shape={input_shape}")
    elif require_flatten:
        input_shape = default_shape
    else:
        input_shape = (3, None, None) if channels_first else (None, None, 3)
    if require_flatten and None in input_shape:
        raise ValueError("If `include_top` is True, you should specify a static "
                         f"`input_shape`. Received: input_shape={input_shape}")
    return input_shape


def correct_pad(inputs, kernel_size):
    """The ``ZeroPadding2D`` padding that makes a stride-2 "valid" conv match TF's "same"."""
    first = backend.image_data_format() == "channels_first"
    size = inputs.shape[2:4] if first else inputs.shape[1:3]
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    adjust = (1, 1) if size[0] is None else (1 - size[0] % 2, 1 - size[1] % 2)
    correct = (kernel_size[0] // 2, kernel_size[1] // 2)
    return ((correct[0] - adjust[0], correct[0]), (correct[1] - adjust[1], correct[1]))


def validate_activation(classifier_activation, weights):
    """With pretrained weights the classifier's activation may only be None or softmax."""
    if weights is None:
        return
    from cornu import activations
    activation = activations.get(classifier_activation)
    if activation not in (activations.get("softmax"), activations.get(None)):
        raise ValueError("Only `None` and `softmax` activations are allowed for the "
                         "`classifier_activation` argument when using pretrained weights, "
                         f"with `include_top=True`; Received: "
                         f"classifier_activation={classifier_activation}")
