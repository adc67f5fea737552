"""``MultiOptimizer`` and ``OptimizerMap``: different optimizers for different variables
(``keras.optimizers.MultiOptimizer``)."""
import re
from collections.abc import MutableMapping

from cornu.optimizers.loss_scale_optimizer import LossScaleOptimizer
from cornu.optimizers.optimizer import Optimizer


def _check_inner(optimizer, what):
    if not isinstance(optimizer, Optimizer):
        raise ValueError(f"{what} must be a cornu Optimizer instance. Received: {optimizer!r}")
    if isinstance(optimizer, LossScaleOptimizer):
        raise ValueError(f"{what} cannot be a LossScaleOptimizer: wrap the MultiOptimizer's "
                         "variables' optimizers without it and set `loss_scale_factor` on "
                         "the MultiOptimizer instead.")
    if isinstance(optimizer, MultiOptimizer):
        raise ValueError(f"{what} cannot be a MultiOptimizer: MultiOptimizers do not nest; "
                         "put all patterns in one OptimizerMap.")


class OptimizerMap(MutableMapping):
    """Maps variable paths (or regular expressions over them) to optimizers.

    Looking up a path returns the optimizer stored under exactly that key; else the one
    whose key, as a regular expression, ``re.fullmatch``-es the path (more than one
    match is a ValueError); else ``default_optimizer``. A key ``"encoder/.*"`` covers
    every variable under ``encoder``; ``"encoder"`` only that exact path.

    Args:
        default_optimizer: The `Optimizer` for the variables no key matches.
        optimizer_map: Optional dict of ``{path or pattern: Optimizer}``.

    Example:

    ```python
    optimizer_map = cornu.optimizers.OptimizerMap(cornu.optimizers.SGD())
    optimizer_map["encoder/.*"] = cornu.optimizers.Adam()
    optimizer_map["encoder/dense/kernel"].name  # 'adam'
    ```
    """

    def __init__(self, default_optimizer, optimizer_map=None):
        if not isinstance(default_optimizer, Optimizer):
            raise TypeError("default_optimizer must be a cornu Optimizer instance. "
                            f"Received: {default_optimizer!r}")
        if optimizer_map is not None and not isinstance(optimizer_map, dict):
            raise TypeError("optimizer_map must be a dict of {path or pattern: Optimizer}. "
                            f"Received: {optimizer_map!r}")
        self._default_optimizer = default_optimizer
        self._optimizer_map = dict(optimizer_map or {})

    @property
    def default_optimizer(self):
        """The optimizer of the variables that no key matches."""
        return self._default_optimizer

    def __getitem__(self, key):
        if key in self._optimizer_map:
            return self._optimizer_map[key]
        matches = [p for p in self._optimizer_map if re.fullmatch(p, key)]
        if len(matches) > 1:
            raise ValueError(f"Multiple optimizers assigned to variable {key!r}: the patterns "
                             f"{matches} all match it. Make the patterns exclusive.")
        if matches:
            return self._optimizer_map[matches[0]]
        return self._default_optimizer

    def __setitem__(self, key, optimizer):
        if key in self._optimizer_map:
            raise ValueError(f"{key!r} already exists in the OptimizerMap with value "
                             f"{self._optimizer_map[key]!r}. Do not use duplicated keys.")
        if not isinstance(key, str):
            raise ValueError(f"key must be a string (a path or a pattern). Received: {key!r}")
        _check_inner(optimizer, "optimizer")
        self._optimizer_map[key] = optimizer

    def __delitem__(self, key):
        del self._optimizer_map[key]

    def __len__(self):
        return len(self._optimizer_map)

    def __iter__(self):
        return iter(self._optimizer_map)

    def __call__(self, variable):
        """The optimizer of ``variable`` (looked up by its path)."""
        return self[getattr(variable, "path", None) or variable.name]

    def get_config(self):
        """``{"default_optimizer": ..., "optimizer_map": ...}`` as serialized configs."""
        from cornu.saving import serialize_keras_object
        return {"default_optimizer": serialize_keras_object(self._default_optimizer),
                "optimizer_map": {k: serialize_keras_object(v)
                                  for k, v in self._optimizer_map.items()}}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """An OptimizerMap from ``get_config``'s output."""
        from cornu import optimizers

        def load(value):
            return optimizers.deserialize(value, custom_objects=custom_objects)

        mapping = config.get("optimizer_map") or {}
        return cls(load(config["default_optimizer"]), {k: load(v) for k, v in mapping.items()})


# Saved configs name the public module, as Keras's do ("keras.optimizers").
OptimizerMap.__module__ = "cornu.optimizers"


class MultiOptimizer(Optimizer):
    """Delegates each variable to the optimizer an `OptimizerMap` (or a function of the
    variable) chooses for it.

    ``optimizers`` lists the inner optimizers (as in Keras, saved files hold each one's
    state under ``optimizer/optimizers/<name>`` besides the flat ``optimizer/vars``).
    Each inner optimizer keeps its own learning rate, slots and ``iterations``; the
    MultiOptimizer has no learning rate of its own (reading or setting
    ``learning_rate`` is an AttributeError: use ``optimizer.optimizers``). Its
    ``variables`` are its own step counter and learning-rate placeholder, then each
    inner optimizer's variables, as Keras orders them.

    Args:
        optimizer_map: An `OptimizerMap`, or a callable ``variable -> Optimizer``.
        loss_scale_factor: Float or None. Set on every inner optimizer too.
        name: String. The optimizer's name.

    Example:

    ```python
    optimizer = cornu.optimizers.MultiOptimizer(cornu.optimizers.OptimizerMap(
        cornu.optimizers.SGD(), {"encoder/.*": cornu.optimizers.Adam()}))
    model.compile(optimizer=optimizer, loss="mse")
    ```
    """

    def __init__(self, optimizer_map, loss_scale_factor=None, name=None):
        self.optimizers = []
        super().__init__(learning_rate=0.0, loss_scale_factor=loss_scale_factor, name=name)
        self._optimizer_map = optimizer_map
        inner = list(optimizer_map.values()) if hasattr(optimizer_map, "values") else []
        default = getattr(optimizer_map, "default_optimizer", None)
        for optimizer in inner + ([default] if default is not None else []):
            if not any(optimizer is o for o in self.optimizers):
                optimizer.loss_scale_factor = loss_scale_factor
                self.optimizers.append(optimizer)

    @property
    def learning_rate(self):
        raise AttributeError(
            "Learning rate cannot be accessed on a MultiOptimizer. Access the learning rate "
            "of the inner optimizers instead: `[o.learning_rate for o in opt.optimizers]`.")

    @learning_rate.setter
    def learning_rate(self, value):
        raise AttributeError(
            "Learning rate cannot be set on a MultiOptimizer. Set it on the inner "
            "optimizers instead: `for o in opt.optimizers: o.learning_rate = ...`.")

    @property
    def loss_scale_factor(self):
        return getattr(self, "_loss_scale_factor", None)

    @loss_scale_factor.setter
    def loss_scale_factor(self, value):
        self._loss_scale_factor = value
        for optimizer in getattr(self, "optimizers", ()):
            optimizer.loss_scale_factor = value

    @property
    def variables(self):
        out = self._variables[:]
        for optimizer in self.optimizers:
            out.extend(optimizer.variables)
        return out

    def build(self, var_list):
        if self.built:
            return
        var_list = list(var_list)
        groups = [[] for _ in self.optimizers]
        self._owner = {}
        for var in var_list:
            optimizer = self._optimizer_map(var)
            _check_inner(optimizer, f"The optimizer chosen for variable {var.path!r}")
            index = next((i for i, o in enumerate(self.optimizers) if o is optimizer),
                         None)
            if index is None:  # a callable map can name optimizers met only now
                optimizer.loss_scale_factor = self.loss_scale_factor
                self.optimizers.append(optimizer)
                groups.append([])
                index = len(self.optimizers) - 1
            self._owner[id(var)] = index
            groups[index].append(var)
        for optimizer, variables in zip(self.optimizers, groups):
            if variables:
                optimizer.build(variables)
        super().build(var_list)

    def apply(self, grads, trainable_variables=None):
        """Hand each gradient to its variable's optimizer; then ``iterations += 1``."""
        if len(grads) == 0:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already be "
                    "built on a list of variables. Call `optimizer.build(trainable_variables)` "
                    "first.")
            trainable_variables = self._trainable_variables
        trainable_variables = list(trainable_variables)
        if not self.built:
            self.build(trainable_variables)
        if len(grads) != len(trainable_variables):
            raise ValueError("Gradients must match trainable variables one-to-one. Received "
                             f"{len(grads)} gradients and {len(trainable_variables)} variables.")
        groups = [([], []) for _ in self.optimizers]
        for grad, var in zip(grads, trainable_variables):
            index = self._owner.get(id(var))
            if index is None:
                raise ValueError(
                    f"Unknown variable: {var.path!r}. This optimizer can only be called for "
                    "the variables it was built with.")
            groups[index][0].append(grad)
            groups[index][1].append(var)
        for optimizer, (sub_grads, sub_vars) in zip(self.optimizers, groups):
            if any(g is not None for g in sub_grads):
                optimizer.apply(sub_grads, sub_vars)
        self._K.add_scalar_(self._raw_of(self._iterations), 1)

    def finalize_variable_values(self, var_list):
        groups = [[] for _ in self.optimizers]
        for var in var_list:
            groups[self._owner[id(var)]].append(var)
        for optimizer, variables in zip(self.optimizers, groups):
            if variables:
                optimizer.finalize_variable_values(variables)

    def get_config(self):
        from cornu.saving import serialize_keras_object
        return {"optimizer_map": serialize_keras_object(self._optimizer_map),
                "loss_scale_factor": self.loss_scale_factor, "name": self.name}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from cornu.saving import deserialize_keras_object
        config = dict(config)
        mapping = config["optimizer_map"]
        if isinstance(mapping, dict) and mapping.get("class_name") == "OptimizerMap":
            config["optimizer_map"] = OptimizerMap.from_config(mapping.get("config") or {},
                                                               custom_objects)
        else:  # a registered function ``variable -> Optimizer``
            config["optimizer_map"] = deserialize_keras_object(mapping,
                                                               custom_objects=custom_objects)
        return cls(**config)
