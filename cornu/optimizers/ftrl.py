"""FTRL-Proximal (``keras.optimizers.Ftrl``)."""
from cornu.optimizers.optimizer import Optimizer


class Ftrl(Optimizer):
    """Follow The Regularized Leader, as in McMahan et al. 2013 (with Keras's shrinkage
    and ``beta`` extensions).

    Args:
        learning_rate: Float, schedule or callable. Defaults to 0.001.
        learning_rate_power: Float <= 0. Defaults to -0.5.
        initial_accumulator_value: Float >= 0. Defaults to 0.1.
        l1_regularization_strength: Float >= 0. Defaults to 0.0.
        l2_regularization_strength: Float >= 0. Defaults to 0.0.
        l2_shrinkage_regularization_strength: Float >= 0. A magnitude penalty.
            Defaults to 0.0.
        beta: Float. Defaults to 0.0.
        **kwargs: The base optimizer arguments (`weight_decay`, `clipnorm`, `use_ema`, ...).

    Example:

    ```python
    optimizer = cornu.optimizers.Ftrl(learning_rate=0.1, l1_regularization_strength=0.01)
    ```
    """

    _hyperparameters = ("learning_rate_power", "initial_accumulator_value",
                        "l1_regularization_strength", "l2_regularization_strength",
                        "l2_shrinkage_regularization_strength", "beta")

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5,
                 initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, l2_shrinkage_regularization_strength=0.0,
                 beta=0.0, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name="ftrl", **kwargs):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
            clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
            ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        for arg, value, sign in (
                ("initial_accumulator_value", initial_accumulator_value, "positive or zero"),
                ("learning_rate_power", -learning_rate_power, "negative or zero"),
                ("l1_regularization_strength", l1_regularization_strength, "positive or zero"),
                ("l2_regularization_strength", l2_regularization_strength, "positive or zero"),
                ("l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength,
                 "positive or zero")):
            if value < 0.0:
                shown = -value if arg == "learning_rate_power" else value
                raise ValueError(f"`{arg}` needs to be {sign}. Received: {arg}={shown}.")
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._accumulators, self._linears = [], []
        for var in var_list:
            self._accumulators.append(self.add_variable(
                var.shape, initializer=self.initial_accumulator_value, dtype=var.dtype,
                name="accumulator"))
            self._linears.append(self.add_variable_from_reference(var, "linear"))

    def _update_step(self, grads, lr):
        l2 = self.l2_regularization_strength + self.beta / (2.0 * lr)
        self._K.ftrl_(self._pick(self._trainable_variables), grads,
                      self._pick(self._accumulators), self._pick(self._linears), lr,
                      self.learning_rate_power, self.l1_regularization_strength, l2,
                      self.l2_shrinkage_regularization_strength)
