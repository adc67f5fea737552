"""Wrap backend functions as public ops: eager on tensors, recorded on KerasTensors."""
import functools
import importlib

from cornu.backend.common.keras_tensor import KerasTensor


def _has_symbolic(values):
    for v in values:
        cls = v.__class__
        if cls is KerasTensor:
            return True
        if (cls is list or cls is tuple) and v and _has_symbolic(v):
            return True
        if cls is dict and _has_symbolic(v.values()):
            return True
    return False


def symbolic_call(name, args, kwargs):
    """Record op ``name`` applied to KerasTensors as a node of the layer graph."""
    from cornu.layers.operation import OperationLayer
    return OperationLayer(name)(*args, **kwargs)


def make_op(name, backend_fn):
    """The public op ``name``: the backend function, or a graph node on KerasTensors."""
    def op(*args, **kwargs):
        if _has_symbolic(args) or (kwargs and _has_symbolic(kwargs.values())):
            return symbolic_call(name, args, kwargs)
        return backend_fn(*args, **kwargs)
    functools.update_wrapper(op, backend_fn)
    op.__module__ = "cornu.ops"
    return op


def export(module, namespace, skip=(), prefix=""):
    """Put a wrapped op for every public function of a backend ``module`` into ``namespace``;
    graph nodes record them as ``prefix + name`` (``"image."`` for ops only in a submodule)."""
    names = []
    for name, fn in vars(module).items():
        if name.startswith("_") or name in skip or not callable(fn) or isinstance(fn, type):
            continue
        if getattr(fn, "__module__", None) != module.__name__:
            continue
        namespace[name] = make_op(prefix + name, fn)
        names.append(name)
    return names


def backend_module(name):
    """The active backend's module ``name`` (``cornu.backend.torch.<name>`` on torch), for the
    op modules a backend keeps beside its numpy/nn/math/linalg/image."""
    from cornu import backend
    return importlib.import_module(f"{backend.numpy.__package__}.{name}")
