"""TextVectorization: strings to token ids (or multi-hot, counts, tf-idf), in
Python: standardize, split, n-grams, then a StringLookup with mask token ``""``.

The text rules are TensorFlow's, which Keras uses on every backend: lowercasing
and whitespace are ASCII-only (``"Über"`` stays as it is), punctuation is
ASCII's ``string.punctuation``, ``"character"`` splits into code points.
"""
import re
import string

import numpy as np

from cornu import backend
from cornu.backend.common.keras_tensor import KerasTensor
from cornu.layers._preprocessing._common import (
    HostLayer, adapt_batches, check_not_sparse, is_batch_iterable, map_unique, to_numpy)
from cornu.layers._preprocessing._index_lookup import listify
from cornu.layers._preprocessing._lookups import StringLookup

__all__ = ["TextVectorization"]

_STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
_SPLIT = ("whitespace", "character")
_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_STRIP = str.maketrans("", "", string.punctuation)
_WHITESPACE = re.compile(r"[ \t\n\v\f\r]+")


def _check_text_option(where, name, value, allowed):
    if value is not None and not callable(value) and value not in allowed:
        raise ValueError(f"{where}: `{name}` must be one of {list(allowed)}, None or a "
                         f"callable; received {name}={value!r}.")


def _ngrams(tokens, widths):
    """The n-grams of ``tokens`` for each width in turn, joined by spaces."""
    return [" ".join(tokens[i:i + w]) for w in widths for i in range(len(tokens) - w + 1)]


class _KerasConfigEntries(HostLayer):
    """Accepts the entries Keras adds to a TextVectorization config
    (``vocabulary_size``, ``has_input_vocabulary``), which TextVectorization reads
    from ``**kwargs`` before this runs."""

    def __init__(self, vocabulary_size=None, has_input_vocabulary=None, **kwargs):
        super().__init__(**kwargs)


class TextVectorization(_KerasConfigEntries):
    """Turns strings into sequences of token ids, or into per-document vectors.

    Each string is standardized, split into tokens, optionally combined into
    n-grams and looked up in a vocabulary (given, or learned by ``adapt``:
    most frequent first). Index 0 is padding (the mask), 1 the OOV token.
    Inputs are lists of str or numpy string arrays, shape ``(batch,)`` or
    ``(batch, 1)``; outputs are backend tensors.

    Args:
        max_tokens: the largest vocabulary, padding and OOV included (None: no limit).
        standardize: ``"lower_and_strip_punctuation"`` (default), ``"lower"``,
            ``"strip_punctuation"``, None, or a callable taking and returning a numpy
            array of str.
        split: ``"whitespace"`` (default), ``"character"``, None (each string is one
            token) or a callable taking a 1-D numpy array of str and returning one
            list of tokens per string.
        ngrams: None, an int n (all 1..n-grams) or a tuple of n-gram widths.
        output_mode: ``"int"`` (default: ids, int64), ``"multi_hot"``, ``"count"`` or
            ``"tf_idf"`` (one vector per string).
        output_sequence_length: for ``"int"``: pad or truncate sequences to this length
            (default: the longest in the batch).
        pad_to_max_tokens: make vectors ``max_tokens`` wide.
        vocabulary: a list of tokens, or a text file with one per line.
        idf_weights: one weight per vocabulary entry, for ``"tf_idf"``.
        sparse, ragged: not supported by cornu (TensorFlow-only outputs): only False.
        encoding: the text encoding of bytes inputs.

    Example:
        >>> layer = TextVectorization(output_sequence_length=4)
        >>> layer.adapt(["The cat sat.", "the dog sat"])
        >>> layer(["the cat", "a dog sat"])  # [[2, 5, 0, 0], [1, 4, 3, 0]]
    """

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int",
                 output_sequence_length=None, pad_to_max_tokens=False, vocabulary=None,
                 idf_weights=None, sparse=False, ragged=False, encoding="utf-8", name=None,
                 **kwargs):
        has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        super().__init__(name=name, **kwargs)
        where = f"TextVectorization '{self.name}'"
        if isinstance(vocabulary, str):
            from cornu.saving.safe_mode import refuse_outside_file
            refuse_outside_file(where, "vocabulary", vocabulary)
        check_not_sparse(where, sparse)
        if ragged:
            raise ValueError(f"{where}: ragged=True needs ragged tensors, which only Keras's "
                             "TensorFlow backend has. Use output_sequence_length to pad.")
        _check_text_option(where, "standardize", standardize, _STANDARDIZE)
        _check_text_option(where, "split", split, _SPLIT)
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        if output_mode not in ("int", "one_hot", "multi_hot", "count", "tf_idf"):
            raise ValueError(f"{where}: `output_mode` must be one of 'int', 'one_hot', "
                             f"'multi_hot', 'count', 'tf_idf'; received {output_mode!r}.")
        if isinstance(ngrams, list):
            ngrams = tuple(ngrams)
        from cornu.layers._sizes import integral, integral_sizes  # NumPy ints are sizes too
        ngrams = integral_sizes(ngrams, "ngrams")
        output_sequence_length = integral(output_sequence_length, "output_sequence_length")
        if not (ngrams is None or isinstance(ngrams, int) or (
                isinstance(ngrams, tuple) and all(isinstance(n, int) for n in ngrams))):
            raise ValueError(f"{where}: `ngrams` must be None, an int or a tuple of ints; "
                             f"received ngrams={ngrams!r}.")
        if output_sequence_length is not None and (
                output_mode != "int" or not isinstance(output_sequence_length, int)):
            raise ValueError(f"{where}: `output_sequence_length` must be None or an int, and "
                             "is used only with output_mode='int'; received "
                             f"output_sequence_length={output_sequence_length!r}, "
                             f"output_mode={output_mode!r}.")
        self.standardize = standardize
        self.split = split
        self.ngrams = ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self.output_mode = output_mode
        self.output_sequence_length = output_sequence_length
        self.ragged = ragged
        self.encoding = encoding
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens, mask_token="", output_mode=output_mode,
            sparse=sparse, has_input_vocabulary=has_input_vocabulary, encoding=encoding,
            vocabulary_size=vocabulary_size)

    # ------------------------------------------------------------ vocabulary

    def get_vocabulary(self, include_special_tokens=True):
        """The vocabulary in index order (``""`` and ``"[UNK]"`` first by default)."""
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self):
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Set the vocabulary (and idf weights for ``"tf_idf"``)."""
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    def adapt(self, data, batch_size=None, steps=None):
        """Learn the vocabulary from ``data``: a list or array of strings (one document
        each), or an iterable of batches (``steps`` limits how many are read)."""
        self.reset_state()
        if is_batch_iterable(data):
            for batch in adapt_batches(data, steps):
                self.update_state(batch)
        else:
            data = to_numpy(data)
            self.update_state(data[:, None] if data.ndim == 1 else data)
        self.finalize_state()

    def update_state(self, data):
        self._lookup_layer.update_state(self._preprocess(data))

    def finalize_state(self):
        self._lookup_layer.finalize_state()

    def reset_state(self):
        self._lookup_layer.reset_state()

    # ------------------------------------------------------------ text

    def _standardize(self, x):
        if callable(self.standardize):
            return to_numpy(self.standardize(x))
        if self.standardize is None:
            return x
        lower = self.standardize in ("lower", "lower_and_strip_punctuation")
        strip = self.standardize in ("strip_punctuation", "lower_and_strip_punctuation")

        def clean(s):
            s = s.translate(_LOWER) if lower else s
            return s.translate(_STRIP) if strip else s
        return map_unique(x, clean, dtype=object)

    def _split_all(self, x):
        """A 1-D array of strings -> one list of tokens per string."""
        if callable(self.split):
            return [list(t) for t in self.split(x)]
        if self.split == "character":
            return [list(s) for s in x.tolist()]
        return [[t for t in _WHITESPACE.split(s) if t] for s in x.tolist()]

    def _preprocess(self, inputs):
        """Strings -> a list of token lists (one per string) or, with split=None, an
        array of tokens."""
        x = to_numpy(inputs)
        if x.dtype.kind not in "UO":
            raise ValueError(f"TextVectorization '{self.name}' expects strings; received an "
                             f"array of dtype {x.dtype}.")
        x = self._standardize(x)
        if self.split is None:
            if self._ngrams is None:
                return x
            rows = [list(r) for r in (x.reshape(1, -1) if x.ndim < 2 else x).tolist()]
        else:
            if x.ndim > 1:
                if x.shape[-1] != 1:
                    raise ValueError(
                        f"TextVectorization '{self.name}': to split strings the input must "
                        f"have rank 1 or a last axis of size 1; received shape {x.shape}.")
                x = x[..., 0]
            rows = self._split_all(x.reshape(-1))
        if self._ngrams is not None:
            rows = [_ngrams(r, self._ngrams) for r in rows]
        return rows

    def call(self, inputs):
        lookup = self._lookup_layer
        tokens = self._preprocess(inputs)
        if not isinstance(tokens, list):  # split=None: one token per string
            ids = lookup._lookup_indices(tokens)
            if self.output_mode != "int":
                return lookup._encode(ids)
            if self.output_sequence_length is not None:
                length = self.output_sequence_length
                ids = ids[..., :length]
                ids = np.pad(ids, [(0, 0)] * (ids.ndim - 1) + [(0, length - ids.shape[-1])])
            return lookup._encode(ids)
        if self.output_mode == "one_hot":
            raise ValueError(
                f"TextVectorization '{self.name}': output_mode='one_hot' would give rank-3 "
                "outputs for split strings. Use 'multi_hot' or 'count', or split=None.")
        lengths = [len(r) for r in tokens]
        flat = np.empty(sum(lengths), dtype=object)
        flat[:] = [t for r in tokens for t in r]
        flat_ids = lookup._lookup_indices(flat)
        width = max(lengths, default=0)
        if self.output_mode == "int" and self.output_sequence_length is not None:
            width = self.output_sequence_length
        fill = 0 if self.output_mode == "int" else -1
        ids = np.full((len(tokens), width), fill, dtype="int64")
        start = 0
        for i, n in enumerate(lengths):
            row = flat_ids[start:start + n][:width]
            ids[i, :len(row)] = row
            start += n
        return lookup._encode(ids)

    def compute_output_spec(self, inputs, *args, **kwargs):
        shape = tuple(inputs.shape)
        if self.output_mode == "int":
            if self.split is None:
                if self.output_sequence_length is not None and shape:
                    shape = shape[:-1] + (self.output_sequence_length,)
                return KerasTensor(shape, dtype="int64")
            return KerasTensor((shape[0] if shape else None, self.output_sequence_length),
                               dtype="int64")
        depth = self._lookup_layer._depth()
        return KerasTensor((shape[0] if shape else None, depth), dtype=backend.floatx())

    def compute_output_shape(self, input_shape):
        return self.compute_output_spec(KerasTensor(input_shape, dtype="string")).shape

    # ------------------------------------------------------------ saving

    def get_config(self):
        from cornu.saving.serialization import serialize_keras_object
        config = super().get_config()
        lookup = self._lookup_layer
        vocabulary, idf_weights = lookup._config_vocabulary()
        config.update({
            "max_tokens": lookup.max_tokens,
            "standardize": serialize_keras_object(self.standardize),
            "split": serialize_keras_object(self.split),
            "ngrams": list(self.ngrams) if isinstance(self.ngrams, tuple) else self.ngrams,
            "output_mode": self.output_mode,
            "output_sequence_length": self.output_sequence_length,
            "pad_to_max_tokens": lookup.pad_to_max_tokens, "sparse": lookup.sparse,
            "ragged": self.ragged, "vocabulary": listify(vocabulary),
            "idf_weights": listify(idf_weights), "encoding": self.encoding,
            "vocabulary_size": self.vocabulary_size()})
        return config

    @classmethod
    def from_config(cls, config):
        from cornu.saving.serialization import deserialize_keras_object
        config = dict(config)
        for key, allowed in (("standardize", _STANDARDIZE), ("split", _SPLIT)):
            value = config.get(key)
            if value is not None and not (isinstance(value, str) and value in allowed):
                config[key] = deserialize_keras_object(value)
        return super().from_config(config)

    def save_own_variables(self, store):
        self._lookup_layer.save_own_variables(store)

    def load_own_variables(self, store):
        self._lookup_layer.load_own_variables(store)

    def save_assets(self, dir_path):
        self._lookup_layer.save_assets(dir_path)

    def load_assets(self, dir_path):
        self._lookup_layer.load_assets(dir_path)
