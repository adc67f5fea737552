"""``keras.utils.data_utils`` (Keras 2): get_file and Sequence, now in cornu.utils."""
from cornu.legacy.modules import warn_module
from cornu.utils.file_utils import get_file, validate_file
from cornu.utils.py_dataset import PyDataset, Sequence
from cornu.utils.sequence_utils import pad_sequences

__all__ = ["get_file", "validate_file", "Sequence", "PyDataset", "pad_sequences"]
warn_module("keras.utils.data_utils", "keras.utils")
