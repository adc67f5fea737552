"""Whole-batch losses in one engine kernel, for the common compiled losses.

``mean_loss(kind, y_true, y_pred, ...)`` is the ``"sum_over_batch_size"`` value of
Keras's loss of that kind (the mean over the batch of the per-sample losses) when
no sample weights or masks are involved, computed the way a hand-written PyTorch
loop computes it: ``F.mse_loss``, ``F.cross_entropy`` and
``F.binary_cross_entropy_with_logits`` on the logits of a softmax or sigmoid
output (``logits.py``). It returns None whenever its shortcut does not apply
(other shapes or dtypes, a mask, probabilities without logits), and the caller
takes Keras's general path, which gives the same numbers.
"""
import torch
import torch.nn.functional as F

from cornu.backend.torch.core import to_torch_dtype
from cornu.backend.torch.logits import logits_of


def mean_loss(kind, y_true, y_pred, dtype, from_logits=False):
    """The batch-mean loss of ``kind`` (the loss function's name: "mean_squared_error",
    "sparse_categorical_crossentropy", "categorical_crossentropy" or
    "binary_crossentropy") in ``dtype`` (the loss's), or None (see the module)."""
    dtype = to_torch_dtype(dtype)
    if (y_pred.__class__ is not torch.Tensor or y_true.__class__ is not torch.Tensor
            or y_pred.dtype != dtype or getattr(y_pred, "_keras_mask", None) is not None
            or y_pred.ndim == 0 or y_pred.device != y_true.device):
        return None
    if kind == "sparse_categorical_crossentropy":
        logits = y_pred if from_logits else logits_of(y_pred, -1)
        if logits is None or logits.ndim != 2:
            return None
        if y_true.ndim == 2 and y_true.shape[1] == 1:
            y_true = y_true.view(-1)
        if y_true.shape != logits.shape[:1]:
            return None
        return F.cross_entropy(logits, y_true.long())
    if y_true.shape != y_pred.shape:
        return None
    if y_true.dtype != dtype:
        y_true = y_true.to(dtype)
    if kind == "mean_squared_error":
        return F.mse_loss(y_pred, y_true)
    if kind == "binary_crossentropy":
        logits = y_pred if from_logits else logits_of(y_pred)
        if logits is None:
            return None
        return F.binary_cross_entropy_with_logits(logits, y_true)
    if kind == "categorical_crossentropy":
        logits = y_pred if from_logits else logits_of(y_pred, -1)
        if logits is None or logits.ndim != 2:
            return None
        return F.cross_entropy(logits, y_true)
    return None
