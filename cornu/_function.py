"""``keras.Function``: a callable graph of ops and layers from inputs to outputs."""
from cornu import tree
from cornu.backend.common import global_state


class Function:
    """The computation from ``inputs`` to ``outputs``, two nests of KerasTensors,
    as a function of new inputs.

    Args:
        inputs: the ``cornu.Input`` KerasTensors (one, a list or a dict).
        outputs: KerasTensors computed from them with ops and layers.
        name: the function's name.

    Example:

    >>> x = cornu.Input((3,))
    >>> fn = cornu.Function(x, cornu.ops.exp(x) + 1)
    >>> fn(np.zeros((1, 3), "float32"))   # [[2., 2., 2.]]

    cornu builds it on its functional-model graph (a ``Functional`` model made
    from the same inputs and outputs), so its layers keep their weights.
    """

    def __init__(self, inputs, outputs, name=None):
        from cornu.models.functional import Functional
        self.name = name or global_state.uniquify("function")
        self._graph = Functional(inputs, outputs, name=self.name)
        self._inputs_struct = inputs
        self._outputs_struct = outputs

    @property
    def inputs(self):
        """The input KerasTensors, flattened."""
        return tree.flatten(self._inputs_struct)

    @property
    def outputs(self):
        """The output KerasTensors, flattened."""
        return tree.flatten(self._outputs_struct)

    @property
    def operations(self):
        """The layers and ops of the graph, in the order they run."""
        return list(self._graph.layers)

    def call(self, inputs):
        """The outputs for ``inputs`` (arrays or tensors in the structure of ``inputs``)."""
        return self._graph(inputs)

    def __call__(self, inputs):
        return self.call(inputs)

    def compute_output_spec(self, inputs):
        """The output KerasTensors for KerasTensor ``inputs`` (shapes and dtypes only)."""
        return self._graph.compute_output_spec(inputs)

    def __repr__(self):
        return f"<Function name={self.name}, {len(self.inputs)} inputs, " \
               f"{len(self.outputs)} outputs>"
