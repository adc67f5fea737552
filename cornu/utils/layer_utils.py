"""``keras.utils.layer_utils`` (Keras 2): count_params, print_summary, get_source_inputs."""
from cornu.legacy.modules import warn_module
from cornu.utils.summary_utils import count_params

__all__ = ["count_params", "print_summary", "get_source_inputs"]
warn_module("keras.utils.layer_utils", "keras.utils / model.summary()")


def print_summary(model, line_length=None, positions=None, print_fn=None, **kwargs):
    """``model.summary()``, as Keras 2's ``layer_utils.print_summary(model)``."""
    model.summary(line_length=line_length, positions=positions, print_fn=print_fn, **kwargs)


def get_source_inputs(tensor, layer=None, node_index=None):
    """The ``Input`` tensors that ``tensor`` was computed from."""
    history = getattr(tensor, "_keras_history", None)
    if history is None:
        return [tensor]
    node = history[0]._inbound_nodes[history[1]]
    if node.is_input:
        return [tensor]
    sources = []
    for x in node.input_tensors:
        for source in get_source_inputs(x):
            if not any(source is s for s in sources):
                sources.append(source)
    return sources
