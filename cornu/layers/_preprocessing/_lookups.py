"""StringLookup and IntegerLookup: tokens to vocabulary indices (or back)."""
import numpy as np

from cornu import ops
from cornu.layers._preprocessing._index_lookup import IndexLookup

__all__ = ["StringLookup", "IntegerLookup"]


class StringLookup(IndexLookup):
    """Maps strings to integer indices in a vocabulary (given, or learned by ``adapt``).

    Inputs are lists of str, numpy string arrays or nested lists of them; the
    output is a backend tensor (an array of str with ``invert=True``).

    Args:
        max_tokens: the largest vocabulary size, special tokens included (None: no limit).
        num_oov_indices: how many indices out-of-vocabulary strings hash into (default 1).
        mask_token: a string mapped to index 0 (None: no mask).
        oov_token: the token ``invert=True`` returns for OOV indices (default ``"[UNK]"``).
        vocabulary: a list of strings or a text file with one per line.
        idf_weights: one weight per vocabulary entry, for ``output_mode="tf_idf"``.
        invert: map indices back to strings.
        output_mode: ``"int"`` (indices), ``"one_hot"``, ``"multi_hot"``, ``"count"``
            or ``"tf_idf"`` (counts times idf weights).
        pad_to_max_tokens: make encoded outputs ``max_tokens`` wide.
        sparse: sparse outputs (not supported by cornu: only False).
        encoding: the text encoding of bytes inputs.
        salt: with several OOV indices, hash OOV strings with SipHash keyed by this.

    Example:
        >>> layer = StringLookup(vocabulary=["a", "b", "c", "d"])
        >>> layer([["a", "c", "d"], ["d", "z", "b"]])  # [[1, 3, 4], [4, 0, 2]]
    """

    _invert_dtype = "string"

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 pad_to_max_tokens=False, sparse=False, encoding="utf-8", name=None,
                 salt=None, **kwargs):
        self.encoding = encoding
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token, vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode,
                         pad_to_max_tokens=pad_to_max_tokens, sparse=sparse, name=name,
                         salt=salt, vocabulary_dtype="string", **kwargs)

    def _as_tokens(self, values):
        if values.size == 0:
            return values.astype(object)
        if values.dtype.kind in "iuf":
            raise ValueError(f"StringLookup '{self.name}' expects strings; received an array "
                             f"of dtype {values.dtype}. Use IntegerLookup for integers.")
        if values.dtype.kind == "S":
            return np.char.decode(values, self.encoding)
        return values

    def _inverted(self, tokens):
        return tokens.astype(str)

    def get_config(self):
        config = super().get_config()
        del config["vocabulary_dtype"]
        config["encoding"] = self.encoding
        return config


class IntegerLookup(IndexLookup):
    """Maps integers to indices in a vocabulary (given, or learned by ``adapt``).

    Args:
        max_tokens: the largest vocabulary size, special tokens included (None: no limit).
        num_oov_indices: how many indices out-of-vocabulary values fall into
            (by ``value mod num_oov_indices``, or FarmHash with ``oov_method="farmhash"``).
        mask_token: a value mapped to index 0 (None: no mask).
        oov_token: the value ``invert=True`` returns for OOV indices (default -1).
        vocabulary: a list of ints or a text file with one per line.
        vocabulary_dtype: only ``"int64"``.
        idf_weights: one weight per vocabulary entry, for ``output_mode="tf_idf"``.
        invert: map indices back to values.
        output_mode: ``"int"``, ``"one_hot"``, ``"multi_hot"``, ``"count"`` or ``"tf_idf"``.
        sparse: sparse outputs (not supported by cornu: only False).
        pad_to_max_tokens: make encoded outputs ``max_tokens`` wide.
        oov_method: ``"floormod"`` or ``"farmhash"``.
        salt: with ``oov_method="farmhash"``, hash with SipHash keyed by this.

    Example:
        >>> layer = IntegerLookup(vocabulary=[12, 36, 1138, 42])
        >>> layer([[12, 1138, 42], [42, 1000, 36]])  # [[1, 3, 4], [4, 0, 2]]
    """

    _invert_dtype = "int64"

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
                 vocabulary=None, vocabulary_dtype="int64", idf_weights=None, invert=False,
                 output_mode="int", sparse=False, pad_to_max_tokens=False,
                 oov_method="floormod", salt=None, name=None, **kwargs):
        if vocabulary_dtype != "int64":
            raise ValueError("IntegerLookup supports only vocabulary_dtype='int64'; received "
                             f"vocabulary_dtype={vocabulary_dtype!r}.")
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token, vocabulary=vocabulary,
                         vocabulary_dtype=vocabulary_dtype, idf_weights=idf_weights,
                         invert=invert, output_mode=output_mode, sparse=sparse,
                         pad_to_max_tokens=pad_to_max_tokens, oov_method=oov_method,
                         salt=salt, name=name, **kwargs)

    def _as_tokens(self, values):
        if values.dtype.kind not in "iuf":
            try:
                return values.astype("int64")
            except (TypeError, ValueError):
                raise ValueError(f"IntegerLookup '{self.name}' expects integers; received "
                                 f"an array of dtype {values.dtype}.") from None
        return values.astype("int64")

    def _inverted(self, tokens):
        return ops.convert_to_tensor(tokens.astype("int64"))

    def get_config(self):
        config = super().get_config()
        for key in ("oov_token", "mask_token"):
            if config[key] is not None:
                config[key] = int(config[key])
        if config["vocabulary"] is not None:
            config["vocabulary"] = [int(v) for v in config["vocabulary"]]
        return config
