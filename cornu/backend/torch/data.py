"""Moving data onto the device: pinned host memory and non-blocking copies on CUDA."""
import numpy as np
import torch

from cornu.backend.torch.core import get_device


def dataset_tensor(array):
    """A host tensor sharing ``array``'s memory (pinned when batches go to a GPU)."""
    if isinstance(array, torch.Tensor):
        return array
    t = torch.from_numpy(np.ascontiguousarray(array))
    if get_device().startswith("cuda"):
        t = t.pin_memory()
    return t


def to_device(structure):
    """Copy the tensors of a batch to the current device (non-blocking from pinned memory)."""
    device = get_device()
    if device == "cpu":
        return structure
    if isinstance(structure, torch.Tensor):
        return structure.to(device, non_blocking=True) if structure.device.type != device.split(
            ":")[0] else structure
    if isinstance(structure, (list, tuple)):
        return type(structure)(to_device(v) for v in structure)
    if isinstance(structure, dict):
        return {k: to_device(v) for k, v in structure.items()}
    return structure


def batch_dataset(dataset, batch_size, shuffle):
    """A DataLoader of batches for a map-style or iterable torch ``Dataset`` of samples."""
    iterable = isinstance(dataset, torch.utils.data.IterableDataset)
    return torch.utils.data.DataLoader(dataset, batch_size=batch_size,
                                       shuffle=bool(shuffle) and not iterable)
