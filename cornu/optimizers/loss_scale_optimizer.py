"""LossScaleOptimizer: dynamic loss scaling around another optimizer
(``keras.optimizers.LossScaleOptimizer``)."""
from cornu import backend
from cornu.optimizers.optimizer import Optimizer

_BASE_DEFAULTS = {
    "weight_decay": None, "clipnorm": None, "global_clipnorm": None, "clipvalue": None,
    "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
    "loss_scale_factor": None, "gradient_accumulation_steps": None,
}


class LossScaleOptimizer(Optimizer):
    """Scale the loss up to keep float16 gradients from underflowing, and adjust the
    scale as training goes.

    ``scale_loss(loss)`` multiplies the loss by the current scale; ``apply`` divides the
    gradients by it. A step whose gradients hold an inf or NaN is skipped and halves the
    scale; after ``dynamic_growth_steps`` finite steps in a row the scale doubles. Checking
    the gradients costs one host sync per step.

    Args:
        inner_optimizer: The optimizer to wrap.
        initial_scale: Float. The starting scale. Defaults to 2**15.
        dynamic_growth_steps: Int. Finite steps between doublings. Defaults to 2000.
        name: String.

    Example:

    ```python
    optimizer = cornu.optimizers.LossScaleOptimizer(cornu.optimizers.Adam())
    ```
    """

    def __init__(self, inner_optimizer, initial_scale=2.0 ** 15, dynamic_growth_steps=2000,
                 name=None, **kwargs):
        if not kwargs.pop("dynamic", True):
            raise ValueError("LossScaleOptimizer no longer supports `dynamic=False`. Instead, "
                             "set `loss_scale_factor` directly on the `inner_optimizer`.")
        for arg, default in _BASE_DEFAULTS.items():
            if arg in kwargs and kwargs.pop(arg) != default:
                raise ValueError(f"LossScaleOptimizer does not support `{arg}`. Instead, set "
                                 f"`{arg}` on the `inner_optimizer`.")
        if kwargs:
            from cornu.layers.layer import unknown_argument_error
            raise unknown_argument_error(
                "LossScaleOptimizer()", next(iter(kwargs)),
                {"inner_optimizer", "initial_scale", "dynamic_growth_steps", "name"})
        super().__init__(learning_rate=0.0, name=name)
        from cornu.optimizers import get
        self.inner_optimizer = get(inner_optimizer)
        self.initial_scale = initial_scale
        self.dynamic_growth_steps = dynamic_growth_steps
        # The inner optimizer must not unscale a second time.
        self.inner_optimizer.loss_scale_factor = None

    def build(self, var_list):
        self.step_counter = self._add_host_variable(0, "step_counter", "int64")
        self.dynamic_scale = self._add_host_variable(self.initial_scale, "dynamic_scale",
                                                     "float32")
        self.inner_optimizer.build(var_list)
        super().build(var_list)

    @property
    def variables(self):
        return self._variables + self.inner_optimizer.variables

    def apply(self, grads, trainable_variables=None):
        if not self.built:
            if trainable_variables is None:
                raise ValueError("When passing `grads` without `variables`, the optimizer "
                                 "must already be built: call `optimizer.build(variables)`.")
            self.build(list(trainable_variables))
        K = self._K
        counter, scale = self._raw_of(self.step_counter), self._raw_of(self.dynamic_scale)
        with K.update_scope():
            present = [g for g in grads if g is not None]
            if present and not backend.is_tensor(present[0]):
                present = [backend.convert_to_tensor(g) for g in present]
            if not (present and K.all_finite(present)):
                K.fill_(counter, 0)
                K.fill_(scale, K.item(scale) / 2.0)
                return
            value = K.item(scale)
            unscaled = iter(K.divide(present, value))
            grads = [None if g is None else next(unscaled) for g in grads]
        self.inner_optimizer.apply(grads, trainable_variables)
        if K.item(counter) == self.dynamic_growth_steps - 1:
            K.fill_(counter, 0)
            K.fill_(scale, value * 2.0)
        else:
            K.add_scalar_(counter, 1)

    @property
    def learning_rate(self):
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        self.inner_optimizer.learning_rate = learning_rate

    @property
    def iterations(self):
        return self.inner_optimizer.iterations

    def scale_loss(self, loss):
        """The loss times the current scale."""
        scale = self._K.item(self._raw_of(self.dynamic_scale)) if self.built else (
            self.initial_scale)
        return loss * scale

    def finalize_variable_values(self, var_list):
        self.inner_optimizer.finalize_variable_values(var_list)

    def get_config(self):
        from cornu.optimizers import serialize
        return {"name": self.name, "inner_optimizer": serialize(self.inner_optimizer),
                "initial_scale": self.initial_scale,
                "dynamic_growth_steps": self.dynamic_growth_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from cornu.optimizers import deserialize
        config = dict(config)
        inner = deserialize(config.pop("inner_optimizer"), custom_objects=custom_objects)
        return cls(inner, **config)
