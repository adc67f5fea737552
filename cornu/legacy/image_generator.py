"""Keras 2's ImageDataGenerator: real-time image augmentation in batches.

Removed in Keras 3 (which uses preprocessing layers such as ``RandomFlip`` and
``image_dataset_from_directory``); kept with Keras 2's arguments and random draws.
"""
import warnings

import numpy as np

from cornu.backend import config
from cornu.legacy import image_transforms as T
from cornu.legacy.image_iterators import DirectoryIterator, NumpyArrayIterator


class ImageDataGenerator:
    """Batches of images with random transforms and normalisation.

    Args:
        featurewise_center / featurewise_std_normalization: subtract the dataset mean /
            divide by its std, per channel (computed by ``fit``).
        samplewise_center / samplewise_std_normalization: the same per image.
        zca_whitening, zca_epsilon: ZCA whitening (computed by ``fit``).
        rotation_range: degrees of random rotation.
        width_shift_range / height_shift_range: a fraction of the width / height (< 1),
            pixels (>= 1), or a list of allowed pixel shifts.
        brightness_range: (low, high) brightness factors.
        shear_range: degrees of shear.
        zoom_range: a float z for [1 - z, 1 + z], or (low, high).
        channel_shift_range: random additive shift of the channel values.
        fill_mode, cval: how points outside the image are filled.
        horizontal_flip / vertical_flip: random flips.
        rescale: multiply the images by this factor (before the other normalisations).
        preprocessing_function: applied to each image first.
        data_format: "channels_last" or "channels_first" (default: the global setting).
        validation_split: the fraction kept for ``subset="validation"``.
        interpolation_order: 0 (nearest) or 1 (bilinear) for the affine transforms.
        dtype: the dtype of the batches (default floatx).
    """

    def __init__(self, featurewise_center=False, samplewise_center=False,
                 featurewise_std_normalization=False, samplewise_std_normalization=False,
                 zca_whitening=False, zca_epsilon=1e-6, rotation_range=0, width_shift_range=0.0,
                 height_shift_range=0.0, brightness_range=None, shear_range=0.0, zoom_range=0.0,
                 channel_shift_range=0.0, fill_mode="nearest", cval=0.0, horizontal_flip=False,
                 vertical_flip=False, rescale=None, preprocessing_function=None,
                 data_format=None, validation_split=0.0, interpolation_order=1, dtype=None):
        warnings.warn("`ImageDataGenerator` is Keras 2's (removed in Keras 3); prefer "
                      "`keras.utils.image_dataset_from_directory` and augmentation layers "
                      "such as `keras.layers.RandomFlip`.", DeprecationWarning, stacklevel=2)
        self.featurewise_center = featurewise_center
        self.samplewise_center = samplewise_center
        self.featurewise_std_normalization = featurewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.zca_whitening = zca_whitening
        self.zca_epsilon = zca_epsilon
        self.rotation_range = rotation_range
        self.width_shift_range = width_shift_range
        self.height_shift_range = height_shift_range
        self.shear_range = shear_range
        self.channel_shift_range = channel_shift_range
        if fill_mode not in ("constant", "nearest", "reflect", "wrap"):
            raise ValueError(f'fill_mode must be "constant", "nearest", "reflect" or "wrap"; '
                             f"received {fill_mode!r}.")
        self.fill_mode = fill_mode
        self.cval = cval
        self.horizontal_flip = horizontal_flip
        self.vertical_flip = vertical_flip
        self.rescale = rescale
        self.preprocessing_function = preprocessing_function
        self.dtype = dtype or config.floatx()
        self.interpolation_order = interpolation_order
        self.data_format = config.standardize_data_format(data_format)
        if self.data_format == "channels_first":
            self.channel_axis, self.row_axis, self.col_axis = 1, 2, 3
        else:
            self.channel_axis, self.row_axis, self.col_axis = 3, 1, 2
        if not 0 <= validation_split < 1:
            raise ValueError(f"`validation_split` must be in [0, 1); received "
                             f"{validation_split}.")
        self._validation_split = validation_split
        self.mean = self.std = self.zca_whitening_matrix = None
        if np.isscalar(zoom_range):
            self.zoom_range = [1 - zoom_range, 1 + zoom_range]
        elif len(zoom_range) == 2:
            self.zoom_range = [zoom_range[0], zoom_range[1]]
        else:
            raise ValueError(f"`zoom_range` should be a float or a tuple or list of two "
                             f"floats; received {zoom_range}.")
        if zca_whitening and not featurewise_center:
            self.featurewise_center = True
            warnings.warn("`zca_whitening` overrides `featurewise_center=False`.", stacklevel=2)
        if featurewise_std_normalization and not featurewise_center:
            self.featurewise_center = True
            warnings.warn("`featurewise_std_normalization` overrides "
                          "`featurewise_center=False`.", stacklevel=2)
        if samplewise_std_normalization and not samplewise_center:
            self.samplewise_center = True
            warnings.warn("`samplewise_std_normalization` overrides "
                          "`samplewise_center=False`.", stacklevel=2)
        if brightness_range is not None and (
                not isinstance(brightness_range, (tuple, list)) or len(brightness_range) != 2):
            raise ValueError(f"`brightness_range` should be a tuple or list of two floats; "
                             f"received {brightness_range}.")
        self.brightness_range = brightness_range

    # -- batches
    def flow(self, x, y=None, batch_size=32, shuffle=True, sample_weight=None, seed=None,
             save_to_dir=None, save_prefix="", save_format="png", ignore_class_split=False,
             subset=None):
        """Augmented batches of the images ``x`` (rank 4) and labels ``y``."""
        return NumpyArrayIterator(
            x, y, self, batch_size=batch_size, shuffle=shuffle, sample_weight=sample_weight,
            seed=seed, data_format=self.data_format, save_to_dir=save_to_dir,
            save_prefix=save_prefix, save_format=save_format, subset=subset,
            ignore_class_split=ignore_class_split, dtype=self.dtype)

    def flow_from_directory(self, directory, target_size=(256, 256), color_mode="rgb",
                            classes=None, class_mode="categorical", batch_size=32, shuffle=True,
                            seed=None, save_to_dir=None, save_prefix="", save_format="png",
                            follow_links=False, subset=None, interpolation="nearest",
                            keep_aspect_ratio=False):
        """Augmented batches of the images in ``directory/<class>/`` (one folder a class)."""
        return DirectoryIterator(
            directory, self, target_size=target_size, color_mode=color_mode, classes=classes,
            class_mode=class_mode, data_format=self.data_format, batch_size=batch_size,
            shuffle=shuffle, seed=seed, save_to_dir=save_to_dir, save_prefix=save_prefix,
            save_format=save_format, follow_links=follow_links, subset=subset,
            interpolation=interpolation, keep_aspect_ratio=keep_aspect_ratio, dtype=self.dtype)

    # -- one image
    def standardize(self, x):
        """Apply the normalisations (in place where possible) to an image or a batch."""
        if self.preprocessing_function:
            x = self.preprocessing_function(x)
        if self.rescale:
            x *= self.rescale
        if self.samplewise_center:
            x -= np.mean(x, keepdims=True)
        if self.samplewise_std_normalization:
            x /= np.std(x, keepdims=True) + 1e-6
        if self.featurewise_center:
            if self.mean is None:
                warnings.warn("This ImageDataGenerator specifies `featurewise_center`, but it "
                              "hasn't been fit on any training data. Call `.fit(numpy_data)`.",
                              stacklevel=2)
            else:
                x -= self.mean
        if self.featurewise_std_normalization:
            if self.std is None:
                warnings.warn("This ImageDataGenerator specifies "
                              "`featurewise_std_normalization`, but it hasn't been fit on any "
                              "training data. Call `.fit(numpy_data)`.", stacklevel=2)
            else:
                x /= self.std + 1e-6
        if self.zca_whitening:
            if self.zca_whitening_matrix is None:
                warnings.warn("This ImageDataGenerator specifies `zca_whitening`, but it hasn't "
                              "been fit on any training data. Call `.fit(numpy_data)`.",
                              stacklevel=2)
            else:
                flat = x.reshape(-1, np.prod(x.shape[-3:]))
                x = (flat @ self.zca_whitening_matrix).reshape(x.shape)
        return x

    def get_random_transform(self, img_shape, seed=None):
        """Random transform parameters for one image of shape ``img_shape``."""
        row_axis, col_axis = self.row_axis - 1, self.col_axis - 1
        if seed is not None:
            np.random.seed(seed)
        theta = np.random.uniform(-self.rotation_range, self.rotation_range) \
            if self.rotation_range else 0
        tx = _shift(self.height_shift_range, img_shape[row_axis])
        ty = _shift(self.width_shift_range, img_shape[col_axis])
        shear = np.random.uniform(-self.shear_range, self.shear_range) if self.shear_range else 0
        if self.zoom_range[0] == 1 and self.zoom_range[1] == 1:
            zx, zy = 1, 1
        else:
            zx, zy = np.random.uniform(self.zoom_range[0], self.zoom_range[1], 2)
        flip_horizontal = (np.random.random() < 0.5) * self.horizontal_flip
        flip_vertical = (np.random.random() < 0.5) * self.vertical_flip
        channel_shift = np.random.uniform(-self.channel_shift_range, self.channel_shift_range) \
            if self.channel_shift_range != 0 else None
        brightness = np.random.uniform(*self.brightness_range) \
            if self.brightness_range is not None else None
        return {"theta": theta, "tx": tx, "ty": ty, "shear": shear, "zx": zx, "zy": zy,
                "flip_horizontal": flip_horizontal, "flip_vertical": flip_vertical,
                "channel_shift_intensity": channel_shift, "brightness": brightness}

    def apply_transform(self, x, transform_parameters):
        """Apply the parameters of ``get_random_transform`` to one image (rank 3)."""
        row_axis, col_axis, channel_axis = (self.row_axis - 1, self.col_axis - 1,
                                            self.channel_axis - 1)
        p = transform_parameters
        x = T.apply_affine_transform(
            x, p.get("theta", 0), p.get("tx", 0), p.get("ty", 0), p.get("shear", 0),
            p.get("zx", 1), p.get("zy", 1), row_axis=row_axis, col_axis=col_axis,
            channel_axis=channel_axis, fill_mode=self.fill_mode, cval=self.cval,
            order=self.interpolation_order)
        if p.get("channel_shift_intensity") is not None:
            x = T.apply_channel_shift(x, p["channel_shift_intensity"], channel_axis)
        if p.get("flip_horizontal", False):
            x = T.flip_axis(x, col_axis)
        if p.get("flip_vertical", False):
            x = T.flip_axis(x, row_axis)
        if p.get("brightness") is not None:
            x = T.apply_brightness_shift(x, p["brightness"], scale=False)
        return x

    def random_transform(self, x, seed=None):
        """One image with a random transform applied."""
        return self.apply_transform(x, self.get_random_transform(x.shape, seed))

    def fit(self, x, augment=False, rounds=1, seed=None):
        """Compute the dataset statistics that the featurewise options and ZCA need."""
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim != 4:
            raise ValueError(f"Input to `.fit()` should have rank 4; received an array of "
                             f"shape {x.shape}.")
        if seed is not None:
            np.random.seed(seed)
        x = np.copy(x)
        if self.rescale:
            x *= self.rescale
        if augment:
            x = np.stack([self.random_transform(image) for _ in range(rounds) for image in x])
        shape = [1, 1, 1]
        shape[self.channel_axis - 1] = x.shape[self.channel_axis]
        axes = (0, self.row_axis, self.col_axis)
        if self.featurewise_center:
            self.mean = np.mean(x, axis=axes).reshape(shape)
            x -= self.mean
        if self.featurewise_std_normalization:
            self.std = np.std(x, axis=axes).reshape(shape)
            x /= self.std + 1e-6
        if self.zca_whitening:
            flat = x.reshape(len(x), -1)
            u, s, _ = np.linalg.svd(flat.T, full_matrices=False)
            s_inv = np.sqrt(len(x)) / (s + self.zca_epsilon)
            self.zca_whitening_matrix = (u * s_inv) @ u.T


def _shift(shift_range, size):
    """Keras 2's random shift in pixels: a fraction of ``size``, pixels, or a choice."""
    if not shift_range:
        return 0
    try:  # a list of allowed shifts (or an int: whole pixels in [-n, n))
        shift = np.random.choice(shift_range) * np.random.choice([-1, 1])
    except ValueError:  # a float range
        shift = np.random.uniform(-shift_range, shift_range)
    if np.max(shift_range) < 1:
        shift *= size
    return shift
