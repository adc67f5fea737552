"""Pieces the preprocessing layers share: categorical encoding, host-side data
layers (strings and vocabularies live in numpy), and walking ``adapt`` data."""
import numpy as np

from cornu import backend, ops
from cornu.backend.common.keras_tensor import KerasTensor
from cornu.layers.layer import Layer

ENCODINGS = ("int", "one_hot", "multi_hot", "count")


def check_choice(layer, name, value, allowed):
    """A ValueError naming the layer when ``value`` is not one of ``allowed``."""
    if value not in allowed:
        raise ValueError(f"{layer}: invalid value for argument `{name}`. Expected one of "
                         f"{list(allowed)}; received {name}={value!r}.")


def check_not_sparse(layer, sparse):
    if sparse:
        raise ValueError(f"{layer}: `sparse=True` needs sparse tensors, which only Keras's "
                         "TensorFlow backend has. Use sparse=False (dense outputs).")


def encode_categorical(x, output_mode, depth, dtype, count_weights=None):
    """Integer ``x`` encoded as Keras's ``encode_categorical_inputs`` does.

    ``one_hot`` adds a class axis (replacing a trailing axis of size 1);
    ``multi_hot`` and ``count`` reduce the sample axis (axis 1, or 0 for a 1-D
    input, which is one sample) into ``depth`` classes. Indices outside
    ``[0, depth)`` count for nothing.
    """
    x = ops.convert_to_tensor(x)
    if output_mode == "int":
        return ops.cast(x, dtype)
    if x.ndim == 0:
        x = ops.expand_dims(x, -1)
    if output_mode == "one_hot":
        if x.ndim > 1 and x.shape[-1] == 1:
            x = ops.squeeze(x, -1)
        return ops.one_hot(x, depth, dtype=dtype)
    if count_weights is not None:
        dtype = backend.standardize_dtype(count_weights.dtype)
    single = x.ndim == 1
    if single:
        x = ops.expand_dims(x, 0)
        count_weights = None if count_weights is None else ops.expand_dims(count_weights, 0)
    elif x.ndim > 2:  # reduce axis 1: bring it last and fold the other axes into rows
        x = ops.moveaxis(x, 1, -1)
        count_weights = None if count_weights is None else ops.moveaxis(count_weights, 1, -1)
    lead = tuple(x.shape[:-1])
    rows = ops.reshape(x, (-1, x.shape[-1]))  # (R, samples)
    valid = ops.logical_and(rows >= 0, rows < depth)
    if count_weights is None:
        weights = ops.cast(valid, dtype)
    else:
        weights = ops.where(valid, ops.reshape(ops.cast(count_weights, dtype), rows.shape), 0)
    row_ids = ops.broadcast_to(ops.expand_dims(ops.arange(rows.shape[0]), -1), rows.shape)
    index = ops.stack([row_ids, ops.where(valid, rows, 0)], axis=-1)  # (R, samples, 2)
    out = ops.scatter(ops.reshape(index, (-1, 2)), ops.reshape(weights, (-1,)),
                      (rows.shape[0], depth))
    if output_mode == "multi_hot":
        out = ops.minimum(out, 1)
    out = ops.reshape(out, lead + (depth,))
    return out[0] if single else out


def encoded_shape(shape, output_mode, depth):
    """The shape ``encode_categorical`` gives for inputs of ``shape``."""
    shape = tuple(shape)
    if output_mode == "int":
        return shape
    if not shape:
        return (depth,)
    if output_mode == "one_hot":
        if len(shape) > 1 and shape[-1] == 1:
            shape = shape[:-1]
        return shape + (depth,)
    if len(shape) == 1:
        return (depth,)
    return (shape[0],) + shape[2:] + (depth,)


class HostLayer(Layer):
    """A layer whose work happens in numpy on the host (strings, vocabularies,
    hashes): inputs reach ``call`` as given, outputs are backend tensors, and
    symbolic calls take their shape from ``compute_output_spec``."""

    def _convert_input(self, x):
        return x

    def compute_output_spec(self, *args, **kwargs):
        shape, dtype = self._output_signature(tuple(args[0].shape))
        return KerasTensor(shape, dtype=dtype)

    def compute_output_shape(self, input_shape):
        return self._output_signature(tuple(input_shape))[0]

    def _output_signature(self, shape):
        raise NotImplementedError


def to_numpy(x):
    """Layer inputs as a numpy array: tensors are fetched, bytes decoded to str."""
    if backend.is_tensor(x) or isinstance(x, backend.Variable):
        return np.asarray(backend.convert_to_numpy(x))
    array = np.asarray(x)
    if array.dtype.kind == "S":
        array = np.char.decode(array, "utf-8")
    elif array.dtype.kind == "O":
        flat = [v.decode("utf-8") if isinstance(v, bytes) else v for v in array.ravel()]
        out = np.empty(len(flat), dtype=object)
        out[:] = flat
        array = out.reshape(array.shape)
    return array


def first_of_batch(batch):
    """``x`` of an ``(x, y)`` or ``(x, y, sample_weight)`` batch."""
    if isinstance(batch, tuple) and batch and not isinstance(batch[0], (str, bytes)):
        return batch[0]
    return batch


def is_batch_iterable(data):
    """Whether ``adapt`` data is a stream of batches rather than one array-like."""
    return hasattr(data, "__iter__") and not isinstance(
        data, (list, tuple, np.ndarray, str, bytes)) and not backend.is_tensor(data)


def adapt_batches(data, steps=None):
    """The ``x`` of each batch of a stream of ``adapt`` batches, at most ``steps`` of them."""
    for i, batch in enumerate(data):
        if steps is not None and i >= steps:
            return
        yield first_of_batch(batch)


def map_unique(values, fn, dtype="int64"):
    """``fn`` applied to each distinct entry of the array ``values`` (computed once per
    distinct value), as an array of the same shape."""
    flat = values.ravel()
    if flat.size == 0:
        return np.zeros(values.shape, dtype=dtype)
    uniq, inverse = np.unique(flat, return_inverse=True)
    mapped = np.array([fn(u) for u in uniq.tolist()], dtype=dtype)
    return mapped[inverse.reshape(-1)].reshape(values.shape)
