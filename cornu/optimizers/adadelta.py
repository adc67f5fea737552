"""Adadelta (``keras.optimizers.Adadelta``)."""
from cornu.optimizers._arguments import default_epsilon
from cornu.optimizers.optimizer import Optimizer


class Adadelta(Optimizer):
    """Adadelta: rates adapted from moving windows of gradients and updates.

    ``Eg = rho * Eg + (1 - rho) * g^2``; ``d = -sqrt(Ed + eps) * g / sqrt(Eg + eps)``;
    ``Ed = rho * Ed + (1 - rho) * d^2``; ``w += lr * d``.

    Args:
        learning_rate: Float, schedule or callable. Defaults to 0.001 (the paper uses 1.0).
        rho: Float. Decay rate. Defaults to 0.95.
        epsilon: Float. Defaults to 1e-7.
        **kwargs: The base optimizer arguments (`weight_decay`, `clipnorm`, `use_ema`, ...).

    Example:

    ```python
    optimizer = cornu.optimizers.Adadelta(learning_rate=1.0)
    ```
    """

    _hyperparameters = ("rho", "epsilon")

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name="adadelta", **kwargs):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
            clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
            ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.rho = rho
        self.epsilon = default_epsilon(epsilon)

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._accumulated_grads, self._accumulated_delta_vars = self.add_optimizer_variables(
            var_list, ["accumulated_grad", "accumulated_delta_var"])

    def _update_step(self, grads, lr):
        self._K.adadelta_(self._pick(self._trainable_variables), grads,
                          self._pick(self._accumulated_grads),
                          self._pick(self._accumulated_delta_vars), lr, self.rho, self.epsilon)
