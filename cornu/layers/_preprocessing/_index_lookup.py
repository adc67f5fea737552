"""IndexLookup: the vocabulary machinery of StringLookup, IntegerLookup and
TextVectorization, held in Python (a dict from token to index).

Index layout, as Keras's: ``[mask] [oov x num_oov_indices] [tokens...]``, the
mask slot only in ``output_mode="int"``. Adapted vocabularies are ordered by
frequency, ties by the token in descending order (Keras's ``lexsort``).
"""
import collections
import math
import os

import numpy as np

from cornu import backend, ops
from cornu.layers._preprocessing import _hash
from cornu.layers._preprocessing._common import (
    HostLayer, adapt_batches, check_choice, check_not_sparse, encode_categorical,
    encoded_shape, is_batch_iterable, map_unique, to_numpy)

_INT64_MAX = np.iinfo("int64").max


def listify(x):
    """A vocabulary or weights as a JSON-friendly list (None stays None)."""
    if x is None or isinstance(x, str):
        return x
    return np.asarray(x).tolist()


class IndexLookup(HostLayer):
    """Maps tokens to indices with a fixed or adapted vocabulary (the shared base;
    use StringLookup or IntegerLookup)."""

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary_dtype,
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 sparse=False, pad_to_max_tokens=False, oov_method="floormod", name=None,
                 salt=None, vocabulary_size=None, has_input_vocabulary=None, **kwargs):
        where = f"{type(self).__name__}"
        from cornu.layers._sizes import integral  # NumPy ints are sizes too
        max_tokens = integral(max_tokens, "max_tokens")
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"{where}: `max_tokens`, if set, must be greater than 1; "
                             f"received max_tokens={max_tokens}.")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"{where}: pad_to_max_tokens=True needs `max_tokens`.")
        if num_oov_indices < 0:
            raise ValueError(f"{where}: `num_oov_indices` must be >= 0; received "
                             f"num_oov_indices={num_oov_indices}.")
        check_choice(where, "oov_method", oov_method, ("floormod", "farmhash"))
        if salt is not None:
            if vocabulary_dtype == "int64" and oov_method != "farmhash":
                raise ValueError(f"{where}: `salt` is used only with oov_method='farmhash'; "
                                 f"received oov_method={oov_method!r}.")
            from cornu.layers._preprocessing._hashing import normalize_salt
            salt = normalize_salt(where, salt)
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        check_choice(where, "output_mode", output_mode,
                     ("int", "one_hot", "multi_hot", "count", "tf_idf"))
        if invert and output_mode != "int":
            raise ValueError(f"{where}: invert=True needs output_mode='int'; received "
                             f"output_mode={output_mode!r}.")
        check_not_sparse(where, sparse)
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(f"{where}: `idf_weights` is used only with output_mode='tf_idf'; "
                             f"received output_mode={output_mode!r}.")
        super().__init__(name=name, **kwargs)
        self.invert = invert
        self.max_tokens = max_tokens
        self.num_oov_indices = num_oov_indices
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.output_mode = output_mode
        self.sparse = sparse
        self.pad_to_max_tokens = pad_to_max_tokens
        self.vocabulary_dtype = vocabulary_dtype
        self.oov_method = oov_method
        self.salt = salt
        self._frozen_vocab_size = vocabulary_size
        self.input_vocabulary = vocabulary if not isinstance(vocabulary, str) else None
        self.input_idf_weights = idf_weights
        self._has_input_vocabulary = (vocabulary is not None if has_input_vocabulary is None
                                      else has_input_vocabulary)
        self.idf_weights = None
        self._tokens = []
        self._index = {}
        self.reset_state()
        if output_mode == "tf_idf" and self._has_input_vocabulary and idf_weights is None:
            raise ValueError(f"{where}: with output_mode='tf_idf' and a `vocabulary`, pass "
                             "`idf_weights` too.")
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        self.built = True

    # ------------------------------------------------------------ indices

    def _oov_start_index(self):
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self):
        return self._oov_start_index() + self.num_oov_indices

    def vocabulary_size(self):
        """The number of indices: the tokens plus the mask and OOV slots."""
        return len(self._tokens) + self._token_start_index()

    def get_vocabulary(self, include_special_tokens=True):
        """The vocabulary, in index order (with the mask and OOV tokens by default)."""
        if not include_special_tokens:
            return list(self._tokens)
        special = [self.oov_token] * self.num_oov_indices
        if self._oov_start_index():
            special = [self.mask_token] + special
        return special + list(self._tokens)

    # ------------------------------------------------------------ vocabulary

    def _as_tokens(self, values):
        """A numpy array of tokens of this layer's type."""
        raise NotImplementedError

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Set the vocabulary (a list, an array, or a text file with one token a line)
        and, for output_mode='tf_idf', the idf weights (one per token)."""
        where = f"{type(self).__name__} '{self.name}'"
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError(f"{where}: output_mode='tf_idf' needs `idf_weights`.")
        elif idf_weights is not None:
            raise ValueError(f"{where}: `idf_weights` is used only with output_mode='tf_idf'; "
                             f"this layer has output_mode={self.output_mode!r}.")
        if isinstance(vocabulary, str):
            from cornu.saving.safe_mode import refuse_outside_file
            refuse_outside_file(where, "vocabulary", vocabulary)
            if not os.path.exists(vocabulary):
                raise ValueError(f"{where}: vocabulary file {vocabulary!r} does not exist.")
            if self.output_mode == "tf_idf":
                raise ValueError(f"{where}: output_mode='tf_idf' cannot load a vocabulary "
                                 "from a file.")
            with open(vocabulary, encoding="utf-8") as f:
                vocabulary = f.read().splitlines()
        vocabulary = self._as_tokens(to_numpy(vocabulary)).reshape(-1)
        if vocabulary.size == 0:
            raise ValueError(f"{where}: the vocabulary is empty.")
        token_start = self._token_start_index()
        special = [self.mask_token] * self._oov_start_index() + [
            self.oov_token] * self.num_oov_indices
        found_special = len(vocabulary) >= token_start and [
            self._py(v) for v in vocabulary[:token_start]] == special
        tokens = [self._py(v) for v in (vocabulary[token_start:] if found_special
                                         else vocabulary)]
        repeated = [t for t, n in collections.Counter(tokens).items() if n > 1]
        if repeated:
            raise ValueError(f"{where}: the vocabulary has repeated tokens {repeated}; make "
                             "its entries unique.")
        if self.mask_token is not None and self.mask_token in tokens:
            raise ValueError(
                f"{where}: the mask token {self.mask_token!r} is in the vocabulary at index "
                f"{tokens.index(self.mask_token)}. Leave the mask and OOV tokens out, or put "
                f"them only at its start in this order: {special}.")
        if self.oov_token is not None and self.invert and self.oov_token in tokens:
            raise ValueError(
                f"{where}: the OOV token {self.oov_token!r} is in the vocabulary. Leave the "
                f"mask and OOV tokens out, or put them only at its start: {special}.")
        if self.max_tokens is not None and token_start + len(tokens) > self.max_tokens:
            raise ValueError(
                f"{where}: the vocabulary has {token_start + len(tokens)} entries with the "
                f"special tokens; `max_tokens` is {self.max_tokens}.")
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            idf = np.asarray(idf_weights, dtype="float64")
            if idf.ndim != 1 or len(idf) != len(vocabulary):
                raise ValueError(f"{where}: `idf_weights` must be 1-D with one weight per "
                                 f"vocabulary entry ({len(vocabulary)}); received shape "
                                 f"{idf.shape}.")
            front = 0 if found_special else token_start
            back = (self.max_tokens - front - len(idf)) if (
                self.pad_to_max_tokens and self.max_tokens is not None) else 0
            self.idf_weights = np.pad(
                idf, (front, back), constant_values=(np.average(idf), 0)).astype("float32")

    @staticmethod
    def _py(value):
        return value.item() if isinstance(value, np.generic) else value

    def _set_tokens(self, tokens):
        start = self._token_start_index()
        self._tokens = list(tokens)
        self._index = {t: start + i for i, t in enumerate(self._tokens)}
        self._frozen_vocab_size = self.vocabulary_size()

    # ------------------------------------------------------------ adapt

    def adapt(self, data, steps=None):
        """Learn the vocabulary (and idf weights) from ``data``: an array or list
        (each entry of a 1-D one is a document of one token), or an iterable of
        batches; ``steps`` limits the batches read."""
        self.reset_state()
        if is_batch_iterable(data):
            for batch in adapt_batches(data, steps):
                self.update_state(batch)
        else:
            data = to_numpy(data)
            if data.ndim == 1:
                data = data[:, None]
            self.update_state(data)
        self.finalize_state()

    def update_state(self, data):
        """Count the tokens of ``data``: an array, or a list of token sequences (one per
        document)."""
        if self._has_input_vocabulary:
            raise ValueError(f"{type(self).__name__} '{self.name}': cannot adapt a layer "
                             "whose vocabulary was set with `vocabulary` or "
                             "`set_vocabulary()`.")
        if isinstance(data, list):
            rows = [self._as_tokens(to_numpy(r)).reshape(-1) for r in data]
        else:
            data = self._as_tokens(to_numpy(data))
            if data.ndim < 2:
                data = data.reshape(1, -1)
            rows = list(data.reshape(data.shape[0], -1))
        flat = np.concatenate(rows) if rows else np.array([])
        if flat.size:
            uniq, counts = np.unique(flat, return_counts=True)
            self._counts.update(dict(zip(uniq.tolist(), counts.tolist())))
        if self.output_mode == "tf_idf":
            for row in rows:
                self._doc_counts.update(np.unique(row).tolist())
            self._num_documents += len(rows)

    def finalize_state(self):
        if self._has_input_vocabulary or not self._counts:
            self._frozen_vocab_size = self.vocabulary_size()
            return
        counts = dict(self._counts)
        for special in (self.mask_token, self.oov_token):
            counts.pop(special, None)
        ordered = sorted(counts.items(), key=lambda kv: (kv[1], kv[0]), reverse=True)
        if self.max_tokens:
            ordered = ordered[:self.max_tokens - self._token_start_index()]
        tokens = [t for t, _ in ordered]
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            idf = np.array([math.log(1 + self._num_documents / (1 + self._doc_counts[t]))
                            for t in tokens], "float64").astype("float32")
            mean = np.mean(idf) if idf.size else np.float32(0)
            idf = np.concatenate([np.full(self._token_start_index(), mean, "float32"), idf])
            if self.pad_to_max_tokens and self.max_tokens is not None:
                idf = np.pad(idf, (0, self.max_tokens - idf.size))
            self.idf_weights = idf.astype("float32")
        self.reset_state()

    def reset_state(self):
        self._counts = collections.Counter()
        self._doc_counts = collections.Counter()
        self._num_documents = 0

    # ------------------------------------------------------------ lookups

    def _oov_bucket(self, value):
        if self.vocabulary_dtype == "int64" and self.oov_method != "farmhash":
            return value % self.num_oov_indices
        data = _hash.to_bytes(value)
        if self.salt is not None:
            return _hash.siphash64(self.salt[0], self.salt[1], data) % self.num_oov_indices
        return _hash.fingerprint64(data) % self.num_oov_indices

    def _lookup_indices(self, values):
        """Token array -> int64 index array (same shape)."""
        index, mask = self._index, self.mask_token
        mask_value = 0 if self.output_mode == "int" else _INT64_MAX
        oov_start, n_oov = self._oov_start_index(), self.num_oov_indices

        def lookup(token):
            if mask is not None and token == mask:
                return mask_value
            found = index.get(token)
            if found is not None:
                return found
            if n_oov == 0:
                return -1
            return oov_start if n_oov == 1 else oov_start + self._oov_bucket(token)
        out = map_unique(values, lookup)
        if n_oov == 0 and (out == -1).any():
            raise ValueError(
                f"{type(self).__name__} '{self.name}': with num_oov_indices=0 every input must "
                f"be in the vocabulary; found out-of-vocabulary values "
                f"{sorted(set(values[out == -1].tolist()))[:10]}. Set num_oov_indices=1.")
        return out

    def _inverse_tokens(self, indices):
        """Index array -> token array (object dtype)."""
        tokens, start, mask = self._tokens, self._token_start_index(), self.mask_token

        def token(i):
            if mask is not None and i == 0:
                return mask
            j = i - start
            return tokens[j] if 0 <= j < len(tokens) else self.oov_token
        return map_unique(indices, token, dtype=object)

    def _depth(self):
        return self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size

    def _encode(self, indices):
        """int64 indices (numpy) -> the output tensor for this output_mode."""
        if self.output_mode == "int":
            return ops.convert_to_tensor(indices, dtype="int64")
        depth = self._depth()
        if depth is None:
            raise RuntimeError(
                f"{type(self).__name__} '{self.name}': with output_mode="
                f"{self.output_mode!r} and pad_to_max_tokens=False, set the vocabulary "
                "(`vocabulary=` or `adapt`) before calling the layer.")
        # Keras computes these as int64 but declares (and Dense expects) floats.
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        out = encode_categorical(ops.convert_to_tensor(indices, dtype="int64"), mode, depth,
                                 backend.floatx())
        if self.output_mode == "tf_idf":
            out = out * ops.convert_to_tensor(self.idf_weights, dtype=backend.floatx())
        return out

    def call(self, inputs):
        if self.invert:
            return self._inverted(self._inverse_tokens(to_numpy(inputs).astype("int64")))
        return self._encode(self._lookup_indices(self._as_tokens(to_numpy(inputs))))

    def _output_signature(self, shape):
        if self.invert:
            return shape, self._invert_dtype
        if self.output_mode == "int":
            return shape, "int64"
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        return encoded_shape(shape, mode, self._depth()), backend.floatx()

    # ------------------------------------------------------------ saving

    def get_config(self):
        config = super().get_config()
        config.update({
            "invert": self.invert, "max_tokens": self.max_tokens,
            "num_oov_indices": self.num_oov_indices, "oov_token": self.oov_token,
            "mask_token": self.mask_token, "output_mode": self.output_mode,
            "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens,
            "vocabulary_dtype": self.vocabulary_dtype,
            "idf_weights": listify(self._config_vocabulary()[1]),
            "vocabulary": listify(self._config_vocabulary()[0]),
            "vocabulary_size": self._frozen_vocab_size, "oov_method": self.oov_method,
            "salt": self.salt})
        return config

    def _config_vocabulary(self):
        """(vocabulary, idf_weights) for the config: the given ones, or the adapted ones.

        Keras keeps an adapted vocabulary in the archive's assets; cornu's archives have
        none, so the config carries it (Keras reads such a config as a given vocabulary).
        """
        if self.input_vocabulary is not None or not self._tokens:
            return self.input_vocabulary, self.input_idf_weights
        vocabulary = self.get_vocabulary()
        idf = None if self.idf_weights is None else self.idf_weights[:len(vocabulary)]
        return vocabulary, idf

    def save_own_variables(self, store):
        if self.output_mode == "tf_idf" and self.idf_weights is not None:
            store["idf_weights"] = np.asarray(self.idf_weights)

    def load_own_variables(self, store):
        if self.output_mode == "tf_idf" and "idf_weights" in store:
            self.idf_weights = np.asarray(store["idf_weights"], "float32")

    def save_assets(self, dir_path):
        """Write an adapted vocabulary to ``dir_path/vocabulary.txt`` (as Keras does)."""
        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, "vocabulary.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(str(w) for w in self.get_vocabulary()))

    def load_assets(self, dir_path):
        """Read the vocabulary ``save_assets`` wrote."""
        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, "vocabulary.txt"), encoding="utf-8") as f:
            lines = f.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        values = [int(v) for v in lines] if self.vocabulary_dtype == "int64" else lines
        has_input = self._has_input_vocabulary
        self._has_input_vocabulary = True
        self.set_vocabulary(values, idf_weights=self.idf_weights
                            if self.output_mode == "tf_idf" else None)
        self._has_input_vocabulary = has_input
