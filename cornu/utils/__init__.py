"""cornu.utils: seeds, one-hot labels, progress bars, summaries, files, plots."""
from cornu.backend import clear_session, is_keras_tensor, standardize_dtype  # noqa: F401
from cornu.utils.config import Config  # noqa: F401
from cornu.utils.io_utils import (  # noqa: F401
    disable_interactive_logging, enable_interactive_logging, is_interactive_logging_enabled,
)
from cornu.utils.numerical_utils import normalize, to_categorical  # noqa: F401
from cornu.utils.py_dataset import PyDataset, Sequence  # noqa: F401
from cornu.utils.rng_utils import set_random_seed  # noqa: F401
from cornu.utils.progbar import Progbar  # noqa: F401

# Imported on first use, to keep `import cornu` cheap (urllib, tarfile, PIL, pydot).
_LAZY_NAMES = {
    "get_file": "file_utils", "validate_file": "file_utils",
    "pad_sequences": "sequence_utils",
    "load_img": "image_utils", "img_to_array": "image_utils", "array_to_img": "image_utils",
    "save_img": "image_utils", "smart_resize": "image_utils",
    "image_dataset_from_directory": "image_dataset_utils",
    "text_dataset_from_directory": "text_dataset_utils",
    "audio_dataset_from_directory": "audio_dataset_utils",
    "FeatureSpace": "feature_space",
    "timeseries_dataset_from_array": "timeseries_dataset_utils",
    "plot_model": "model_visualization", "model_to_dot": "model_visualization",
    "get_source_inputs": "operation_utils", "split_dataset": "dataset_split",
    "pack_x_y_sample_weight": "xy_utils", "unpack_x_y_sample_weight": "xy_utils",
    # the object registry lives in cornu.saving; these are the same objects
    "register_keras_serializable": "cornu.saving", "custom_object_scope": "cornu.saving",
    "CustomObjectScope": "cornu.saving", "get_custom_objects": "cornu.saving",
    "serialize_keras_object": "cornu.saving", "deserialize_keras_object": "cornu.saving",
    "get_registered_name": "cornu.saving", "get_registered_object": "cornu.saving",
}
# Keras 1/2 module paths (`keras.utils.np_utils`, ...): they warn when imported.
_LAZY_MODULES = {"np_utils", "vis_utils", "data_utils", "layer_utils", "file_utils",
                 "sequence_utils", "image_utils", "dataset_utils", "image_dataset_utils",
                 "text_dataset_utils", "audio_dataset_utils", "timeseries_dataset_utils",
                 "model_visualization", "bounding_boxes", "legacy", "generic_utils",
                 "conv_utils", "multi_gpu_utils"}


def __getattr__(name):
    import importlib
    if name in _LAZY_NAMES:
        module = _LAZY_NAMES[name]
        module = module if "." in module else f"cornu.utils.{module}"
        value = getattr(importlib.import_module(module), name)
    elif name in _LAZY_MODULES:
        value = importlib.import_module(f"cornu.utils.{name}")
    else:
        raise AttributeError(f"module 'cornu.utils' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY_NAMES) | _LAZY_MODULES)
