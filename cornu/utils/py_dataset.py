"""PyDataset (Keras 2's ``Sequence``): a dataset of batches indexed by number."""


class PyDataset:
    """Subclass it with ``__len__`` (the number of batches) and ``__getitem__(i)``
    (batch ``i`` as ``x``, ``(x, y)`` or ``(x, y, sample_weight)``).

    Args:
        workers, use_multiprocessing, max_queue_size: accepted for compatibility;
            batches are read in the training thread.
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self.workers = workers
        self.use_multiprocessing = use_multiprocessing
        self.max_queue_size = max_queue_size

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__.")

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__.")

    @property
    def num_batches(self):
        return len(self)

    def on_epoch_end(self):
        """Called after each epoch (shuffle here, for example)."""


Sequence = PyDataset
