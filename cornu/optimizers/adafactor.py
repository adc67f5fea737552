"""Adafactor (``keras.optimizers.Adafactor``)."""
import math

from cornu.optimizers.optimizer import Optimizer


class Adafactor(Optimizer):
    """Adafactor: second moments factored into row and column averages over the last
    two dimensions, so they take memory proportional to rows + columns.

    Args:
        learning_rate: Float, schedule or callable. Defaults to 0.001.
        beta_2_decay: Float. The second-moment decay is ``1 - t^beta_2_decay``.
            Defaults to -0.8.
        epsilon_1: Float. Added to squared gradients. Defaults to 1e-30.
        epsilon_2: Float. Lower bound of the weights' RMS in the step size. Defaults to 1e-3.
        clip_threshold: Float. Update clipping threshold. Defaults to 1.0.
        relative_step: Boolean. With a float learning rate, use
            ``min(learning_rate, 1 / sqrt(t))``. Defaults to True.
        **kwargs: The base optimizer arguments (`weight_decay`, `clipnorm`, `use_ema`, ...).

    Example:

    ```python
    optimizer = cornu.optimizers.Adafactor(learning_rate=0.01)
    ```
    """

    _hyperparameters = ("beta_2_decay", "epsilon_1", "epsilon_2", "clip_threshold",
                        "relative_step")

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3,
                 clip_threshold=1.0, relative_step=True, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name="adafactor", **kwargs):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
            clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
            ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.beta_2_decay = beta_2_decay
        self.epsilon_1 = epsilon_1
        self.epsilon_2 = epsilon_2
        self.clip_threshold = clip_threshold
        self.relative_step = relative_step

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._r, self._c, self._v = [], [], []
        for var in var_list:
            base = (getattr(var, "path", None) or var.name).replace("/", "_")
            shape = tuple(var.shape)
            if len(shape) < 2:  # not factored: scalar placeholders keep Keras's variable order
                r_shape, c_shape = (), ()
            else:  # factor the last two dimensions
                r_shape, c_shape = shape[:-1], shape[:-2] + shape[-1:]
            self._r.append(self.add_variable(r_shape, dtype=var.dtype, name=base + "_r"))
            self._c.append(self.add_variable(c_shape, dtype=var.dtype, name=base + "_c"))
            self._v.append(self.add_variable_from_reference(var, "velocity"))

    def _update_step(self, grads, lr):
        t = self._local_step
        if self.relative_step and not callable(self._learning_rate):  # a float rate
            lr = min(lr, 1.0 / math.sqrt(t))
        rho_t = min(lr, 1.0 / math.sqrt(t))
        self._K.adafactor_(self._pick(self._trainable_variables), grads, self._pick(self._r),
                           self._pick(self._c), self._pick(self._v), rho_t, float(t),
                           self.beta_2_decay, self.epsilon_1, self.epsilon_2,
                           self.clip_threshold)
