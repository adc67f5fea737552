"""The Optimizer base: Keras 3's ``keras.optimizers.Optimizer``.

One step (``apply``) runs Keras's pipeline: unscale by ``loss_scale_factor``,
gradient accumulation, clipping, weight decay, the optimizer's update, the EMA
of the weights, ``iterations += 1``, then the variables' constraints. Built-in
optimizers do their update with the backend's fused kernels
(``cornu/backend/<name>/optimizers.py``) on lists of tensors cached at build
time; a user subclass that only writes ``update_step(gradient, variable,
learning_rate)`` with ``cornu.ops`` runs per variable, as in Keras.
"""
import operator
import re
import warnings
from itertools import repeat

from cornu import backend
from cornu.optimizers.base_optimizer import BaseOptimizer


class Optimizer(BaseOptimizer):
    """Base class of the optimizers.

    Args:
        learning_rate: A float, a `cornu.optimizers.schedules.LearningRateSchedule`,
            or a callable taking no argument and returning the rate.
        weight_decay: Float. If set, each weight ``w`` becomes ``w - w * weight_decay * lr``
            before each update.
        clipnorm: Float. Clip each gradient to this L2 norm.
        clipvalue: Float. Clip each gradient element to ``[-clipvalue, clipvalue]``.
        global_clipnorm: Float. Clip all gradients so their global L2 norm is at most this.
        use_ema: Boolean. Keep an exponential moving average of the weights.
        ema_momentum: Float. The EMA momentum (``new = m * old + (1 - m) * weight``).
        ema_overwrite_frequency: Int or None. Overwrite the weights with their EMA every
            this many iterations; None means only at ``finalize_variable_values``.
        loss_scale_factor: Float or None. ``scale_loss`` multiplies the loss by it and the
            gradients are divided by it before use.
        gradient_accumulation_steps: Int >= 2 or None. Update every this many steps with
            the mean of the accumulated gradients.
        name: String. The optimizer's name.

    Example:

    ```python
    class PlainSGD(cornu.optimizers.Optimizer):
        def update_step(self, gradient, variable, learning_rate):
            self.assign_sub(variable, gradient * learning_rate)
    ```
    """

    # ------------------------------------------------------------ the step

    def apply_gradients(self, grads_and_vars):
        """Apply ``[(gradient, variable), ...]``; returns ``iterations``."""
        grads, trainable_variables = zip(*grads_and_vars)
        self.apply(list(grads), list(trainable_variables))
        return self._iterations

    def apply(self, grads, trainable_variables=None):
        """Update ``trainable_variables`` with ``grads`` (a list aligned with them; None
        entries are skipped). The first call builds the optimizer."""
        if len(grads) == 0:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already be "
                    "built on a list of variables. Call `optimizer.build(trainable_variables)` "
                    "first.")
            trainable_variables = self._trainable_variables
        elif not self.built:
            self.build(list(trainable_variables))
        grads = self._select(grads, trainable_variables)
        K = self._K
        with K.update_scope():
            if self.loss_scale_factor is not None:
                grads = K.divide(grads, self.loss_scale_factor)
            count = K.item(self._raw_of(self._iterations))
            steps = self.gradient_accumulation_steps
            if steps:
                accumulators = self._pick(self._accumulated_gradients)
                if (count + 1) % steps == 0:
                    self._run_update(K.mean_with(grads, accumulators, steps), count, count // steps)
                    K.zero_(self._all(self._accumulated_gradients))
                else:
                    K.add_(accumulators, grads)
            else:
                self._run_update(grads, count, count)
            if self.use_ema:
                self._update_moving_average(count // steps if steps else count)
            K.add_scalar_(self._raw_of(self._iterations), 1)
            self._apply_constraints()
        self._positions = None

    def _select(self, grads, variables):
        """Set this step's positions and return the gradients to use, as tensors."""
        built = self._trainable_variables
        if len(variables) == len(built) and all(map(operator.is_, variables, built)):
            if all(map(operator.is_not, grads, repeat(None))):
                self._positions = None
                grads = list(grads)
                if backend.is_tensor(grads[0]):
                    return grads
                return self._K.as_tensors(grads, self._pick(built))
            pairs = list(enumerate(grads))
        else:
            index = self._trainable_variables_indices
            pairs = []
            for v, g in zip(variables, grads):
                if id(v) not in index:
                    raise ValueError(
                        f"Unknown variable: {v.path!r}. This optimizer can only be called for "
                        "the variables it was built with. For a new set of variables, create a "
                        "new optimizer.")
                pairs.append((index[id(v)], g))
        missing = [built[i].name for i, g in pairs if g is None]
        pairs = [(i, g) for i, g in pairs if g is not None]
        if not pairs:
            raise ValueError("No gradients provided for any variable.")
        if missing:
            warnings.warn(f"Gradients do not exist for variables {missing} when minimizing the "
                          "loss. If using `model.compile()`, did you forget to provide a `loss` "
                          "argument?", stacklevel=3)
        self._positions = [i for i, _ in pairs]
        return self._K.as_tensors([g for _, g in pairs], self._pick(built))

    def _all(self, variables):
        positions, self._positions = self._positions, None
        try:
            return self._pick(variables)
        finally:
            self._positions = positions

    def _run_update(self, grads, count, iterations):
        """Clip, decay the weights, then the optimizer's own update."""
        K = self._K
        if self.clipnorm and self.clipnorm > 0:
            grads = K.clip_by_norm(grads, self.clipnorm)
        elif self.global_clipnorm and self.global_clipnorm > 0:
            grads = K.clip_by_global_norm(grads, self.global_clipnorm)
        elif self.clipvalue and self.clipvalue > 0:
            grads = K.clip_by_value(grads, self.clipvalue)
        lr = self._learning_rate_value(count)
        self._apply_weight_decay(lr)
        self._local_step = iterations + 1  # Keras's ``iterations + 1`` in update formulas
        self._update_step(grads, lr)

    def _update_step(self, grads, lr):
        """The update on this step's variables; built-ins override it with fused kernels.
        The default calls ``update_step`` per variable, as Keras does."""
        built = self._trainable_variables
        positions = self._positions if self._positions is not None else range(len(built))
        learning_rate = self.learning_rate if not self._legacy_decay else lr
        for i, g in zip(positions, grads):
            self.update_step(g, built[i], learning_rate)

    def update_step(self, gradient, variable, learning_rate):
        """Update one variable (override in a custom optimizer)."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement `update_step(gradient, variable, "
            "learning_rate)`.")

    def assign(self, variable, value):
        """``variable = value`` (for use in ``update_step``)."""
        variable.assign(value)

    def assign_add(self, variable, value):
        """``variable += value`` (for use in ``update_step``)."""
        variable.assign_add(value)

    def assign_sub(self, variable, value):
        """``variable -= value`` (for use in ``update_step``)."""
        variable.assign_sub(value)

    def _apply_constraints(self):
        constrained = getattr(self, "_constrained", None)
        if constrained is None:
            constrained = self._constrained = [
                i for i, v in enumerate(self._trainable_variables)
                if getattr(v, "constraint", None) is not None]
        if not constrained:
            return
        built = self._trainable_variables
        selected = constrained if self._positions is None else (
            sorted(set(constrained) & set(self._positions)))
        for i in selected:
            v = built[i]
            v.assign(v.constraint(v))

    # ------------------------------------------------------------ weight decay

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Exclude variables from weight decay.

        Args:
            var_list: Variables to exclude.
            var_names: Strings; a variable whose name contains any of them is excluded.
        """
        self._exclude_ids = {id(v) for v in var_list or ()}
        self._exclude_pattern = re.compile("|".join(set(var_names))) if var_names else None
        self._decay_mask = None

    def _use_weight_decay(self, variable):
        if id(variable) in self._exclude_ids:
            return False
        return not (self._exclude_pattern is not None
                    and re.search(self._exclude_pattern, variable.name) is not None)

    def _apply_weight_decay(self, lr):
        """``w -= w * weight_decay * lr`` on the variables not excluded, before the update
        (an optimizer with other decay rules, such as Muon, overrides it)."""
        if self.weight_decay is not None:
            decayed = self._decayed_params()
            if decayed:
                self._K.mul_(decayed, 1.0 - self.weight_decay * lr)

    def _decayed_params(self):
        if getattr(self, "_decay_mask", None) is None:
            self._decay_mask = [self._use_weight_decay(v) for v in self._trainable_variables]
            self._decay_all = all(self._decay_mask)
        raw = self._pick(self._trainable_variables)
        positions = self._positions
        if self._decay_all:
            return raw
        mask = self._decay_mask
        chosen = range(len(mask)) if positions is None else positions
        return [t for t, i in zip(raw, chosen) if mask[i]]

    # ------------------------------------------------------------ EMA

    def _update_moving_average(self, iterations):
        K = self._K
        averages = self._all(self._model_variables_moving_average)
        params = self._all(self._trainable_variables)
        K.moving_average_(averages, params, self.ema_momentum if iterations != 0 else 0.0)
        freq = self.ema_overwrite_frequency
        if freq and (iterations + 1) % freq == 0:
            K.copy_(params, averages)

    def _check_ema(self, var_list):
        if var_list is not None and len(var_list) != len(self._model_variables_moving_average):
            raise ValueError(
                f"The length of model variables ({len(var_list)}) does not match the "
                f"{len(self._model_variables_moving_average)} averages stored in the optimizer. "
                "Check that the optimizer was called on your model.")

    def finalize_variable_values(self, var_list):
        """Overwrite the model variables with their EMA (when ``use_ema``); ``fit`` calls
        this at the end of training."""
        if self.use_ema and self.built:
            self._check_ema(var_list)
            for v, average in zip(var_list, self._model_variables_moving_average):
                v.assign(average)

    def swap(self, var_list=None):
        """Exchange the model variables' values with their EMA; call again to swap back
        (evaluate with the averaged weights, then resume training)."""
        if not (self.use_ema and self.built):
            raise ValueError("`swap` needs an optimizer built with `use_ema=True`.")
        self._check_ema(var_list)
        with self._K.update_scope():
            self._K.swap_(self._K.raw_list(var_list or self._trainable_variables),
                          self._all(self._model_variables_moving_average))
