"""Hashing and HashedCrossing: values (strings or integers) to hash bins, with
the bin numbers Keras gives (its hashes run through TensorFlow's string ops;
``_hash`` computes the same functions in Python)."""
import numpy as np

from cornu import ops
from cornu.layers._preprocessing import _hash
from cornu.layers._preprocessing._common import (
    ENCODINGS, HostLayer, check_choice, check_not_sparse, encode_categorical, encoded_shape,
    map_unique, to_numpy)

__all__ = ["Hashing", "HashedCrossing"]


def string_hasher(salt=None):
    """value -> 64-bit hash: FarmHash fingerprint, or SipHash keyed by ``salt``
    (a pair of ints), of the value as TensorFlow writes it as a string."""
    if salt is None:
        return lambda v: _hash.fingerprint64(_hash.to_bytes(v))
    k0, k1 = salt
    return lambda v: _hash.siphash64(k0, k1, _hash.to_bytes(v))


def normalize_salt(where, salt):
    """A salt as Keras keeps it: None or a list of two ints."""
    if salt is None:
        return None
    if isinstance(salt, (tuple, list)) and len(salt) == 2:
        return list(salt)
    if isinstance(salt, int):
        return [salt, salt]
    raise ValueError(f"{where}: `salt` must be an int or a pair of ints; received "
                     f"salt={salt!r}.")


class Hashing(HostLayer):
    """Hashes strings or integers into ``num_bins`` bins, as Keras does (same bins).

    Args:
        num_bins: the number of bins, including the mask bin if ``mask_value`` is set.
        mask_value: a value mapped to bin 0 (the others then use bins 1..num_bins-1).
        salt: an int or a pair of ints: use SipHash-2-4 keyed by it instead of
            FarmHash's fingerprint.
        output_mode: ``"int"`` (bin ids, int64), ``"one_hot"``, ``"multi_hot"`` or
            ``"count"`` (as ``CategoryEncoding`` encodes them).
        sparse: sparse outputs (not supported by cornu: only False).

    Example:
        >>> Hashing(num_bins=3, salt=133)([["A"], ["B"], ["C"], ["D"], ["E"]])
        # [[0], [0], [2], [1], [0]]
    """

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False,
                 **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else None
        super().__init__(**kwargs)
        where = f"Hashing '{self.name}'"
        if num_bins is None or num_bins <= 0:
            raise ValueError(f"{where}: `num_bins` must be a positive int; received "
                             f"num_bins={num_bins}.")
        if output_mode == "int" and self.dtype_name not in ("int32", "int64"):
            raise ValueError(f"{where}: with output_mode='int', `dtype` must be 'int32' or "
                             f"'int64'; received dtype={self.dtype_name!r}.")
        check_choice(where, "output_mode", output_mode, ENCODINGS)
        check_not_sparse(where, sparse)
        self.num_bins = num_bins
        self.mask_value = mask_value
        self.salt = normalize_salt(where, salt)
        self.output_mode = output_mode
        self.sparse = sparse
        self.built = True

    def call(self, inputs):
        values = to_numpy(inputs)
        bins = self.num_bins
        mask = None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            mask = values == self.mask_value
        if values.dtype.kind == "f":
            values = values.astype("int64")
        hasher = string_hasher(self.salt)
        indices = map_unique(values, lambda v: hasher(v) % bins)
        if mask is not None:
            indices = np.where(mask, 0, indices + 1)
        if self.output_mode == "one_hot" and indices.ndim and indices.shape[-1] == 1:
            indices = indices[..., 0]
        return encode_categorical(ops.convert_to_tensor(indices), self.output_mode,
                                  self.num_bins, self.dtype_name)

    def _output_signature(self, shape):
        if self.output_mode == "one_hot" and shape and shape[-1] == 1:
            shape = shape[:-1]
        return encoded_shape(shape, self.output_mode, self.num_bins), self.dtype_name


class HashedCrossing(HostLayer):
    """Crosses two or more categorical features (strings or integers) by hashing
    each combination into ``num_bins`` bins, as ``tf.sparse.cross_hashed`` does.

    Called on a list of inputs of shape ``()``, ``(batch,)`` or ``(batch, 1)``.

    Args:
        num_bins: the number of bins.
        output_mode: ``"int"`` (bin ids, int64) or ``"one_hot"``.
        sparse: sparse outputs (not supported by cornu: only False).
    """

    def __init__(self, num_bins, output_mode="int", sparse=False, **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else None
        super().__init__(**kwargs)
        where = f"HashedCrossing '{self.name}'"
        check_not_sparse(where, sparse)
        check_choice(where, "output_mode", output_mode, ("int", "one_hot"))
        self.num_bins = num_bins
        self.output_mode = output_mode
        self.sparse = sparse
        self.built = True

    def call(self, inputs):
        columns = self._check_inputs_list(inputs)
        shape = columns[0].shape
        hashed = _hash.CROSS_HASH_KEY
        for column in columns:
            column = column.reshape(-1)
            if column.dtype.kind in "iu":
                feature = column.astype("int64").astype("uint64").astype(object)
            else:
                feature = map_unique(column, lambda v: _hash.fingerprint64(_hash.to_bytes(v)),
                                     dtype=object)
            hashed = [_hash.fingerprint_cat64(h, int(f)) for h, f in zip(
                hashed if isinstance(hashed, list) else [hashed] * len(feature), feature)]
        bins = np.array([h % self.num_bins for h in hashed], "int64").reshape(shape)
        return encode_categorical(ops.convert_to_tensor(bins), self.output_mode,
                                  self.num_bins, self.dtype_name)

    def _check_inputs_list(self, inputs):
        where = f"HashedCrossing '{self.name}'"
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 2:
            raise ValueError(f"{where} must be called on a list of at least two inputs; "
                             f"received {type(inputs).__name__}.")
        columns = [to_numpy(x) for x in inputs]
        shape = columns[0].shape
        if len(shape) > 2 or (len(shape) == 2 and shape[-1] != 1):
            raise ValueError(f"{where}: inputs must have shape (), (batch,) or (batch, 1); "
                             f"received shape {shape}.")
        if any(c.shape != shape for c in columns[1:]):
            raise ValueError(f"{where}: all inputs must have the same shape; received "
                             f"{[c.shape for c in columns]}.")
        if any(c.dtype.kind not in "iuUO" for c in columns):
            raise ValueError(f"{where}: inputs must be integers or strings; received dtypes "
                             f"{[str(c.dtype) for c in columns]}.")
        return columns

    def compute_output_spec(self, *args, **kwargs):
        from cornu.backend.common.keras_tensor import KerasTensor
        shape, dtype = self._output_signature(tuple(args[0][0].shape))
        return KerasTensor(shape, dtype=dtype)

    def compute_output_shape(self, input_shape):
        return self._output_signature(tuple(input_shape[0]))[0]

    def _output_signature(self, shape):
        return encoded_shape(shape, self.output_mode, self.num_bins), self.dtype_name
