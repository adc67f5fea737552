"""KerasFileEditor: inspect, edit and resave the weights of a ``.keras`` or
``.weights.h5`` file (Keras 3's ``keras.saving.KerasFileEditor``).

The file's weights become a nested dict, ``weights_dict``: one key per object path
element (``"layers"``, ``"dense"``, ...), the object's variables as leaves named
``"0"``, ``"1"``, ... (the ``vars`` groups of the file are folded into their object).
Everything is read through the same checks as ``load_model`` (no links, no
oversized datasets, no code).

Where cornu differs from Keras 3.15: Keras keeps only the ``vars`` of an object
that has its own (empty or not) ``vars`` group and drops its child objects, so a
layer such as ``MultiHeadAttention`` (no variables of its own, four sublayers)
vanishes from ``weights_dict`` and from a resaved file. cornu keeps both an
object's own variables and its children.
"""
import collections

from cornu.saving import safety
from cornu.saving.atomic import atomic_write

_SPACES = " " * 2


class KerasFileEditor:
    """Inspect and edit the weights stored in a Keras file.

    Args:
        filepath: a local ``.keras`` or ``.weights.h5`` file.

    Example:

    >>> editor = KerasFileEditor("my_model.weights.h5")
    >>> editor.summary()
    >>> editor.delete_object("layers/dense_2")
    >>> editor.add_object("layers/einsum_dense", weights={"0": kernel, "1": bias})
    >>> editor.resave_weights("edited_model.weights.h5")
    """

    def __init__(self, filepath):
        self.filepath = filepath = str(filepath)
        self.config = None
        self.metadata = None
        what = f"'{filepath}'"
        if filepath.endswith(".keras"):
            from cornu.saving.keras_archive import CONFIG, METADATA, WEIGHTS
            archive = safety.open_zip(filepath, what)
            try:
                self.config = safety.parse_json(safety.read_member(archive, CONFIG, what),
                                                f"{CONFIG} of {what}")
                if METADATA in archive.namelist():
                    self.metadata = safety.parse_json(
                        safety.read_member(archive, METADATA, what), f"{METADATA} of {what}")
                source = safety.read_member(archive, WEIGHTS, what)
            finally:
                archive.close()
            what = f"{WEIGHTS} of {what}"
        elif filepath.endswith(".weights.h5"):
            source = filepath
        else:
            raise ValueError("Invalid filename: expected a `.keras` or `.weights.h5` "
                             f"extension. Received: filepath={filepath}")
        h5 = safety.open_h5(source, what)
        try:
            self.object_metadata = {}
            with safety.reading(what):
                self.weights_dict = self._read_group(h5, "", what)
        finally:
            h5.close()
        print(f"Keras model file '{filepath}'")
        if self.metadata is not None:
            print(f"Saved with Keras {self.metadata.get('keras_version')} - date: "
                  f"{self.metadata.get('date_saved')}")

    def _read_group(self, group, path, what):
        import h5py
        out = collections.OrderedDict()
        if "vars" in group and isinstance(group["vars"], h5py.Group):
            own = group["vars"]
            name = own.attrs.get("name")
            if isinstance(name, bytes):
                name = name.decode("utf-8", "replace")
            if isinstance(name, str):
                self.object_metadata[path] = {"name": name}
            for key in own:
                out[key] = safety.read_dataset(own[key], f"{path}/vars/{key}", what)
        for key in group:
            if key == "vars" or not isinstance(group[key], h5py.Group):
                continue
            child = self._read_group(group[key], f"{path}/{key}" if path else key, what)
            if child:
                out[key] = child
        return out

    # ------------------------------------------------------------ inspecting

    def summary(self):
        """Print the weight structure of the file."""
        print("Weights structure")
        self._print_tree(self.weights_dict, _SPACES, "")

    weights_summary = summary

    def _print_tree(self, tree, prefix, path):
        items = list(tree.items())
        for index, (key, value) in enumerate(items):
            last = index == len(items) - 1
            connector = "> " if (index == 0 and not path) else ("└─ " if last else "├─ ")
            inner = f"{path}/{key}" if path else key
            if isinstance(value, dict):
                label = f"{prefix}{connector}{key}"
                name = self.object_metadata.get(inner, {}).get("name")
                print(label + (f" ('{name}')" if name else ""))
                self._print_tree(value, prefix + ("    " if last else "│   "), inner)
            else:
                print(f"{prefix}{connector}{key}: shape={value.shape}, dtype={value.dtype}")

    def compare(self, reference_model):
        """List every mismatch between the file and ``reference_model``.

        Returns:
            ``{"status": "success" | "error", "error_count": int, "match_count": int}``.
        """
        print("Running comparison")
        reference = _weights_tree_of(reference_model)
        errors, matches = [], [0]

        def visit(ours, theirs, path, ours_name, theirs_name, count_matches):
            for key, value in theirs.items():
                inner = f"{path}/{key}"
                if key not in ours:
                    kind = "Object" if isinstance(value, dict) else "Weight"
                    errors.append(f"...{kind} {inner} present in {theirs_name}, missing "
                                  f"from {ours_name}")
                elif isinstance(value, dict) != isinstance(ours[key], dict):
                    errors.append(f"...{inner} is an object in one and a weight in the other")
                elif isinstance(value, dict):
                    visit(ours[key], value, inner, ours_name, theirs_name, count_matches)
                elif count_matches:
                    if tuple(ours[key].shape) != tuple(value.shape):
                        errors.append(f"...Weight shape mismatch for {inner}\n    In "
                                      f"{theirs_name}: shape={tuple(value.shape)}\n    In "
                                      f"{ours_name}: shape={tuple(ours[key].shape)}")
                    else:
                        matches[0] += 1

        visit(self.weights_dict, reference, "", "saved file", "reference model", True)
        visit(reference, self.weights_dict, "", "reference model", "saved file", False)
        for line in errors:
            print(line)
        print("─────────────────────")
        if errors:
            s = "" if len(errors) == 1 else "s"
            print(f"Found {len(errors)} error{s}: saved file is not compatible with the "
                  "reference model")
        else:
            s = "" if matches[0] == 1 else "s"
            print("Comparison successful: saved file is compatible with the reference model")
            print(f"    Found {matches[0]} matching weight{s}")
        return {"status": "error" if errors else "success", "error_count": len(errors),
                "match_count": matches[0]}

    # ------------------------------------------------------------ editing

    def _locate(self, name):
        """``[(parent dict, key)]`` of the object ``name`` (a path, or a unique name)."""
        if "/" in name:
            *parents, leaf = name.split("/")
            tree = self.weights_dict
            for part in parents:
                if not isinstance(tree.get(part), dict):
                    raise ValueError(f"Path '{name}' not found in model.")
                tree = tree[part]
            if leaf not in tree:
                raise ValueError(f"Path '{name}' not found in model.")
            return tree, leaf
        found = []

        def visit(tree):
            for key, value in tree.items():
                if key == name:
                    found.append(tree)
                if isinstance(value, dict):
                    visit(value)
        visit(self.weights_dict)
        if len(found) > 1:
            raise ValueError(f"Name '{name}' occurs more than once in the model; try passing "
                             "a complete path")
        if not found:
            raise ValueError(f"Source name '{name}' does not appear in the model. Use "
                             "`editor.weights_summary()` to list all objects.")
        return found[0], name

    def rename_object(self, object_name, new_name):
        """Rename an object (e.g. a layer): ``object_name`` is a name or a path
        (``"dense_2"`` or ``"layers/dense_2"``), ``new_name`` a leaf name."""
        if "/" in new_name:
            raise ValueError("Argument `target_name` should be a leaf name, not a full path "
                             f"name. Received: target_name='{new_name}'")
        tree, key = self._locate(object_name)
        # Rebuilt in order, so the renamed object keeps its place.
        items = [(new_name if k == key else k, v) for k, v in tree.items()]
        tree.clear()
        tree.update(items)

    def delete_object(self, object_name):
        """Remove an object (e.g. a layer) given by name or path."""
        tree, key = self._locate(object_name)
        del tree[key]

    def add_object(self, object_path, weights):
        """Add a new object at ``object_path`` (e.g. ``"layers/dense_2"``) with
        ``weights``, a dict of weight names to arrays (``{"0": kernel, "1": bias}``)."""
        _check_weights(weights)
        *parents, leaf = object_path.split("/")
        tree = self.weights_dict
        for part in parents:
            if not isinstance(tree.get(part), dict):
                raise ValueError(f"Path '{'/'.join(parents)}' not found in model.")
            tree = tree[part]
        tree[leaf] = collections.OrderedDict(weights)

    def delete_weight(self, object_name, weight_name):
        """Remove the weight ``weight_name`` (e.g. ``"0"``) of an object."""
        tree, key = self._locate(object_name)
        if weight_name not in tree[key]:
            raise ValueError(f"Weight {weight_name} not found in object {object_name}. "
                             f"Weights found: {list(tree[key].keys())}")
        del tree[key][weight_name]

    def add_weights(self, object_name, weights):
        """Add weights (a dict of names to arrays) to an existing object."""
        _check_weights(weights)
        tree, key = self._locate(object_name)
        tree[key].update(weights)

    # ------------------------------------------------------------ writing

    def save(self, filepath):
        """Write the edited weights to a ``.weights.h5`` file (atomically)."""
        filepath = str(filepath)
        if not filepath.endswith(".weights.h5"):
            raise ValueError("Invalid `filepath` argument: expected a `.weights.h5` "
                             f"extension. Received: filepath={filepath}")
        from cornu.saving.h5_weights import H5Writer
        with atomic_write(filepath) as tmp:
            writer = H5Writer(tmp)
            try:
                self._write(writer, self.weights_dict, "")
            finally:
                writer.close()

    resave_weights = save

    def _write(self, writer, tree, path):
        leaves = {k: v for k, v in tree.items() if not isinstance(v, dict)}
        if leaves:
            writer.write_vars(path, self.object_metadata.get(path, {}).get("name"), leaves)
        for key, value in tree.items():
            if isinstance(value, dict) and value:
                self._write(writer, value, f"{path}/{key}" if path else key)


def _check_weights(weights):
    if not isinstance(weights, dict):
        raise ValueError("Argument `weights` should be a dict where keys are weight names "
                         "(usually '0', '1', etc.) and values are NumPy arrays. Received: "
                         f"type(weights)={type(weights)}")


def _weights_tree_of(model):
    """The nested dict a file saved from ``model`` would give (shapes are what matter)."""
    from cornu.saving.object_tree import save_state

    class _Collect:
        def __init__(self):
            self.tree = collections.OrderedDict()

        def write_vars(self, path, name, store):
            node = self.tree
            for part in [p for p in path.split("/") if p]:
                node = node.setdefault(part, collections.OrderedDict())
            node.update(store)

    collector = _Collect()
    save_state(model, collector)
    return _prune(collector.tree)


def _prune(tree):
    """Drop objects that hold no variables at any depth (they are not in files)."""
    out = collections.OrderedDict()
    for key, value in tree.items():
        if isinstance(value, dict):
            value = _prune(value)
            if value:
                out[key] = value
        else:
            out[key] = value
    return out
