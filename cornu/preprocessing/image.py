"""``keras.preprocessing.image``: image files and arrays, and Keras 2's ImageDataGenerator."""
from cornu.legacy.image_generator import ImageDataGenerator  # noqa: F401
from cornu.legacy.image_iterators import (  # noqa: F401
    DirectoryIterator, Iterator, NumpyArrayIterator)
from cornu.legacy.image_transforms import (  # noqa: F401
    apply_affine_transform, apply_brightness_shift, apply_channel_shift, random_rotation,
    random_shift, random_zoom)
from cornu.utils.image_dataset_utils import image_dataset_from_directory  # noqa: F401
from cornu.utils.image_utils import (  # noqa: F401
    array_to_img, img_to_array, load_img, save_img, smart_resize)

__all__ = ["load_img", "img_to_array", "array_to_img", "save_img", "smart_resize",
           "image_dataset_from_directory", "ImageDataGenerator", "Iterator",
           "NumpyArrayIterator", "DirectoryIterator", "apply_affine_transform",
           "apply_brightness_shift", "apply_channel_shift", "random_rotation", "random_shift",
           "random_zoom"]
