"""cornu.optimizers: Keras 3's ``keras.optimizers``.

Each optimizer is Keras's formula, run as a few fused multi-tensor kernels on the
torch backend (``cornu/backend/torch/optimizers.py``) or, for Lamb, Muon and
ScheduleFreeAdamW, as ``cornu.ops`` per variable. ``legacy`` holds Keras 2's names.
"""
from cornu.optimizers import legacy, schedules  # noqa: F401
from cornu.optimizers.adadelta import Adadelta
from cornu.optimizers.adafactor import Adafactor
from cornu.optimizers.adagrad import Adagrad
from cornu.optimizers.adam import Adam
from cornu.optimizers.adamax import Adamax
from cornu.optimizers.adamw import AdamW
from cornu.optimizers.ftrl import Ftrl
from cornu.optimizers.lamb import Lamb
from cornu.optimizers.lion import Lion
from cornu.optimizers.loss_scale_optimizer import LossScaleOptimizer
from cornu.optimizers.multi_optimizer import MultiOptimizer, OptimizerMap
from cornu.optimizers.muon import Muon
from cornu.optimizers.nadam import Nadam
from cornu.optimizers.optimizer import Optimizer
from cornu.optimizers.rmsprop import RMSprop
from cornu.optimizers.schedule_free_adamw import ScheduleFreeAdamW
from cornu.optimizers.sgd import SGD

ALL_OBJECTS = (Optimizer, Adam, SGD, RMSprop, Adadelta, AdamW, Adagrad, Adamax, Adafactor,
               Nadam, Ftrl, Lion, LossScaleOptimizer, Lamb, Muon,
               ScheduleFreeAdamW, MultiOptimizer, OptimizerMap)
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in ALL_OBJECTS}
ALL_OBJECTS_DICT.update({name.lower(): cls for name, cls in ALL_OBJECTS_DICT.items()})


def serialize(optimizer):
    """A JSON-friendly dict describing ``optimizer`` (Keras 3's layout).

    Example:

    ```python
    config = cornu.optimizers.serialize(cornu.optimizers.Adam(learning_rate=0.01))
    optimizer = cornu.optimizers.deserialize(config)
    ```
    """
    from cornu.saving import serialize_keras_object
    return serialize_keras_object(optimizer)


def deserialize(config, custom_objects=None):
    """An optimizer from ``serialize``'s output, or from a Keras 2 ``{'class_name',
    'config'}`` dict; class names are matched case-insensitively for built-ins."""
    from cornu.saving import deserialize_keras_object
    if isinstance(config, dict) and isinstance(config.get("class_name"), str):
        name = config["class_name"]
        if name not in ALL_OBJECTS_DICT and name.lower() in ALL_OBJECTS_DICT:
            config = {**config, "class_name": name.lower()}
    return deserialize_keras_object(config, module_objects=ALL_OBJECTS_DICT,
                                    custom_objects=custom_objects)


def get(identifier):
    """An optimizer from an instance, a name (``"adam"``, ``"sgd"``, ``"rmsprop"``...)
    or a config dict.

    Example:

    ```python
    optimizer = cornu.optimizers.get("adam")
    ```
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = deserialize({"class_name": identifier, "config": {}})
    else:
        obj = identifier
    if isinstance(obj, Optimizer):
        return obj
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}. Expected an "
                     f"optimizer instance, a name such as 'adam', or a config dict.")


__all__ = [cls.__name__ for cls in ALL_OBJECTS] + ["schedules", "legacy", "get", "serialize",
                                                   "deserialize"]


# Keras 2's `keras.optimizers.rmsprop(lr=...)`: the submodules of these names build their class.
from cornu.optimizers._aliases import make_lowercase_aliases  # noqa: E402

make_lowercase_aliases((SGD, RMSprop, Adagrad, Adadelta, Adam, Adamax, Nadam))
