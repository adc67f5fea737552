"""Nadam: Adam with Nesterov momentum (``keras.optimizers.Nadam``)."""
from cornu import backend
from cornu.optimizers._arguments import default_epsilon
from cornu.optimizers.optimizer import Optimizer


class Nadam(Optimizer):
    """Nadam, with Keras's momentum schedule ``u_t = beta_1 * (1 - 0.5 * 0.96^t)``.

    ``m_hat = u_{t+1} * m / (1 - prod(u_1..u_{t+1})) + (1 - u_t) * g / (1 - prod(u_1..u_t))``,
    ``w -= lr * m_hat / (sqrt(v / (1 - beta_2^t)) + epsilon)``.

    Args:
        learning_rate: Float, schedule or callable. Defaults to 0.001.
        beta_1: Float. Defaults to 0.9.
        beta_2: Float. Defaults to 0.999.
        epsilon: Float. Defaults to 1e-7.
        **kwargs: The base optimizer arguments (`weight_decay`, `clipnorm`, `use_ema`, ...).

    Example:

    ```python
    optimizer = cornu.optimizers.Nadam(learning_rate=0.002)
    ```
    """

    _hyperparameters = ("beta_1", "beta_2", "epsilon")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name="nadam",
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
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"])
        dtype = var_list[0].dtype if var_list else backend.floatx()
        self._u_product = self._add_host_variable(1.0, "u_product", dtype)

    def _update_step(self, grads, lr):
        K, f = self._K, self._scalar  # rounded as Keras rounds them (see ``_scalar``)
        t, one, decay, beta_1 = f(self._local_step), f(1), f(0.96), f(self.beta_1)
        u_t = beta_1 * (one - f(0.5) * decay ** t)
        u_next = beta_1 * (one - f(0.5) * decay ** (t + one))
        raw_product = self._raw_of(self._u_product)
        product = f(K.item(raw_product)) * u_t
        K.fill_(raw_product, float(product))
        m_coef = float(u_next / (one - product * u_next))
        g_coef = float((one - u_t) / (one - product))
        v_coef = float(one / (one - f(self.beta_2) ** t))
        K.nadam_(self._pick(self._trainable_variables), grads, self._pick(self._momentums),
                 self._pick(self._velocities), float(f(lr)), self.beta_1, self.beta_2,
                 self.epsilon, m_coef, g_coef, v_coef)
