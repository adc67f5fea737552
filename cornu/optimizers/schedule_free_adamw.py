"""Schedule-Free AdamW (``keras.optimizers.ScheduleFreeAdamW``)."""
from cornu import ops
from cornu.optimizers.optimizer import Optimizer


class ScheduleFreeAdamW(Optimizer):
    """Schedule-Free AdamW: no learning-rate schedule needed, by interpolating between
    an SGD-like sequence and a running average of it (Defazio et al., 2024,
    https://arxiv.org/abs/2405.15682).

    Each variable keeps ``z`` (the slot named "momentum", starting at the variable's
    value) and Adam's second moment ``v``. The model's variable holds
    ``y = (1 - beta_1) * z + beta_1 * x``, where ``x`` is the average of the ``z``
    sequence. At step ``t``, with ``lr`` warmed up linearly over ``warmup_steps``:
    ``v += (g^2 - v) * (1 - beta_2)``; ``z_new = z - lr * g / (sqrt(v / (1 - beta_2^t))
    + epsilon)``; ``x = (y - (1 - beta_1) * z) / beta_1`` (recovered from the previous
    ``z``); ``x_new = (1 - 1/t) * x + (1/t) * z_new``;
    ``y_new = (1 - beta_1) * z_new + beta_1 * x_new``.

    Difference from Keras: Keras 3.15.1 on its torch backend reads the previous ``z``
    after updating it in place (``momentum.value`` aliases the tensor), so there ``x``
    is recovered from the new ``z``; on JAX and TensorFlow it uses the previous one, as
    the paper does. cornu follows the paper (and Keras on JAX) on every backend.

    Args:
        learning_rate: Float, schedule or callable. Defaults to 0.0025.
        beta_1: Float. Interpolation between ``z`` and ``x``. Defaults to 0.9.
        beta_2: Float. Decay of the second moment. Defaults to 0.999.
        epsilon: Float. Defaults to 1e-8.
        warmup_steps: Int. Steps over which the learning rate rises linearly from 0.
            Defaults to 0.
        **kwargs: The base optimizer arguments (`weight_decay`, `clipnorm`, `use_ema`, ...).

    Example:

    ```python
    model.compile(optimizer=cornu.optimizers.ScheduleFreeAdamW(learning_rate=0.0025),
                  loss="mse")
    ```
    """

    _hyperparameters = ("beta_1", "beta_2", "epsilon", "warmup_steps")

    def __init__(self, learning_rate=0.0025, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 warmup_steps=0, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
            clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
            ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.warmup_steps = warmup_steps

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"])
        with self._K.update_scope():  # z starts at the variable's value
            self._K.copy_(self._K.raw_list(self._momentums), self._K.raw_list(var_list))

    def _update_step(self, grads, lr):
        f = self._scalar
        t = self._local_step
        if self.warmup_steps > 0:
            lr = lr * min(t / self.warmup_steps, 1.0)
        correction_2 = float(f(1) - f(self.beta_2) ** f(t))
        b1, b2, weight = self.beta_1, self.beta_2, 1.0 / t
        params = self._pick(self._trainable_variables)
        momentums, velocities = self._pick(self._momentums), self._pick(self._velocities)
        new_w, new_z, new_v = [], [], []
        for y, g, z, v in zip(params, grads, momentums, velocities):
            v = v + (ops.square(g) - v) * (1 - b2)
            z_new = z - lr * g / (ops.sqrt(v / correction_2) + self.epsilon)
            x = (y - (1 - b1) * z) / b1
            x = (1 - weight) * x + weight * z_new
            new_w.append((1 - b1) * z_new + b1 * x)
            new_z.append(z_new)
            new_v.append(v)
        self._K.copy_(velocities, new_v)
        self._K.copy_(momentums, new_z)
        self._K.copy_(params, new_w)
