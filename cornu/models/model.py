"""Model: a layer with training, evaluation, saving and a summary.

``Model(inputs, outputs)`` makes a functional model (the ``Functional`` class);
``Model()`` subclassed with a ``call`` tracks the layers set as attributes. A
subclass given inputs and outputs (``MyModel(inputs, outputs)``, typically to
override ``train_step``) is a functional model that keeps the subclass's methods.
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
        if cls is Model and _functional_arguments(args, kwargs):
            from cornu.models.functional import Functional
            return Functional
        return cls

    def __init__(self, *args, inputs=None, outputs=None, **kwargs):
        if args or inputs is not None or outputs is not None:
            # A subclass given inputs and outputs (``MyModel(inputs, outputs)``, or its own
            # ``__init__`` passing them up) becomes a functional model that keeps the
            # subclass's methods, as in Keras 3.
            from cornu.models.functional import Functional
            if not isinstance(self, Functional):
                self.__class__ = functional_variant(type(self))
            if inputs is not None:
                kwargs["inputs"] = inputs
            if outputs is not None:
                kwargs["outputs"] = outputs
            Functional.__init__(self, *args, **kwargs)
            return
        super().__init__(**kwargs)

    def get_config(self):
        """The constructor arguments of a subclassed model (``Functional`` and
        ``Sequential`` return their layers instead)."""
        config = super().get_config()
        for key in ("inputs", "outputs"):  # Model.__init__'s, for functional models only
            if key in config and config[key] is None:
                del config[key]
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Make a model from ``get_config()``'s output.

        A functional config (``layers``, ``input_layers``, ``output_layers``) rebuilds
        the layer graph when the class can take ``inputs``/``outputs`` (``Model``, a
        functional class, or a subclass whose ``__init__`` passes ``*args, **kwargs``
        through); any other config is passed to the constructor as keyword arguments.

        Args:
            config: the dict ``get_config()`` returned.
            custom_objects: a dict of name -> class or function for the layers the
                config names that are neither cornu's nor registered.

        Returns:
            A model (not compiled).
        """
        from cornu.models.functional import Functional
        if _is_functional_config(config) and _revivable_as_functional(cls):
            from cornu.models.functional_config import functional_from_config
            from cornu.saving.serialization import CustomObjectScope
            with CustomObjectScope(custom_objects or {}):
                return functional_from_config(
                    Functional if cls is Model else cls, config,
                    custom_objects=custom_objects)
        try:
            return cls(**config)
        except TypeError as e:
            raise TypeError(
                f"Unable to revive model {cls.__name__} from config: {str(e).rstrip('.')}. "
                "When overriding "
                "`get_config()`, return every argument of the constructor, or define a "
                f"`from_config(cls, config)` class method on {cls.__name__}. Received "
                f"config={config}.") from e

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

    def __reduce__(self):
        """Pickle (and ``copy.deepcopy``) a model through its ``.keras`` archive, as
        Keras 3 does: architecture, weights and compile state (the optimizer with its
        variables) travel; a custom class must be registered with
        ``register_keras_serializable`` to load, as in Keras 3. The unpickled model is
        a new, equal model. A model not built yet has no weights: its config (with the
        compile state) travels alone, and the copy is not built either, as in Keras 3.

        Unlike Keras 3, which cannot unpickle a model compiled with an unregistered
        loss or metric function, the functions travel by reference, as pickle sends
        functions (a lambda or a local function does not)."""
        functions = _compile_functions(self)
        if not self.built:
            return (_model_from_config_json, (self.to_json(), functions))
        return (_model_from_bytes, (model_to_bytes(self), functions))

    def export(self, filepath, format="tf_saved_model", verbose=None, input_signature=None,
               **kwargs):
        """Export the forward pass (``call`` with ``training=False``) for inference.

        Args:
            filepath: the destination file.
            format: ``"onnx"`` (for ONNX Runtime), ``"torch"`` (a ``torch.export``
                program in a ``.pt2`` file; beyond Keras), ``"openvino"`` (``.xml`` IR,
                needs ``pip install openvino``), or ``"tf_saved_model"`` / ``"litert"``,
                which need TensorFlow: cornu raises an error naming the formats that work.
                Defaults to Keras's ``"tf_saved_model"``.
            verbose: whether to print a message once saved (default True).
            input_signature: optional input shapes and dtypes: a list of ``InputSpec``,
                KerasTensors, tensors or shape tuples (one per positional argument of
                ``call``). Default: the model's inputs, with a dynamic batch axis.
            **kwargs: ``opset_version`` for ONNX; ``strict`` and ``dynamic_shapes`` for
                ``format="torch"``.

        Example:

        ```python
        model.export("model.onnx", format="onnx")
        session = onnxruntime.InferenceSession("model.onnx")
        y = session.run(None, {session.get_inputs()[0].name: x})[0]
        ```
        """
        from cornu.export import export_model
        return export_model(self, filepath, format=format, verbose=verbose,
                            input_signature=input_signature, **kwargs)


def _compile_functions(model):
    """``{name: function}`` for the plain functions ``model`` was compiled with (losses,
    metrics) that pickle can send by reference."""
    import pickle
    import types
    from cornu import tree
    if not getattr(model, "compiled", False):
        return {}
    spec = model._compile_metrics
    found = {}
    for part in (model.loss, getattr(spec, "_spec", None), getattr(spec, "_weighted_spec",
                                                                    None)):
        for leaf in tree.flatten(part) if part is not None else ():
            if isinstance(leaf, types.FunctionType):
                try:
                    pickle.dumps(leaf)
                except (pickle.PicklingError, AttributeError, TypeError):
                    continue  # a lambda or a local function: it loads only if registered
                found[leaf.__name__] = leaf
    return found


def model_to_bytes(model):
    """The ``.keras`` archive of ``model`` as bytes (what pickling a model stores)."""
    import os
    import tempfile
    with tempfile.TemporaryDirectory(prefix="cornu-pickle-") as folder:
        path = os.path.join(folder, "model.keras")
        model.save(path)
        with open(path, "rb") as f:
            return f.read()


def _model_from_bytes(data, functions=None):
    """A model from ``model_to_bytes``'s output. ``safe_mode`` is off, as in Keras 3:
    unpickling runs code anyway, so a ``Lambda`` layer's function loads too."""
    import os
    import tempfile
    from cornu.saving import load_model
    with tempfile.TemporaryDirectory(prefix="cornu-pickle-") as folder:
        path = os.path.join(folder, "model.keras")
        with open(path, "wb") as f:
            f.write(data)
        return load_model(path, custom_objects=functions, safe_mode=False)


def _model_from_config_json(text, functions=None):
    """An unbuilt model (compiled if it was) from ``to_json()``'s output, for unpickling."""
    import json
    from cornu.saving.keras_archive import model_from_config
    return model_from_config(json.loads(text), custom_objects=functions, safe_mode=False,
                             what="the pickled model")


def _functional_arguments(args, kwargs):
    """Whether ``Model(...)``'s arguments describe a graph (inputs and outputs)."""
    return bool(args) or kwargs.get("inputs") is not None or (
        kwargs.get("outputs") is not None)


_FUNCTIONAL_VARIANTS = {}


def functional_variant(cls):
    """A subclass of both ``cls`` and ``Functional``, made once per class.

    Keras 3 rewrites the bases of the user's class instead; cornu leaves the user's
    class alone, so ``type(model) is MyModel`` is False for such a model (``isinstance``
    holds, and the class name, module and registered name are ``cls``'s).
    """
    variant = _FUNCTIONAL_VARIANTS.get(cls)
    if variant is None:
        from cornu.models.functional import Functional
        namespace = {"__module__": cls.__module__, "__qualname__": cls.__qualname__,
                     "__doc__": cls.__doc__}
        if "_registered_name" in cls.__dict__:
            namespace["_registered_name"] = cls.__dict__["_registered_name"]
        variant = type(cls)(cls.__name__, (cls, Functional), namespace)
        _FUNCTIONAL_VARIANTS[cls] = variant
    return variant


def _is_functional_config(config):
    return isinstance(config, dict) and all(
        key in config for key in ("name", "layers", "input_layers", "output_layers"))


def _revivable_as_functional(cls):
    """Whether ``cls(inputs, outputs, name=...)`` builds a functional model of ``cls``:
    Keras's rule (no ``__init__`` of its own, Functional's arguments, or ``*args,
    **kwargs`` passed through)."""
    import inspect
    from cornu.models.functional import Functional
    if not _defines_init(cls):
        return True
    spec = inspect.getfullargspec(cls.__init__)
    if spec.varargs is not None and spec.varkw is not None:
        return True
    return spec.args[1:] == inspect.getfullargspec(Functional.__init__).args[1:]


def _defines_init(cls):
    """Whether a class between ``cls`` and Model / Functional defines ``__init__``."""
    from cornu.models.functional import Functional
    for klass in cls.__mro__:
        if klass in (Model, Functional):
            return False
        if "__init__" in klass.__dict__:
            return True
    return False


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
