"""Where each object's variables live in a Keras 3 weights file.

Keras 3 stores a model's state by walking its objects: each layer or optimizer
writes its own variables under ``<path>/vars/0``, ``1``, ... and its children
follow at ``<path>/<attribute name>``. A Functional or Sequential model lists
``layers`` first; lists of layers become groups whose members are named after
their class (``dense``, ``dense_1``); public attributes come before private
ones, each set alphabetically; an object met twice is stored once, at the first
path. cornu's layers use Keras's attribute names (``cell``, ``forward_layer``,
...), so walking them the same way gives the same paths.
"""
import warnings

import numpy as np

from cornu import backend
from cornu.backend.common.global_state import to_snake_case
from cornu.saving.errors import LoadingError

# Attributes a bare cornu Layer or Model has: internal state, never a child to save.
_INTERNAL = frozenset({
    "_inbound_nodes", "_outbound_nodes", "_init_args", "_own_trainable",
    "_own_non_trainable", "_loss_values", "_initial_weights", "_stack", "_stack_outputs",
    "_graph_layers", "_graph_nodes", "_inputs_struct", "_outputs_struct", "_plan",
    "_node_depth", "inputs", "outputs", "input_spec", "_compile_loss", "_compile_metrics",
    "_loss_tracker", "_metrics_cache", "_train_vars", "_train_params", "history", "loss",
    "optimizer", "layers", "_trainable_variables", "_variables", "_raw_cache",
}) | backend.LayerBase._module_state_keys  # torch.nn.Module's own state, on torch


def _is_layer(obj):
    from cornu.layers.layer import Layer
    return isinstance(obj, Layer)


def _is_optimizer(obj):
    from cornu.optimizers.base_optimizer import BaseOptimizer
    return isinstance(obj, BaseOptimizer)


def is_saveable(obj):
    """Layers (models included) and optimizers hold state in a weights file."""
    return _is_layer(obj) or _is_optimizer(obj)


def _name_key(name):
    return f"~{name}" if name.startswith("_") else name


def _children(obj):
    """(attribute name, value) pairs in the order Keras visits them."""
    from cornu.models import Functional, Model, Sequential
    if isinstance(obj, (Functional, Sequential)):
        yield "layers", obj.layers
    attrs = {k: v for k, v in vars(obj).items() if k not in _INTERNAL}
    if isinstance(obj, Model):
        attrs["layers"] = obj.layers
        if obj.optimizer is not None:
            attrs["optimizer"] = obj.optimizer
    for name in sorted(attrs, key=_name_key):
        value = attrs[name]
        if is_saveable(value) or (isinstance(value, (list, tuple, dict)) and value):
            yield name, value


def own_variables(obj):
    """The variables ``obj`` stores at its own path, in Keras's order."""
    if _is_optimizer(obj):
        return list(obj.variables)
    trainable, non_trainable = obj._tracked_variables()
    return list(trainable) + list(non_trainable)


def walk(root):
    """(path, object) for every saveable reachable from ``root``, each once, in
    Keras's order; the root's path is ``""``."""
    visited = set()
    out = []

    def visit(obj, path):
        if id(obj) in visited:
            return
        visited.add(id(obj))
        out.append((path, obj))
        for name, child in _children(obj):
            child_path = f"{path}/{name}" if path else name
            if is_saveable(child):
                visit(child, child_path)
            else:
                visit_container(child, child_path, set())

    def visit_container(container, path, seen_containers):
        if id(container) in seen_containers:
            return
        seen_containers.add(id(container))
        used = {}
        items = container.values() if isinstance(container, dict) else container
        for item in items:
            if is_saveable(item):
                visit(item, f"{path}/{_unique(to_snake_case(type(item).__name__), used)}")
            elif isinstance(item, (list, tuple, dict)):
                visit_container(item, f"{path}/{_unique('container', used)}",
                                seen_containers)

    visit(root, "")
    return out


def _unique(name, used):
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


def _has_hook(obj, hook):
    """Whether a layer defines Keras's ``save_own_variables`` / ``load_own_variables``."""
    return _is_layer(obj) and callable(getattr(obj, hook, None))


def save_state(root, writer):
    """Write the variables of every object under ``root`` with ``writer``."""
    for path, obj in walk(root):
        name = getattr(obj, "name", None)
        store = {}
        if _has_hook(obj, "save_own_variables"):
            obj.save_own_variables(store)
        else:
            for i, variable in enumerate(own_variables(obj)):
                store[str(i)] = variable.numpy()
        writer.write_vars(path, name if isinstance(name, str) else None, store)


def load_state(root, reader, skip_mismatch=False, what="the file"):
    """Assign the variables of every object under ``root`` from ``reader``.

    Paths are matched exactly. A layer whose paths differ from the file's (a
    layer that arranges its sublayers differently from Keras) is matched by the
    order and shapes of all the variables under its top-level group instead.
    Mismatches raise ``LoadingError``, or warn and are skipped with
    ``skip_mismatch=True``.
    """
    entries = walk(root)
    problems = []
    fallbacks = {}  # top-level group -> objects that did not match by path
    for path, obj in entries:
        stored = reader.vars(path)
        if _is_optimizer(obj):
            _load_optimizer(obj, stored, root, what)
            continue
        if _has_hook(obj, "load_own_variables"):
            obj.load_own_variables(stored if stored is not None else {})
            continue
        variables = own_variables(obj)
        if not variables and not stored:
            continue
        error = _mismatch(variables, stored)
        if error is None:
            _assign(variables, stored)
        else:
            fallbacks.setdefault(_top_group(path), []).append((path, obj, error))
    for top, failed in fallbacks.items():
        if top is not None and _load_by_order(root, entries, top, reader):
            continue
        problems.extend(f"'{path or obj.name}' ({type(obj).__name__} '{obj.name}'): {error}"
                        for path, obj, error in failed)
    if problems:
        message = (f"Could not load {len(problems)} object(s) from {what}: "
                   + "; ".join(problems[:10]) + ("; ..." if len(problems) > 10 else "")
                   + ". The file was saved from a different model; pass "
                   "`skip_mismatch=True` to load what matches.")
        if not skip_mismatch:
            raise LoadingError(message)
        warnings.warn(message, stacklevel=3)


def _top_group(path):
    """``layers/dense`` for ``layers/dense/cell``; the first part for other paths."""
    parts = path.split("/") if path else []
    if not parts:
        return None
    return "/".join(parts[:2]) if parts[0] == "layers" and len(parts) > 1 else parts[0]


def _mismatch(variables, stored):
    stored = stored or {}
    if len(stored) != len(variables):
        return f"expected {len(variables)} variables, the file has {len(stored)}"
    for i, variable in enumerate(variables):
        value = stored.get(str(i))
        if value is None:
            return f"the file has no variable {i}"
        if tuple(value.shape) != tuple(variable.shape):
            return (f"variable {i} ('{variable.path}') has shape {tuple(variable.shape)}, "
                    f"the file's has shape {tuple(value.shape)}")
    return None


def _assign(variables, stored):
    for i, variable in enumerate(variables):
        variable.assign(_cast(stored[str(i)], variable))


def _cast(value, variable):
    return np.asarray(value).astype(variable.dtype, copy=False) if hasattr(
        value, "astype") else value


def _load_by_order(root, entries, top, reader):
    """Assign all variables under group ``top`` by order and shape; True on success."""
    variables = []
    for path, obj in entries:
        if (path == top or path.startswith(top + "/")) and not _is_optimizer(obj):
            variables.extend(own_variables(obj))
    values = reader.all_vars_under(top)
    if len(values) != len(variables) or any(
            tuple(v.shape) != tuple(a.shape) for v, a in zip(variables, values)):
        return False
    for variable, value in zip(variables, values):
        variable.assign(_cast(value, variable))
    return True


def _load_optimizer(optimizer, stored, root, what):
    """Optimizer variables: all of them, or only the step and learning rate when the
    optimizer was saved before it had slots (never trained). An optimizer not built
    yet is built for the model first, so that saved slots have somewhere to go."""
    stored = stored or {}
    if not stored:
        return
    if not optimizer.built and len(stored) > len(own_variables(optimizer)) and hasattr(
            root, "trainable_weights"):
        optimizer.build(root.trainable_weights)
    variables = own_variables(optimizer)
    if _mismatch(variables, stored) is None:
        _assign(variables, stored)
        return
    head = [v for v in variables if v.name in ("iteration", "iterations", "learning_rate")]
    if len(stored) <= len(head) and _mismatch(head[:len(stored)], stored) is None:
        _assign(head[:len(stored)], stored)
        return
    warnings.warn(
        f"Skipping the optimizer state in {what}: optimizer '{optimizer.name}' has "
        f"{len(variables)} variables, the saved one has {len(stored)}. Training continues "
        "with a fresh optimizer state.", stacklevel=4)


def save_assets(root, folder):
    """Let each object with ``save_assets`` write files under ``folder/<its path>``."""
    import os
    for path, obj in walk(root):
        if callable(getattr(obj, "save_assets", None)):
            target = os.path.join(folder, *path.split("/")) if path else folder
            os.makedirs(target, exist_ok=True)
            obj.save_assets(target)


def load_assets(root, folder):
    """Let each object with ``load_assets`` read its files from ``folder/<its path>``."""
    import os
    for path, obj in walk(root):
        if callable(getattr(obj, "load_assets", None)):
            source = os.path.join(folder, *path.split("/")) if path else folder
            if os.path.isdir(source):
                obj.load_assets(source)
