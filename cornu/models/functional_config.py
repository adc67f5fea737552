"""A functional model's config (Keras 3's layout) and rebuilding a model from it.

Each layer's entry lists its ``inbound_nodes``: the arguments it was called
with, where a KerasTensor appears as ``{"class_name": "__keras_tensor__",
"config": {"keras_history": [layer name, node index, tensor index], ...}}``.
Node indices count only the calls that belong to this model. Keras 2 configs
(``[[["input_1", 0, 0, {}]]]``) load too.
"""
from cornu import tree
from cornu.backend.common.keras_tensor import KerasTensor


def _node_key(layer, node_index):
    return (id(layer), node_index)


def _reindex(model):
    """(layer id, original node index) -> index among that layer's nodes in this model."""
    in_model = {id(n) for n in model._graph_nodes}
    mapping = {}
    for layer in model.layers:
        kept = 0
        for i, node in enumerate(layer._inbound_nodes):
            if id(node) in in_model:
                mapping[_node_key(layer, i)] = kept
                kept += 1
    return mapping


def _history(tensor, mapping):
    layer, node_index, tensor_index = tensor._keras_history
    return [layer.name, mapping.get(_node_key(layer, node_index), node_index), tensor_index]


def _serialize_arg(value, mapping):
    if isinstance(value, KerasTensor):
        return {"class_name": "__keras_tensor__", "config": {
            "shape": list(value.shape), "dtype": value.dtype,
            "keras_history": _history(value, mapping)}}
    if isinstance(value, (list, tuple)):
        return [_serialize_arg(v, mapping) for v in value]
    if isinstance(value, dict):
        return {k: _serialize_arg(v, mapping) for k, v in value.items()}
    from cornu.saving.serialization import serialize_keras_object
    return serialize_keras_object(value)


def _structure_refs(structure, mapping):
    if isinstance(structure, KerasTensor):
        return _history(structure, mapping)
    if isinstance(structure, dict):
        return {k: _structure_refs(v, mapping) for k, v in structure.items()}
    return [_structure_refs(v, mapping) for v in structure]


def functional_config(model):
    """The config of a functional model, as Keras 3 writes it."""
    from cornu.saving.serialization import serialize_keras_object
    mapping = _reindex(model)
    in_model = {id(n) for n in model._graph_nodes}
    layer_configs = []
    for layer in model.layers:
        entry = serialize_keras_object(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = [
            {"args": _serialize_arg(list(node.call_args), mapping),
             "kwargs": _serialize_arg(dict(node.call_kwargs), mapping)}
            for node in layer._inbound_nodes if id(node) in in_model and not node.is_input]
        layer_configs.append(entry)
    inputs, outputs = model._inputs_struct, model._outputs_struct
    return {
        "name": model.name,
        "trainable": model.trainable,
        "layers": layer_configs,
        "input_layers": _structure_refs(inputs if not isinstance(inputs, KerasTensor)
                                        else [inputs], mapping),
        "output_layers": _structure_refs(outputs if not isinstance(outputs, KerasTensor)
                                         else [outputs], mapping),
    }


def _is_history(value):
    return (isinstance(value, list) and len(value) in (3, 4) and isinstance(value[0], str)
            and all(isinstance(v, int) for v in value[1:3]))


def functional_from_config(cls, config, custom_objects=None):
    """Rebuild a functional model: make each layer, then replay its calls in order."""
    from cornu.layers import deserialize as deserialize_layer
    created = {}
    order = []
    for entry in config["layers"]:
        name = entry.get("name") or entry.get("config", {}).get("name")
        layer_config = dict(entry)
        layer_config.pop("inbound_nodes", None)
        layer = deserialize_layer(layer_config, custom_objects=custom_objects)
        created[name] = layer
        order.append((layer, entry.get("inbound_nodes") or []))
    outputs_of = {}  # (layer name, node index) -> flat output tensors

    def lookup(name, node_index, tensor_index):
        key = (name, node_index)
        if key not in outputs_of:
            raise _NotYet()
        return outputs_of[key][tensor_index]

    def revive(value):
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            return lookup(*value["config"]["keras_history"])
        if isinstance(value, dict):
            return {k: revive(v) for k, v in value.items()}
        if isinstance(value, list):
            return [revive(v) for v in value]
        return value

    from cornu.layers.core import InputLayer
    for layer, _ in order:
        if isinstance(layer, InputLayer):
            outputs_of[(layer.name, 0)] = [layer.output]
    pending = [(layer, i, node) for layer, nodes in order for i, node in enumerate(nodes)]
    while pending:
        progressed = False
        rest = []
        for layer, index, node in pending:
            if any((layer.name, j) not in outputs_of for j in range(index)):
                rest.append((layer, index, node))
                continue
            try:
                args, kwargs = _node_arguments(node, revive, lookup)
            except _NotYet:
                rest.append((layer, index, node))
                continue
            out = layer(*args, **kwargs)
            outputs_of[(layer.name, index)] = tree.flatten(out)
            progressed = True
        if not progressed:
            names = sorted({layer.name for layer, _, _ in rest})
            raise ValueError(f"Cannot rebuild the model: the inputs of layers {names} are "
                             "never produced. The config is incomplete or corrupt.")
        pending = rest

    def refs(structure):
        if _is_history(structure):
            return lookup(*structure[:3])
        if isinstance(structure, dict):
            return {k: refs(v) for k, v in structure.items()}
        return [refs(v) for v in structure]

    inputs = refs(config["input_layers"])
    outputs = refs(config["output_layers"])
    # A single input or output is written as a one-element list; unwrap it.
    if isinstance(inputs, list) and len(inputs) == 1:
        inputs = inputs[0]
    if isinstance(outputs, list) and len(outputs) == 1:
        outputs = outputs[0]
    return cls(inputs=inputs, outputs=outputs, name=config.get("name"),
               trainable=config.get("trainable", True))


class _NotYet(Exception):
    """A node's input is produced by a node not yet replayed."""


def _node_arguments(node, revive, lookup):
    if isinstance(node, dict):  # Keras 3
        args = revive(node.get("args", []))
        kwargs = revive(node.get("kwargs", {}))
        return args, kwargs
    # Keras 2: a list of [layer name, node index, tensor index, kwargs] entries.
    tensors = [lookup(name, node_index, tensor_index)
               for name, node_index, tensor_index, *rest in node]
    kwargs = {}
    if node and len(node[0]) > 3 and isinstance(node[0][3], dict):
        kwargs = revive(node[0][3])
    return ([tensors[0]] if len(tensors) == 1 else [tensors]), kwargs
