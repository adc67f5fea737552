"""Lion (``keras.optimizers.Lion``)."""
from cornu.optimizers.optimizer import Optimizer


class Lion(Optimizer):
    """Lion: updates by the sign of an interpolated momentum.

    ``w -= lr * sign(beta_1 * m + (1 - beta_1) * g)``; ``m = beta_2 * m + (1 - beta_2) * g``.

    Args:
        learning_rate: Float, schedule or callable. Defaults to 0.001.
        beta_1: Float in (0, 1]. Interpolation for the update. Defaults to 0.9.
        beta_2: Float. Decay of the momentum. Defaults to 0.99.
        **kwargs: The base optimizer arguments (`weight_decay`, `clipnorm`, `use_ema`, ...).

    Example:

    ```python
    optimizer = cornu.optimizers.Lion(learning_rate=1e-4, weight_decay=0.01)
    ```
    """

    _hyperparameters = ("beta_1", "beta_2")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name="lion", **kwargs):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
            clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
            ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError("Argument `beta_1` must be in the [0, 1] range. Otherwise, the "
                             f"optimizer degenerates to SignSGD. Received: beta_1={beta_1}.")
        self.beta_1 = beta_1
        self.beta_2 = beta_2

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._momentums = self.add_optimizer_variables(var_list, "momentum")

    def _update_step(self, grads, lr):
        self._K.lion_(self._pick(self._trainable_variables), grads, self._pick(self._momentums),
                      lr, self.beta_1, self.beta_2)
