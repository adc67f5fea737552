"""Adam (``keras.optimizers.Adam``)."""
import numpy as np

from cornu.optimizers._arguments import default_epsilon
from cornu.optimizers.optimizer import Optimizer


class Adam(Optimizer):
    """Adam: adaptive estimates of the first and second moments of the gradients.

    Keras's form: ``m += (g - m) * (1 - beta_1)``, ``v += (g^2 - v) * (1 - beta_2)``,
    ``w -= lr * sqrt(1 - beta_2^t) / (1 - beta_1^t) * m / (sqrt(v) + epsilon)``
    (epsilon outside the bias correction, unlike ``torch.optim.Adam``).

    Args:
        learning_rate: Float, schedule or callable. Defaults to 0.001.
        beta_1: Float. Decay of the first moment. Defaults to 0.9.
        beta_2: Float. Decay of the second moment. Defaults to 0.999.
        epsilon: Float. Defaults to 1e-7.
        amsgrad: Boolean. Use the running maximum of ``v`` (AMSGrad).
        **kwargs: The base optimizer arguments (`weight_decay`, `clipnorm`, `use_ema`, ...).

    Example:

    ```python
    model.compile(optimizer=cornu.optimizers.Adam(learning_rate=1e-3), loss="mse")
    ```
    """

    _hyperparameters = ("beta_1", "beta_2", "epsilon", "amsgrad")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name="adam", **kwargs):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
            clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
            ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = default_epsilon(epsilon)
        self.amsgrad = amsgrad

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"])
        if self.amsgrad:
            self._velocity_hats = self.add_optimizer_variables(var_list, "velocity_hat")

    def _update_step(self, grads, lr):
        f = self._scalar  # rounded as Keras rounds them (see ``_scalar``)
        t, one = f(self._local_step), f(1)
        alpha = float(f(lr) * np.sqrt(one - f(self.beta_2) ** t) / (one - f(self.beta_1) ** t))
        v_hat = self._pick(self._velocity_hats) if self.amsgrad else None
        self._K.adam_(self._pick(self._trainable_variables), grads, self._pick(self._momentums),
                      self._pick(self._velocities), v_hat, alpha, self.beta_1, self.beta_2,
                      self.epsilon)
