"""The torch side of ``cornu.export``: trace a cornu function with ``torch.export`` and
write it as ONNX (through ``torch.onnx``), as a ``.pt2`` program, or hand it to OpenVINO.

One mechanism serves every format: ``_ExportModule`` holds the variables' values as its
own parameters and buffers (named by the variables' paths) and, while it runs, makes the
Variables read those values. ``torch.export`` (non-strict) then sees an ordinary module
whose state it can lift into the program, and cornu's layers run their usual code.

While tracing, each layer's ``call`` is wrapped so that a failure names the innermost
layer that was running, and each graph node records the layer that made it (so an op
that the ONNX translation lacks is traced back to its layer too).
"""
import contextlib
import re
import warnings

import torch

from cornu import tree

# A dynamic axis is traced at this size: 1 would be specialized to a constant by torch.
_SAMPLE_BATCH = 2
_SAMPLE_OTHER = 7
_LAYER_KEY = "cornu_layer"


class ExportError(ValueError):
    """Raised when a model cannot be traced or translated; names the layer when known."""


class _ExportModule(torch.nn.Module):
    """Runs ``fn(*args)`` with ``variables`` reading this module's parameters and buffers.

    Args:
        fn: the function to export (for a model: its forward pass with training=False).
        variables: the cornu Variables ``fn`` reads.
        structure: the structure of ``fn``'s positional arguments (a list of them), for
            ``flat=True``.
        flat: True: ``forward`` takes the flat list of input tensors (ONNX) and returns a
            flat tuple of outputs; False: it takes ``fn``'s own arguments and returns its
            outputs as they are (``torch.export`` keeps nested structures).
    """

    def __init__(self, fn, variables, structure, flat):
        super().__init__()
        object.__setattr__(self, "_fn", fn)  # not a submodule: its state is ours below
        object.__setattr__(self, "_structure", structure)
        object.__setattr__(self, "_flat", flat)
        pairs = []
        seen = set()
        for variable in variables:
            if id(variable) in seen:
                continue
            seen.add(id(variable))
            key = _unique(_safe_name(getattr(variable, "path", None) or variable.name), self)
            value = variable._value.detach()
            if variable.trainable:
                self.register_parameter(key, torch.nn.Parameter(value, requires_grad=False))
            else:
                self.register_buffer(key, value)
            pairs.append((key, variable))
        object.__setattr__(self, "_pairs", pairs)

    def forward(self, *args):
        saved = [(v, v._value, v._meta) for _, v in self._pairs]
        state = {**self._parameters, **self._buffers}
        for key, variable in self._pairs:
            variable._value = state[key]
            variable._meta = None
        try:
            if self._flat:
                args = tree.pack_sequence_as(self._structure, list(args))
            outputs = self._fn(*args)
        finally:
            for variable, value, meta in saved:
                variable._value = value
                variable._meta = meta
        # The outputs' structure, for naming them (a leaf per output).
        object.__setattr__(self, "output_structure", tree.map_structure(lambda _: None, outputs))
        if self._flat:
            return tuple(tree.flatten(outputs))
        return outputs


def _safe_name(name):
    return "".join(c if c.isalnum() or c == "_" else "_" for c in str(name)) or "variable"


def _unique(key, module):
    taken = set(module._parameters) | set(module._buffers)
    out, i = key, 1
    while out in taken:
        out, i = f"{key}_{i}", i + 1
    return out


# ----------------------------------------------------------------- tracing


@contextlib.contextmanager
def _tracing_layers(layers, failures):
    """Wrap each layer's ``call``: the innermost layer running when an exception is
    raised goes into ``failures``; graph nodes get the layer's name in their metadata.
    Each layer's last checked input shape is cleared before and restored after, so no
    traced (symbolic) shape is compared with, or left behind for, a real one."""
    wrapped = []
    for layer in layers:
        d = layer.__dict__
        if "call" in d:
            continue
        original = layer.call

        def call(*args, __original=original, __layer=layer, **kwargs):
            with torch.fx.traceback.annotate({_LAYER_KEY: __layer.name}):
                try:
                    return __original(*args, **kwargs)
                except Exception as e:
                    if not failures:
                        failures.append((__layer, e))
                    raise

        d["call"] = call
        wrapped.append((layer, d.get("_checked_shape")))
        d["_checked_shape"] = None
    try:
        with torch.fx.traceback.preserve_node_meta(), _export_friendly_kernels():
            yield
    finally:
        for layer, checked in wrapped:
            del layer.__dict__["call"]
            layer.__dict__["_checked_shape"] = checked


@contextlib.contextmanager
def _export_friendly_kernels():
    """The fused RNN kernel with a mask packs sequences by their lengths (read on the
    host): a data-dependent path no exporter can trace. While exporting, masked RNNs
    take the layer's step-by-step path instead, which gives the same values."""
    from cornu.backend.torch import fused
    original = getattr(fused, "rnn", None)
    if original is None:
        yield
        return

    def rnn(mode, inputs, *args, mask=None, **kwargs):
        if mask is not None:
            return None
        return original(mode, inputs, *args, mask=mask, **kwargs)

    fused.rnn = rnn
    try:
        yield
    finally:
        fused.rnn = original


def _sample(spec):
    shape = tuple(_SAMPLE_BATCH if d is None and i == 0 else _SAMPLE_OTHER if d is None else d
                  for i, d in enumerate(spec.shape))
    from cornu.backend.torch.core import to_torch_dtype
    return torch.ones(shape, dtype=to_torch_dtype(spec.dtype))


def _dynamic_shapes(flat_specs, dims):
    """Per input: {axis: Dim} for its None axes (axis 0 of every input shares "batch")."""
    out = []
    for i, spec in enumerate(flat_specs):
        axes = {}
        for axis, d in enumerate(spec.shape):
            if d is None:
                # The batch axis must stay dynamic (an error otherwise); on other axes
                # torch works out the sizes the model accepts (a convolution's minimum
                # length), and a size the model fixes is caught after tracing.
                if axis == 0:
                    dims.setdefault("batch", torch.export.Dim("batch", min=1))
                    axes[axis] = dims["batch"]
                else:
                    dims[f"dim_{i}_{axis}"] = axes[axis] = torch.export.Dim.AUTO
        out.append(axes or None)
    return out


def trace(fn, variables, layers, signature, flat_specs, input_names, flat, strict=False,
          dynamic_shapes=None):
    """A ``torch.export.ExportedProgram`` of ``fn`` at ``signature``.

    Args:
        fn: called as ``fn(*args)`` with args structured as ``signature``.
        variables: the Variables ``fn`` reads (lifted into the program).
        layers: the layers ``fn`` runs (for naming the one that fails).
        signature: list of positional argument structures of InputSpecs.
        flat_specs: ``tree.flatten(signature)``.
        input_names: a name per flat spec (for error messages).
        flat: whether the program takes and returns flat tensors (ONNX) or ``fn``'s
            own structures (``.pt2``).
        strict: ``torch.export``'s ``strict``.
        dynamic_shapes: overrides the dynamic axes made from the signature's Nones.

    Returns:
        ``(program, module, sample_args, dims)``: dims maps the dynamic axes' names to
        their ``torch.export.Dim``.
    """
    module = _ExportModule(fn, variables, signature, flat).eval()
    flat_samples = [_sample(s) for s in flat_specs]
    dims = {}
    flat_dynamic = _dynamic_shapes(flat_specs, dims)
    if flat:
        sample_args = tuple(flat_samples)
        dynamic = (tuple(flat_dynamic),)
    else:
        sample_args = tuple(tree.pack_sequence_as(signature, flat_samples))
        dynamic = (tuple(tree.pack_sequence_as(signature, flat_dynamic)),)
    if dynamic_shapes is not None:
        dynamic = dynamic_shapes
    elif not dims:
        dynamic = None
    failures = []
    with _tracing_layers(layers, failures), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*not properly registered as a submodule.*")
        # torch's own pytree deprecation, raised from inside torch.export.
        warnings.filterwarnings("ignore", message=r".*isinstance\(treespec, LeafSpec\).*",
                                category=FutureWarning)
        try:
            program = torch.export.export(module, sample_args, dynamic_shapes=dynamic,
                                          strict=strict)
        except Exception as e:
            raise _explain_trace_failure(e, failures, flat_specs, input_names) from e
    if dynamic_shapes is None:
        _check_dynamic_axes(program, flat_specs, input_names)
    return program, module, sample_args, dims


def _check_dynamic_axes(program, flat_specs, input_names):
    """Every axis left None in the signature must be dynamic in the program."""
    for i, (spec, value) in enumerate(zip(flat_specs, _user_input_values(program))):
        fixed = [axis for axis, d in enumerate(spec.shape)
                 if d is None and not _is_dynamic(value.shape[axis])]
        if fixed:
            raise ExportError(
                f"The model fixes the size of axis {fixed} of input '{input_names[i]}' "
                f"(shape {tuple(spec.shape)} in the signature; traced at "
                f"{tuple(str(d) for d in value.shape)}): a layer's computation depends on "
                "that size (a recurrent layer runs one step per time step, for example). "
                "Pass `input_signature` with a fixed size on that axis; only the batch axis "
                "can stay None for this model.")


def _is_dynamic(size):
    # A SymInt that torch has replaced by a constant is as fixed as an int.
    from torch.fx.experimental.symbolic_shapes import is_concrete_int
    return isinstance(size, torch.SymInt) and not is_concrete_int(size)


def _user_input_values(program):
    """The traced (fake) values of the program's user inputs, in order."""
    user = [s.arg.name for s in program.graph_signature.input_specs
            if s.kind == torch.export.graph_signature.InputKind.USER_INPUT]
    nodes = {n.name: n for n in program.graph.nodes if n.op == "placeholder"}
    return [nodes[name].meta["val"] for name in user]


def _explain_trace_failure(error, failures, flat_specs, input_names):
    reason = f"{type(error).__name__}: {_first_lines(error)}"
    if failures:
        layer, inner = failures[0]
        return ExportError(
            f"Layer '{layer.name}' ({type(layer).__name__}) cannot be exported: torch.export "
            f"could not trace its `call`. Reason: {reason}. Layers whose computation depends "
            "on the values of their inputs (Python `if` on a tensor, conversion to numpy, "
            "strings) cannot be exported; rewrite that logic with `cornu.ops` (e.g. "
            "`ops.where`, `ops.cond`), or leave the layer out of the exported model.")
    if "specialized it to be a constant" in str(error) or "Constraints violated" in str(error):
        dynamic = [f"{input_names[i]}: {tuple(s.shape)}" for i, s in enumerate(flat_specs)
                   if None in tuple(s.shape)]
        return ExportError(
            "The model fixes the size of an axis that the input signature leaves dynamic "
            f"(None) ({', '.join(dynamic)}). Pass `input_signature` with a fixed size on "
            "that axis (only the batch axis can stay None for such models). "
            f"torch.export said: {reason}")
    return ExportError(f"torch.export could not trace the model. Reason: {reason}")


def _first_lines(error, n=6):
    lines = [line for line in str(error).splitlines() if line.strip()]
    return " ".join(lines[:n])


# ----------------------------------------------------------------- writers


def write_onnx(program, module, sample_args, dims, filepath, input_names, output_names,
               opset_version=None):
    """Translate ``program`` to ONNX with torch's dynamo-based exporter and save it at
    ``filepath``; where that translation fails, fall back to torch's TorchScript-based
    exporter (``dynamo=False``) on the same module. Returns which exporter wrote it
    ("dynamo" or "torchscript")."""
    dynamic = _named_axes(program, input_names)
    _int64_indices(program)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            onnx_program = torch.onnx.export(
                program, (), input_names=list(input_names), output_names=list(output_names),
                opset_version=opset_version, dynamo=True, verbose=False,
                dynamic_shapes=(tuple(dynamic.get(n) for n in input_names),) if dynamic else None)
        onnx_program.save(filepath)
        return "dynamo"
    except Exception as e:
        first_error = e
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(module, sample_args, filepath, input_names=list(input_names),
                              output_names=list(output_names), opset_version=opset_version,
                              dynamo=False, dynamic_axes=dynamic, verbose=False)
        return "torchscript"
    except Exception:
        pass
    raise _explain_translation_failure(first_error, program) from first_error


def _int64_indices(program):
    """Cast int32 index tensors of ``aten.index`` to int64 in place: torch.onnx
    translates that op to GatherND, whose indices ONNX requires to be int64 (ONNX
    Runtime rejects the file otherwise). cornu's ``take`` indexes with int32 ids."""
    graph = program.graph
    changed = False
    for node in list(graph.nodes):
        if node.op != "call_function" or node.target is not torch.ops.aten.index.Tensor:
            continue
        indices = list(node.args[1])
        for i, index in enumerate(indices):
            value = getattr(index, "meta", {}).get("val")
            if value is None or value.dtype != torch.int32:
                continue
            with graph.inserting_before(node):
                cast = graph.call_function(torch.ops.aten._to_copy.default, (index,),
                                           {"dtype": torch.int64})
            cast.meta.update({k: v for k, v in index.meta.items() if k != "val"})
            cast.meta["val"] = value.to(torch.int64)
            indices[i] = cast
            changed = True
        node.args = (node.args[0], indices) + tuple(node.args[2:])
    if changed:
        program.graph_module.recompile()


def _named_axes(program, input_names):
    """{input name: {axis: axis name}} for the inputs' dynamic axes in ``program``."""
    out = {}
    for i, (name, value) in enumerate(zip(input_names, _user_input_values(program))):
        axes = {}
        for axis, d in enumerate(getattr(value, "shape", ())):
            if _is_dynamic(d):
                axes[axis] = "batch" if axis == 0 else f"dim_{i}_{axis}"
        if axes:
            out[name] = axes
    return out


def _explain_translation_failure(error, program):
    text = str(error)
    layer = None
    for node in program.graph.nodes:
        if node.op == "call_function" and (str(node.target) in text or re.search(
                rf"\b{re.escape(node.name)}\b", text)):
            layer = (node.meta.get("custom") or {}).get(_LAYER_KEY)
            if layer:
                break
    where = f"Layer '{layer}' cannot be exported to ONNX" if layer else (
        "The model cannot be exported to ONNX")
    return ExportError(
        f"{where}: torch.onnx has no ONNX translation for an operation it uses, and "
        f"the TorchScript-based exporter failed too. Reason: {type(error).__name__}: "
        f"{_first_lines(error)}. Try another `opset_version`, or format=\"torch\".")


def write_program(program, filepath):
    """Save ``program`` with ``torch.export.save`` (a ``.pt2`` file)."""
    torch.export.save(program, filepath)


def convert_openvino(program, module, sample_args, flat_specs, input_names):
    """An ``openvino.Model`` converted by ``openvino.convert_model`` from the traced
    program, its inputs named and their None axes left dynamic."""
    import openvino as ov
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*isinstance\(treespec, LeafSpec\).*",
                                category=FutureWarning)
        model = ov.convert_model(program)
    for port, spec, name in zip(model.inputs, flat_specs, input_names):
        port.get_node().set_partial_shape(ov.PartialShape([-1 if d is None else d
                                                           for d in spec.shape]))
        port.get_node().set_friendly_name(name)
        port.get_tensor().set_names({name})
    model.validate_nodes_and_infer_types()
    return model
