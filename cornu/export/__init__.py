"""cornu.export: a model leaves Python (``keras.export``).

``model.export(path, format=...)`` writes the forward pass as ``"onnx"`` (for ONNX
Runtime), ``"torch"`` (a ``torch.export`` program, ``.pt2``; beyond Keras) or
``"openvino"`` (OpenVINO IR); ``ExportArchive`` chooses what goes in. On torch every
format comes from one ``torch.export`` trace (``cornu/backend/torch/export.py``).
``"tf_saved_model"`` and ``"litert"`` need TensorFlow, which cornu does not use: they
raise an error naming the formats that work.
"""
from cornu.export.archive import ExportArchive  # noqa: F401

FORMATS = ("tf_saved_model", "onnx", "openvino", "litert", "torch")


def export_model(model, filepath, format="tf_saved_model", verbose=None,
                 input_signature=None, **kwargs):
    """Export ``model`` for inference (what ``Model.export`` does).

    Args:
        model: a built ``cornu.Model``.
        filepath: the destination.
        format: one of ``"onnx"``, ``"torch"``, ``"openvino"``, ``"tf_saved_model"``,
            ``"litert"``.
        verbose: whether to print a message once saved (default True).
        input_signature: optional input shapes and dtypes (see ``export_onnx``).
        **kwargs: format-specific options (``opset_version`` for ONNX; ``strict``,
            ``dynamic_shapes`` for torch).
    """
    if format not in FORMATS:
        raise ValueError(f"Unrecognized format={format!r}. Supported formats are: "
                         f"{list(FORMATS)}.")
    if format in ("tf_saved_model", "litert"):
        from cornu.export.formats import tensorflow_format_error
        raise tensorflow_format_error(format)
    if format == "onnx":
        from cornu.export.onnx import export_onnx
        return export_onnx(model, filepath, verbose=verbose, input_signature=input_signature,
                           **kwargs)
    if format == "torch":
        from cornu.export.torch_program import export_torch
        return export_torch(model, filepath, input_signature=input_signature,
                            verbose=verbose, **kwargs)
    from cornu.export.formats import export_openvino
    return export_openvino(model, filepath, verbose=verbose, input_signature=input_signature,
                           **kwargs)
