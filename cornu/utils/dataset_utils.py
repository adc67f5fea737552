"""What the ``*_dataset_from_*`` utilities return, and the folder indexing they share.

Keras returns a ``tf.data.Dataset``; cornu returns a ``BatchDataset``: a ``PyDataset``
that reads each batch when it is asked for (so ``fit()`` takes it as it is), with the
``tf.data.Dataset`` methods Keras programs call on it (``map``, ``filter``, ``batch``,
``unbatch``, ``shuffle``, ``repeat``, ``cache``, ``prefetch``, ``as_numpy_iterator``...,
see ``cornu/utils/_dataset.py``).
"""
import math
import os

import numpy as np

from cornu import tree
from cornu.utils._dataset import (  # noqa: F401  (tf.data's names, re-exported)
    AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset, IndexedDataset, TensorSpec,
)
from cornu.utils._dataset_elements import spec_of
from cornu.utils.py_dataset import PyDataset


class BatchDataset(IndexedDataset):
    """Batches of ``load(indices)`` over ``num_samples`` samples.

    Args:
        num_samples: the number of samples.
        load: a function from an index array to a batch (an array or a tuple of arrays).
        batch_size: the samples per batch; None yields single samples.
        shuffle: reshuffle the order of the samples after each epoch and on each new
            iteration (as tf.data's ``reshuffle_each_iteration``).
        seed: the seed of the shuffles.
    """

    def __init__(self, num_samples, load, batch_size=32, shuffle=False, seed=None):
        PyDataset.__init__(self)
        self.num_samples = int(num_samples)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self._load = load
        self._rng = np.random.RandomState(seed)
        self._order = np.arange(self.num_samples)
        self._passes = 0
        if shuffle:
            self._rng.shuffle(self._order)

    def __len__(self):
        return math.ceil(self.num_samples / self.batch_size) if self.batch_size else \
            self.num_samples

    def _get(self, index):
        size = self.batch_size or 1
        batch = self._load(self._order[index * size:(index + 1) * size])
        if self.batch_size is None:
            batch = tree.map_structure(lambda a: a[0], batch)
        return batch

    def _begin_pass(self):
        if self._passes and self.shuffle:
            self._rng.shuffle(self._order)
        self._passes += 1

    def on_epoch_end(self):
        if self.shuffle:
            self._rng.shuffle(self._order)

    def _element_spec(self):
        return spec_of(self._get(0), self.batch_size is not None) if len(self) else None

    def __repr__(self):
        return f"<{type(self).__name__}: {self.num_samples} samples in {len(self)} batches>"


# ------------------------------------------------------------ folders of files

def check_validation_split_arg(validation_split, subset, shuffle, seed):
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1; received "
                         f"{validation_split}.")
    if bool(validation_split) != bool(subset):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely.")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f'`subset` must be "training", "validation" or "both"; received '
                         f"{subset!r}.")
    if validation_split and shuffle and seed is None:
        raise ValueError("With `validation_split` and shuffling, pass a `seed`, so that the "
                         "training and validation subsets do not overlap.")


def index_directory(directory, labels, formats, class_names=None, shuffle=True, seed=None,
                    follow_links=False, verbose=True):
    """Keras's file index: ``(file_paths, labels, class_names)``.

    With ``labels="inferred"`` each subfolder of ``directory`` is a class (sorted by
    name unless ``class_names`` gives the order); otherwise every file under
    ``directory`` is taken, in sorted order, with ``labels`` given as a list or None.
    """
    if not os.path.isdir(directory):
        raise ValueError(f"`directory` {directory!r} is not a folder.")
    if labels == "inferred":
        subdirs = [d for d in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, d)) and not d.startswith(".")]
        if class_names is not None:
            missing = set(class_names) - set(subdirs)
            if missing:
                raise ValueError(f"`class_names` {sorted(missing)} are not subfolders of "
                                 f"{directory}; its subfolders are {subdirs}.")
            subdirs = list(class_names)
        class_names = subdirs
    else:
        if class_names is not None:
            raise ValueError("`class_names` goes with labels='inferred' only; with explicit "
                             "labels the class names are the sorted labels.")
        subdirs = [""]
    paths, indices = [], []
    for index, subdir in enumerate(subdirs):
        folder = os.path.join(directory, subdir)
        for root, _, files in sorted(os.walk(folder, followlinks=follow_links),
                                     key=lambda entry: entry[0]):
            for name in sorted(files):
                if name.lower().endswith(formats):
                    paths.append(os.path.join(root, name))
                    indices.append(index)
    if labels == "inferred":
        labels = np.asarray(indices, dtype="int32")
    elif labels is None:
        class_names = None
    else:
        if len(labels) != len(paths):
            raise ValueError(f"Expected as many labels as files in {directory}: found "
                             f"{len(paths)} files but received {len(labels)} labels.")
        class_names = [str(label) for label in sorted(set(labels))]
        labels = np.asarray(labels)
    if verbose:
        if labels is None:
            print(f"Found {len(paths)} files.")
        else:
            print(f"Found {len(paths)} files belonging to {len(class_names)} classes.")
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        order = np.arange(len(paths))
        np.random.RandomState(seed).shuffle(order)
        paths = [paths[i] for i in order]
        if labels is not None:
            labels = labels[order]
    return paths, labels, class_names


def training_or_validation_split(samples, labels, validation_split, subset, verbose=True):
    """The last ``validation_split`` of the samples for "validation", the rest for
    "training"."""
    if not validation_split:
        return samples, labels
    n_val = int(validation_split * len(samples))
    cut = len(samples) - n_val
    if subset == "training":
        if verbose:
            print(f"Using {cut} files for training.")
        return samples[:cut], None if labels is None else labels[:cut]
    if subset == "validation":
        if verbose:
            print(f"Using {n_val} files for validation.")
        return samples[cut:], None if labels is None else labels[cut:]
    raise ValueError(f'`subset` must be "training" or "validation"; received {subset!r}.')


def encode_labels(labels, label_mode, num_classes):
    """Integer labels as Keras's ``label_mode`` wants them."""
    if label_mode == "int":
        return labels.astype("int32")
    if label_mode == "binary":
        return labels.astype("float32").reshape(-1, 1)
    if label_mode == "categorical":
        return np.eye(num_classes, dtype="float32")[labels.astype("int64")]
    raise ValueError(f'`label_mode` must be "int", "categorical", "binary" or None; '
                     f"received {label_mode!r}.")


def check_labels_arg(labels, label_mode):
    if labels not in ("inferred", None) and not isinstance(labels, (list, tuple, np.ndarray)):
        raise ValueError(f'`labels` must be "inferred", None, or a list of integer labels '
                         f"(one per file, in sorted file order); received {labels!r}.")
    if label_mode not in ("int", "categorical", "binary", None):
        raise ValueError(f'`label_mode` must be "int", "categorical", "binary" or None; '
                         f"received {label_mode!r}.")


def index_labelled_files(directory, labels, label_mode, formats, class_names=None,
                         validation_split=None, subset=None, shuffle=True, seed=None,
                         follow_links=False, verbose=True):
    """The argument checks and directory walk the ``*_dataset_from_directory`` functions
    share.

    Returns:
        ``(paths, labels, label_mode, class_names, seed)``: ``label_mode`` is None when
        there are no labels, ``seed`` is drawn when None was given.
    """
    check_labels_arg(labels, label_mode)
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    paths, labels, class_names = index_directory(
        directory, labels, formats, class_names=class_names, shuffle=shuffle, seed=seed,
        follow_links=follow_links, verbose=verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(f'label_mode="binary" needs exactly 2 classes; received '
                         f"class_names={class_names}.")
    return paths, labels, label_mode, class_names, seed


def split_files(paths, labels, label_mode, class_names, validation_split, subset,
                verbose=True):
    """``(files, targets)`` of one subset: the files and their encoded labels (None when
    there are no labels)."""
    files, part_labels = training_or_validation_split(paths, labels, validation_split,
                                                      subset, verbose)
    targets = None if label_mode is None else encode_labels(part_labels, label_mode,
                                                            len(class_names))
    return files, targets


def labelled_datasets(subset, make):
    """``make(subset)`` for one subset, or [training, validation] for subset="both"."""
    if subset == "both":
        return [make("training"), make("validation")]
    return make(subset)
