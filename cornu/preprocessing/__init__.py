"""cornu.preprocessing: Keras's ``keras.preprocessing``.

The dataset utilities of Keras 3, and the Keras 2 modules ``sequence``
(pad_sequences), ``image`` (load_img, ..., ImageDataGenerator) and ``text``
(Tokenizer), imported on first use.
"""
import importlib

_NAMES = {
    "image_dataset_from_directory": "cornu.utils.image_dataset_utils",
    "text_dataset_from_directory": "cornu.utils.text_dataset_utils",
    "timeseries_dataset_from_array": "cornu.utils.timeseries_dataset_utils",
}
_SUBMODULES = {"image", "sequence", "text"}


def __getattr__(name):
    if name in _NAMES:
        value = getattr(importlib.import_module(_NAMES[name]), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"cornu.preprocessing.{name}")
    else:
        raise AttributeError(f"module 'cornu.preprocessing' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_NAMES) | _SUBMODULES)
