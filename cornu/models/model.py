"""Model: a layer with training, evaluation, saving and a summary.

``Model(inputs, outputs)`` makes a functional model (the ``Functional`` class);
``Model()`` subclassed with a ``call`` tracks the layers set as attributes.
"""
from cornu import backend
from cornu.backend.common.keras_tensor import KerasTensor
from cornu.layers.layer import Layer

if backend.backend() == "torch":
    from cornu.backend.torch.trainer import TorchTrainer as _BackendTrainer
else:
    from cornu.backend.jax.trainer import JaxTrainer as _BackendTrainer


class Model(_BackendTrainer, Layer):
    """A group of layers with training and inference features.

    Two ways to make one:
    - functional: ``Model(inputs, outputs, name=None)`` from KerasTensors;
    - subclassing: define layers in ``__init__`` and the forward pass in ``call``.
    """

    @classmethod
    def _redirect_class(cls, args, kwargs):
        if cls is Model and (len(args) >= 2 or "inputs" in kwargs or "outputs" in kwargs):
            from cornu.models.functional import Functional
            return Functional
        return cls

    def __init__(self, *args, **kwargs):
        if args or "inputs" in kwargs or "outputs" in kwargs:
            raise TypeError(
                f"{type(self).__name__}.__init__ received inputs/outputs, but it is a "
                "subclassed model. Build the functional model with "
                "`cornu.Model(inputs, outputs)` instead.")
        super().__init__(**kwargs)

    # ------------------------------------------------------------ structure

    @property
    def layers(self):
        """The layers of the model, in the order they were set as attributes."""
        return self._sublayers()

    def get_layer(self, name=None, index=None):
        """A layer by ``name`` or by ``index`` in ``layers``."""
        if index is not None and name is not None:
            raise ValueError("Provide only one of `name` and `index` to get_layer, not both.")
        layers = self.layers
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError(
                    f"Model '{self.name}' has {len(layers)} layers; index {index} is out "
                    "of range.")
            return layers[index]
        if name is not None:
            for layer in layers:
                if layer.name == name:
                    return layer
            raise ValueError(
                f"No such layer: {name!r}. Model '{self.name}' has layers "
                f"{[l.name for l in layers]}.")
        raise ValueError("Provide a `name` or an `index` to get_layer.")

    def build(self, input_shape=None):
        """Build a subclassed model by running ``call`` on a symbolic input of ``input_shape``."""
        if self.built:
            return
        if input_shape is None:
            raise ValueError(f"Model '{self.name}': build() needs an input_shape.")
        backend.compute_output_spec(self.call, _shape_to_spec(input_shape))
        self.__dict__.setdefault("_build_input_shape", input_shape)
        self.built = True

    def reset_states(self):
        """Reset the states of the stateful layers (Keras 2's ``model.reset_states``)."""
        for layer in self._flatten_layers(include_self=False):
            if getattr(layer, "stateful", False) and hasattr(layer, "reset_states"):
                layer.reset_states()

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        """Print a table of the layers: name (type), output shape, parameter count
        (and the inbound layers of a branching functional model)."""
        from cornu.utils.summary_utils import print_summary
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable,
                      layer_range=layer_range)

    # ------------------------------------------------------------ saving

    def save(self, filepath, overwrite=True, **kwargs):
        """Save the model (architecture, weights, compile state) to a ``.keras`` file,
        or a legacy ``.h5`` file. Missing folders are made; the write is atomic."""
        from cornu.saving import saving_api
        return saving_api.save_model(self, filepath, overwrite=overwrite, **kwargs)

    def save_weights(self, filepath, overwrite=True):
        """Save the weights (and optimizer state) to a ``.weights.h5`` file."""
        from cornu.saving import saving_api
        return saving_api.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, skip_mismatch=False, by_name=False, **kwargs):
        """Load weights from a ``.weights.h5``, ``.keras`` or legacy ``.h5`` file.

        Args:
            skip_mismatch: warn and skip weights that do not fit, instead of raising.
            by_name: (legacy ``.h5``) match layers by name rather than by order.
        """
        from cornu.saving import saving_api
        return saving_api.load_weights(self, filepath, skip_mismatch=skip_mismatch,
                                       by_name=by_name, **kwargs)

    def _build_once(self, args):
        # Remember the first input shape: a subclassed model's build_config.
        shape = getattr(args[0], "shape", None) if args else None
        if shape is not None and "_build_input_shape" not in self.__dict__:
            self._build_input_shape = tuple(shape)
        super()._build_once(args)

    def get_build_config(self):
        """``{"input_shape": ...}``: how to build the model again when it is loaded."""
        config = super().get_build_config()
        if config is None and self.built and self.__dict__.get("_build_input_shape"):
            config = {"input_shape": _as_lists(self._build_input_shape)}
        return config

    def to_json(self, **kwargs):
        """The model's architecture as a JSON string (``model_from_json`` reads it)."""
        import json
        from cornu.saving.serialization import serialize_keras_object
        return json.dumps(serialize_keras_object(self), **kwargs)


def _as_lists(shape):
    if isinstance(shape, dict):
        return {k: _as_lists(v) for k, v in shape.items()}
    if isinstance(shape, (list, tuple)):
        return [_as_lists(v) for v in shape]
    return shape


def _shape_to_spec(shape):
    """KerasTensors for a shape tuple, or for a list or dict of shape tuples."""
    if isinstance(shape, dict):
        return {k: _shape_to_spec(v) for k, v in shape.items()}
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple, dict)):
        return [_shape_to_spec(s) for s in shape]
    return KerasTensor(tuple(shape))
