"""Keras 3 weights files (``.weights.h5``, and ``model.weights.h5`` inside ``.keras``).

Layout: one group per object path, its variables as datasets ``<path>/vars/0``,
``1``, ... and the object's name in the ``name`` attribute of ``vars``. The
root model's own variables are at ``vars/``.
"""
import io
import os

from cornu.saving import safety
from cornu.saving.atomic import atomic_write
from cornu.saving.errors import CorruptFileError


class H5Writer:
    """Writes variables by object path into an HDF5 file or BytesIO."""

    def __init__(self, target):
        import h5py
        self.h5 = h5py.File(target, "w")

    def write_vars(self, path, name, store):
        group = self.h5.create_group(f"{path}/vars" if path else "vars")
        if name:
            group.attrs["name"] = name
        for key, value in store.items():
            group.create_dataset(key, data=value)

    def close(self):
        self.h5.close()


class H5Reader:
    """Reads variables by object path from an HDF5 file checked by ``safety.open_h5``."""

    def __init__(self, h5, what):
        self.h5 = h5
        self.what = what

    def vars(self, path):
        """``{"0": array, ...}`` stored at ``path``, or None when there is no group."""
        import h5py
        group_path = f"{path}/vars" if path else "vars"
        with safety.reading(self.what):
            if group_path not in self.h5:
                return None
            group = self.h5[group_path]
            if not isinstance(group, h5py.Group):
                raise CorruptFileError(f"{self.what}: {group_path!r} should be a group.")
            return {key: safety.read_dataset(group[key], f"{group_path}/{key}", self.what)
                    for key in _keys(group, group_path, self.what)}

    def all_vars_under(self, path):
        """Every variable under ``path``, in Keras's walk order: a group's own ``vars``
        first, then its child groups (public names before private, alphabetically)."""
        import h5py
        out = []

        def visit(group_path):
            own = self.vars(group_path)
            if own:
                out.extend(own[k] for k in sorted(own, key=int))
            group = self.h5[group_path] if group_path else self.h5
            names = [n for n in group if n != "vars" and isinstance(group[n], h5py.Group)]
            for name in sorted(names, key=lambda n: f"~{n}" if n.startswith("_") else n):
                visit(f"{group_path}/{name}" if group_path else name)

        with safety.reading(self.what):
            if path in self.h5:
                visit(path)
        return out

    def close(self):
        self.h5.close()


def _keys(group, group_path, what):
    """Variable names: 0, 1, 2, ... in number order (then any names a layer's own
    ``save_own_variables`` chose, such as ``idf_weights``)."""
    import h5py
    keys = list(group.keys())
    for key in keys:
        if group.get(key, getclass=True) is not h5py.Dataset:
            raise CorruptFileError(f"{what}: {group_path}/{key} should be a dataset.")
    return sorted(keys, key=lambda k: (0, int(k), "") if k.isdigit() else (1, 0, k))


def save_weights(model, filepath):
    """Write ``model``'s weights (and its optimizer's) to a ``.weights.h5`` file."""
    from cornu.saving.object_tree import save_state
    with atomic_write(filepath) as tmp:
        writer = H5Writer(tmp)
        try:
            save_state(model, writer)
        finally:
            writer.close()


def weights_bytes(model):
    """The bytes of a ``.weights.h5`` file for ``model`` (for ``.keras`` archives)."""
    from cornu.saving.object_tree import save_state
    buffer = io.BytesIO()
    writer = H5Writer(buffer)
    try:
        save_state(model, writer)
    finally:
        writer.close()
    return buffer.getvalue()


def load_weights(model, source, skip_mismatch=False, what=None):
    """Assign ``model``'s weights from a ``.weights.h5`` file (a path or bytes)."""
    what = what or (f"'{os.fspath(source)}'" if not isinstance(source, bytes) else
                    "the weights file")
    h5 = safety.open_h5(source, what)
    try:
        load_weights_into(model, h5, skip_mismatch=skip_mismatch, what=what)
    finally:
        h5.close()


def load_weights_into(model, h5, skip_mismatch=False, what="the weights file"):
    """Assign ``model``'s weights from an HDF5 file already opened by ``safety.open_h5``."""
    from cornu.saving.object_tree import load_state
    if not getattr(model, "built", True):
        raise ValueError(
            f"Model '{model.name}' is not built yet, so it has no weights to load into. "
            "Build it first: call it on a batch of data, call `model.build(input_shape)`, "
            "or start a Sequential model with `cornu.Input(shape)`.")
    load_state(model, H5Reader(h5, what), skip_mismatch=skip_mismatch, what=what)
