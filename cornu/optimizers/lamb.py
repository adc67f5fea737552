"""Lamb (``keras.optimizers.Lamb``)."""
from cornu import ops
from cornu.optimizers.optimizer import Optimizer


class Lamb(Optimizer):
    """Lamb: Adam's step rescaled per variable by the trust ratio ``||w|| / ||step||``.

    Per variable, at step ``t``: ``m += (g - m) * (1 - beta_1)``,
    ``v += (g^2 - v) * (1 - beta_2)``,
    ``step = (m / (1 - beta_1^t)) / (sqrt(v / (1 - beta_2^t)) + epsilon)``, then
    ``w -= ratio * lr * step`` with ``ratio = ||w|| / ||step||`` (1 when either norm is 0).
    It keeps large-batch training stable (Yang et al., 2019,
    https://arxiv.org/abs/1904.00962).

    Args:
        learning_rate: Float, schedule or callable. Defaults to 0.001.
        beta_1: Float. Decay of the first moment. Defaults to 0.9.
        beta_2: Float. Decay of the second moment. Defaults to 0.999.
        epsilon: Float. Added to the root of the second moment. Defaults to 1e-7.
        **kwargs: The base optimizer arguments (`weight_decay`, `clipnorm`, `use_ema`, ...).

    Example:

    ```python
    model.compile(optimizer=cornu.optimizers.Lamb(learning_rate=1e-3), loss="mse")
    ```
    """

    _hyperparameters = ("beta_1", "beta_2", "epsilon")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None,
                 **kwargs):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
            clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
            ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"])

    def _update_step(self, grads, lr):
        f = self._scalar  # bias corrections in the variables' precision, as Keras has them
        t, one = f(self._local_step), f(1)
        correction_1 = float(one - f(self.beta_1) ** t)
        correction_2 = float(one - f(self.beta_2) ** t)
        b1, b2, eps = self.beta_1, self.beta_2, self.epsilon
        params = self._pick(self._trainable_variables)
        momentums, velocities = self._pick(self._momentums), self._pick(self._velocities)
        new_m, new_v, new_w = [], [], []
        for w, g, m, v in zip(params, grads, momentums, velocities):
            m = m + (g - m) * (1 - b1)
            v = v + (ops.square(g) - v) * (1 - b2)
            step = (m / correction_1) / (ops.sqrt(v / correction_2) + eps)
            w_norm, s_norm = ops.sqrt(ops.sum(ops.square(w))), ops.sqrt(ops.sum(ops.square(step)))
            # ratio = w_norm / s_norm when both are positive, else 1 (no host sync)
            ratio = ops.where(ops.logical_and(w_norm > 0, s_norm > 0), w_norm / s_norm, 1.0)
            new_m.append(m)
            new_v.append(v)
            new_w.append(w - ratio * lr * step)
        self._K.copy_(momentums, new_m)
        self._K.copy_(velocities, new_v)
        self._K.copy_(params, new_w)
