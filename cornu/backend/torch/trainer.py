"""The torch training step: forward, loss, ``torch.autograd.grad``, fused optimizer update."""
import torch

from cornu.layers import layer as layer_module
from cornu.trainers.data_adapters import unpack_x_y_sample_weight
from cornu.trainers.trainer import Trainer


def _detach(structure):
    if isinstance(structure, torch.Tensor):
        return structure.detach()
    if isinstance(structure, (list, tuple)):
        return type(structure)(_detach(v) for v in structure)
    if isinstance(structure, dict):
        return {k: _detach(v) for k, v in structure.items()}
    return structure


def _batch_size(x):
    while isinstance(x, (list, tuple, dict)):
        x = next(iter(x.values())) if isinstance(x, dict) else x[0]
    return x.shape[0]


class TorchTrainer(Trainer):
    """Trainer steps for the torch backend."""

    _train_forward = None

    def _prepare_training(self):
        """Collect the trainable variables once; freeze the gradients of the others."""
        variables = self.trainable_weights
        ids = {id(v) for v in variables}
        for v in self.weights:
            if v._value.is_floating_point():
                v._value.requires_grad_(id(v) in ids)
        self._train_vars = variables
        self._train_params = [v._value for v in variables]
        self._scales_loss = getattr(self.optimizer, "loss_scale_factor", None) is not None or (
            type(self.optimizer).__name__ == "LossScaleOptimizer")
        if variables and not getattr(self.optimizer, "built", False):
            self.optimizer.build(variables)

    def _forward_and_loss(self, x, y, sample_weight):
        """The model's output and loss for one training batch: the part of a step that
        ``jit_compile=True`` compiles (its backward graph comes with it)."""
        if layer_module._loss_state.added:
            self._clear_losses()
        y_pred = self(x, training=True)
        loss = self._compute_loss(x, y, y_pred, sample_weight, training=True)
        return loss, y_pred

    def train_step(self, data):
        """One training step on ``data`` (``x``, ``(x, y)`` or ``(x, y, sample_weight)``);
        returns the logs."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        if self._train_vars is None:
            # The first step runs eagerly: it may build the model, and it settles which
            # tensors need gradients before anything is compiled.
            loss, y_pred = self._forward_and_loss(x, y, sample_weight)
            self._prepare_training()
        else:
            loss, y_pred = (self._train_forward or self._forward_and_loss)(x, y, sample_weight)
        self._loss_tracker._add_weighted_scalar(loss.detach(), _batch_size(x))
        if self._train_params:
            scaled = self.optimizer.scale_loss(loss) if self._scales_loss else loss
            grads = torch.autograd.grad(scaled, self._train_params, allow_unused=True)
            self.optimizer.apply(list(grads), self._train_vars)
        return self.compute_metrics(x, y, _detach(y_pred), sample_weight)

    def test_step(self, data):
        """One evaluation step on ``data``; returns the logs."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with torch.no_grad():
            if layer_module._loss_state.added:
                self._clear_losses()
            y_pred = self(x, training=False)
            loss = self._compute_loss(x, y, y_pred, sample_weight, training=False)
            self._loss_tracker._add_weighted_scalar(loss, _batch_size(x))
            return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data):
        """The model's outputs on the ``x`` of ``data``."""
        x = unpack_x_y_sample_weight(data)[0]
        with torch.no_grad():
            return self(x, training=False)

    def make_train_function(self, force=False):
        if self._train_function is not None and not force:
            return self._train_function
        self._train_vars = None
        self._train_forward = self._forward_and_loss
        if self.jit_compile:
            self._train_forward = compile_step(self._forward_and_loss)
            if hasattr(self.optimizer, "_K"):
                from cornu.backend.torch.optimizers import CompiledKernels
                self.optimizer._K = CompiledKernels()
        self._train_function = self._step_function(self.train_step)
        return self._train_function


def compile_step(fn):
    """``torch.compile(fn)`` for a training forward pass: whole-graph, static shapes (a
    smaller last batch compiles once more), and dropout drawing from the same generator
    as eager mode (inductor's own RNG would give other masks, so other losses)."""
    from cornu.backend.torch import fused
    fused.prepare_for_compile()
    return torch.compile(fn, dynamic=False, options={"fallback_random": True})
