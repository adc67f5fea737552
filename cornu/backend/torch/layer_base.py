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

Attribute reads and writes stay Python's plain ones (see ``_plain_attribute_lookup``):
a layer call reads many attributes, and nn.Module's hooks would slow each of them.

``module.train()`` / ``eval()`` set torch's ``training`` attribute but do not
change cornu's ``training`` argument, as in Keras: pass ``training=`` to the call.
"""
import ctypes
import platform

import torch

# The attributes ``torch.nn.Module.__init__`` sets: torch's state, never a sublayer.
_MODULE_STATE = tuple(vars(torch.nn.Module()).items())
_MODULE_STATE_KEYS = frozenset(k for k, _ in _MODULE_STATE)
# Each as (name, container type to make afresh, or None and the value to share): laying
# these out costs less than half of calling nn.Module.__init__, for every layer made.
_FRESH_STATE = tuple((k, type(v), None) if isinstance(v, (dict, set)) and not v else (k, None, v)
                     for k, v in _MODULE_STATE)
if not all(t is not None or v is None or isinstance(v, bool) for _, t, v in _FRESH_STATE):
    _FRESH_STATE = None  # a torch whose Module holds other state: run its __init__


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
    # Whether attributes that are plain torch modules get wrapped (set per class below).
    _wraps_torch_modules = False
    # True on TorchModuleWrapper: it holds the module it wraps.
    _is_module_wrapper = False

    def __new__(cls, *args, **kwargs):
        # The Module part exists before any user ``__init__`` code runs, and also for
        # objects made by ``cls.__new__`` (copies, deserialization).
        obj = object.__new__(cls)
        if _FRESH_STATE is None:
            torch.nn.Module.__init__(obj)
        else:
            obj.__dict__.update({k: t() if t is not None else v for k, t, v in _FRESH_STATE})
        return obj

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _plain_attribute_lookup(cls)
        # Only the user's classes can hold torch modules (cornu's layers never import
        # torch), so only theirs pay for looking.
        cls._wraps_torch_modules = not cls.__module__.startswith("cornu.") and (
            not cls._is_module_wrapper)

    def __getattr__(self, name):
        # Reached only when the normal lookup failed. A property that raised
        # AttributeError (``layer.input`` before any call) keeps its own message, which
        # nn.Module's fallback would replace with "has no attribute". Normally
        # ``_plain_attribute_lookup`` means this is never called; it matters when
        # CPython has restored the hook (any later assignment to a class attribute
        # recomputes the slot for that class and its subclasses).
        attr = getattr(type(self), name, None)
        if isinstance(attr, property) and attr.fget is not None:
            return attr.fget(self)
        return torch.nn.Module.__getattr__(self, name)

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
        found = [k for k, v in d.items()
                 if isinstance(v, torch.nn.Module) and not isinstance(v, LayerBase)]
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


def _find_getattro_offset():
    """Where CPython keeps a type's attribute-lookup function (``tp_getattro``), checked
    on a probe class; None when that cannot be confirmed (then nothing is patched)."""
    if platform.python_implementation() != "CPython":
        return None
    generic = ctypes.cast(ctypes.pythonapi.PyObject_GenericGetAttr, ctypes.c_void_p).value
    probe_plain = type("_Plain", (), {})
    probe_hooked = type("_Hooked", (), {"__getattr__": lambda self, name: "hooked"})
    for offset in range(8 * 10, 8 * 30, ctypes.sizeof(ctypes.c_void_p)):
        read = lambda cls: ctypes.c_void_p.from_address(id(cls) + offset).value
        if read(object) == generic and read(probe_plain) == generic and (
                read(probe_hooked) not in (generic, None)):
            ctypes.c_void_p.from_address(id(probe_hooked) + offset).value = generic
            try:
                probe_hooked().missing
            except AttributeError:
                return offset, generic
            return None
    return None


_GETATTRO = _find_getattro_offset()


def _plain_attribute_lookup(cls):
    """Give ``cls`` Python's plain attribute lookup instead of the one nn.Module's
    ``__getattr__`` brings. With ``__getattr__`` anywhere in the class's bases, CPython
    routes every attribute read through a slower hook and its bytecode specializer
    gives up on ``self.x`` (three times slower, on every read of the hot path). cornu's
    layers keep everything in ``__dict__``, so they never need that fallback; a
    missing attribute raises AttributeError as on a plain object. A class with its own
    ``__getattr__`` or ``__getattribute__`` keeps it."""
    if _GETATTRO is not None and cls.__getattr__ is LayerBase.__getattr__ and (
            cls.__getattribute__ is object.__getattribute__):
        offset, generic = _GETATTRO
        ctypes.c_void_p.from_address(id(cls) + offset).value = generic


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


_plain_attribute_lookup(LayerBase)
