"""SGD, with momentum and Nesterov momentum (``keras.optimizers.SGD``)."""
from cornu.optimizers.optimizer import Optimizer


class SGD(Optimizer):
    """Gradient descent, optionally with momentum.

    ``w -= learning_rate * g``; with momentum, ``velocity = momentum * velocity -
    learning_rate * g`` and ``w += velocity`` (Nesterov: ``w += momentum * velocity -
    learning_rate * g``).

    Args:
        learning_rate: Float, schedule or callable. Defaults to 0.01.
        momentum: Float in [0, 1]. Defaults to 0.0.
        nesterov: Boolean. Use Nesterov momentum.
        **kwargs: The base optimizer arguments (`weight_decay`, `clipnorm`, `use_ema`, ...).

    Example:

    ```python
    optimizer = cornu.optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True)
    ```
    """

    _hyperparameters = ("momentum", "nesterov")

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name="SGD", **kwargs):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
            clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
            ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        if not isinstance(momentum, (int, float)) or not 0 <= momentum <= 1:
            raise ValueError(f"`momentum` must be a float between [0, 1]. Received: {momentum!r}")
        self.momentum = float(momentum)
        self.nesterov = nesterov

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self.momentums = []
        if self.momentum != 0:
            self.momentums = self.add_optimizer_variables(variables, "momentum")

    def _update_step(self, grads, lr):
        momentums = self._pick(self.momentums) if self.momentum != 0 else None
        self._K.sgd_(self._pick(self._trainable_variables), grads, momentums, lr,
                     self.momentum, self.nesterov)
