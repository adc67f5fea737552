"""The ``Loss`` base class, its reductions, and ``LossFunctionWrapper``.

A loss's ``call`` returns one value per sample (or per sample and timestep);
``Loss.__call__`` then weights those values by ``sample_weight`` and the
Keras mask of ``y_pred`` and reduces them to a scalar.
"""
import warnings

from cornu import backend, ops
from cornu.backend.common.global_state import to_snake_case, uniquify

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


def standardize_reduction(reduction):
    """``reduction`` checked against the names Keras accepts (Keras 2's ``"auto"``
    still means ``"sum_over_batch_size"``, with a DeprecationWarning)."""
    if reduction == "auto":
        warnings.warn("reduction='auto' is a Keras 2 spelling; use "
                      "reduction='sum_over_batch_size' instead.", DeprecationWarning, stacklevel=4)
        return "sum_over_batch_size"
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"Invalid value for argument `reduction`: {reduction!r}. Expected one of "
            f"{', '.join(repr(r) for r in REDUCTIONS)}.")
    return reduction


def standardize_dtype(dtype):
    """A dtype name from None (floatx), a name, or a Keras DTypePolicy (object or config)."""
    if dtype is None:
        return backend.floatx()
    if isinstance(dtype, dict):  # a serialized DTypePolicy
        dtype = dtype.get("config", {}).get("name", backend.floatx())
    dtype = getattr(dtype, "compute_dtype", dtype)
    if isinstance(dtype, str) and dtype.startswith("mixed_"):
        dtype = dtype[len("mixed_"):]
    return backend.standardize_dtype(dtype)


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Make ranks equal when they differ by one trailing axis of size 1.

    ``(N,)`` against ``(N, 1)`` becomes ``(N, 1)`` and ``(N, 1)``
    (``expand_rank_1``); ``(N, T)`` against ``(N, T, 1)`` drops that axis.
    """
    r1, r2 = len(x1.shape), len(x2.shape)
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = ops.expand_dims(x2, -1)
        else:
            x1 = ops.squeeze(x1, -1)
    elif r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = ops.expand_dims(x1, -1)
        else:
            x2 = ops.squeeze(x2, -1)
    return x1, x2


def _num_elements(x):
    n = 1
    for d in x.shape:
        n *= d
    return n


def _broadcast_weights(values, sample_weight):
    """``sample_weight`` shaped to multiply ``values``: a per-sample weight of shape
    ``(N,)`` applies to every timestep of ``(N, T)`` values."""
    values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
    extra = len(values.shape) - len(sample_weight.shape)
    if extra > 0 and len(sample_weight.shape) > 0:
        sample_weight = ops.reshape(sample_weight, tuple(sample_weight.shape) + (1,) * extra)
    return values, sample_weight


def apply_mask(sample_weight, mask, dtype, reduction):
    """Fold a boolean mask into ``sample_weight``.

    For the averaging reductions, valid entries get weight ``total / valid`` so
    that dividing by the number of entries averages over the valid ones only.
    """
    if mask is None:
        return sample_weight
    mask = ops.cast(mask, dtype)
    if reduction in ("mean", "sum_over_batch_size"):
        valid = ops.sum(mask)
        mask = mask * ops.divide_no_nan(float(_num_elements(mask)), valid)
    if sample_weight is None:
        return mask
    sample_weight = ops.cast(sample_weight, dtype)
    mask, sample_weight = squeeze_or_expand_to_same_rank(mask, sample_weight)
    return sample_weight * mask


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Reduce (already weighted) loss values as ``reduction`` says."""
    if reduction is None or reduction == "none" or tuple(values.shape) in ((), (0,)):
        return values
    loss = ops.sum(values)
    if reduction == "sum":
        return loss
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        return ops.divide_no_nan(loss, ops.cast(ops.sum(sample_weight), loss.dtype))
    # 'sum_over_batch_size' and 'mean': divide by the number of entries.
    return loss / _num_elements(values)


def reduce_weighted_values(values, sample_weight=None, mask=None,
                           reduction="sum_over_batch_size", dtype=None):
    """Weight ``values`` by ``sample_weight`` and ``mask``, then reduce them."""
    reduction = standardize_reduction(reduction)
    values = ops.convert_to_tensor(values, dtype=dtype)
    if sample_weight is not None:
        sample_weight = ops.convert_to_tensor(sample_weight, dtype=values.dtype)
    sample_weight = apply_mask(sample_weight, mask, values.dtype, reduction)
    if sample_weight is not None:
        values, sample_weight = _broadcast_weights(values, sample_weight)
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)


def get_keras_mask(x):
    """The Keras mask carried by ``x`` (``x._keras_mask``), or None."""
    return getattr(x, "_keras_mask", None)


class Loss:
    """Base class of losses: subclasses write ``call(y_true, y_pred)``.

    ``call`` returns per-sample losses; calling the loss weights them by
    ``sample_weight`` and ``y_pred``'s Keras mask, then reduces them.

    Args:
        name: name of the loss instance.
        reduction: ``"sum_over_batch_size"`` (default: the sum divided by the
            number of entries), ``"sum"``, ``"mean"`` (same as the default),
            ``"mean_with_sample_weight"`` (the sum divided by the sum of the
            sample weights), or ``"none"`` / ``None`` (no reduction).
        dtype: the dtype of the computation (default: floatx).

    Example:

    >>> class MeanSquaredError(cornu.losses.Loss):
    ...     def call(self, y_true, y_pred):
    ...         return cornu.ops.mean(cornu.ops.square(y_pred - y_true), axis=-1)
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or uniquify(to_snake_case(type(self).__name__))
        self.reduction = standardize_reduction(reduction)
        self._dtype = standardize_dtype(dtype)

    @property
    def dtype(self):
        return self._dtype

    def __call__(self, y_true, y_pred, sample_weight=None):
        in_mask = get_keras_mask(y_pred)
        y_pred = ops.convert_to_tensor(y_pred, dtype=self._dtype)
        y_true = ops.convert_to_tensor(y_true, dtype=self._dtype)
        losses = self.call(y_true, y_pred)
        out_mask = get_keras_mask(losses)
        if in_mask is not None and out_mask is not None:
            mask = ops.logical_and(in_mask, out_mask)
        else:
            mask = in_mask if out_mask is None else out_mask
        if sample_weight is None and mask is None:
            return reduce_values(losses, None, self.reduction)
        return reduce_weighted_values(losses, sample_weight, mask, self.reduction, self._dtype)

    def call(self, y_true, y_pred):
        """The per-sample loss values."""
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred).")

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


class LossFunctionWrapper(Loss):
    """A ``Loss`` made from a function ``fn(y_true, y_pred, **kwargs)`` returning
    per-sample values.

    Args:
        fn: the loss function.
        reduction, name, dtype: as for ``Loss``.
        **kwargs: passed to ``fn`` on each call.

    Example:

    >>> loss = cornu.losses.LossFunctionWrapper(cornu.losses.huber, delta=0.5)
    >>> loss([[0., 1.]], [[0.5, 0.]])
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs
        self._fast = _fast_kind(fn, kwargs, self.reduction)
        for key, value in kwargs.items():  # Keras exposes them (loss.from_logits, ...)
            if not hasattr(type(self), key):
                setattr(self, key, value)

    def __call__(self, y_true, y_pred, sample_weight=None):
        if self._fast is not None and sample_weight is None:
            # the common losses on plain batches: one engine kernel, the same value
            value = backend.fused_losses.mean_loss(
                self._fast, y_true, y_pred, self._dtype, self._fn_kwargs.get("from_logits"))
            if value is not None:
                return value
        return super().__call__(y_true, y_pred, sample_weight)

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config = super().get_config()
        if type(self) is LossFunctionWrapper:
            from cornu.saving.serialization import serialize_keras_object
            config["fn"] = serialize_keras_object(self.fn)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("fn"), (str, dict)):
            from cornu import losses
            config["fn"] = losses.deserialize(config["fn"])
        return cls(**config)

    def __repr__(self):
        if type(self) is LossFunctionWrapper:
            fn = getattr(self.fn, "__name__", self.fn)
            return f"<LossFunctionWrapper({fn}, kwargs={self._fn_kwargs})>"
        return super().__repr__()


# Loss functions with a one-kernel batch mean (``backend.fused_losses``, which names
# them as here), and the options (with their defaults) under which that shortcut holds.
_FAST_DEFAULTS = {
    "mean_squared_error": {},
    "sparse_categorical_crossentropy": {"from_logits": False, "ignore_class": None, "axis": -1},
    "categorical_crossentropy": {"from_logits": False, "label_smoothing": 0.0, "axis": -1},
    "binary_crossentropy": {"from_logits": False, "label_smoothing": 0.0, "axis": -1},
}


def _fast_kind(fn, kwargs, reduction):
    """The ``backend.fused_losses`` kind for ``fn(**kwargs)`` reduced by ``reduction``,
    or None. Only cornu's own loss functions with their default options qualify."""
    if reduction not in ("sum_over_batch_size", "mean") or not getattr(
            fn, "__module__", "").startswith("cornu.losses"):
        return None
    kind = getattr(fn, "__name__", None)
    defaults = _FAST_DEFAULTS.get(kind)
    if defaults is None:
        return None
    for key, value in kwargs.items():
        if key not in defaults or (key != "from_logits" and value != defaults[key]):
            return None
    return kind
