"""Walking the layer graph: ``keras.utils.get_source_inputs``."""


def get_source_inputs(tensor, layer=None, node_index=None):
    """The ``Input`` tensors that ``tensor`` was computed from.

    Args:
        tensor: a KerasTensor (or any other value, returned in a list as it is).
        layer, node_index: accepted for Keras 2 compatibility; unused.

    Returns:
        A list of the source ``Input`` KerasTensors, each once, in the order found.
    """
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
