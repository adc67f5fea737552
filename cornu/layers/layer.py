"""The Layer base class.

A layer holds variables (made by ``add_weight`` in ``build``) and computes
``call``. ``__call__`` is kept short, because every layer of every model goes
through it on every step: convert the input once, build on first use, check
the input spec, hand ``training`` and ``mask`` to ``call`` when it takes them.
Given KerasTensors instead of tensors, the same call records a graph node and
infers the output shape by running ``call`` on shape-only tensors.
"""
import difflib
import inspect
import threading
import warnings

from cornu import backend, tree
from cornu.backend.common import global_state
from cornu.backend.common.keras_tensor import KerasTensor
from cornu.layers import input_spec as input_spec_lib
from cornu.ops._dispatch import _has_symbolic

# Keyword arguments every layer takes (besides those of its own constructor).
_BASE_KWARGS = frozenset({
    "activity_regularizer", "trainable", "dtype", "autocast", "name", "input_shape",
    "input_dim", "batch_input_shape", "batch_size", "input_length", "weights",
})


class _CallContext(threading.local):
    """Per thread: the ``training`` flag of the outermost call (inherited by nested
    layers), and whether a layer call is under way (the outermost call clears the
    losses added by the previous one). Per thread, so that ``predict`` in one thread
    never sees the ``training=True`` of a ``fit`` in another."""
    training = None
    in_call = False


_ctx = _CallContext()


class _LossState:
    """Set once any layer calls ``add_loss``, so trainers only then collect added losses
    and only then do calls track which call is the outermost. Process-wide on purpose:
    it only ever turns on, and a thread-local switch would miss losses of other threads."""
    added = False


_loss_state = _LossState()


class _MaskState:
    """Set once any layer has produced a mask: until then no call looks for masks.
    Process-wide on purpose (it only ever turns on): masks made in one thread may be
    consumed in another."""
    active = False


_mask_state = _MaskState()
_Tensor = backend.Tensor


def _call_signature_flags(cls):
    params = inspect.signature(cls.call).parameters
    return ("training" in params, "mask" in params,
            any(p.kind is p.VAR_KEYWORD for p in params.values()))


class LayerMeta(type):
    """Records constructor arguments (for ``get_config``) and translates Keras 1/2
    argument spellings before ``__init__`` runs."""

    def __init__(cls, name, bases, namespace):
        super().__init__(name, bases, namespace)
        cls._call_has_training, cls._call_has_mask, cls._call_has_kwargs = (
            _call_signature_flags(cls))
        cls._init_params = None  # computed on first construction
        base = globals().get("Layer")
        cls._overrides_compute_mask = base is not None and cls.compute_mask is not base.compute_mask
        if "build" in namespace and not getattr(namespace["build"], "_sets_built", False):
            cls.build = _build_wrapper(namespace["build"])

    def __call__(cls, *args, **kwargs):
        redirect = getattr(cls, "_redirect_class", None)
        target = redirect(args, kwargs) if redirect is not None else cls
        if target._init_params is None:
            target._init_params = _init_parameters(target)
        params, _ = target._init_params
        legacy = getattr(target, "_legacy_args", None)
        if legacy is not None:
            args, kwargs = legacy(args, kwargs)
        if any(k not in params and k not in _BASE_KWARGS for k in kwargs):
            from cornu.legacy import arguments
            args, kwargs = arguments.translate(target, args, kwargs, params | _BASE_KWARGS)
        obj = target.__new__(target)  # on torch, the nn.Module part is set up here
        obj.__dict__["_init_args"] = (args, dict(kwargs))
        obj.__init__(*args, **kwargs)
        obj._track_torch_modules()
        return obj


def _build_wrapper(build):
    """``build`` that marks the layer built when it returns, as Keras's does, so that a
    direct ``layer.build(shape)`` is not followed by a second build on the first call."""
    import functools

    @functools.wraps(build)
    def wrapped(self, *args, **kwargs):
        out = build(self, *args, **kwargs)
        self.built = True
        return out
    wrapped._sets_built = True
    return wrapped


def _init_parameters(cls):
    params = set()
    var_kwargs = False
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None or klass is object:
            continue
        sig = inspect.signature(init)
        params.update(n for n, p in sig.parameters.items()
                      if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL) and n != "self")
        if not any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values()):
            break  # this __init__ does not pass unknown kwargs further up
        var_kwargs = True
    return frozenset(params), var_kwargs


def unknown_argument_error(owner, name, valid):
    """A TypeError for an unexpected keyword argument, suggesting the closest valid one."""
    close = difflib.get_close_matches(name, sorted(valid), n=1, cutoff=0.5)
    if not close and name.startswith("num_") and name[4:] in valid:
        close = [name[4:]]
    hint = f" Did you mean `{close[0]}`?" if close else ""
    return TypeError(
        f"{owner} got an unexpected keyword argument `{name}`.{hint} "
        f"Valid arguments are: {', '.join(sorted(valid))}.")


def _shape_of(x):
    if x is None:
        return None
    if isinstance(x, (list, tuple)):
        return type(x)(_shape_of(v) for v in x) if not hasattr(x, "_fields") else [
            _shape_of(v) for v in x]
    if isinstance(x, dict):
        return {k: _shape_of(v) for k, v in x.items()}
    shape = getattr(x, "shape", None)
    return None if shape is None else tuple(shape)


class Node:
    """One call of a layer on KerasTensors: its arguments and its outputs."""

    def __init__(self, layer, args, kwargs, outputs):
        self.layer = layer
        self.operation = layer
        self.call_args = args
        self.call_kwargs = kwargs
        self.outputs = tree.flatten(outputs)
        self.output_structure = outputs
        self.input_tensors = [x for x in tree.flatten((args, kwargs)) if isinstance(x, KerasTensor)]
        self.parent_nodes = []
        for x in self.input_tensors:
            if x._keras_history is not None:
                op, node_index, _ = x._keras_history
                self.parent_nodes.append(op._inbound_nodes[node_index])
                op._outbound_nodes.append(self)

    @property
    def is_input(self):
        return not self.input_tensors


class Layer(backend.LayerBase, metaclass=LayerMeta):
    """The base of every layer: weights, build, call and the graph hooks.

    On the torch backend a layer is also a ``torch.nn.Module`` (as in Keras 3): its
    Variables are its ``parameters()``, its sublayers its submodules, so
    ``state_dict``, ``to(device)`` and ``torch.optim`` work, and a ``torch.nn.Module``
    set as an attribute is wrapped in ``TorchModuleWrapper`` and trained by ``fit``.

    Args:
        trainable: whether the layer's weights are updated by training.
        name: a unique name; by default the snake-cased class name, numbered.
        dtype: the dtype of the weights and computations (default floatx).
        activity_regularizer: a penalty on the layer's outputs, added to ``losses``.
    """

    # Attributes that refer to other layers without owning them.
    _untracked = frozenset({"_inbound_nodes", "_outbound_nodes", "_init_args"}) | (
        backend.LayerBase._module_state_keys)

    def __init__(self, *, activity_regularizer=None, trainable=True, dtype=None,
                 autocast=True, name=None, **kwargs):
        input_shape = kwargs.pop("input_shape", None)
        input_dim = kwargs.pop("input_dim", None)
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        batch_size = kwargs.pop("batch_size", None)
        input_length = kwargs.pop("input_length", None)
        initial_weights = kwargs.pop("weights", None)
        if kwargs:
            params, _ = type(self)._init_params or _init_parameters(type(self))
            raise unknown_argument_error(
                f"{type(self).__name__}()", next(iter(kwargs)), params | _BASE_KWARGS)
        self.name = str(name) if name else global_state.uniquify(
            global_state.to_snake_case(type(self).__name__))
        self._trainable = bool(trainable)
        self.dtype_name = backend.standardize_dtype(getattr(dtype, "name", dtype))
        self.autocast = autocast
        self.built = False
        self.input_spec = None
        self._checked_shape = None
        self.supports_masking = False
        self._own_trainable = []
        self._own_non_trainable = []
        self._inbound_nodes = []
        self._outbound_nodes = []
        self._loss_values = []
        self._initial_weights = initial_weights
        if activity_regularizer is not None:
            from cornu import regularizers
            activity_regularizer = regularizers.get(activity_regularizer)
        self.activity_regularizer = activity_regularizer
        if batch_input_shape is None:
            if input_shape is None and input_dim is not None:
                input_shape = (input_dim,)
            if input_shape is None and input_length is not None:
                input_shape = (input_length,)
            if input_shape is not None:
                if isinstance(input_shape, int):
                    input_shape = (input_shape,)
                batch_input_shape = (batch_size,) + tuple(input_shape)
        self._batch_input_shape = None if batch_input_shape is None else tuple(batch_input_shape)

    # ------------------------------------------------------------ properties

    @property
    def dtype(self):
        return self.dtype_name

    @property
    def compute_dtype(self):
        return self.dtype_name

    @property
    def variable_dtype(self):
        return self.dtype_name

    @property
    def path(self):
        return self.name

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        value = bool(value)
        self._trainable = value
        for layer in self._flatten_layers(include_self=False, recursive=False):
            layer.trainable = value

    def _sublayers(self):
        """The layers this layer owns, in the order they were assigned."""
        found = []
        seen = set()

        def visit(value):
            if isinstance(value, Layer):
                if id(value) not in seen and value is not self:
                    seen.add(id(value))
                    found.append(value)
            elif isinstance(value, (list, tuple)):
                for v in value:
                    visit(v)
            elif isinstance(value, dict):
                for v in value.values():
                    visit(v)
        for key, value in self.__dict__.items():
            if key not in self._untracked:
                visit(value)
        return found

    def _flatten_layers(self, include_self=True, recursive=True):
        out = [self] if include_self else []
        seen = {id(self)}
        stack = self._sublayers()
        for layer in stack:
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            out.append(layer)
            if recursive:
                for sub in layer._flatten_layers(include_self=False, recursive=True):
                    if id(sub) not in seen:
                        seen.add(id(sub))
                        out.append(sub)
        return out

    def _tracked_variables(self):
        """Own variables: those from add_weight, then Variables set as attributes."""
        own = self._own_trainable + self._own_non_trainable
        ids = {id(v) for v in own}
        for key, value in self.__dict__.items():
            if isinstance(value, backend.Variable) and id(value) not in ids:
                ids.add(id(value))
                (self._own_trainable if value.trainable else self._own_non_trainable).append(value)
        return self._own_trainable, self._own_non_trainable

    @staticmethod
    def _unique(variables):
        seen = set()
        out = []
        for v in variables:
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
        return out

    @property
    def weights(self):
        """All variables: this layer's trainable, its non-trainable, then its sublayers'."""
        trainable, non_trainable = self._tracked_variables()
        out = list(trainable) + list(non_trainable)
        for layer in self._sublayers():
            out.extend(layer.weights)
        return self._unique(out)

    @property
    def trainable_weights(self):
        if not self._trainable:
            return []
        trainable, _ = self._tracked_variables()
        out = [v for v in trainable if v.trainable]
        for layer in self._sublayers():
            out.extend(layer.trainable_weights)
        return self._unique(out)

    @property
    def non_trainable_weights(self):
        if not self._trainable:
            return self.weights
        trainable, non_trainable = self._tracked_variables()
        out = [v for v in trainable if not v.trainable] + list(non_trainable)
        for layer in self._sublayers():
            out.extend(layer.non_trainable_weights)
        return self._unique(out)

    variables = weights
    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    @property
    def losses(self):
        """Regularization penalties of the weights, plus losses added in the last call.

        The losses added with ``add_loss`` are cleared when an outermost call starts
        (a layer called inside another layer's ``call`` keeps its parent's), as in
        Keras 3."""
        out = []
        for layer in self._flatten_layers():
            out.extend(layer._loss_values)
            trainable, non_trainable = layer._tracked_variables()
            for v in trainable + non_trainable:
                if v.regularizer is not None:
                    out.append(v.regularizer(v.value))
        return out

    def add_loss(self, loss):
        """Add a loss tensor (recomputed each call) to ``losses``."""
        _loss_state.added = True
        self._loss_values.append(loss)

    def _clear_losses(self):
        for layer in self._flatten_layers():
            if layer._loss_values:
                layer._loss_values = []

    # ------------------------------------------------------------ weights

    def add_weight(self, shape=None, initializer=None, dtype=None, trainable=True,
                   autocast=True, regularizer=None, constraint=None, aggregation="none",
                   overwrite_with_gradient=False, name=None, **kwargs):
        """Create a variable owned by this layer.

        Args:
            shape: the variable's shape (a tuple of ints).
            initializer: an initializer name or object (default ``glorot_uniform`` for
                floats, ``zeros`` otherwise).
            dtype: the variable's dtype (default: the layer's).
            trainable: whether training updates it.
            regularizer: a penalty on the variable, added to ``losses``.
            constraint: a projection applied after each optimizer update.
            name: the variable's name (its path is ``<layer>/<name>``).
        """
        if isinstance(shape, str):  # Keras 2 order: add_weight(name, shape, ...)
            shape, name = name if name is not None else kwargs.pop("shape", None), shape
        if "shape" in kwargs:
            shape = kwargs.pop("shape")
        if kwargs:
            raise unknown_argument_error(
                f"{self.name}.add_weight()", next(iter(kwargs)),
                {"shape", "initializer", "dtype", "trainable", "autocast", "regularizer",
                 "constraint", "aggregation", "overwrite_with_gradient", "name"})
        from cornu import constraints, initializers, regularizers
        dtype = backend.standardize_dtype(dtype if dtype is not None else self.dtype_name)
        if initializer is None:
            initializer = "glorot_uniform" if dtype.startswith(("float", "bfloat")) else "zeros"
        initializer = initializers.get(initializer)
        shape = () if shape is None else tuple(int(d) for d in shape)
        variable = backend.Variable(initializer, shape=shape, dtype=dtype,
                                    trainable=trainable, autocast=autocast,
                                    aggregation=aggregation,
                                    name=name or global_state.uniquify("variable"))
        variable.path = f"{self.name}/{variable.name}"
        variable.regularizer = regularizers.get(regularizer) if regularizer is not None else None
        variable.constraint = constraints.get(constraint) if constraint is not None else None
        variable.overwrite_with_gradient = overwrite_with_gradient
        (self._own_trainable if trainable else self._own_non_trainable).append(variable)
        return variable

    def add_variable(self, shape, initializer, dtype=None, trainable=True, name=None, **kwargs):
        return self.add_weight(shape=shape, initializer=initializer, dtype=dtype,
                               trainable=trainable, name=name, **kwargs)

    def get_weights(self):
        """The values of ``weights`` as numpy arrays."""
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights):
        """Set ``weights`` from a list of arrays of the same shapes, in the same order."""
        variables = self.weights
        if len(weights) != len(variables):
            raise ValueError(
                f"Layer '{self.name}' expects {len(variables)} weight arrays "
                f"({[v.shape for v in variables]}) but received {len(weights)}. "
                "Pass one array per weight, in the order of `layer.weights`.")
        import numpy as np
        for v, w in zip(variables, weights):
            w = np.asarray(w)
            if tuple(w.shape) != tuple(v.shape):
                raise ValueError(
                    f"Layer '{self.name}' weight '{v.name}' has shape {v.shape} but the "
                    f"array given for it has shape {tuple(w.shape)}. Check the order of the "
                    "arrays against `layer.weights`.")
        for v, w in zip(variables, weights):
            v.assign(np.asarray(w, dtype=v.dtype))

    def count_params(self):
        """The number of scalars in the layer's weights."""
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer '{self.name}', but the layer "
                "isn't built. Call it on data or call `build(input_shape)` first.")
        total = 0
        for v in self.weights:
            n = 1
            for d in v.shape:
                n *= d
            total += n
        return total

    # ------------------------------------------------------------ build and call

    def build(self, input_shape=None):
        """Create the layer's weights for inputs of ``input_shape``; override it."""
        self.built = True

    def call(self, *args, **kwargs):
        """The layer's computation; override it."""
        raise NotImplementedError(
            f"Layer {type(self).__name__} does not define `call`. Subclasses of Layer must "
            "implement `call(self, inputs)`.")

    def _build_once(self, args):
        shapes = _shape_of(args[0]) if args else None
        self.build(shapes)
        self.built = True
        if _loss_state.added:
            # A build that ran `call` on shape-only tensors (a subclassed model) recorded
            # shape-only losses: they are no losses of this call.
            self._clear_losses()
        self._track_torch_modules()
        if self._initial_weights is not None:
            weights, self._initial_weights = self._initial_weights, None
            self.set_weights(weights)

    def _check_inputs(self, x):
        spec = self.input_spec
        if isinstance(spec, (list, tuple)):
            xs = x if isinstance(x, (list, tuple)) else [x]
            for i, (s, t) in enumerate(zip(spec, xs)):
                if s is not None:
                    input_spec_lib.check(self, s, t, i)
        else:
            input_spec_lib.check(self, spec, x)

    def __call__(self, *args, **kwargs):
        # The hot path: every layer of every model goes through here on every step.
        if args:
            x = args[0]
            if x.__class__ is not _Tensor:
                if _has_symbolic(args) or (kwargs and _has_symbolic(kwargs.values())):
                    return self._symbolic_call(args, kwargs)
                args = (self._convert_input(x),) + args[1:]
            elif kwargs and _has_symbolic(kwargs.values()):
                return self._symbolic_call(args, kwargs)
        elif kwargs and _has_symbolic(kwargs.values()):
            return self._symbolic_call(args, kwargs)
        if _loss_state.added and not _ctx.in_call:
            return self._outermost_call(args, kwargs)
        if not self.built:
            self._build_once(args)
        if self.input_spec is not None and args:
            shape = getattr(args[0], "shape", None)
            if shape is None or shape != self._checked_shape:
                self._check_inputs(args[0])
                self._checked_shape = shape
        # training: an explicit value wins (and is inherited by nested calls), else the
        # enclosing call's value. The thread-local context is read only when needed.
        training = kwargs.get("training") if kwargs else None
        if training is None:
            outer = None  # nothing to swap in
            if self._call_has_training:
                inherited = _ctx.training
                if inherited is not None:
                    kwargs["training"] = inherited
                elif kwargs:
                    kwargs.pop("training", None)
            elif kwargs and "training" in kwargs:
                del kwargs["training"]
        else:
            outer = _ctx.training
            if not self._call_has_training:
                del kwargs["training"]
        if self._call_has_mask:
            if kwargs and kwargs.get("mask") is not None:
                _mask_state.active = True  # an explicit mask: propagate it from here on
            elif _mask_state.active and args:
                mask = _input_mask(args[0])
                if mask is not None:
                    kwargs["mask"] = mask
        elif kwargs and "mask" in kwargs and not self._call_has_kwargs:
            del kwargs["mask"]
        if training is not outer:  # an explicit value that differs from the enclosing one
            _ctx.training = training
            try:
                outputs = self.call(*args, **kwargs)
            finally:
                _ctx.training = outer
        else:
            outputs = self.call(*args, **kwargs)
        if self.activity_regularizer is not None:
            self._loss_values = [self._activity_loss(o) for o in tree.flatten(outputs)]
        if self._overrides_compute_mask or (_mask_state.active and self.supports_masking):
            self._attach_mask(args, kwargs, outputs)
        return outputs

    def _outermost_call(self, args, kwargs):
        # Taken only once some layer has used add_loss: clear the previous call's losses.
        self._clear_losses()
        _ctx.in_call = True
        try:
            return Layer.__call__(self, *args, **kwargs)
        finally:
            _ctx.in_call = False

    def _activity_loss(self, output):
        # Divided by the batch size, so the penalty's strength does not depend on it (Keras).
        loss = self.activity_regularizer(output)
        return loss / output.shape[0] if output.ndim else loss

    def _convert_input(self, x):
        """numpy arrays and Python numbers to tensors; floats cast to the layer's dtype."""
        if isinstance(x, (list, tuple)):
            return type(x)(self._convert_input(v) for v in x)
        if isinstance(x, dict):
            return {k: self._convert_input(v) for k, v in x.items()}
        if x is None or isinstance(x, backend.Tensor):
            return x
        if isinstance(x, backend.Variable):
            return x.value
        kind = getattr(getattr(x, "dtype", None), "kind", None)
        if kind in ("U", "S", "O"):
            return x  # strings stay numpy, for the text and lookup layers
        if hasattr(x, "dtype") and not backend.standardize_dtype(x.dtype).startswith(
                ("float", "bfloat")):
            return backend.convert_to_tensor(x)
        return backend.convert_to_tensor(x, dtype=self.dtype_name if self.autocast else None)

    def compute_mask(self, inputs, previous_mask=None):
        """The mask of the outputs: by default, the input mask passes through when the
        layer supports masking."""
        if not self.supports_masking:
            return None
        return previous_mask

    def _attach_mask(self, args, kwargs, outputs):
        previous = kwargs.get("mask")
        if previous is None and args:
            previous = _input_mask(args[0])
        if previous is None and type(self).compute_mask is Layer.compute_mask:
            return
        mask = self.compute_mask(args[0] if args else None, previous)
        if mask is None:
            return
        _mask_state.active = True
        for out, m in zip(tree.flatten(outputs), tree.flatten(mask) if isinstance(
                mask, (list, tuple)) else [mask] * len(tree.flatten(outputs))):
            try:
                out._keras_mask = m
            except AttributeError:
                pass

    # ------------------------------------------------------------ symbolic calls

    def _symbolic_call(self, args, kwargs):
        if not self.built:
            self._build_once(args)
        if self.input_spec is not None and args:
            self._check_inputs(args[0])
        if not self._call_has_training:
            kwargs.pop("training", None)
        node_kwargs = kwargs
        if self._call_has_mask and kwargs.get("mask") is None and args:
            mask = _input_mask(args[0])
            if mask is not None:
                kwargs = dict(kwargs, mask=mask)
        outputs = self.compute_output_spec(*args, **kwargs)
        if self.supports_masking or type(self).compute_mask is not Layer.compute_mask:
            mask_spec = self._symbolic_mask(args, kwargs)
            if mask_spec is not None:
                _mask_state.active = True
                flat = tree.flatten(outputs)
                masks = tree.flatten(mask_spec) if isinstance(mask_spec, (list, tuple)) else [
                    mask_spec] * len(flat)
                for out, m in zip(flat, masks):  # one mask per output, as in eager calls
                    if isinstance(out, KerasTensor):
                        out._keras_mask = m
        node = Node(self, args, node_kwargs, outputs)
        self._inbound_nodes.append(node)
        for i, out in enumerate(node.outputs):
            if isinstance(out, KerasTensor):
                out._keras_history = (self, len(self._inbound_nodes) - 1, i)
        return outputs

    def _symbolic_mask(self, args, kwargs):
        previous = kwargs.get("mask")
        if previous is None and args:
            previous = _input_mask(args[0])
        if previous is None and type(self).compute_mask is Layer.compute_mask:
            return None
        try:
            return backend.compute_output_spec(
                lambda *a: self.compute_mask(*a), args[0] if args else None, previous)
        except Exception:  # a mask that cannot be inferred symbolically is left out
            return None

    def compute_output_spec(self, *args, **kwargs):
        """KerasTensors describing ``call``'s outputs, from a shape-only run of it."""
        if type(self).compute_output_shape is not Layer.compute_output_shape:
            shapes = self.compute_output_shape(_shape_of(args[0]))
            dtype = getattr(args[0], "dtype", None) if args else None
            if dtype is None or not backend.standardize_dtype(dtype).startswith("float"):
                dtype = self.dtype_name
            if isinstance(shapes, list) and shapes and isinstance(shapes[0], (tuple, list)):
                return [KerasTensor(s, dtype=dtype) for s in shapes]
            return KerasTensor(shapes, dtype=dtype)
        return backend.compute_output_spec(self._call_for_spec, *args, **kwargs)

    def _call_for_spec(self, *args, **kwargs):
        if args:
            args = (self._convert_input(args[0]),) + args[1:]
        return self.call(*args, **kwargs)

    def compute_output_shape(self, input_shape):
        """The output shape for ``input_shape``, from a shape-only run of ``call``."""
        structure = tree.map_structure(
            lambda s: KerasTensor(s, dtype=self.dtype_name), input_shape) if (
            isinstance(input_shape, (list, dict)) and input_shape and
            isinstance(next(iter(input_shape.values())) if isinstance(input_shape, dict)
                       else input_shape[0], (tuple, list))) else KerasTensor(
            input_shape, dtype=self.dtype_name)
        out = backend.compute_output_spec(self._call_for_spec, structure)
        return tree.map_structure(lambda t: t.shape, out)

    # ------------------------------------------------------------ graph accessors

    def _single_node(self, what):
        if not self._inbound_nodes:
            raise AttributeError(
                f"Layer '{self.name}' has never been called on symbolic inputs and thus has "
                f"no defined {what}. Call it on a `cornu.Input` first.")
        return self._inbound_nodes[0]

    @property
    def input(self):
        """The KerasTensor(s) this layer was first called on."""
        node = self._single_node("input")
        return node.call_args[0] if node.call_args else node.outputs[0]

    @property
    def output(self):
        """The KerasTensor(s) this layer produced when first called symbolically."""
        return self._single_node("output").output_structure

    @property
    def input_shape(self):
        return tree.map_structure(lambda t: t.shape, self.input)

    @property
    def output_shape(self):
        return tree.map_structure(lambda t: t.shape, self.output)

    # ------------------------------------------------------------ config

    def get_config(self):
        """The constructor arguments, as a JSON-friendly dict, plus name, trainable, dtype."""
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype_name}
        args, kwargs = self.__dict__.get("_init_args", ((), {}))
        init = type(self).__init__
        if init is Layer.__init__:
            return config
        sig = inspect.signature(init)
        try:
            bound = sig.bind(self, *args, **kwargs)
        except TypeError:
            return config
        bound.apply_defaults()
        from cornu.saving.serialization import serialize_value
        passed_args, passed_kwargs = (), {}
        for name, param in sig.parameters.items():
            if param.kind is param.VAR_POSITIONAL:
                passed_args = bound.arguments.get(name, ())
            elif param.kind is param.VAR_KEYWORD:
                passed_kwargs = bound.arguments.get(name, {})
            if name == "self" or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                continue
            value = self.__dict__.get(name, bound.arguments.get(name))
            config[name] = serialize_value(value)
        # What `*args, **kwargs` carried on to the parent's __init__ (a subclass of a
        # built-in layer that adds an argument and passes the rest on: `units` of Dense).
        for name, value in _passed_on(type(self), passed_args, passed_kwargs).items():
            if name not in config:
                config[name] = serialize_value(self.__dict__.get(name, value))
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = list(self._batch_input_shape)
        return config

    def get_build_config(self):
        """``{"input_shape": ...}`` of the first call, so a loaded layer can be built."""
        if not self.built or not self._inbound_nodes or not self._inbound_nodes[0].call_args:
            return None
        return {"input_shape": _shape_list(self._inbound_nodes[0].call_args[0])}

    def build_from_config(self, config):
        """Build the layer from ``get_build_config``'s output."""
        shape = (config or {}).get("input_shape")
        if shape is not None and not self.built:
            self.build(_shape_tuple(shape))
            self.built = True

    @classmethod
    def from_config(cls, config):
        """Make a layer from the dict ``get_config`` returned."""
        from cornu.saving.serialization import deserialize_layer_config
        return cls(**deserialize_layer_config(cls, config))

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _passed_on(cls, args, kwargs):
    """The ``args``/``kwargs`` that ``cls.__init__`` passes up, named by the next
    ``__init__`` in the MRO; nothing when that is Layer's or Model's (their own
    arguments are recorded already)."""
    if not args and not kwargs:
        return {}
    owners = [k for k in cls.__mro__ if "__init__" in k.__dict__]
    if len(owners) < 2 or owners[1] is Layer or owners[1].__module__.startswith(
            "cornu.models"):
        return {}
    try:
        bound = inspect.signature(owners[1].__init__).bind_partial(None, *args, **kwargs)
    except TypeError:
        return dict(kwargs)
    out = {}
    for name, value in list(bound.arguments.items())[1:]:
        param = bound.signature.parameters[name]
        if param.kind is param.VAR_KEYWORD:
            out.update(value)
        elif param.kind is not param.VAR_POSITIONAL:
            out[name] = value
    return out


def _shape_list(x):
    if isinstance(x, (list, tuple)):
        return [_shape_list(v) for v in x]
    if isinstance(x, dict):
        return {k: _shape_list(v) for k, v in x.items()}
    return list(x.shape) if hasattr(x, "shape") else None


def _shape_tuple(shape):
    if isinstance(shape, dict):
        return {k: _shape_tuple(v) for k, v in shape.items()}
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple, dict)):
        return [_shape_tuple(s) for s in shape]
    return tuple(shape)


def _input_mask(x):
    if isinstance(x, (list, tuple)):
        masks = [getattr(v, "_keras_mask", None) for v in x]
        return None if all(m is None for m in masks) else masks
    return getattr(x, "_keras_mask", None)


def warn_deprecated(old, new, stacklevel=3):
    """The DeprecationWarning for a Keras 1/2 spelling, naming the modern one."""
    warnings.warn(f"`{old}` is a Keras 1/2 spelling; use `{new}` instead.",
                  DeprecationWarning, stacklevel=stacklevel)
