"""BaseOptimizer: an optimizer's variables, learning rate, saved state and config
(Keras 3's ``keras/src/optimizers/base_optimizer.py``); ``Optimizer`` adds the step.

The step counter and a float learning rate live in host (CPU) variables, so the
per-step scalars (bias corrections, schedules) are Python floats and a step never
waits on the accelerator.
"""
import importlib
import warnings

import numpy as np

from cornu import backend
from cornu.backend.common import global_state
from cornu.optimizers import _arguments, schedules


def _kernels():
    return importlib.import_module(f"cornu.backend.{backend.backend()}.optimizers")


class BaseOptimizer:
    """What every optimizer holds: variables, learning rate, state and config.
    Subclass `Optimizer`, not this."""

    _hyperparameters = ()  # subclass constructor arguments saved by get_config

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        legacy = _arguments.translate(type(self), kwargs)
        if "learning_rate" in legacy:
            learning_rate = legacy["learning_rate"]
        self._legacy_decay = float(legacy.get("decay") or 0.0)
        if gradient_accumulation_steps and not gradient_accumulation_steps >= 2:
            raise ValueError("`gradient_accumulation_steps` must be an integer >= 2. "
                             f"Received: gradient_accumulation_steps={gradient_accumulation_steps}")
        if use_ema:
            if not 0 <= ema_momentum <= 1:
                raise ValueError("`ema_momentum` must be in the range [0, 1]. "
                                 f"Received: ema_momentum={ema_momentum}")
            if ema_overwrite_frequency and (not isinstance(ema_overwrite_frequency, int)
                                            or ema_overwrite_frequency < 1):
                raise ValueError("`ema_overwrite_frequency` must be an integer >= 1 or None. "
                                 f"Received: ema_overwrite_frequency={ema_overwrite_frequency}")
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}")
        self.name = name or global_state.uniquify(global_state.to_snake_case(type(self).__name__))
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.built = False
        self._K = _kernels()
        self._variables = []
        self._trainable_variables = []
        self._trainable_variables_indices = {}
        self._raw_cache = {}
        self._positions = None  # indices into the built variables updated this step; None: all
        self._exclude_ids = set()
        self._exclude_pattern = None
        self._iterations = self._add_host_variable(0, "iteration", "int64")
        self._learning_rate = None
        self._set_learning_rate(learning_rate)

    # ------------------------------------------------------------ variables

    def _track(self, variable):
        if not any(v is variable for v in self._variables):
            self._variables.append(variable)
        return variable

    def _add_host_variable(self, value, name, dtype):
        """A scalar kept on the host: read each step without waiting on the device."""
        with backend.device_scope("cpu"):
            variable = backend.Variable(value, dtype=dtype, trainable=False, name=name)
        variable.path = f"{self.name}/{name}"
        return self._track(variable)

    def add_variable(self, shape, initializer="zeros", dtype=None, aggregation="none",
                     layout=None, name=None):
        """Create and track an optimizer variable (not trainable).

        Args:
            shape: Shape tuple.
            initializer: "zeros", "ones", a number, or an initializer (name or callable).
            dtype: The dtype; floatx by default.
            aggregation: Kept as an attribute of the variable.
            layout: Unused (distribution layouts).
            name: The variable's name.
        """
        shape = tuple(shape)
        dtype = backend.standardize_dtype(dtype)
        variable = backend.Variable(_initializer(initializer), shape=shape, dtype=dtype,
                                    trainable=False, aggregation=aggregation, name=name)
        variable.path = f"{self.name}/{variable.name}"
        return self._track(variable)

    def add_variable_from_reference(self, reference_variable, name=None, initializer="zeros"):
        """A variable of the shape and dtype of ``reference_variable``, named after its path."""
        name = name or "var"
        base = getattr(reference_variable, "path", None) or str(reference_variable.name)
        return self.add_variable(shape=reference_variable.shape, initializer=initializer,
                                 dtype=reference_variable.dtype,
                                 name=base.replace("/", "_").replace(":", "_") + "_" + name)

    def add_optimizer_variables(self, trainable_variables, name, initializer="zeros"):
        """One variable per model variable for each name in ``name`` (a string or a
        list), created interleaved per model variable as Keras does. Returns a list,
        or a tuple of lists when ``name`` is a list."""
        names = [name] if isinstance(name, str) else list(name)
        inits = initializer if isinstance(initializer, (list, tuple)) else [initializer] * len(names)
        out = tuple([] for _ in names)
        for variable in trainable_variables:
            for i, (n, init) in enumerate(zip(names, inits)):
                out[i].append(self.add_variable_from_reference(variable, n, init))
        return out[0] if isinstance(name, str) else out

    @property
    def variables(self):
        """The optimizer's variables: iterations, the learning rate, then the slots."""
        return self._variables[:]

    @property
    def iterations(self):
        """The number of updates applied so far (a Variable)."""
        if self.gradient_accumulation_steps:
            return self._iterations.value // self.gradient_accumulation_steps
        return self._iterations

    # ------------------------------------------------------------ learning rate

    def _set_learning_rate(self, learning_rate):
        if isinstance(learning_rate, schedules.LearningRateSchedule) or callable(learning_rate):
            if self._learning_rate is not None and self._learning_rate in self._variables:
                self._variables.remove(self._learning_rate)
            self._learning_rate = learning_rate
            return
        if isinstance(self._learning_rate, backend.Variable):
            self._learning_rate.assign(float(learning_rate))
            return
        if self._learning_rate is not None:
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` (or callable) "
                "`learning_rate`, so its learning rate cannot be set to a number. Create the "
                "optimizer with a float `learning_rate` to be able to set it.")
        try:
            value = float(learning_rate)
        except (TypeError, ValueError):
            raise ValueError(
                "Argument `learning_rate` should be a float, a LearningRateSchedule, or a "
                f"callable. Received: learning_rate={learning_rate!r}") from None
        self._learning_rate = self._add_host_variable(value, "learning_rate", backend.floatx())

    @property
    def learning_rate(self):
        """The current learning rate: the Variable for a float rate, the schedule's
        value at ``iterations`` for a schedule. Settable to a float (or a schedule)."""
        lr = self._learning_rate
        if isinstance(lr, schedules.LearningRateSchedule):
            return lr(self._iterations)
        if callable(lr) and not isinstance(lr, backend.Variable):
            return lr()
        return lr

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        self._set_learning_rate(learning_rate)

    @property
    def lr(self):
        """Keras 2's name for ``learning_rate``."""
        warnings.warn("`optimizer.lr` is deprecated; use `optimizer.learning_rate`.",
                      DeprecationWarning, stacklevel=2)
        return self.learning_rate

    @lr.setter
    def lr(self, value):
        warnings.warn("`optimizer.lr` is deprecated; use `optimizer.learning_rate`.",
                      DeprecationWarning, stacklevel=2)
        self.learning_rate = value

    def _learning_rate_value(self, count):
        """The learning rate for step ``count`` as a Python float."""
        lr = self._learning_rate
        if isinstance(lr, backend.Variable):
            value = self._K.item(self._raw_of(lr))
        elif type(lr).__call__ is schedules.LearningRateSchedule.__call__:
            value = lr._at(count)  # a built-in schedule: evaluated on the host
        else:
            value = float(backend.convert_to_numpy(self.learning_rate))
        if self._legacy_decay:
            value /= 1.0 + self._legacy_decay * count
        return value

    def _scalar(self, value):
        """``value`` as a host number of the variables' precision (numpy float32 for
        float32 variables). Keras works out bias corrections such as ``1 - beta_2 ** t``
        in that precision, and the digits float32 loses there show in the update, so
        the per-step scalars that Keras computes as tensors are rounded alike here."""
        return self._scalar_type(value)

    def _raw_of(self, variable):
        entry = self._raw_cache.get(id(variable))
        if entry is None or entry[0] is not variable:
            entry = self._raw_cache[id(variable)] = (variable, self._K.raw_list([variable])[0])
        return entry[1]

    # ------------------------------------------------------------ build

    def build(self, variables):
        """Create the optimizer's variables for the model ``variables``."""
        variables = list(variables)
        if self.use_ema:
            self._model_variables_moving_average = self.add_optimizer_variables(
                variables, "average")
        if self.gradient_accumulation_steps:
            self._accumulated_gradients = [
                self.add_variable_from_reference(v, "gradient_accumulator") for v in variables]
        self._trainable_variables = variables[:]
        self._trainable_variables_indices = {id(v): i for i, v in enumerate(variables)}
        doubles = variables and all(
            backend.standardize_dtype(v.dtype) == "float64" for v in variables)
        self._scalar_type = np.float64 if doubles else np.float32
        self._decay_mask = None
        self._constrained = None
        self.built = True

    def _pick(self, variables):
        """The tensors of ``variables`` (one per model variable) at this step's positions."""
        entry = self._raw_cache.get(id(variables))
        if entry is None or entry[0] is not variables:
            entry = self._raw_cache[id(variables)] = (variables, self._K.raw_list(variables))
        raw = entry[1]
        positions = self._positions
        return raw if positions is None else [raw[i] for i in positions]

    # ------------------------------------------------------------ loss scale, state

    def scale_loss(self, loss):
        """Multiply the loss by ``loss_scale_factor`` (if set) before taking gradients."""
        return loss * self.loss_scale_factor if self.loss_scale_factor is not None else loss

    def set_weights(self, weights):
        """Set the optimizer's variables from a list of arrays (in ``variables`` order)."""
        if not self.built:
            raise ValueError("The optimizer is not built yet: call "
                             "`optimizer.build(trainable_variables)` before `set_weights()`.")
        for variable, weight in zip(self.variables, weights):
            if tuple(variable.shape) != tuple(getattr(weight, "shape", ())):
                raise ValueError(f"Optimizer variable {variable.path!r} has shape "
                                 f"{variable.shape}; the weight given has shape {weight.shape}.")
            variable.assign(weight)

    def get_weights(self):
        """The optimizer's variables as numpy arrays (Keras 2)."""
        return [v.numpy() for v in self.variables]

    def save_own_variables(self, store):
        for i, variable in enumerate(self.variables):
            store[str(i)] = variable.numpy()

    def load_own_variables(self, store):
        if len(store.keys()) != len(self.variables):
            warnings.warn(
                f"Skipping variable loading for optimizer '{self.name}', because it has "
                f"{len(self.variables)} variables whereas the saved optimizer has "
                f"{len(store.keys())} variables.", stacklevel=2)
            return
        for i, variable in enumerate(self.variables):
            variable.assign(store[str(i)])

    # ------------------------------------------------------------ config

    def get_config(self):
        """The constructor arguments, as JSON-friendly values."""
        lr = self._learning_rate
        if isinstance(lr, schedules.LearningRateSchedule):
            lr = schedules.serialize(lr)
        elif isinstance(lr, backend.Variable):
            lr = float(lr.numpy())
        else:
            from cornu.saving import serialize_keras_object
            lr = serialize_keras_object(lr)
        config = {
            "name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue, "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }
        config.update({k: getattr(self, k) for k in self._hyperparameters})
        if self._legacy_decay:
            config["decay"] = self._legacy_decay
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Create an optimizer from ``get_config``'s output (Keras 2 configs too)."""
        config, decay = _arguments.translate_config(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"],
                                                            custom_objects=custom_objects)
        optimizer = cls(**config)
        optimizer._legacy_decay = decay
        return optimizer

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _initializer(initializer):
    """A value-maker for ``backend.Variable`` from an initializer spelling."""
    from cornu import ops
    if isinstance(initializer, str) and initializer in ("zeros", "ones"):
        maker = ops.zeros if initializer == "zeros" else ops.ones
        return lambda shape, dtype=None: maker(shape, dtype=dtype)
    if isinstance(initializer, (int, float)):
        value = float(initializer)
        return lambda shape, dtype=None: ops.add(ops.zeros(shape, dtype=dtype), value)
    from cornu import initializers
    return initializers.get(initializer)
