"""Numeric categorical layers: CategoryEncoding (integer ids to one-hot,
multi-hot or counts) and Discretization (floats to bucket ids)."""
import numpy as np

from cornu import ops
from cornu.backend.common.keras_tensor import KerasTensor
from cornu.layers.layer import Layer
from cornu.layers._preprocessing._common import (
    ENCODINGS, adapt_batches, check_choice, check_not_sparse, encode_categorical,
    encoded_shape, is_batch_iterable, to_numpy)

__all__ = ["CategoryEncoding", "Discretization"]


class _NumericDataLayer(Layer):
    """Lists and numpy arrays become one tensor (not a list of inputs)."""

    def _convert_input(self, x):
        if isinstance(x, (list, tuple)):
            x = np.asarray(x)
        return super()._convert_input(x)


class CategoryEncoding(_NumericDataLayer):
    """Encodes integer ids in ``[0, num_tokens)`` as one-hot, multi-hot or count vectors.

    Args:
        num_tokens: the number of ids (the size of the output's last axis).
        output_mode: ``"one_hot"`` (one vector per id; a trailing axis of size 1
            is replaced), ``"multi_hot"`` (default: one vector per sample, 1 for each
            id present) or ``"count"`` (how often each id appears; ``count_weights``
            passed to the call weight each occurrence).
        sparse: sparse outputs (not supported by cornu: only False).

    Example:
        >>> CategoryEncoding(num_tokens=4)([[0, 1], [0, 0], [1, 2], [3, 1]])
        # [[1, 1, 0, 0], [1, 0, 0, 0], [0, 1, 1, 0], [0, 1, 0, 1]]
    """

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        check_choice(f"CategoryEncoding '{self.name}'", "output_mode", output_mode,
                     ("count", "one_hot", "multi_hot"))
        if num_tokens is None:
            raise ValueError(
                f"CategoryEncoding '{self.name}': `num_tokens` must be set. If the number of "
                "tokens is not known beforehand, use the IntegerLookup layer instead.")
        if num_tokens < 1:
            raise ValueError(f"CategoryEncoding '{self.name}': `num_tokens` must be >= 1; "
                             f"received num_tokens={num_tokens}.")
        check_not_sparse(f"CategoryEncoding '{self.name}'", sparse)
        self.num_tokens = num_tokens
        self.output_mode = output_mode
        self.sparse = sparse
        self.built = True

    def call(self, inputs, count_weights=None):
        if count_weights is not None:
            if self.output_mode != "count":
                raise ValueError(
                    f"CategoryEncoding '{self.name}': `count_weights` is used only with "
                    f"output_mode='count'; this layer has output_mode={self.output_mode!r}.")
            count_weights = ops.convert_to_tensor(count_weights, dtype=self.dtype_name)
        return encode_categorical(inputs, self.output_mode, self.num_tokens, self.dtype_name,
                                  count_weights)

    def compute_output_shape(self, input_shape):
        return encoded_shape(input_shape, self.output_mode, self.num_tokens)


class Discretization(_NumericDataLayer):
    """Buckets float inputs by ``bin_boundaries``: with boundaries ``[0., 1., 2.]``,
    x < 0 gives 0, 0 <= x < 1 gives 1, 1 <= x < 2 gives 2 and x >= 2 gives 3.

    Args:
        bin_boundaries: the increasing boundaries; or leave None and set ``num_bins``
            and call ``adapt`` to learn quantile boundaries.
        num_bins: the number of bins to learn with ``adapt``.
        epsilon: the error tolerance of the quantile sketch (smaller: more exact).
        output_mode: ``"int"`` (bin ids, int32), ``"one_hot"``, ``"multi_hot"`` or
            ``"count"`` (floats, as ``CategoryEncoding`` encodes them).
        sparse: sparse outputs (not supported by cornu: only False).
    """

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int",
                 sparse=False, **kwargs):
        super().__init__(**kwargs)
        where = f"Discretization '{self.name}'"
        check_not_sparse(where, sparse)
        check_choice(where, "output_mode", output_mode, ENCODINGS)
        if num_bins is not None and num_bins < 0:
            raise ValueError(f"{where}: `num_bins` must be >= 0; received num_bins={num_bins}.")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(f"{where}: set `num_bins` or `bin_boundaries`, not both. "
                             f"Received num_bins={num_bins}, bin_boundaries={bin_boundaries}.")
        if num_bins is None and bin_boundaries is None:
            raise ValueError(f"{where}: set either `num_bins` (and call `adapt`) or "
                             "`bin_boundaries`.")
        self.bin_boundaries = None if bin_boundaries is None else list(bin_boundaries)
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = sparse
        self.summary = None if self.bin_boundaries else np.array([[], []], dtype="float32")
        self.built = True

    @property
    def output_dtype(self):
        return self.dtype_name if self.output_mode != "int" else "int32"

    def adapt(self, data, steps=None):
        """Learn ``num_bins`` quantile boundaries from ``data`` (an array, or an
        iterable of batches; ``steps`` limits how many batches are read)."""
        if self.num_bins is None:
            raise ValueError(
                f"Discretization '{self.name}' was built with `bin_boundaries`; only a layer "
                "with `num_bins` can adapt.")
        self.reset_state()
        if is_batch_iterable(data):
            for batch in adapt_batches(data, steps):
                self.update_state(batch)
        else:
            self.update_state(data)
        self.finalize_state()

    def update_state(self, data):
        data = to_numpy(data).astype("float32")
        self.summary = _merge_summaries(_summarize(data, self.epsilon), self.summary,
                                        self.epsilon)

    def finalize_state(self):
        if self.num_bins is not None:
            self.bin_boundaries = _compress(self.summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def reset_state(self):
        if self.num_bins is not None:
            self.summary = np.array([[], []], dtype="float32")

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError(
                f"Discretization '{self.name}': pass `bin_boundaries` or call `adapt(data)` "
                "before using the layer.")
        bins = ops.convert_to_tensor(np.asarray(self.bin_boundaries, "float32"))
        indices = ops.digitize(ops.cast(inputs, "float32"), bins)
        return encode_categorical(indices, self.output_mode, len(self.bin_boundaries) + 1,
                                  self.output_dtype)

    def compute_output_spec(self, inputs):
        depth = (len(self.bin_boundaries) + 1) if self.bin_boundaries is not None else (
            self.num_bins)
        return KerasTensor(encoded_shape(inputs.shape, self.output_mode, depth),
                           dtype=self.output_dtype)

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if config.get("bin_boundaries") is not None and config.get("num_bins") is not None:
            bins = config.pop("bin_boundaries")  # adapted: keep num_bins, restore the bins
            layer = super().from_config(config)
            layer.bin_boundaries = bins
            return layer
        return super().from_config(config)


def _summarize(values, epsilon):
    """A (2, n) summary of sorted values: sampled quantile points and their weights."""
    values = np.sort(np.reshape(values, [-1]))
    step = max(values.size / (1.0 / epsilon), 1)
    boundaries = values[int(step - 1)::int(step)]
    return np.stack([boundaries, np.ones_like(boundaries) * step])


def _merge_summaries(first, second, epsilon):
    merged = np.concatenate((first, second), axis=1)
    merged = np.take(merged, np.argsort(merged[0]), axis=1)
    return _compress(merged, epsilon)


def _compress(summary, epsilon):
    """The summary resampled at quantiles ``epsilon, 2 epsilon, ..., 1``."""
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cum_weights = summary[1].cumsum()
    cum_percents = cum_weights / cum_weights[-1]
    new_bins = np.interp(percents, cum_percents, summary[0])
    cum_weights = np.interp(percents, cum_percents, cum_weights)
    new_weights = cum_weights - np.concatenate((np.array([0]), cum_weights[:-1]))
    return np.stack((new_bins, new_weights)).astype("float32")
