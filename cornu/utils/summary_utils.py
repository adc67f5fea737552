"""``model.summary()``: Keras's table of layers, shapes and parameter counts."""
from cornu.backend.common.keras_tensor import KerasTensor


def count_params(weights):
    total = 0
    for w in weights:
        n = 1
        for d in w.shape:
            n *= d
        total += n
    return total


def readable_memory_size(num_bytes):
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if num_bytes < 1024 or unit == "TB":
            return f"{num_bytes:.2f} {unit}"
        num_bytes /= 1024


def _weights_bytes(weights):
    total = 0
    for w in weights:
        size = {"float16": 2, "bfloat16": 2, "float64": 8, "int64": 8, "uint8": 1, "int8": 1,
                "bool": 1}.get(w.dtype, 4)
        total += size * count_params([w])
    return total


def _format_shape(layer):
    nodes = layer._inbound_nodes
    if not nodes:
        return "?"
    if len(nodes) > 1:
        shapes = {repr(_shapes(n.output_structure)) for n in nodes}
        if len(shapes) > 1:
            return "multiple"
    return _shape_text(_shapes(nodes[0].output_structure))


def _shapes(structure):
    if isinstance(structure, KerasTensor):
        return structure.shape
    if isinstance(structure, dict):
        return {k: _shapes(v) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return [_shapes(v) for v in structure]
    return None


def _shape_text(shape):
    if isinstance(shape, tuple):
        return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
    if isinstance(shape, list):
        return "[" + ", ".join(_shape_text(s) for s in shape) + "]"
    if isinstance(shape, dict):
        return "{" + ", ".join(f"{k}: {_shape_text(v)}" for k, v in shape.items()) + "}"
    return "?"


def _is_sequential_like(model):
    from cornu.models.functional import Functional
    if not isinstance(model, Functional):
        return True
    by_depth = {}
    for node in model._graph_nodes:
        by_depth.setdefault(model._node_depth[id(node)], []).append(node)
    nodes = set()
    for group in by_depth.values():
        if len(group) > 1 or len(group[0].input_tensors) > 1:
            return False
        nodes.add(id(group[0]))
    for layer in model.layers:
        if sum(1 for n in layer._inbound_nodes if id(n) in nodes) > 1:
            return False
    return True


def _connections(model, layer):
    graph_nodes = {id(n) for n in model._graph_nodes}
    out = []
    for node in layer._inbound_nodes:
        if id(node) not in graph_nodes:
            continue
        for x in node.input_tensors:
            if x._keras_history is None:
                continue
            parent, node_index, tensor_index = x._keras_history
            out.append(f"{parent.name}[{node_index}][{tensor_index}]")
    return out or ["-"]


def _wrap(text, width):
    """Split ``text`` into lines of at most ``width`` characters (long names included)."""
    lines = []
    for part in text.split("\n"):
        while len(part) > width:
            cut = part.rfind(" ", 0, width)
            cut = cut if cut > 0 else width
            lines.append(part[:cut])
            part = part[cut:].lstrip()
        lines.append(part)
    return lines


def print_summary(model, line_length=None, positions=None, print_fn=None, expand_nested=False,
                  show_trainable=False, layer_range=None):
    """Print the summary table of ``model`` (see ``Model.summary``)."""
    if print_fn is None:
        print_fn = print
    sequential_like = _is_sequential_like(model)
    from cornu.models.functional import Functional
    show_connections = not sequential_like and isinstance(model, Functional)
    headers = ["Layer (type)", "Output Shape", "Param #"]
    align = ["left", "left", "right"]
    if show_connections:
        headers.append("Connected to")
        align.append("left")
        line_length = line_length or 108
        positions = positions or [0.3, 0.58, 0.70, 1.0]
    else:
        line_length = line_length or 88
        positions = positions or [0.45, 0.84, 1.0]
    if show_trainable:
        headers.append("Trainable")
        align.append("left")
        line_length += 11
        positions = [p * (line_length - 11) / line_length for p in positions] + [1.0]
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    widths = [positions[0]] + [b - a for a, b in zip(positions, positions[1:])]
    widths = [max(w - 3, 4) for w in widths]

    rows = []

    def add_rows(owner, layers, indent):
        for layer in layers:
            built = layer.built
            params = count_params(layer.weights) if built else 0
            cells = [f"{'  ' * indent}{layer.name} ({type(layer).__name__})",
                     _format_shape(layer),
                     f"{params:,}" if built else "0 (unbuilt)"]
            if show_connections:
                cells.append("\n".join(_connections(owner, layer)) if indent == 0 else "")
            if show_trainable:
                cells.append("Y" if layer.trainable else "N")
            rows.append(cells)
            sub = getattr(layer, "layers", None)
            if expand_nested and sub is not None and hasattr(layer, "summary"):
                add_rows(layer, sub, indent + 1)

    layers = model.layers
    if layer_range is not None:
        names = [l.name for l in layers]
        start, end = (names.index(layer_range[0]) if isinstance(layer_range[0], str)
                      else layer_range[0]), (names.index(layer_range[1]) + 1 if isinstance(
                          layer_range[1], str) else layer_range[1])
        layers = layers[start:end]
    add_rows(model, layers, 0)

    def border(left, mid, right, fill):
        return left + mid.join(fill * (w + 2) for w in widths) + right

    def line(cells, sep="│"):
        wrapped = [_wrap(c, w) for c, w in zip(cells, widths)]
        height = max(len(c) for c in wrapped)
        out = []
        for i in range(height):
            parts = []
            for c, w, a in zip(wrapped, widths, align):
                text = c[i] if i < len(c) else ""
                parts.append(" " + (text.rjust(w) if a == "right" else text.ljust(w)) + " ")
            out.append(sep + sep.join(parts) + sep)
        return out

    print_fn(f'Model: "{model.name}"')
    print_fn(border("┏", "┳", "┓", "━"))
    for text in line(headers, sep="┃"):
        print_fn(text)
    print_fn(border("┡", "╇", "┩", "━"))
    for i, cells in enumerate(rows):
        for text in line(cells):
            print_fn(text)
        if i < len(rows) - 1:
            print_fn(border("├", "┼", "┤", "─"))
    print_fn(border("└", "┴", "┘", "─"))

    if model.built or any(l.built for l in model.layers):
        weights = model.weights
        trainable = model.trainable_weights
        trainable_ids = {id(w) for w in trainable}
        non_trainable = [w for w in weights if id(w) not in trainable_ids]
        total = count_params(weights)
        print_fn(f" Total params: {total:,} ({readable_memory_size(_weights_bytes(weights))})")
        print_fn(f" Trainable params: {count_params(trainable):,} "
                 f"({readable_memory_size(_weights_bytes(trainable))})")
        print_fn(f" Non-trainable params: {count_params(non_trainable):,} "
                 f"({readable_memory_size(_weights_bytes(non_trainable))})")
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None and getattr(optimizer, "variables", None):
            opt_vars = optimizer.variables
            print_fn(f" Optimizer params: {count_params(opt_vars):,} "
                     f"({readable_memory_size(_weights_bytes(opt_vars))})")
    else:
        print_fn(f" Model '{model.name}' is not built yet: its parameter count is unknown. "
                 "Call it on data or give its first layer an input shape to build it.")
