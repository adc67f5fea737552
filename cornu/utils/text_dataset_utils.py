"""text_dataset_from_directory: a folder of class subfolders of .txt files, as batches."""
import numpy as np

from cornu.utils import dataset_utils


def text_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                class_names=None, batch_size=32, max_length=None,
                                shuffle=True, seed=None, validation_split=None, subset=None,
                                follow_links=False, format="tf", verbose=True):
    """Batches of ``(texts, labels)`` from ``directory/<class>/<file>.txt`` files.

    Texts are numpy string arrays of shape (batch,); labels follow ``label_mode`` as in
    ``image_dataset_from_directory``. ``max_length`` cuts each text to that many
    characters.

    Returns:
        A ``BatchDataset`` (a ``PyDataset``) with ``class_names`` and ``file_paths``, or
        ``[training, validation]`` with ``subset="both"``.
    """
    paths, all_labels, label_mode, class_names, seed = dataset_utils.index_labelled_files(
        directory, labels, label_mode, (".txt",), class_names, validation_split, subset,
        shuffle, seed, follow_links, verbose)

    def make(part):
        files, targets = dataset_utils.split_files(paths, all_labels, label_mode, class_names,
                                                   validation_split, part, verbose)

        def load(indices):
            texts = []
            for i in indices:
                with open(files[i], encoding="utf-8", errors="replace") as f:
                    text = f.read()
                texts.append(text if max_length is None else text[:max_length])
            texts = np.array(texts, dtype=str)
            return texts if targets is None else (texts, targets[indices])
        dataset = dataset_utils.BatchDataset(len(files), load, batch_size=batch_size,
                                             shuffle=shuffle, seed=seed)
        dataset.class_names = class_names
        dataset.file_paths = files
        return dataset
    return dataset_utils.labelled_datasets(subset, make)
