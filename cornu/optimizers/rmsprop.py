"""RMSprop (``keras.optimizers.RMSprop``)."""
from cornu.optimizers._arguments import default_epsilon
from cornu.optimizers.optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop: divide the gradient by a moving RMS of recent gradients.

    ``v = rho * v + (1 - rho) * g^2``; ``w -= lr * g / sqrt(v + epsilon)`` (centered:
    ``sqrt(v - a^2 + epsilon)`` with ``a`` the moving mean of ``g``); with momentum,
    ``m = momentum * m + lr * g / sqrt(...)`` and ``w -= m``.

    Args:
        learning_rate: Float, schedule or callable. Defaults to 0.001.
        rho: Float. Decay of the moving averages. Defaults to 0.9.
        momentum: Float. Defaults to 0.0.
        epsilon: Float. Defaults to 1e-7.
        centered: Boolean. Normalize by the estimated variance of the gradient.
        **kwargs: The base optimizer arguments (`weight_decay`, `clipnorm`, `use_ema`, ...).

    Example:

    ```python
    optimizer = cornu.optimizers.RMSprop(learning_rate=0.001, rho=0.9, centered=True)
    ```
    """

    _hyperparameters = ("rho", "momentum", "epsilon", "centered")

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name="rmsprop",
                 **kwargs):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
            clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
            ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = default_epsilon(epsilon)
        self.centered = centered

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._velocities = self.add_optimizer_variables(var_list, "velocity")
        self._momentums = []
        if self.momentum > 0:
            self._momentums = self.add_optimizer_variables(var_list, "momentum")
        self._average_gradients = []
        if self.centered:
            self._average_gradients = self.add_optimizer_variables(var_list, "average_gradient")

    def _update_step(self, grads, lr):
        momentums = self._pick(self._momentums) if self.momentum > 0 else None
        averages = self._pick(self._average_gradients) if self.centered else None
        self._K.rmsprop_(self._pick(self._trainable_variables), grads,
                         self._pick(self._velocities), momentums, averages, lr, self.rho,
                         self.momentum, self.epsilon)
