"""Lambda: wraps a function as a layer (re-exported by cornu.layers.core).

A Python lambda is saved as Keras 3 saves it: its bytecode (``marshal``) in a
base64 string. Loading that runs code, so ``from_config`` refuses it unless safe
mode is off (``safe_mode=False`` on the loading call, or
``cornu.config.enable_unsafe_deserialization()``). Named functions are saved by
name and found again among registered objects, ``custom_objects``,
``cornu.activations`` and ``cornu.ops``; nothing is imported by module path.
"""
import base64
import inspect
import marshal
import types

from cornu import tree
from cornu.backend.common.keras_tensor import KerasTensor
from cornu.layers.layer import Layer
from cornu.saving import safe_mode as safe_mode_lib
from cornu.saving.serialization import get_registered_object, serialize_value


class Lambda(Layer):
    """Wraps an arbitrary function of tensors as a layer: ``Lambda(lambda x: x ** 2)``.

    Args:
        function: called as ``function(inputs, **arguments)``; it also receives
            ``mask=`` and ``training=`` when its signature names them.
        output_shape: the output shape without the batch axis (a tuple, or a list of
            tuples), or a function of the full input shape; by default inferred by
            running ``function`` on shape-only tensors.
        mask: the output mask: a tensor, or ``mask(inputs, previous_mask)``.
        arguments: extra keyword arguments for ``function``.

    Lambdas are for simple, stateless code; a layer with weights should be a
    ``Layer`` subclass. Saving a Python lambda stores its bytecode: it loads only
    with ``safe_mode=False``, and only on the same Python version.

    Example:
        >>> Lambda(lambda x: x * 2)(np.ones((1, 3)))
        tensor([[2., 2., 2.]])
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise ValueError(f"Lambda: `function` must be callable; received {function!r}.")
        self.function = function
        self.arguments = dict(arguments or {})
        self.mask = mask
        self.supports_masking = mask is not None
        self.output_shape_arg = output_shape
        try:
            params = inspect.signature(function).parameters
        except (TypeError, ValueError):  # some builtins have no signature
            params = {}
        self._fn_takes_training = "training" in params
        self._fn_takes_mask = "mask" in params
        self.built = True

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_takes_mask:
            kwargs["mask"] = mask
        if self._fn_takes_training:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs, previous_mask=None):
        if callable(self.mask):
            return self.mask(inputs, previous_mask)
        return self.mask

    def compute_output_spec(self, *args, **kwargs):
        if self.output_shape_arg is None:
            try:
                return super().compute_output_spec(*args, **kwargs)
            except Exception as e:
                raise ValueError(
                    f"Lambda layer '{self.name}': could not infer the output shape by "
                    f"running the function on shape-only tensors ({type(e).__name__}: "
                    f"{e}). Check the function, or pass `output_shape=` (without the "
                    "batch axis).") from e
        shape = self.compute_output_shape(tree.map_structure(
            lambda t: t.shape, args[0]) if args else None)
        if isinstance(shape, list) and shape and isinstance(shape[0], (tuple, list)):
            return [KerasTensor(s, dtype=self.dtype_name) for s in shape]
        return KerasTensor(shape, dtype=self.dtype_name)

    def compute_output_shape(self, input_shape):
        spec = self.output_shape_arg
        if spec is None:
            return super().compute_output_shape(input_shape)
        if callable(spec):
            return spec(input_shape)
        batch = tree.flatten(input_shape)[0] if input_shape else None
        if isinstance(spec, list) and spec and isinstance(spec[0], (tuple, list)):
            return [(batch,) + tuple(s) for s in spec]
        return (batch,) + tuple(spec)

    # ------------------------------------------------------------ config

    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype_name,
                  "function": _function_config(self.function)}
        spec = self.output_shape_arg
        if spec is not None:
            config["output_shape"] = _function_config(spec) if callable(spec) else (
                serialize_value(spec))
        if self.mask is not None:
            config["mask"] = _function_config(self.mask) if callable(self.mask) else (
                serialize_value(self.mask))
        config["arguments"] = serialize_value(self.arguments)
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = list(self._batch_input_shape)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        """Make a Lambda from its config. A Python lambda (bytecode) is refused unless
        ``safe_mode=False`` or unsafe deserialization was enabled."""
        config = dict(config)
        with safe_mode_lib.SafeModeScope(safe_mode):
            kind = config.pop("function_type", None)  # Keras 2: 'lambda' or 'function'
            config.pop("module", None)
            config["function"] = _load_function(config["function"], kind, custom_objects)
            kind = config.pop("output_shape_type", None)
            config.pop("output_shape_module", None)
            spec = config.get("output_shape")
            if spec is not None:
                if kind == "raw" or kind is None and not _is_function_config(spec):
                    config["output_shape"] = _shape_value(spec)
                else:
                    config["output_shape"] = _load_function(spec, kind, custom_objects)
            if _is_function_config(config.get("mask")):
                config["mask"] = _load_function(config["mask"], None, custom_objects)
        from cornu.saving.serialization import deserialize_layer_config
        return cls(**deserialize_layer_config(cls, config))


def _function_config(fn):
    """A function as Keras 3 writes it: bytecode for a lambda, else its name."""
    if isinstance(fn, types.LambdaType) and fn.__name__ == "<lambda>":
        code = base64.b64encode(marshal.dumps(fn.__code__)).decode("ascii")
        closure = None
        if fn.__closure__:
            closure = [serialize_value(c.cell_contents) for c in fn.__closure__]
        return {"class_name": "__lambda__",
                "config": {"code": code, "defaults": serialize_value(fn.__defaults__),
                           "closure": closure}}
    registered = getattr(fn, "_registered_name", None)
    return {"module": "builtins", "class_name": "function",
            "config": getattr(fn, "__name__", type(fn).__name__),
            "registered_name": registered or "function"}


def _is_function_config(value):
    return isinstance(value, str) or isinstance(value, dict) and value.get("class_name") in (
        "__lambda__", "function")


def _shape_value(spec):
    if isinstance(spec, (list, tuple)) and spec and isinstance(spec[0], (list, tuple)):
        return [tuple(s) for s in spec]
    return tuple(spec)


def _load_function(value, kind, custom_objects):
    if isinstance(value, dict) and value.get("class_name") == "__lambda__":
        inner = value["config"]
        return _code_to_function(inner["code"], inner.get("defaults"), inner.get("closure"))
    if kind == "lambda" or isinstance(value, (list, tuple)):  # Keras 2: [code, defaults, closure]
        code, defaults, closure = (list(value) + [None, None])[:3] if isinstance(
            value, (list, tuple)) else (value, None, None)
        return _code_to_function(code, defaults, closure)
    name = value
    if isinstance(value, dict):
        registered = value.get("registered_name")
        name = registered if registered and registered != "function" else value["config"]
    return _function_by_name(name, custom_objects)


def _function_by_name(name, custom_objects):
    found = get_registered_object(name, custom_objects)
    if found is None:
        from cornu import activations, ops
        found = getattr(ops, name, None)
        if found is None:
            try:
                found = activations.get(name)
            except (ValueError, TypeError):
                found = None
    if found is None or not callable(found):
        raise ValueError(
            f"Lambda: unknown function {name!r}. Pass it in `custom_objects` or register it "
            "with `cornu.saving.register_keras_serializable`.")
    return found


def _code_to_function(code, defaults, closure):
    safe_mode_lib.refuse_code("a `Lambda` layer whose function is a Python lambda")
    try:
        raw = base64.b64decode(code.encode("ascii"))
    except (UnicodeEncodeError, ValueError):
        raw = code.encode("raw_unicode_escape")  # Keras 1/2 wrote raw bytes as text
    try:
        code_obj = marshal.loads(raw)
    except (ValueError, EOFError, TypeError) as e:
        raise ValueError(
            "Lambda: the stored bytecode cannot be read by this Python version; lambdas "
            "load only on the Python version that saved them. Rebuild the layer in code "
            "and load the weights instead.") from e
    cells = None
    if closure is not None:
        cells = tuple(types.CellType(v) for v in closure)
    import numpy
    import cornu
    from cornu import backend, ops
    namespace = {"__builtins__": __builtins__, "np": numpy, "numpy": numpy, "keras": cornu,
                 "cornu": cornu, "K": backend, "ops": ops}
    return types.FunctionType(code_obj, namespace, code_obj.co_name,
                              tuple(defaults) if defaults is not None else None, cells)
