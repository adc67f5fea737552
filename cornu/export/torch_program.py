"""``model.export(path, format="torch")``: a ``torch.export`` program in a ``.pt2`` file."""
from cornu import backend, tree
from cornu.export import export_utils


def export_torch(model, filepath, input_signature=None, verbose=None, **kwargs):
    """Export the forward pass (``training=False``) as a ``torch.export.ExportedProgram``.

    The ``.pt2`` file loads with ``torch.export.load`` in a program that does not import
    cornu; ``program.module()`` takes the same inputs as ``model.call`` (a dict for a
    model with dict inputs) and returns its outputs. Axes that are None in the signature
    (the batch axis by default) are dynamic.

    Args:
        model: a built ``cornu.Model`` (torch backend).
        filepath: the destination; must end with ``.pt2``.
        input_signature: optional, as for ``format="onnx"``.
        verbose: whether to print a message once saved (default True).
        **kwargs: ``strict`` (default False) and ``dynamic_shapes`` (replaces the dynamic
            axes made from the signature), passed to ``torch.export.export``.

    Example:

    ```python
    model.export("model.pt2", format="torch")
    program = torch.export.load("model.pt2")
    y = program.module()(torch.randn(8, 10))
    ```
    """
    if backend.backend() != "torch":
        raise ValueError(f"format='torch' needs the torch backend; the backend is "
                         f"{backend.backend()!r}.")
    filepath = str(filepath)
    if not filepath.endswith(".pt2"):
        raise ValueError(f"format='torch' writes a .pt2 file; received filepath={filepath!r}. "
                         "Use a path ending with '.pt2'.")
    unknown = sorted(set(kwargs) - {"strict", "dynamic_shapes"})
    if unknown:
        raise TypeError(f"Unexpected arguments for format='torch': {unknown}. Accepted: "
                        "verbose, input_signature, strict, dynamic_shapes.")
    signature = (export_utils.get_input_signature(model) if input_signature is None
                 else export_utils.standardize_signature(input_signature))

    def forward(*args):
        return model(*args, training=False)

    write_program(forward, model.variables, model._flatten_layers(), signature, filepath,
                  **kwargs)
    export_utils.print_saved(f"Saved PyTorch ExportedProgram at '{filepath}'.", verbose)


def write_program(fn, variables, layers, signature, filepath, strict=False,
                  dynamic_shapes=None):
    """Trace ``fn`` at ``signature`` with ``torch.export`` and save the program at
    ``filepath`` (atomically). Arguments as in ``cornu.export.onnx.write_onnx``."""
    engine = export_utils.backend_export()
    names = export_utils.input_names(signature)
    export_utils.check_exportable(layers, signature, names)
    program, _, _, _ = engine.trace(fn, variables, layers, signature, tree.flatten(signature),
                                    names, flat=False, strict=strict,
                                    dynamic_shapes=dynamic_shapes)
    with export_utils.atomic_output(filepath) as tmp:
        engine.write_program(program, tmp)
