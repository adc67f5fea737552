"""TorchModuleWrapper: any ``torch.nn.Module`` as a cornu layer (torch backend only).

The module's parameters become the layer's Variables: each Variable holds the
module's own ``Parameter`` (no copy), so ``fit`` trains the module in place and
the module stays usable on its own. A ``torch.nn.Module`` set as an attribute of a
cornu layer is wrapped in one automatically (``LayerBase._track_torch_modules``).
"""
import base64
import io

import numpy as np
import torch

from cornu.backend.torch.core import Variable, _scope, get_device
from cornu.layers.layer import Layer


def _share(param, name):
    """A Variable whose value is ``param`` itself."""
    variable = Variable(torch.empty(0, dtype=param.dtype), dtype=None,
                        trainable=param.requires_grad, name=name)
    variable._value = param
    variable._trainable = param.requires_grad
    return variable


class TorchModuleWrapper(Layer):
    """Wraps a ``torch.nn.Module`` so it can be used as a layer in cornu models.

    Args:
        module: the ``torch.nn.Module`` (its lazy parameters, if any, must already be
            initialized). It is moved to cornu's device.
        name: the layer's name.
        output_shape: the output shape (with the batch axis), when it cannot be
            inferred by running the module on shape-only tensors.

    ``call(x, training=...)`` puts the module in train or eval mode (dropout, batch
    norm) and calls it. Saving the config pickles the module (as Keras does);
    loading it runs code and needs ``safe_mode=False``.

    Example:
        >>> layer = TorchModuleWrapper(torch.nn.Linear(4, 2))
        >>> model = cornu.Sequential([cornu.Input((4,)), layer])
        >>> len(model.trainable_weights)
        2
    """

    def __init__(self, module, name=None, output_shape=None, **kwargs):
        super().__init__(name=name, **kwargs)
        if not isinstance(module, torch.nn.Module):
            raise ValueError(f"TorchModuleWrapper: `module` must be a torch.nn.Module; "
                             f"received {type(module).__name__}.")
        if isinstance(module, torch.nn.modules.lazy.LazyModuleMixin) and (
                module.has_uninitialized_params()):
            raise ValueError(
                "TorchModuleWrapper: lazy modules must be initialized first (call the "
                f"module once on a sample input). Received: {module}")
        self.module = module.to(get_device())
        self.output_shape_arg = None if output_shape is None else tuple(output_shape)
        for pname, param in self.module.named_parameters():
            variable = _share(param, pname)
            variable.path = f"{self.name}/{pname}"
            (self._own_trainable if param.requires_grad else self._own_non_trainable).append(
                variable)
        self.built = True

    _is_module_wrapper = True

    def _torch_variables(self):
        return []  # torch reaches the parameters through ``self.module``, once

    def _tracked_variables(self):
        # torch may have replaced the module's Parameters (``load_state_dict(assign=True)``,
        # conversions that overwrite): the Variables follow before anyone reads them.
        params = dict(self.module.named_parameters())
        for variable in self._own_trainable + self._own_non_trainable:
            param = params.get(variable.name)
            if param is not None and param is not variable._value:
                variable._value = param
                variable._meta = None
        return super()._tracked_variables()

    def call(self, *args, training=None, **kwargs):
        if _scope.symbolic:  # shape inference: run on meta copies of the weights
            state = {k: torch.empty_like(v, device="meta")
                     for k, v in self.module.state_dict(keep_vars=True).items()}
            return torch.func.functional_call(self.module, state, args, kwargs)
        mode = bool(training)  # None (no enclosing fit) counts as inference, as in cornu
        if self.module.training is not mode:
            self.module.train(mode)
        return self.module(*args, **kwargs)

    def save_own_variables(self, store):
        """Keras's layout: the module's ``state_dict`` (buffers included), by key."""
        for key, value in self.module.state_dict().items():
            store[key] = value.detach().cpu().numpy()

    def load_own_variables(self, store):
        state = {}
        for key in store.keys():
            name = key.decode() if isinstance(key, bytes) else key
            state[name] = torch.as_tensor(np.asarray(store[key]))
        self.module.load_state_dict(state)

    def compute_output_spec(self, *args, **kwargs):
        if self.output_shape_arg is None:
            return super().compute_output_spec(*args, **kwargs)
        from cornu.backend.common.keras_tensor import KerasTensor
        return KerasTensor(self.output_shape_arg, dtype=self.dtype_name)

    def get_config(self):
        buffer = io.BytesIO()
        torch.save(self.module, buffer)
        return {"name": self.name, "trainable": self.trainable, "dtype": self.dtype_name,
                "module": base64.b64encode(buffer.getvalue()).decode("ascii"),
                "output_shape": None if self.output_shape_arg is None else list(
                    self.output_shape_arg)}

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        """Unpickles the module: refused unless ``safe_mode=False`` (it runs code)."""
        from cornu.saving import safe_mode as safe_mode_lib
        config = dict(config)
        with safe_mode_lib.SafeModeScope(safe_mode):
            safe_mode_lib.refuse_code("a `torch.nn.Module` (pickled with `torch.save`)")
        raw = base64.b64decode(config.pop("module").encode("ascii"))
        module = torch.load(io.BytesIO(raw), weights_only=False)
        config.pop("dtype", None)
        return cls(module, **config)
