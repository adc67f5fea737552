"""cornu.utils: seeds, one-hot labels, progress bars, summaries, files, plots."""
from cornu.utils.numerical_utils import normalize, to_categorical  # noqa: F401
from cornu.utils.py_dataset import PyDataset, Sequence  # noqa: F401
from cornu.utils.rng_utils import set_random_seed  # noqa: F401
from cornu.utils.progbar import Progbar  # noqa: F401
