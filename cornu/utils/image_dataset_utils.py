"""image_dataset_from_directory: a folder of class subfolders of images, as batches."""
import numpy as np

from cornu.backend import config
from cornu.utils import dataset_utils
from cornu.utils.image_utils import _pil, _resample

ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_CHANNELS = {"rgb": 3, "rgba": 4, "grayscale": 1}


def image_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                 class_names=None, color_mode="rgb", batch_size=32,
                                 image_size=(256, 256), shuffle=True, seed=None,
                                 validation_split=None, subset=None, interpolation="bilinear",
                                 follow_links=False, crop_to_aspect_ratio=False,
                                 pad_to_aspect_ratio=False, data_format=None, format="tf",
                                 verbose=True):
    """Batches of ``(images, labels)`` from ``directory/<class>/<image>`` files.

    Images are float32 arrays with values 0..255, of shape (batch, height, width,
    channels) (channels first with ``data_format="channels_first"``). Labels follow
    ``label_mode``: "int" (int32, shape (batch,)), "categorical" (one-hot float32),
    "binary" (float32, shape (batch, 1), for two classes) or None (images only).

    Args:
        directory: the folder; with ``labels="inferred"`` each subfolder is a class.
        labels: "inferred", None, or a list of integer labels in sorted file order.
        class_names: the subfolders to use, in label order (default: all, sorted).
        color_mode: "grayscale", "rgb" or "rgba".
        image_size: ``(height, width)`` every image is resized to.
        shuffle, seed: shuffle the files (and each epoch's order).
        validation_split, subset: keep the first ("training") or last ("validation")
            part of the shuffled files; "both" returns ``[training, validation]``.
        interpolation: the resampling used to resize.
        crop_to_aspect_ratio / pad_to_aspect_ratio: keep the aspect ratio by cropping the
            centre or by padding with black before resizing.

    Returns:
        A ``BatchDataset`` (a ``PyDataset``) with ``class_names`` and ``file_paths``.
    """
    dataset_utils.check_labels_arg(labels, label_mode)
    if color_mode not in _CHANNELS:
        raise ValueError(f'color_mode must be "rgb", "rgba" or "grayscale"; received '
                         f"{color_mode!r}.")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of `crop_to_aspect_ratio` and `pad_to_aspect_ratio` can be "
                         "True.")
    if format not in ("tf", "grain"):
        raise ValueError(f'format must be "tf" or "grain"; received {format!r}.')
    data_format = config.standardize_data_format(data_format)
    paths, all_labels, label_mode, class_names, seed = dataset_utils.index_labelled_files(
        directory, labels, label_mode, ALLOWLIST_FORMATS, class_names, validation_split,
        subset, shuffle, seed, follow_links, verbose)
    if not paths:
        raise ValueError(f"No images found in directory {directory}. Allowed formats: "
                         f"{ALLOWLIST_FORMATS}")

    def make(part):
        files, targets = dataset_utils.split_files(paths, all_labels, label_mode, class_names,
                                                   validation_split, part, verbose)
        if not files:
            raise ValueError(f"No images left for the {part} subset of {directory}.")

        def load(indices):
            images = np.stack([
                _load_image(files[i], color_mode, image_size, interpolation,
                            crop_to_aspect_ratio, pad_to_aspect_ratio, data_format)
                for i in indices])
            return images if targets is None else (images, targets[indices])
        dataset = dataset_utils.BatchDataset(len(files), load, batch_size=batch_size,
                                             shuffle=shuffle, seed=seed)
        dataset.class_names = class_names
        dataset.file_paths = files
        return dataset
    return dataset_utils.labelled_datasets(subset, make)


def _load_image(path, color_mode, image_size, interpolation, crop, pad, data_format):
    """One image file as a float32 array of ``image_size``."""
    Image = _pil()
    with open(path, "rb") as f:
        img = Image.open(f)
        img.load()
    mode = {"rgb": "RGB", "rgba": "RGBA", "grayscale": "L"}[color_mode]
    if img.mode != mode:
        img = img.convert(mode)
    height, width = image_size
    w, h = img.size
    if crop:
        crop_w, crop_h = min(w, int(h * width / height)), min(h, int(w * height / width))
        left, top = (w - crop_w) // 2, (h - crop_h) // 2
        img = img.crop((left, top, left + crop_w, top + crop_h))
    elif pad:
        pad_w, pad_h = max(w, int(h * width / height)), max(h, int(w * height / width))
        canvas = Image.new(mode, (pad_w, pad_h))
        canvas.paste(img, ((pad_w - w) // 2, (pad_h - h) // 2))
        img = canvas
    if img.size != (width, height):
        img = img.resize((width, height), _resample(Image, interpolation))
    x = np.asarray(img, dtype="float32")
    if x.ndim == 2:
        x = x[:, :, None]
    return x.transpose(2, 0, 1) if data_format == "channels_first" else x
