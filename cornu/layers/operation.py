"""OperationLayer: an op applied to KerasTensors (``x + y``, ``ops.matmul(a, b)``),
recorded in the graph as a weightless layer."""
from cornu.layers.layer import Layer


class OperationLayer(Layer):
    """Re-applies ``cornu.ops.<op>`` to the same arguments when the model runs."""

    def __init__(self, op, **kwargs):
        super().__init__(name=kwargs.pop("name", None) or None, **kwargs)
        self.op = op
        self.built = True

    def call(self, *args, **kwargs):
        import functools
        from cornu import ops
        # "add", or "image.resize" for the ops that live in a submodule
        return functools.reduce(getattr, self.op.split("."), ops)(*args, **kwargs)

    def _convert_input(self, x):
        return x  # ops convert their own arguments, keeping integer and bool dtypes

    def get_config(self):
        return {"name": self.name, "op": self.op}
