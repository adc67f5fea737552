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
    dataset_utils.check_labels_arg(labels, label_mode)
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    dataset_utils.check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    paths, all_labels, class_names = dataset_utils.index_directory(
        directory, labels, (".txt",), class_names=class_names, shuffle=shuffle, seed=seed,
        follow_links=follow_links, verbose=verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(f'label_mode="binary" needs exactly 2 classes; received '
                         f"class_names={class_names}.")

    def make(part):
        files, part_labels = dataset_utils.training_or_validation_split(
            paths, all_labels, validation_split, part, verbose)
        targets = None if label_mode is None else dataset_utils.encode_labels(
            part_labels, label_mode, len(class_names))

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
