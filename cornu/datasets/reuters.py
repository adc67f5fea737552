"""Reuters newswires: 11,228 articles labelled with one of 46 topics.

Each newswire is a list of word indices, as in ``imdb``.
"""
import json

import numpy as np

from cornu.datasets import _sequences
from cornu.datasets._safe_load import load_npz

ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILE_HASH = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
WORD_INDEX_HASH = "4d44cc38712099c9e383dc6e5f11a921"
LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing",
    "money-supply", "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass",
    "crude", "nat-gas", "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum",
    "oilseed", "gold", "tin", "strategic-metal", "livestock", "retail", "ipi",
    "iron-steel", "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem",
    "dlr", "gas", "silver", "wpi", "hog", "lead")


def load_data(path="reuters.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2,
              seed=113, start_char=1, oov_char=2, index_from=3, **kwargs):
    """Load Reuters, downloading it once; the options are those of ``imdb.load_data``.

    Args:
        test_split: the fraction of the (shuffled) newswires kept for the test set.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: 1-D object arrays of lists of int and
        int labels 0..45.
    """
    num_words = _sequences.legacy_num_words(kwargs, num_words, "reuters.load_data")
    from cornu.utils.file_utils import get_file
    path = get_file(path, origin=ORIGIN_FOLDER + "reuters.npz", file_hash=FILE_HASH)
    f = load_npz(path)
    xs, labels = _sequences.shuffle(np.random.RandomState(seed), f["x"], f["y"])
    xs = _sequences.shift(xs, start_char, index_from)
    if maxlen:
        xs, labels = _sequences.remove_long(maxlen, xs, labels)
    xs = _sequences.limit_vocabulary(xs, num_words, skip_top, oov_char)
    n = int(len(xs) * (1 - test_split))
    return ((_sequences.object_array(xs[:n]), np.array(labels[:n])),
            (_sequences.object_array(xs[n:]), np.array(labels[n:])))


def get_word_index(path="reuters_word_index.json"):
    """The dict mapping each word to its index (before ``index_from`` is added)."""
    from cornu.utils.file_utils import get_file
    path = get_file(path, origin=ORIGIN_FOLDER + "reuters_word_index.json",
                    file_hash=WORD_INDEX_HASH)
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def get_label_names():
    """The 46 topic names, indexed like the labels."""
    return LABEL_NAMES
