"""Adamax: Adam with the infinity norm (``keras.optimizers.Adamax``)."""
from cornu.optimizers._arguments import default_epsilon
from cornu.optimizers.optimizer import Optimizer


class Adamax(Optimizer):
    """Adamax: ``m += (g - m) * (1 - beta_1)``, ``u = max(beta_2 * u, |g|)``,
    ``w -= lr * m / ((1 - beta_1^t) * (u + epsilon))``.

    Args:
        learning_rate: Float, schedule or callable. Defaults to 0.001.
        beta_1: Float. Defaults to 0.9.
        beta_2: Float. Decay of the infinity norm. Defaults to 0.999.
        epsilon: Float. Defaults to 1e-7.
        **kwargs: The base optimizer arguments (`weight_decay`, `clipnorm`, `use_ema`, ...).

    Example:

    ```python
    optimizer = cornu.optimizers.Adamax(learning_rate=0.002)
    ```
    """

    _hyperparameters = ("beta_1", "beta_2", "epsilon")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name="adamax",
                 **kwargs):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
            clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
            ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = default_epsilon(epsilon)

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._m, self._u = self.add_optimizer_variables(var_list, ["momentum", "norm"])

    def _update_step(self, grads, lr):
        step_size = lr / (1 - self.beta_1 ** self._local_step)
        self._K.adamax_(self._pick(self._trainable_variables), grads, self._pick(self._m),
                        self._pick(self._u), step_size, self.beta_1, self.beta_2, self.epsilon)
