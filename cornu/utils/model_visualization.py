"""plot_model / model_to_dot: a model's layer graph through pydot and Graphviz.

Each layer is a box (an HTML-like table, as Keras draws it) with its name and
class, and optionally its activation, input/output shapes, dtype and whether it
is trainable; edges follow the functional graph. pydot is imported when used;
Graphviz's ``dot`` program is needed only to render.
"""
import os
import sys

from cornu import tree

_INSTALL_GRAPHVIZ = (
    "Graphviz's `dot` program was not found; plot_model needs it to draw the graph. Install "
    "Graphviz (Debian/Ubuntu: `apt-get install graphviz`; macOS: `brew install graphviz`; "
    "conda: `conda install graphviz`; others: https://graphviz.org/download/) and make sure "
    "`dot` is on the PATH.")

_dot_class = None


def _pydot():
    try:
        import pydot
    except ImportError:
        raise ImportError("You must install pydot (`pip install pydot`) and Graphviz "
                          "(`apt-get install graphviz`) for plot_model / model_to_dot to "
                          "work.") from None
    return pydot


def _dot_type():
    """pydot.Dot whose ``create`` (and so ``write``, ``create_svg``, ...) explains how to
    install Graphviz when ``dot`` is missing."""
    global _dot_class
    if _dot_class is None:
        pydot = _pydot()

        class Dot(pydot.Dot):
            def create(self, prog=None, format="ps", encoding=None):
                try:
                    return super().create(prog=prog, format=format, encoding=encoding)
                except FileNotFoundError as e:
                    raise ImportError(_INSTALL_GRAPHVIZ + f" ({e})") from None
        _dot_class = Dot
    return _dot_class


def check_graphviz():
    """Whether pydot and Graphviz's ``dot`` are both available."""
    try:
        _dot_type()().create()
        return True
    except (ImportError, OSError):
        return False


def _activation_name(activation):
    return getattr(activation, "name", None) or getattr(activation, "__name__", None) or str(
        activation)


def _format_shape(structure):
    if structure is None:
        return "?"
    if isinstance(structure, dict):
        return ", ".join(f"{k}: {v}" for k, v in structure.items())
    return str(structure)


def _shapes(layer, what):
    try:
        return tree.map_structure(lambda t: tuple(t.shape), getattr(layer, what))
    except (AttributeError, ValueError, TypeError):
        return None


def _cell(text, bgcolor="white", colspan=None, color=None, size=14):
    span = f' colspan="{colspan}"' if colspan else ""
    font_color = f' color="{color}"' if color else ""
    return (f'<td bgcolor="{bgcolor}"{span}><font point-size="{size}"{font_color}>{text}'
            "</font></td>")


def _escape(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def make_layer_label(layer, show_layer_names, show_layer_activations, show_dtype, show_shapes,
                     show_trainable):
    """The HTML-like label of one layer's box."""
    class_name = type(layer).__name__
    columns = []
    if show_shapes:
        for what in ("input", "output") if class_name != "InputLayer" else ("output",):
            shape = _escape(_format_shape(_shapes(layer, what)))
            columns.append(_cell(f"{what.capitalize()} shape: <b>{shape}</b>"))
    if show_dtype:
        try:
            dtype = tree.map_structure(lambda t: t.dtype, layer.output)
        except (AttributeError, ValueError, TypeError):
            dtype = None
        columns.append(_cell(f"Output dtype: <b>{_escape(dtype or '?')}</b>"))
    if show_trainable and layer.weights:
        columns.append(_cell("<b>Trainable</b>", "forestgreen", color="white") if layer.trainable
                       else _cell("<b>Non-trainable</b>", "firebrick", color="white"))
    span = max(1, len(columns))
    title = (f"<b>{_escape(layer.name)}</b> ({class_name})" if show_layer_names
             else f"<b>{class_name}</b>")
    rows = [_cell(title, "black", span, color="white", size=16)]
    if show_layer_activations and getattr(layer, "activation", None) is not None:
        rows.append(_cell(f"Activation: <b>{_escape(_activation_name(layer.activation))}</b>",
                          colspan=span))
    if columns:
        rows.append("".join(columns))
    body = "".join(f"<tr>{row}</tr>" for row in rows)
    return f'<<table border="0" cellborder="1" bgcolor="black" cellpadding="10">{body}</table>>'


def _is_graph_model(layer):
    from cornu.models.functional import Functional
    from cornu.models.sequential import Sequential
    return isinstance(layer, (Functional, Sequential))


def _first_box(model, input_index=0):
    """The box an edge into a nested model points at."""
    from cornu.models.functional import Functional
    while _is_graph_model(model):
        if isinstance(model, Functional):
            model = model.inputs[input_index]._keras_history[0]
        else:
            model = model.layers[0]
    return model


def _last_box(model, output_index=0):
    """The box an edge out of a nested model starts from."""
    while _is_graph_model(model):
        model = model.outputs[output_index]._keras_history[0]
    return model


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True,
                 rankdir="TB", expand_nested=False, dpi=200, subgraph=False,
                 show_layer_activations=False, show_trainable=False, splines="ortho",
                 **kwargs):
    """A pydot graph of the model's layers (``.create(prog="dot", format="svg")`` renders it).

    Args:
        model: a built cornu model.
        show_shapes: show each layer's input and output shapes.
        show_dtype: show each layer's output dtype.
        show_layer_names: show each layer's name next to its class.
        rankdir: "TB" (top to bottom) or "LR" (left to right).
        expand_nested: draw nested models as clusters of their layers.
        dpi: the resolution of rendered images.
        subgraph: return a ``pydot.Cluster`` (used for nested models).
        show_layer_activations: show the activation of layers that have one.
        show_trainable: show whether each layer with weights is trainable.
        splines: how Graphviz draws edges ("ortho", "curved", "polyline", "spline", "line").

    Returns:
        A ``pydot.Dot`` (or a ``pydot.Cluster`` with ``subgraph=True``).
    """
    if kwargs.pop("layer_range", None) is not None:
        raise ValueError("`layer_range` is not supported by model_to_dot; plot the model.")
    if kwargs:
        raise TypeError(f"model_to_dot() got an unexpected keyword argument "
                        f"{next(iter(kwargs))!r}.")
    if not model.built:
        raise ValueError(f"Model '{model.name}' is not built yet: build it (give it an input "
                         "shape, or call it on data) before plotting it.")
    pydot = _pydot()
    from cornu.models.sequential import Sequential
    if subgraph:
        dot = pydot.Cluster(style="dashed", graph_name=model.name)
        dot.set("label", model.name)
        dot.set("labeljust", "l")
    else:
        dot = _dot_type()()
        dot.set("rankdir", rankdir)
        dot.set("concentrate", True)
        dot.set("dpi", dpi)
        dot.set("splines", splines)
        dot.set_node_defaults(shape="record")
    options = {"show_layer_names": show_layer_names,
               "show_layer_activations": show_layer_activations, "show_dtype": show_dtype,
               "show_shapes": show_shapes, "show_trainable": show_trainable}

    def add_node(layer):
        node = pydot.Node(str(id(layer)), label=make_layer_label(layer, **options))
        node.set("fontname", "Helvetica")
        node.set("border", "0")
        node.set("margin", "0")
        dot.add_node(node)

    def add_edge(source, destination):
        if not dot.get_edge(str(id(source)), str(id(destination))):
            edge = pydot.Edge(str(id(source)), str(id(destination)))
            edge.set("penwidth", "2")
            dot.add_edge(edge)

    if not _is_graph_model(model):  # a subclassed model is one box
        add_node(model)
        return dot
    layers = model.layers
    for layer in layers:
        if expand_nested and _is_graph_model(layer):
            dot.add_subgraph(model_to_dot(
                layer, show_shapes=show_shapes, show_dtype=show_dtype,
                show_layer_names=show_layer_names, rankdir=rankdir,
                expand_nested=expand_nested, subgraph=True,
                show_layer_activations=show_layer_activations, show_trainable=show_trainable))
        else:
            add_node(layer)
    if isinstance(model, Sequential):
        for before, after in zip(layers, layers[1:]):
            add_edge(_last_box(before) if expand_nested else before,
                     _first_box(after) if expand_nested else after)
        return dot
    own_nodes = {id(node) for node in model._graph_nodes}
    for layer in layers:
        for node in layer._inbound_nodes:
            if id(node) not in own_nodes:
                continue
            for input_index, tensor in enumerate(node.input_tensors):
                if tensor._keras_history is None:
                    continue
                source, _, output_index = tensor._keras_history
                destination = layer
                if expand_nested:
                    source = _last_box(source, output_index)
                    destination = _first_box(destination, input_index)
                add_edge(source, destination)
    return dot


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=False, rankdir="TB", expand_nested=False, dpi=200,
               show_layer_activations=False, show_trainable=False, splines="ortho", **kwargs):
    """Draw the model's graph into ``to_file`` (PNG, SVG, PDF, ... by its extension).

    The arguments are those of ``model_to_dot``. Needs pydot and Graphviz's ``dot``.

    Returns:
        An ``IPython.display.Image`` of the file when running under IPython, else None.

    Example:
        >>> cornu.utils.plot_model(model, "model.png", show_shapes=True)  # doctest: +SKIP
    """
    if not model.built:
        raise ValueError(f"Model '{model.name}' is not built yet: build it (give it an input "
                         "shape, or call it on data) before plotting it.")
    dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype,
                       show_layer_names=show_layer_names, rankdir=rankdir,
                       expand_nested=expand_nested, dpi=dpi,
                       show_layer_activations=show_layer_activations,
                       show_trainable=show_trainable, splines=splines, **kwargs)
    to_file = os.fspath(to_file)
    extension = os.path.splitext(to_file)[1][1:].lower() or "png"
    dot.write(to_file, format=extension)
    if extension in ("png", "jpg", "jpeg", "gif") and "IPython" in sys.modules:
        try:
            from IPython import display
            return display.Image(filename=to_file)
        except ImportError:
            pass
    return None
