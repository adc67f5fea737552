"""IMDB movie reviews: 50,000 reviews labelled positive (1) or negative (0).

Each review is a list of word indices; words are indexed by frequency, so
index 3 + ``index_from`` is the most frequent word (1 marks the start of a
review and 2 an out-of-vocabulary word by default).
"""
import json

import numpy as np

from cornu.datasets import _sequences
from cornu.datasets._safe_load import load_npz

ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILE_HASH = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_HASH = "bfafd718b763782e994055a2d397834f"


def load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113,
              start_char=1, oov_char=2, index_from=3, **kwargs):
    """Load IMDB, downloading it once.

    Args:
        path: the file name in the cache.
        num_words: keep the ``num_words`` most frequent words (indices below it); the
            others become ``oov_char``. None keeps every word.
        skip_top: also replace the ``skip_top`` most frequent words by ``oov_char``.
        maxlen: drop the reviews of ``maxlen`` words or more.
        seed: the seed of the shuffle.
        start_char: the index that starts each review (None for none).
        oov_char: the index of the words cut by ``num_words`` / ``skip_top`` (None drops
            them instead).
        index_from: added to every word index.
        nb_words: Keras 1's spelling of ``num_words``.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: 1-D object arrays of lists of int
        (25,000 each) and int labels 0/1.
    """
    num_words = _sequences.legacy_num_words(kwargs, num_words, "imdb.load_data")
    from cornu.utils.file_utils import get_file
    path = get_file(path, origin=ORIGIN_FOLDER + "imdb.npz", file_hash=FILE_HASH)
    f = load_npz(path)
    rng = np.random.RandomState(seed)
    x_train, labels_train = _sequences.shuffle(rng, f["x_train"], f["y_train"])
    x_test, labels_test = _sequences.shuffle(rng, f["x_test"], f["y_test"])
    x_train = _sequences.shift(x_train, start_char, index_from)
    x_test = _sequences.shift(x_test, start_char, index_from)
    if maxlen:
        x_train, labels_train = _sequences.remove_long(maxlen, x_train, labels_train)
        x_test, labels_test = _sequences.remove_long(maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError(f"After filtering for sequences shorter than maxlen={maxlen}, "
                             "no sequence was kept. Increase maxlen.")
    xs = _sequences.limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([np.asarray(labels_train), np.asarray(labels_test)])
    n = len(x_train)
    return ((_sequences.object_array(xs[:n]), labels[:n]),
            (_sequences.object_array(xs[n:]), labels[n:]))


def get_word_index(path="imdb_word_index.json"):
    """The dict mapping each word to its index (before ``index_from`` is added)."""
    from cornu.utils.file_utils import get_file
    path = get_file(path, origin=ORIGIN_FOLDER + "imdb_word_index.json",
                    file_hash=WORD_INDEX_HASH)
    with open(path, encoding="utf-8") as f:
        return json.load(f)
