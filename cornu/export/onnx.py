"""``model.export(path, format="onnx")``: the forward pass as an ONNX file, for ONNX Runtime."""
import importlib.util

from cornu import tree
from cornu.export import export_utils


def export_onnx(model, filepath, verbose=None, input_signature=None, opset_version=None,
                **kwargs):
    """Export the model's forward pass (``call`` with ``training=False``) as ONNX.

    The file is standalone: ONNX Runtime runs it without cornu or the model's code.
    On torch, the model is traced with ``torch.export`` (non-strict) and translated by
    torch's dynamo-based ONNX exporter (``torch.onnx.export(..., dynamo=True)``); where
    that translation lacks an operation, torch's TorchScript-based exporter is tried on
    the same module. Every axis that is None in the signature (the batch axis by
    default) is dynamic in the file: axis 0 is named ``"batch"``, others
    ``"dim_{input}_{axis}"``.

    Inputs are named as in Keras: the input's name (``cornu.Input(name=...)``), else its
    dict key, else ``"input_{i}"``. Outputs are named ``"output_{i}"`` (dict keys for a
    model with dict outputs); Keras on torch leaves them to torch's generated names.

    Args:
        model: a built ``cornu.Model``.
        filepath: where to write the ``.onnx`` file. Nothing is written there unless the
            export succeeds.
        verbose: whether to print a message once saved (default True).
        input_signature: optional shapes and dtypes of the inputs: a list of positional
            argument structures of ``cornu.InputSpec``, KerasTensors, tensors or shape
            tuples. Default: the model's inputs, batch axis None.
        opset_version: the ONNX opset; default: torch's.

    Raises:
        ValueError: a layer cannot be traced or translated (its name and the reason are
            in the message), or the signature cannot be inferred.

    Example:

    ```python
    model.export("model.onnx", format="onnx")
    session = onnxruntime.InferenceSession("model.onnx")
    outputs = session.run(None, {session.get_inputs()[0].name: x})
    ```
    """
    if kwargs:
        raise TypeError(f"Unexpected arguments for format='onnx': {sorted(kwargs)}. "
                        "Accepted: verbose, input_signature, opset_version.")
    signature = _signature(model, input_signature)
    write_onnx(_forward(model), model.variables, model._flatten_layers(), signature,
               filepath, opset_version=opset_version)
    export_utils.print_saved(f"Saved artifact at '{filepath}'.", verbose)


def write_onnx(fn, variables, layers, signature, filepath, opset_version=None,
               variable_collections=None):
    """Trace ``fn`` at ``signature`` and write it as ONNX at ``filepath`` (atomically).

    Args:
        fn: called as ``fn(*args)``, args structured as ``signature``.
        variables: the Variables ``fn`` reads.
        layers: the layers it runs (to name the one that fails).
        signature: a standardized input signature (list of structures of InputSpecs).
        filepath: the destination.
        opset_version: the ONNX opset, or None for torch's default.
        variable_collections: optional ``{name: [Variable, ...]}`` stored as extra
            initializers named ``"{name}/{variable.path}"``.

    Returns:
        Which of torch's exporters wrote the file: ``"dynamo"`` or ``"torchscript"``.
    """
    missing = [m for m in ("onnx", "onnxscript") if importlib.util.find_spec(m) is None]
    if missing:
        raise ImportError(f"Exporting to ONNX needs {' and '.join(missing)} (torch.onnx's "
                          "exporter uses them): pip install 'cornu[export]' (onnx, "
                          "onnxscript, and onnxruntime to run the file).")
    engine = export_utils.backend_export()
    names = export_utils.input_names(signature)
    export_utils.check_exportable(layers, signature, names)
    flat_specs = tree.flatten(signature)
    program, module, samples, dims = engine.trace(
        fn, variables, layers, signature, flat_specs, names, flat=True)
    outputs = export_utils.output_names(module.output_structure)
    with export_utils.atomic_output(filepath) as tmp:
        exporter = engine.write_onnx(program, module, samples, dims, tmp, names, outputs,
                                     opset_version=opset_version)
        if variable_collections:
            _add_collections(tmp, variable_collections)
    return exporter


def _add_collections(path, collections):
    import onnx
    from onnx import numpy_helper
    model = onnx.load(path)
    for name, variables in collections.items():
        for variable in variables:
            key = f"{name}/{getattr(variable, 'path', None) or variable.name}"
            model.graph.initializer.append(numpy_helper.from_array(variable.numpy(), key))
    onnx.save(model, path)


def _forward(model):
    def forward(*args):
        return model(*args, training=False)
    return forward


def _signature(model, input_signature):
    if input_signature is None:
        return export_utils.get_input_signature(model)
    return export_utils.standardize_signature(input_signature)
