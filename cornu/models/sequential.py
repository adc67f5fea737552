"""Sequential: a plain stack of layers, each with one input and one output."""
from cornu import tree
from cornu.backend.common.keras_tensor import KerasTensor
from cornu.layers.core import InputLayer
from cornu.layers.layer import Layer
from cornu.models._input_checks import check_sequential_input
from cornu.models.model import Model


class Sequential(Model):
    """A linear stack of layers.

    Args:
        layers: a list of layers (a ``cornu.Input`` may come first).
        name: the model's name.

    The model is built as soon as the input shape is known: from a first
    ``cornu.Input``, from ``input_shape=`` / ``input_dim=`` on the first layer, or
    from the data of the first call.
    """

    def __init__(self, layers=None, trainable=True, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        self._stack = []           # the layers, an InputLayer first when known
        self._stack_outputs = []   # the symbolic output of each layer of the stack
        for layer in layers or []:
            self.add(layer)

    # -- building the stack
    def add(self, layer, rebuild=True):
        """Append a layer (or a ``cornu.Input``) to the stack."""
        if isinstance(layer, KerasTensor) and layer._keras_history is not None:
            layer = layer._keras_history[0]
        if not isinstance(layer, Layer):
            raise TypeError(
                f"Sequential.add expects a Layer instance; received {layer!r} of type "
                f"{type(layer).__name__}.")
        if isinstance(layer, InputLayer):
            if self._stack:
                raise ValueError(
                    "An Input can only be the first element of a Sequential model; this "
                    f"model already has layers {[l.name for l in self._stack]}.")
            self._stack.append(layer)
            self._stack_outputs.append(layer.output)
            return
        if any(l.name == layer.name for l in self._stack):
            raise ValueError(
                f"All layers added to a Sequential model should have unique names. Name "
                f"'{layer.name}' is already the name of a layer in this model.")
        if not self._stack and layer._batch_input_shape is not None:
            first = InputLayer(batch_shape=layer._batch_input_shape)
            self._stack.append(first)
            self._stack_outputs.append(first.output)
        self._stack.append(layer)
        if self._stack_outputs:
            try:
                self._stack_outputs.append(layer(self._stack_outputs[-1]))
            except Exception:
                self._stack.pop()
                raise
            self.built = True

    def pop(self, rebuild=True):
        """Remove and return the last layer."""
        if not self.layers:
            raise TypeError("There are no layers in the model.")
        layer = self._stack.pop()
        if len(self._stack_outputs) > len(self._stack):
            self._stack_outputs.pop()
        return layer

    def build(self, input_shape=None):
        """Build the stack for inputs of ``input_shape`` (batch dimension included)."""
        if self._stack_outputs:
            self.built = True
            return
        if input_shape is None:
            raise ValueError(f"Sequential model '{self.name}' needs an input shape to build.")
        input_shape = tuple(input_shape)
        layers = list(self._stack)
        self._stack = []
        self.add(InputLayer(batch_shape=(None,) + input_shape[1:]))
        for layer in layers:
            self.add(layer)
        self.built = True

    def _build_once(self, args):
        shape = getattr(args[0], "shape", None) if args else None
        if shape is None:
            raise ValueError(
                f"Sequential model '{self.name}' cannot infer its input shape from "
                f"{type(args[0]).__name__ if args else 'no input'}; call it on a tensor or "
                "give its first layer an input shape.")
        self.build(tuple(shape))

    # -- structure
    @property
    def layers(self):
        return [l for l in self._stack if not isinstance(l, InputLayer)]

    def _sublayers(self):
        return self.layers

    @property
    def inputs(self):
        return [self._stack_outputs[0]] if self._stack_outputs else None

    @property
    def outputs(self):
        return [self._stack_outputs[-1]] if self._stack_outputs else None

    @property
    def input(self):
        self._require_built("input")
        return self._stack_outputs[0]

    @property
    def output(self):
        self._require_built("output")
        return self._stack_outputs[-1]

    @property
    def input_shape(self):
        return self.input.shape

    @property
    def output_shape(self):
        return self.output.shape

    @property
    def input_names(self):
        return [self._stack[0].name] if self._stack_outputs else []

    @property
    def output_names(self):
        return [self._stack[-1].name] if self._stack else []

    def _require_built(self, what):
        if not self._stack_outputs:
            raise AttributeError(
                f"Sequential model '{self.name}' has no {what} yet: it is not built. Give "
                "its first layer an input shape (`cornu.Input(shape)` first, or "
                "`input_shape=`), or call it on data.")

    # -- execution
    def call(self, inputs, training=None, mask=None):
        x = inputs
        if self._stack_outputs:
            x = check_sequential_input(self, x, self._stack_outputs[0])
        if self._stack_outputs and hasattr(x, "shape") and (
                len(x.shape) != len(self._stack_outputs[0].shape)):
            from cornu.models.functional import adjust_input_rank
            x = adjust_input_rank(self, self._stack_outputs[0], x)
        for layer in self._stack:
            if layer.__class__ is not InputLayer:
                x = layer(x)
        return x

    def compute_output_spec(self, *args, **kwargs):
        from cornu import backend
        return backend.compute_output_spec(self.call, *args, **kwargs)

    def get_config(self):
        from cornu.saving.serialization import serialize_keras_object
        return {"name": self.name, "trainable": self.trainable, "dtype": self.dtype_name,
                "layers": [serialize_keras_object(l) for l in self._stack]}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from cornu.layers import deserialize
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        layers = config["layers"] if isinstance(config, dict) else config
        for layer_config in layers:
            model.add(deserialize(layer_config, custom_objects=custom_objects))
        if not model._stack_outputs and config.get("build_input_shape"):
            model.build(config["build_input_shape"])
        return model
