"""``keras.preprocessing.sequence``: pad_sequences (and the timeseries dataset utility)."""
from cornu.utils.sequence_utils import pad_sequences  # noqa: F401
from cornu.utils.timeseries_dataset_utils import timeseries_dataset_from_array  # noqa: F401

__all__ = ["pad_sequences", "timeseries_dataset_from_array"]
