"""The batch iterators of Keras 2's ImageDataGenerator: from arrays and from folders.

Each is a ``PyDataset`` (so ``fit()`` takes it) and also a Python iterator that
cycles forever, as Keras 2's were (``next(it)`` gives the next batch).
"""
import math
import os
import threading

import numpy as np

from cornu.backend import config
from cornu.utils.py_dataset import PyDataset

IMAGE_FORMATS = ("png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff")


class Iterator(PyDataset):
    """Batches of indices into ``n`` samples, reshuffled each epoch when ``shuffle``."""

    def __init__(self, n, batch_size, shuffle, seed):
        super().__init__()
        self.n = n
        self.batch_size = batch_size
        self.seed = seed
        self.shuffle = shuffle
        self.batch_index = 0
        self.total_batches_seen = 0
        self.lock = threading.Lock()
        self.index_array = None
        self.index_generator = self._flow_index()

    def _set_index_array(self):
        self.index_array = np.arange(self.n)
        if self.shuffle:
            self.index_array = np.random.permutation(self.n)

    def __len__(self):
        return math.ceil(self.n / self.batch_size)

    def __getitem__(self, idx):
        if idx >= len(self):
            raise IndexError(f"Asked for batch {idx}, but the iterator has {len(self)}.")
        if self.seed is not None:
            np.random.seed(self.seed + self.total_batches_seen)
        self.total_batches_seen += 1
        if self.index_array is None:
            self._set_index_array()
        indices = self.index_array[self.batch_size * idx:self.batch_size * (idx + 1)]
        return self._get_batches_of_transformed_samples(indices)

    def on_epoch_end(self):
        self._set_index_array()

    def reset(self):
        self.batch_index = 0

    def _flow_index(self):
        self.reset()
        while True:
            if self.seed is not None:
                np.random.seed(self.seed + self.total_batches_seen)
            if self.batch_index == 0:
                self._set_index_array()
            if self.n == 0:
                current = 0
            else:
                current = (self.batch_index * self.batch_size) % self.n
            if self.n > current + self.batch_size:
                self.batch_index += 1
            else:
                self.batch_index = 0
            self.total_batches_seen += 1
            yield self.index_array[current:current + self.batch_size]

    def __iter__(self):
        return self

    def __next__(self):
        with self.lock:
            indices = next(self.index_generator)
        return self._get_batches_of_transformed_samples(indices)

    next = __next__

    def _get_batches_of_transformed_samples(self, index_array):
        raise NotImplementedError

    def _save(self, batch_x, index_array):
        from cornu.utils.image_utils import array_to_img
        for i, j in enumerate(index_array):
            img = array_to_img(batch_x[i], self.data_format, scale=True)
            name = (f"{self.save_prefix}_{j}_{np.random.randint(1e7)}."
                    f"{self.save_format}")
            img.save(os.path.join(self.save_to_dir, name))


class NumpyArrayIterator(Iterator):
    """Augmented batches of an array of images ``x`` (rank 4) with labels ``y``."""

    def __init__(self, x, y, image_data_generator, batch_size=32, shuffle=False,
                 sample_weight=None, seed=None, data_format=None, save_to_dir=None,
                 save_prefix="", save_format="png", subset=None, ignore_class_split=False,
                 dtype=None):
        dtype = dtype or config.floatx()
        self.dtype = dtype
        if y is not None and len(x) != len(y):
            raise ValueError(f"`x` (images tensor) and `y` (labels) should have the same "
                             f"length. Found: x.shape = {np.asarray(x).shape}, y.shape = "
                             f"{np.asarray(y).shape}")
        if sample_weight is not None and len(x) != len(sample_weight):
            raise ValueError("`x` and `sample_weight` should have the same length.")
        if subset is not None:
            if subset not in ("training", "validation"):
                raise ValueError(f'subset must be "training" or "validation"; received '
                                 f"{subset!r}.")
            split = int(len(x) * image_data_generator._validation_split)
            part = slice(None, split) if subset == "validation" else slice(split, None)
            if y is not None and not ignore_class_split and not np.array_equal(
                    np.unique(np.asarray(y)), np.unique(np.asarray(y)[part])):
                raise ValueError("Training and validation subsets have different classes "
                                 "after the split; pass ignore_class_split=True to allow it.")
            x = x[part]
            y = None if y is None else y[part]
            sample_weight = None if sample_weight is None else sample_weight[part]
        self.x = np.asarray(x, dtype=dtype)
        if self.x.ndim != 4:
            raise ValueError(f"Input data in `NumpyArrayIterator` should have rank 4; received "
                             f"an array of shape {self.x.shape}.")
        self.y = None if y is None else np.asarray(y)
        self.sample_weight = None if sample_weight is None else np.asarray(sample_weight)
        self.image_data_generator = image_data_generator
        self.data_format = config.standardize_data_format(data_format)
        self.save_to_dir, self.save_prefix, self.save_format = (save_to_dir, save_prefix,
                                                                save_format)
        super().__init__(self.x.shape[0], batch_size, shuffle, seed)

    def _get_batches_of_transformed_samples(self, index_array):
        generator = self.image_data_generator
        batch_x = np.zeros((len(index_array),) + self.x.shape[1:], dtype=self.dtype)
        for i, j in enumerate(index_array):
            x = self.x[j]
            params = generator.get_random_transform(x.shape)
            x = generator.apply_transform(x.astype(self.dtype), params)
            batch_x[i] = generator.standardize(x)
        if self.save_to_dir:
            self._save(batch_x, index_array)
        if self.y is None:
            return batch_x
        output = (batch_x, self.y[index_array])
        if self.sample_weight is not None:
            output += (self.sample_weight[index_array],)
        return output


class DirectoryIterator(Iterator):
    """Augmented batches of the images in ``directory/<class>/``, resized to
    ``target_size``; labels follow ``class_mode`` ("categorical", "binary", "sparse",
    "input" or None)."""

    def __init__(self, directory, image_data_generator, target_size=(256, 256),
                 color_mode="rgb", classes=None, class_mode="categorical", batch_size=32,
                 shuffle=True, seed=None, data_format=None, save_to_dir=None, save_prefix="",
                 save_format="png", follow_links=False, subset=None, interpolation="nearest",
                 keep_aspect_ratio=False, dtype=None):
        self.dtype = dtype or config.floatx()
        self.directory = directory
        self.image_data_generator = image_data_generator
        self.target_size = tuple(target_size)
        self.data_format = config.standardize_data_format(data_format)
        if color_mode not in ("grayscale", "rgb", "rgba"):
            raise ValueError(f'color_mode must be "grayscale", "rgb" or "rgba"; received '
                             f"{color_mode!r}.")
        self.color_mode = color_mode
        channels = {"rgb": 3, "rgba": 4, "grayscale": 1}[color_mode]
        self.image_shape = (self.target_size + (channels,)
                            if self.data_format == "channels_last"
                            else (channels,) + self.target_size)
        if class_mode not in ("categorical", "binary", "sparse", "input", None):
            raise ValueError(f'class_mode must be "categorical", "binary", "sparse", "input" '
                             f"or None; received {class_mode!r}.")
        self.class_mode = class_mode
        self.save_to_dir, self.save_prefix, self.save_format = (save_to_dir, save_prefix,
                                                                save_format)
        self.interpolation = interpolation
        self.keep_aspect_ratio = keep_aspect_ratio
        split = image_data_generator._validation_split
        if subset is not None and subset not in ("training", "validation"):
            raise ValueError(f'subset must be "training" or "validation"; received {subset!r}.')
        fraction = (0, split) if subset == "validation" else (split, 1) if subset else (0, 1)
        if not classes:
            classes = sorted(d for d in os.listdir(directory)
                             if os.path.isdir(os.path.join(directory, d)))
        self.num_classes = len(classes)
        self.class_indices = dict(zip(classes, range(len(classes))))
        self.filenames, labels = [], []
        for name in classes:
            folder = os.path.join(directory, name)
            files = [os.path.relpath(os.path.join(root, f), directory)
                     for root, _, names in sorted(os.walk(folder, followlinks=follow_links))
                     for f in sorted(names) if f.lower().rsplit(".", 1)[-1] in IMAGE_FORMATS]
            start, stop = int(fraction[0] * len(files)), int(fraction[1] * len(files))
            self.filenames += files[start:stop]
            labels += [self.class_indices[name]] * (stop - start)
        self.classes = np.asarray(labels, dtype="int32")
        self.samples = len(self.filenames)
        print(f"Found {self.samples} images belonging to {self.num_classes} classes.")
        super().__init__(self.samples, batch_size, shuffle, seed)

    @property
    def filepaths(self):
        return [os.path.join(self.directory, f) for f in self.filenames]

    @property
    def labels(self):
        return self.classes

    def _get_batches_of_transformed_samples(self, index_array):
        from cornu.utils.image_utils import img_to_array, load_img
        generator = self.image_data_generator
        batch_x = np.zeros((len(index_array),) + self.image_shape, dtype=self.dtype)
        paths = self.filepaths
        for i, j in enumerate(index_array):
            img = load_img(paths[j], color_mode=self.color_mode, target_size=self.target_size,
                           interpolation=self.interpolation,
                           keep_aspect_ratio=self.keep_aspect_ratio)
            x = img_to_array(img, data_format=self.data_format)
            img.close()
            params = generator.get_random_transform(x.shape)
            x = generator.apply_transform(x, params)
            batch_x[i] = generator.standardize(x)
        if self.save_to_dir:
            self._save(batch_x, index_array)
        labels = self.classes[index_array]
        if self.class_mode == "input":
            return batch_x, batch_x.copy()
        if self.class_mode == "sparse":
            return batch_x, labels
        if self.class_mode == "binary":
            return batch_x, labels.astype(self.dtype)
        if self.class_mode == "categorical":
            return batch_x, np.eye(self.num_classes, dtype=self.dtype)[labels]
        return batch_x
