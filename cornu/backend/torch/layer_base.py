"""LayerBase: on the torch backend every cornu layer is a ``torch.nn.Module``.

As in Keras 3, ``model.parameters()``, ``state_dict()``, ``to(device)``,
``torch.optim`` and nesting (a cornu model inside a torch module, a torch module
inside a cornu layer) work. cornu keeps its own bookkeeping in the instance
``__dict__`` (sublayers and Variables are plain attributes, read at C speed on
the hot path); the Module's ``_parameters`` and ``_modules`` are derived from it
when torch asks for them (``named_modules``, ``named_children``, ``_apply``,
``state_dict``, ``load_state_dict``), so a layer built or changed after
``parameters()`` was first called shows its new variables the next time.

Names: a layer's own variables appear under their names (``kernel``, ``bias``);
a sublayer held directly in an attribute appears under the attribute's name, one
held in a list (Sequential, Functional) under its position, so two models of the
same architecture have the same ``state_dict`` keys (``0.kernel``, ``1.bias``).
Unlike Keras (whose ``state_dict`` keys are variable paths under
``_torch_params``), these keys follow torch's own convention.

``module.train()`` / ``eval()`` set torch's ``training`` attribute but do not
change cornu's ``training`` argument, as in Keras: pass ``training=`` to the call.
"""
import torch

from cornu.backend.torch.core import Variable

# The attributes ``torch.nn.Module.__init__`` sets: torch's state, never a sublayer.
_MODULE_STATE_KEYS = frozenset(vars(torch.nn.Module()).keys())


class LayerBase(torch.nn.Module):
    """The torch side of ``cornu.layers.Layer``: a ``torch.nn.Module`` whose parameters
    are the layer's Variables and whose submodules are its sublayers.

    ``cornu.layers.Layer`` supplies ``_tracked_variables()`` and ``_sublayers()``;
    this class only translates them for torch.
    """

    _module_state_keys = _MODULE_STATE_KEYS
    # Attributes are plain (object.__setattr__): nn.Module's hook would move sublayers
    # and Parameters out of ``__dict__``, and would slow every attribute write.
    __setattr__ = object.__setattr__
    __delattr__ = object.__delattr__
    # TorchModuleWrapper sets this False: it is the wrapper.
    _wraps_torch_modules = True

    def __new__(cls, *args, **kwargs):
        # The Module part exists before any user ``__init__`` code runs, and also for
        # objects made by ``cls.__new__`` (copies, deserialization).
        obj = object.__new__(cls)
        torch.nn.Module.__init__(obj)
        return obj

    def __getattr__(self, name):
        # Reached only when normal lookup fails. Buffers registered with torch's
        # ``register_buffer`` are found; a property that raised AttributeError is run
        # again so that its own message (not a generic one) reaches the user.
        buffers = self.__dict__.get("_buffers")
        if buffers and name in buffers:
            return buffers[name]
        if isinstance(getattr(type(self), name, None), property):
            return object.__getattribute__(self, name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def forward(self, *args, **kwargs):
        """torch's entry point: the same as calling the layer (``layer(*args, **kwargs)``)."""
        return self.__call__(*args, **kwargs)

    # ------------------------------------------------------------ cornu -> torch

    def _track_torch_modules(self):
        """Wrap plain ``torch.nn.Module`` attributes in ``TorchModuleWrapper`` (as Keras
        does), so their parameters become this layer's weights and ``fit`` trains them."""
        if not self._wraps_torch_modules:
            return
        d = self.__dict__
        found = [k for k, v in d.items() if isinstance(v, torch.nn.Module) and not isinstance(
            v, LayerBase) and k not in _MODULE_STATE_KEYS]
        if found:
            from cornu.backend.torch.layers import TorchModuleWrapper
            for key in found:
                d[key] = TorchModuleWrapper(d[key])

    def _torch_variables(self):
        trainable, non_trainable = self._tracked_variables()
        return trainable + non_trainable

    def _torch_sync(self):
        """Refresh ``_parameters`` and ``_modules`` from the layer's Variables and
        sublayers; return the (key, Variable) pairs of ``_parameters``."""
        d = self.__dict__
        if "_parameters" not in d:  # an object that skipped __new__ (very old pickles)
            torch.nn.Module.__init__(self)
        self._track_torch_modules()
        pairs = []
        params = {}
        for variable in self._torch_variables():
            key = _unique(variable.name.replace(".", "_") or "variable", params)
            params[key] = variable._value
            pairs.append((key, variable))
        direct = {}
        foreign = {}
        for key, value in d.items():
            if isinstance(value, torch.nn.Module) and key not in _MODULE_STATE_KEYS:
                if isinstance(value, LayerBase):
                    direct.setdefault(id(value), key)
                else:
                    foreign[key] = value
        modules = {}
        for i, layer in enumerate(self._sublayers()):
            modules[direct.get(id(layer), str(i))] = layer
        modules.update(foreign)
        # New dicts rather than edits: a shallow copy of the layer may share the old ones.
        if not _same(d["_parameters"], params):
            d["_parameters"] = params
        if not _same(d["_modules"], modules):
            d["_modules"] = modules
        return pairs

    def _repoint_variables(self, pairs, saved):
        """After torch replaced Parameters (``_apply`` with overwriting conversions,
        ``load_state_dict(assign=True)``), make the Variables hold the new ones.
        ``saved``: the ``__dict__`` entries of the parameter keys before torch ran."""
        d = self.__dict__
        params = d["_parameters"]
        for key, variable in pairs:
            new = d.get(key)
            if isinstance(new, torch.Tensor):  # torch's setattr landed in __dict__
                if key in saved:
                    d[key] = saved[key]
                else:
                    del d[key]
            else:
                new = params.get(key)
            if isinstance(new, torch.nn.Parameter) and new is not variable._value:
                variable._value = new
                variable._meta = None
                params[key] = new

    # ------------------------------------------------------------ torch's entry points

    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        self._torch_sync()
        return super().named_modules(memo, prefix, remove_duplicate)

    def named_children(self):
        self._torch_sync()
        return super().named_children()

    def state_dict(self, *args, destination=None, prefix="", keep_vars=False):
        self._torch_sync()
        return super().state_dict(*args, destination=destination, prefix=prefix,
                                  keep_vars=keep_vars)

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, *args, **kwargs):
        pairs = self._torch_sync()
        d = self.__dict__
        saved = {k: d[k] for k, _ in pairs if k in d}
        super()._load_from_state_dict(state_dict, prefix, local_metadata, *args, **kwargs)
        self._repoint_variables(pairs, saved)

    def _apply(self, fn, recurse=True):
        pairs = self._torch_sync()
        d = self.__dict__
        saved = {k: d[k] for k, _ in pairs if k in d}
        out = super()._apply(fn, recurse)
        self._repoint_variables(pairs, saved)
        return out


def _unique(key, used):
    if key not in used:
        return key
    i = 1
    while f"{key}_{i}" in used:
        i += 1
    return f"{key}_{i}"


def _same(old, new):
    """Whether two dicts hold the same objects (by identity) under the same keys, in order."""
    return len(old) == len(new) and all(
        k1 == k2 and v1 is v2 for (k1, v1), (k2, v2) in zip(old.items(), new.items()))
