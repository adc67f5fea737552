"""The word-index sequence options shared by imdb and reuters (Keras's semantics)."""
import warnings

import numpy as np


def legacy_num_words(kwargs, num_words, function):
    """Keras 1's ``nb_words=`` for ``num_words=``; any other extra argument is an error."""
    if "nb_words" in kwargs:
        warnings.warn("`nb_words` is a Keras 1 argument; use `num_words` instead.",
                      DeprecationWarning, stacklevel=3)
        num_words = kwargs.pop("nb_words")
    if kwargs:
        raise TypeError(f"{function}() got an unexpected keyword argument "
                        f"{next(iter(kwargs))!r}.")
    return num_words


def shuffle(rng, *arrays):
    """The arrays permuted by one shuffle of ``rng`` (Keras's order of random draws)."""
    indices = np.arange(len(arrays[0]))
    rng.shuffle(indices)
    return [a[indices] for a in arrays]


def shift(xs, start_char, index_from):
    """Prefix each sequence with ``start_char`` and add ``index_from`` to each index."""
    if start_char is not None:
        return [[start_char] + [w + index_from for w in x] for x in xs]
    if index_from:
        return [[w + index_from for w in x] for x in xs]
    return [list(x) for x in xs]


def remove_long(maxlen, xs, labels):
    """Drop the sequences of ``maxlen`` words or more, and their labels."""
    kept = [(x, y) for x, y in zip(xs, labels) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def limit_vocabulary(xs, num_words, skip_top, oov_char):
    """Replace (or, with ``oov_char=None``, drop) indices outside [skip_top, num_words)."""
    if not num_words:
        num_words = max(max(x) for x in xs if len(x))
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    return [[w for w in x if skip_top <= w < num_words] for x in xs]


def object_array(xs):
    """A 1-D object array of lists, even when every list has the same length."""
    out = np.empty(len(xs), dtype=object)
    for i, x in enumerate(xs):
        out[i] = x
    return out
