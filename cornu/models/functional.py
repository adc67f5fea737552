"""Functional: a model defined by a graph of layers called on KerasTensors."""
import numpy as np

from cornu import backend, tree
from cornu.backend.common.keras_tensor import KerasTensor
from cornu.layers.core import InputLayer
from cornu.layers.layer import _loss_state
from cornu.models._input_checks import check_input_shape
from cornu.models.model import Model


def map_graph(inputs, outputs):
    """Walk back from ``outputs`` to ``inputs``.

    Returns the nodes in an order that runs each after its parents, each node's
    depth (0 at the outputs), and the layers ordered as Keras orders them: deepest
    first, ties in the order met walking back from the outputs.
    """
    input_ids = {id(x) for x in inputs}
    order, depth, layer_index = [], {}, {}
    finished, active = set(), set()

    def visit(tensor):
        if tensor._keras_history is None:
            raise ValueError(
                f"{tensor!r} was not produced by a layer. Model outputs must be computed "
                "from `cornu.Input` tensors by layers or cornu.ops.")
        layer, node_index, _ = tensor._keras_history
        node = layer._inbound_nodes[node_index]
        layer_index.setdefault(id(layer), (len(layer_index), layer))
        if id(node) in finished:
            return node
        if id(node) in active:
            raise ValueError(f"The graph has a cycle at layer '{layer.name}'.")
        active.add(id(node))
        if id(tensor) not in input_ids:
            if node.is_input:
                raise ValueError(
                    f"Graph disconnected: the model's outputs need the input "
                    f"'{layer.name}' ({tensor!r}), which is not among the model's inputs "
                    f"{[x.name for x in inputs]}. Pass it in `inputs`.")
            for x in node.input_tensors:
                visit(x)
        active.discard(id(node))
        finished.add(id(node))
        order.append(node)
        return node

    for x in outputs:
        visit(x)
    for x in inputs:  # inputs that no output uses still belong to the model
        visit(x)
    for node in reversed(order):
        d = depth.setdefault(id(node), 0)
        if not node.is_input:
            for parent in node.parent_nodes:
                depth[id(parent)] = max(depth.get(id(parent), 0), d + 1)
    layer_depth = {}
    for node in order:
        key = id(node.layer)
        layer_depth[key] = max(layer_depth.get(key, 0), depth[id(node)])
    layers = sorted((v for v in layer_index.values()),
                    key=lambda item: (-layer_depth[id(item[1])], item[0]))
    return order, depth, [layer for _, layer in layers]


class Functional(Model):
    """A model made from ``cornu.Input`` tensors and the layers applied to them.

    Args:
        inputs: a KerasTensor from ``cornu.Input``, or a list or dict of them.
        outputs: the KerasTensor(s) computed from the inputs.
        name: the model's name.
    """

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        if name is None and type(self) is Functional:
            name = _default_name()  # a subclass is named after its class, as in Keras
        super().__init__(name=name, trainable=trainable, **kwargs)
        for x in tree.flatten(inputs):
            if not isinstance(x, KerasTensor) or x._keras_history is None or not isinstance(
                    x._keras_history[0], InputLayer):
                raise ValueError(
                    f"Model inputs must be tensors made by `cornu.Input`; received {x!r}.")
        for x in tree.flatten(outputs):
            if not isinstance(x, KerasTensor):
                raise ValueError(
                    f"Model outputs must be KerasTensors computed from the inputs; received "
                    f"{x!r}.")
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        self.inputs = tree.flatten(inputs)
        self.outputs = tree.flatten(outputs)
        nodes, self._node_depth, self._graph_layers = map_graph(self.inputs, self.outputs)
        self._graph_nodes = nodes
        self._plan = self._make_plan(nodes)
        self.built = True

    def add_loss(self, loss):
        """Add a loss to ``losses``.

        A loss built from the model's own symbolic tensors (Keras 2's functional pattern:
        ``vae.add_loss(K.mean(reconstruction_loss + kl_loss))``, then ``compile`` without
        a loss and ``fit(x)`` without targets) becomes part of the graph: it is computed
        from each batch in the same pass as the outputs. Any other loss is added as by
        ``Layer.add_loss``.
        """
        symbolic = [t for t in tree.flatten(loss) if isinstance(t, KerasTensor)]
        if not symbolic:
            return super().add_loss(loss)
        self._symbolic_losses = getattr(self, "_symbolic_losses", []) + symbolic
        nodes, self._node_depth, graph_layers = map_graph(
            self.inputs, self.outputs + self._symbolic_losses)
        # Layers only the loss uses (the Dense of z_log_var) join the model, as in Keras
        # 2, so that their weights train; the ops of the loss formula do not.
        from cornu.layers import OperationLayer
        known = {id(layer) for layer in self._graph_layers}
        self._graph_layers = list(self._graph_layers) + [
            layer for layer in graph_layers
            if id(layer) not in known and not isinstance(layer, OperationLayer)]
        self._graph_nodes = nodes
        self._plan = self._make_plan(nodes)
        _loss_state.added = True

    # -- structure
    @property
    def layers(self):
        return list(self._graph_layers)

    def _sublayers(self):
        return list(self._graph_layers)

    @property
    def input(self):
        return self._inputs_struct

    @property
    def output(self):
        return self._outputs_struct

    @property
    def input_names(self):
        return [x._keras_history[0].name for x in self.inputs]

    @property
    def output_names(self):
        return [x._keras_history[0].name for x in self.outputs]

    # -- execution
    def _make_plan(self, nodes):
        """Per node: (layer, fast input id or None, args, kwargs, output ids)."""
        plan = []
        for node in nodes:
            if node.is_input:
                continue
            out_ids = [id(t) for t in node.outputs]
            args, kwargs = node.call_args, node.call_kwargs
            fast = (len(args) == 1 and not kwargs and isinstance(args[0], KerasTensor))
            plan.append((node.layer, id(args[0]) if fast else None, args, kwargs, out_ids,
                         len(out_ids) == 1 and node.output_structure is node.outputs[0]))
        return plan

    def _standardize_inputs(self, inputs):
        struct = self._inputs_struct
        if isinstance(inputs, dict):
            names = [x._keras_history[0].name for x in self.inputs]
            if isinstance(struct, dict):
                keys = sorted(struct)
                missing = [k for k in keys if k not in inputs]
                if missing:
                    raise ValueError(
                        f"Model '{self.name}' is missing inputs {missing}; expected keys "
                        f"{keys}, received {sorted(inputs)}.")
                flat = [inputs[k] for k in keys]
            else:
                missing = [n for n in names if n not in inputs]
                if missing:
                    raise ValueError(
                        f"Model '{self.name}' is missing inputs {missing}; expected keys "
                        f"{names}, received {sorted(inputs)}.")
                flat = [inputs[n] for n in names]
        else:
            flat = tree.flatten(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if len(flat) != len(self.inputs):
            raise ValueError(
                f"Model '{self.name}' expects {len(self.inputs)} input(s) "
                f"({[x.name for x in self.inputs]}) but received {len(flat)}.")
        out = []
        for x, spec in zip(flat, self.inputs):
            if spec.dtype == "string":
                out.append(x if hasattr(x, "dtype") else np.asarray(x))
                continue
            if not backend.is_tensor(x) or backend.dtype_name(x) != spec.dtype:
                x = backend.convert_to_tensor(x, dtype=spec.dtype)
            if len(x.shape) != len(spec.shape):
                path = tree.flatten_with_path(self._inputs_struct)[len(out)][0]
                x = adjust_input_rank(self, spec, x, ".".join(str(p) for p in path))
            check_input_shape(self, spec, x, len(out))
            out.append(x)
        return out

    def call(self, inputs, training=None, mask=None):
        values = {}
        for spec, x in zip(self.inputs, self._standardize_inputs(inputs)):
            values[id(spec)] = x
        for layer, fast_id, args, kwargs, out_ids, single in self._plan:
            if fast_id is not None:
                outputs = layer(values[fast_id])
            else:
                a, k = tree.map_structure(
                    lambda v: values[id(v)] if isinstance(v, KerasTensor) else v,
                    (args, kwargs))
                outputs = layer(*a, **k)
            if single:
                values[out_ids[0]] = outputs
            else:
                for i, o in zip(out_ids, tree.flatten(outputs)):
                    values[i] = o
        for t in getattr(self, "_symbolic_losses", ()):
            self._loss_values.append(values[id(t)])
        struct = self._outputs_struct
        if isinstance(struct, (list, tuple)) and len(struct) == 1:
            return values[id(struct[0])]  # Model(inputs, [output]) returns the tensor
        return tree.map_structure(lambda t: values[id(t)], struct)

    def compute_output_spec(self, *args, **kwargs):
        """KerasTensors for the outputs. Called on ``cornu.Input`` tensors, a model made
        with ``outputs=[y]`` returns the list ``[y']`` (as Keras 3 does), while an eager
        call returns the tensor itself."""
        out = backend.compute_output_spec(self.call, *args, **kwargs)
        struct = self._outputs_struct
        if isinstance(struct, (list, tuple)) and len(struct) == 1:
            return type(struct)([out])
        return out

    def get_config(self):
        from cornu.models.functional_config import functional_config
        return functional_config(self)


def adjust_input_rank(model, spec, x, path=""):
    """``x`` fitted to the rank of the model input ``spec``, by Keras's rule: one extra
    trailing axis of size 1 is squeezed, and one missing axis is added when the input's
    last axis is 1 (``Input((28, 28, 1))`` takes ``(N, 28, 28)`` arrays). Any other
    difference of rank is a ValueError."""
    from cornu import ops
    rank, ref = len(x.shape), spec.shape
    if rank == len(ref) + 1 and x.shape[-1] == 1:
        return ops.squeeze(x, axis=-1)
    if rank == len(ref) - 1 and ref[-1] == 1:
        return ops.expand_dims(x, axis=-1)
    raise ValueError(
        f"Invalid input shape for input '{spec.name}' (path '{path}') of model "
        f"'{model.name}': expected shape {tuple(ref)}, but received an input of shape "
        f"{tuple(x.shape)}. An input may differ from its `Input` shape only by a trailing "
        "axis of size 1; reshape the data (or the `Input`) to match.")


def _default_name():
    from cornu.backend.common import global_state
    return global_state.uniquify("functional")
