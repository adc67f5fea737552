"""The formats that need another runtime: OpenVINO IR, and TensorFlow's SavedModel and
LiteRT (which cornu cannot write: they need TensorFlow)."""
import importlib.util

from cornu import tree
from cornu.export import export_utils


def working_formats():
    """The ``model.export`` formats that can be written in this environment."""
    formats = ["onnx", "torch"]
    if importlib.util.find_spec("openvino") is not None:
        formats.append("openvino")
    return formats


def tensorflow_format_error(format):
    """The error for ``format="tf_saved_model"`` or ``"litert"``."""
    if importlib.util.find_spec("tensorflow") is None:
        return ImportError(
            f"format={format!r} needs TensorFlow, which is not installed. Formats that "
            f"work here: {working_formats()} (ONNX files run in ONNX Runtime, TensorFlow.js "
            "and on mobile; pip install tensorflow for the TensorFlow formats).")
    return NotImplementedError(
        f"format={format!r} is not supported by cornu yet, even with TensorFlow installed. "
        f"Formats that work here: {working_formats()}.")


def export_openvino(model, filepath, verbose=None, input_signature=None, **kwargs):
    """Export the forward pass (``training=False``) as OpenVINO IR: ``filepath`` (a
    ``.xml`` file) and the ``.bin`` file of weights beside it.

    OpenVINO converts the traced torch module directly (``openvino.convert_model``).
    Axes that are None in the signature stay dynamic. Inputs are named as for ONNX.

    Args:
        model: a built ``cornu.Model``.
        filepath: the ``.xml`` destination.
        verbose: whether to print a message once saved (default True).
        input_signature: optional, as for ``format="onnx"``.

    Example:

    ```python
    model.export("model.xml", format="openvino")
    compiled = openvino.Core().compile_model("model.xml", "CPU")
    y = compiled(x)[0]
    ```
    """
    if kwargs:
        raise TypeError(f"Unexpected arguments for format='openvino': {sorted(kwargs)}.")
    filepath = str(filepath)
    if not filepath.endswith(".xml"):
        raise ValueError("format='openvino' writes a .xml file (and a .bin beside it); "
                         f"received filepath={filepath!r}.")
    if importlib.util.find_spec("openvino") is None:
        raise ImportError("format='openvino' needs the OpenVINO runtime: pip install "
                          "openvino. Formats that work here: ['onnx', 'torch'].")
    import openvino
    engine = export_utils.backend_export()
    signature = (export_utils.get_input_signature(model) if input_signature is None
                 else export_utils.standardize_signature(input_signature))
    names = export_utils.input_names(signature)
    layers = model._flatten_layers()
    export_utils.check_exportable(layers, signature, names)
    flat_specs = tree.flatten(signature)

    def forward(*args):
        return model(*args, training=False)

    program, module, samples, _ = engine.trace(forward, model.variables, layers, signature,
                                               flat_specs, names, flat=True)
    ov_model = engine.convert_openvino(program, module, samples, flat_specs, names)
    with export_utils.atomic_output(filepath) as tmp:
        # Full-precision weights (save_model stores them as float16 by default).
        openvino.save_model(ov_model, tmp, compress_to_fp16=False)
    export_utils.print_saved(f"Saved OpenVINO IR at '{filepath}'.", verbose)
