"""What every export format shares: input signatures, input names, the exportability
checks made before tracing, and writing the artifact atomically."""
import contextlib
import importlib
import os
import shutil
import tempfile

from cornu import backend, tree
from cornu.backend.common.keras_tensor import KerasTensor
from cornu.layers.input_spec import InputSpec


def get_input_signature(model):
    """The input signature of a built model: a list of positional-argument structures
    of ``InputSpec``s, with the batch axis None.

    Args:
        model: a ``cornu.Model`` (functional, Sequential, or subclassed and called once).

    Returns:
        A list with one entry per positional argument of ``model.call``.
    """
    from cornu.models.model import Model
    if not isinstance(model, Model):
        raise TypeError(f"Expected a cornu.Model; received {model!r} of type "
                        f"{type(model).__name__}.")
    struct = getattr(model, "_inputs_struct", None)
    if struct is None and getattr(model, "_functional", None) is not None:
        struct = model._functional._inputs_struct
    if struct is not None:
        return [tree.map_structure(make_input_spec, struct)]
    inputs = None
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        pass
    if inputs:
        return [make_input_spec(inputs[0])] if len(inputs) == 1 else [
            [make_input_spec(x) for x in inputs]]
    shape = model.__dict__.get("_build_input_shape")
    if not model.built or not shape:
        raise ValueError(
            f"Model '{model.name}' has not been built or called yet, so its input "
            "signature is unknown. Call it once on a batch (`model(x)`), or pass "
            "`input_signature=[cornu.InputSpec(shape=(None, ...), dtype=...)]`.")
    dtype = getattr(model, "input_dtype", None) or backend.floatx()
    return [InputSpec(shape=(None,) + tuple(shape)[1:], dtype=dtype)]


def make_input_spec(x):
    """An ``InputSpec`` (shape and dtype known) for one input.

    Args:
        x: an ``InputSpec``, a ``KerasTensor``, a tensor or array (its batch axis
            becomes None), or a shape tuple of ints and Nones (float32).

    Returns:
        An ``InputSpec``.
    """
    if isinstance(x, InputSpec):
        if x.shape is None or x.dtype is None:
            raise ValueError("An InputSpec in `input_signature` needs both `shape` and "
                             f"`dtype`; received shape={x.shape}, dtype={x.dtype}.")
        return x
    if isinstance(x, KerasTensor):
        return InputSpec(shape=(None,) + tuple(x.shape)[1:],
                         dtype=backend.standardize_dtype(x.dtype), name=x.name)
    if _is_shape(x):
        return InputSpec(shape=tuple(x), dtype=backend.floatx())
    if hasattr(x, "shape") and hasattr(x, "dtype"):
        shape = tuple(x.shape)
        return InputSpec(shape=(None,) + shape[1:] if shape else (),
                         dtype=backend.standardize_dtype(x.dtype))
    raise TypeError(
        f"Unsupported entry in `input_signature`: {x!r} of type {type(x).__name__}. "
        "Expected `cornu.InputSpec(shape=..., dtype=...)`, a KerasTensor, a tensor or "
        "array, or a shape tuple such as (None, 4).")


def _is_shape(x):
    return isinstance(x, (tuple, list)) and all(
        d is None or (isinstance(d, int) and not isinstance(d, bool)) for d in x) and len(x) > 0


def standardize_signature(input_signature):
    """``input_signature`` as a list of positional-argument structures of InputSpecs.

    A single spec (not in a list) is one positional argument, as is a bare shape.
    """
    if isinstance(input_signature, dict) or not isinstance(input_signature, (list, tuple)) \
            or _is_shape(input_signature):
        input_signature = [input_signature]

    def convert(x):
        if isinstance(x, dict):
            return {k: convert(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)) and not _is_shape(x):
            return type(x)(convert(v) for v in x)
        return make_input_spec(x)

    return [convert(x) for x in input_signature]


def input_names(signature):
    """A unique name per flat input: the spec's name, else its dict key, else
    ``input_{i}`` (as Keras names them)."""
    names = []
    for i, (path, spec) in enumerate(tree.flatten_with_path(signature)):
        keys = [p for p in path if isinstance(p, str)]
        name = getattr(spec, "name", None) or (keys[-1] if keys else f"input_{i}")
        base, k = name, 1
        while name in names:
            name, k = f"{base}_{k}", k + 1
        names.append(name)
    return names


def output_names(structure):
    """A name per flat output: dict keys for dict outputs, else ``output_{i}``."""
    names = []
    for i, (path, _) in enumerate(tree.flatten_with_path(structure)):
        keys = [str(p) for p in path if isinstance(p, str)]
        names.append("/".join(keys) if keys else f"output_{i}")
    return names


def check_exportable(layers, signature, input_names_):
    """Refuse, before tracing, what no format here can hold: string inputs."""
    for name, spec in zip(input_names_, tree.flatten(signature)):
        if spec.dtype == "string":
            users = [f"'{layer.name}' ({type(layer).__name__})" for layer in layers
                     if type(layer).__name__ in _STRING_LAYERS]
            raise ValueError(
                f"Input '{name}' holds strings, which the exported graph cannot take "
                f"(layers working on strings: {', '.join(users) or 'none found'}). Export "
                "the model that follows the string processing (its input the integer "
                "ids), and run the string layers before it.")


_STRING_LAYERS = {"StringLookup", "TextVectorization", "Hashing", "HashedCrossing"}


def backend_export():
    """The current backend's export module, or an error saying the backend has none."""
    name = backend.backend()
    try:
        return importlib.import_module(f"cornu.backend.{name}.export")
    except ModuleNotFoundError as e:
        if e.name != f"cornu.backend.{name}.export":
            raise
    raise NotImplementedError(
        f"Exporting a model is not available on the {name!r} backend yet; use the torch "
        "backend (CORNU_BACKEND=torch), save the model with `model.save('m.keras')`, "
        "load it there and export.")


@contextlib.contextmanager
def atomic_output(filepath):
    """Yield a temporary path in ``filepath``'s folder; on success move what was written
    there (the file, and any side files beside it such as ONNX external data) into
    place; on failure remove it all, so no partial file is left at ``filepath``."""
    filepath = os.fspath(filepath)
    folder = os.path.dirname(os.path.abspath(filepath))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"The folder of filepath={filepath!r} does not exist; "
                                "create it first.")
    workdir = tempfile.mkdtemp(prefix=".cornu-export-", dir=folder)
    try:
        yield os.path.join(workdir, os.path.basename(filepath))
        for entry in os.listdir(workdir):
            os.replace(os.path.join(workdir, entry), os.path.join(folder, entry))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def print_saved(message, verbose):
    if verbose is None or verbose:
        from cornu.utils import io_utils
        io_utils.print_msg(message)
