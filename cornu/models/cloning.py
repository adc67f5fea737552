"""clone_model: the same architecture with new layers (and freshly initialized weights)."""
from cornu import tree
from cornu.backend.common.keras_tensor import KerasTensor


def _clone_layer(layer):
    return layer.__class__.from_config(layer.get_config())


def clone_model(model, input_tensors=None, clone_function=None, call_function=None,
                recursive=False, **kwargs):
    """A new model with the architecture of ``model``; its weights are new, not copied.

    Args:
        model: a Functional, Sequential or subclassed model.
        input_tensors: ``cornu.Input`` tensors to build the clone on (functional and
            Sequential models).
        clone_function: called on each layer to make its clone (default: a new layer
            from ``layer.get_config()``); return the layer itself to share it.
        call_function: ``call_function(layer, *args, **kwargs)`` replaces each layer call
            of a functional model (to insert layers around it).
        recursive: whether nested models are cloned layer by layer with
            ``clone_function`` (else they go through ``clone_function`` whole).

    Returns:
        The new model, compiled as ``model`` is when ``model`` is compiled (with a new
        optimizer of the same configuration, whose state starts afresh), as in Keras 3.

    Example:
        >>> clone = cornu.models.clone_model(model)
        >>> clone.set_weights(model.get_weights())
    """
    from cornu.models.functional import Functional
    from cornu.models.sequential import Sequential
    if kwargs:
        raise TypeError(f"clone_model() got unexpected keyword arguments {sorted(kwargs)}.")
    clone_function = clone_function or _clone_layer
    if recursive:
        inner = clone_function

        def clone_function(layer):
            if isinstance(layer, (Functional, Sequential)):
                return clone_model(layer, clone_function=inner, recursive=True)
            return inner(layer)

    if isinstance(model, Sequential):
        return _compiled_like(model, _clone_sequential(model, input_tensors, clone_function))
    if isinstance(model, Functional):
        return _compiled_like(model, _clone_functional(model, input_tensors, clone_function,
                                                       call_function))
    if input_tensors is not None or clone_function is not _clone_layer or call_function:
        raise ValueError(
            f"clone_model() of the subclassed model '{model.name}' ({type(model).__name__}) "
            "cannot take `input_tensors`, `clone_function` or `call_function`: it is cloned "
            "from its config. Override `get_config`/`from_config` to control cloning.")
    from cornu.saving.serialization import deserialize_keras_object, serialize_keras_object
    config = serialize_keras_object(model)
    config.pop("compile_config", None)
    clone = deserialize_keras_object(config, module_objects={type(model).__name__: type(model)})
    return _compiled_like(model, clone)


def _compiled_like(model, clone):
    """Compile ``clone`` as ``model`` was compiled (a new optimizer of the same
    configuration, new loss and metric objects), as Keras 3 does; an uncompiled
    model gives an uncompiled clone.

    Unlike Keras 3, which fails to clone a model compiled with an unregistered loss
    or metric function ("Could not locate function"), the clone uses the very
    functions ``model`` was compiled with."""
    if not getattr(model, "compiled", False) or not hasattr(clone, "compile_from_config"):
        return clone
    from cornu.saving.compile_state import compile_arguments
    from cornu.trainers.trainer import Trainer
    if type(clone).compile is not Trainer.compile:  # compile_from_config says why not
        clone.compile_from_config(model.get_compile_config())
        return clone
    arguments = compile_arguments(model.get_compile_config())
    spec = model._compile_metrics
    arguments["loss"] = _same_functions(model.loss, arguments["loss"])
    if spec is not None:
        for key, original in (("metrics", spec._spec), ("weighted_metrics",
                                                          spec._weighted_spec)):
            arguments[key] = _same_functions(original, arguments[key])
    clone.compile(**arguments)
    if clone.built and clone.optimizer is not None:
        clone.optimizer.build(clone.trainable_weights)
    return clone


def _same_functions(original, revived):
    """``revived`` (compile arguments rebuilt from a config) with each plain function
    of ``original`` put back in its place: a function has no state to copy."""
    import types
    if isinstance(original, (types.FunctionType, types.BuiltinFunctionType)):
        return original
    if isinstance(original, dict) and isinstance(revived, dict):
        return {k: _same_functions(v, revived.get(k)) for k, v in original.items()}
    if isinstance(original, (list, tuple)) and isinstance(revived, (list, tuple)):
        if len(original) == 1 and isinstance(original[0], (list, tuple)) and not (
                revived and isinstance(revived[0], (list, tuple))):
            original = original[0]  # compile_arguments unwraps [[...]] for one output
        if len(original) == len(revived):
            return [_same_functions(o, r) for o, r in zip(original, revived)]
    return revived


def _clone_sequential(model, input_tensors, clone_function):
    from cornu.layers.core import InputLayer
    from cornu.models.sequential import Sequential
    layers = [clone_function(layer) for layer in model.layers]
    first = model._stack[0] if model._stack else None
    if input_tensors is not None:
        tensor = tree.flatten(input_tensors)
        if len(tensor) != 1:
            raise ValueError(f"A Sequential model takes one input; received {len(tensor)} "
                             "input tensors.")
        layers.insert(0, tensor[0]._keras_history[0] if tensor[0]._keras_history else
                      InputLayer(input_tensor=tensor[0]))
    elif isinstance(first, InputLayer):
        layers.insert(0, InputLayer(batch_shape=first.batch_shape, dtype=first.dtype_name,
                                    name=first.name))
    return Sequential(layers, name=model.name, trainable=model.trainable)


def _clone_functional(model, input_tensors, clone_function, call_function):
    from cornu.layers.core import InputLayer
    from cornu.models.functional import Functional
    new_tensor = {}  # id of an original KerasTensor -> its clone
    if input_tensors is not None:
        given = tree.flatten(input_tensors)
        if len(given) != len(model.inputs):
            raise ValueError(f"Model '{model.name}' has {len(model.inputs)} inputs; "
                             f"received {len(given)} input tensors.")
        for old, new in zip(model.inputs, given):
            if not isinstance(new, KerasTensor):
                raise ValueError(f"input_tensors must be KerasTensors (cornu.Input); "
                                 f"received {new!r}.")
            new_tensor[id(old)] = new
    clones = {}

    def clone_of(layer):
        if id(layer) not in clones:
            clones[id(layer)] = clone_function(layer)
        return clones[id(layer)]

    def swap(value):
        if isinstance(value, KerasTensor):
            return new_tensor[id(value)]
        if isinstance(value, (list, tuple)):
            return type(value)(swap(v) for v in value)
        if isinstance(value, dict):
            return {k: swap(v) for k, v in value.items()}
        return value

    for node in model._graph_nodes:
        layer = node.layer
        if node.is_input:
            out = node.outputs[0]
            if id(out) not in new_tensor:
                new_tensor[id(out)] = InputLayer(batch_shape=layer.batch_shape,
                                                 dtype=layer.dtype_name, name=layer.name).output
            continue
        args, kwargs = swap(list(node.call_args)), swap(dict(node.call_kwargs))
        if call_function is not None:
            outputs = call_function(clone_of(layer), *args, **kwargs)
        else:
            outputs = clone_of(layer)(*args, **kwargs)
        for old, new in zip(node.outputs, tree.flatten(outputs)):
            new_tensor[id(old)] = new
    # A subclass built from inputs and outputs is cloned as its own class, as in Keras.
    from cornu.models.model import _revivable_as_functional
    cls = type(model) if _revivable_as_functional(type(model)) else Functional
    return cls(swap(model._inputs_struct), swap(model._outputs_struct),
               name=model.name, trainable=model.trainable)
