"""timeseries_dataset_from_array: sliding windows over an array, as batches."""
import numpy as np

from cornu.utils.dataset_utils import BatchDataset


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1,
                                  sampling_rate=1, batch_size=128, shuffle=False, seed=None,
                                  start_index=None, end_index=None):
    """Batches of windows ``data[i : i + sequence_length * sampling_rate : sampling_rate]``.

    Args:
        data: an array of time steps along axis 0.
        targets: the target of the window starting at step ``i`` is ``targets[i]``; None
            for windows only.
        sequence_length: the steps per window.
        sequence_stride: the step between the starts of consecutive windows.
        sampling_rate: the step between the time steps inside a window.
        batch_size: windows per batch (None for single windows).
        shuffle, seed: shuffle the windows.
        start_index, end_index: use only ``data[start_index:end_index]``.

    Returns:
        A ``BatchDataset`` of ``(windows, targets)`` (or ``windows``): windows of shape
        (batch, sequence_length) + data.shape[1:].

    Example:
        >>> ds = timeseries_dataset_from_array(np.arange(10), None, 3, batch_size=2)
        >>> ds[0]
        array([[0, 1, 2],
               [1, 2, 3]])
    """
    data = np.asarray(data)
    n = len(data)
    for name, value in (("sequence_length", sequence_length), ("sampling_rate", sampling_rate),
                        ("sequence_stride", sequence_stride)):
        if int(value) != value or value <= 0:
            raise ValueError(f"`{name}` must be a positive integer; received {name}={value}.")
    if sampling_rate >= n or sequence_stride >= n:
        raise ValueError(f"`sampling_rate` and `sequence_stride` must be below the number of "
                         f"time steps ({n}); received {sampling_rate} and {sequence_stride}.")
    start_index = 0 if start_index is None else start_index
    end_index = n if end_index is None else end_index
    if not 0 <= start_index < n:
        raise ValueError(f"`start_index` must be in [0, {n}); received {start_index}.")
    if not start_index < end_index <= n:
        raise ValueError(f"`end_index` must be in ({start_index}, {n}]; received {end_index}.")
    if targets is not None:
        targets = np.asarray(targets)
        if len(targets) != n:
            raise ValueError(f"Expected data and targets to have the same number of time "
                             f"steps (axis 0); received {n} and {len(targets)}.")
    num_windows = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        num_windows = min(num_windows, len(targets))
    starts = np.arange(0, max(num_windows, 0), sequence_stride)
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(starts)
    offsets = np.arange(sequence_length) * sampling_rate

    def load(indices):
        first = start_index + starts[indices]
        windows = data[first[:, None] + offsets]  # (batch, sequence_length, ...)
        return windows if targets is None else (windows, targets[first])
    return BatchDataset(len(starts), load, batch_size=batch_size, shuffle=shuffle, seed=seed)
