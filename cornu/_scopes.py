"""The context managers and wrappers of Keras's top level: ``name_scope``,
``device``, ``StatelessScope``, ``SymbolicScope``, ``RematScope`` and ``remat``."""
from cornu import backend
from cornu.backend.common import global_state


class name_scope:
    """Prefix the paths of the variables created inside the block with ``name/``.

    Args:
        name: the scope name (nested scopes join with ``/``).

    Example:

    >>> with cornu.name_scope("block"):
    ...     v = cornu.Variable(np.zeros(2), name="v")
    >>> v.path
    'block/v'

    A layer gives its weights the path ``layer_name/weight_name`` whatever the
    scope, as in cornu's ``Layer.add_weight``; the scope prefixes variables made
    directly, such as ``cornu.Variable(...)``.
    """

    def __init__(self, name, **kwargs):
        if not isinstance(name, str) or not name:
            raise ValueError(f"`name_scope` needs a non-empty string name; received {name!r}.")
        self.name = name
        self._pushed = False

    def __enter__(self):
        global_state.name_scopes.append(self.name)
        self._pushed = True
        return self

    def __exit__(self, *exc):
        if self._pushed:
            global_state.name_scopes.pop()
            self._pushed = False


def device(device_name):
    """A ``with`` block whose new tensors and variables go to ``device_name``.

    Args:
        device_name: ``"cpu"``, ``"gpu"``, ``"gpu:1"``, ``"cuda:0"``, ... (Keras's
            ``"gpu"`` is the engine's ``"cuda"``).

    Returns:
        A context manager.

    Example:

    >>> with cornu.device("cpu"):
    ...     x = cornu.ops.ones((2,))
    """
    if not isinstance(device_name, str):
        raise ValueError(f"`device` needs a device name such as 'cpu' or 'gpu:0'; received "
                         f"{device_name!r}.")
    name = device_name.lower()
    if name.startswith("/device:"):  # TensorFlow's spelling
        name = name[len("/device:"):]
    if name == "gpu" or name.startswith("gpu:"):
        name = "cuda" + name[3:]
    return backend.device_scope(name)


class SymbolicScope:
    """A block in which ops run on shapes only: new tensors are placeholders
    (on torch, the ``meta`` device) and no values are computed.

    Keras uses it to trace shapes without computing; inside,
    ``cornu.backend.in_symbolic_scope()`` is True.
    """

    def __enter__(self):
        self._context = backend.core.symbolic_scope()
        self._context.__enter__()
        return self

    def __exit__(self, *exc):
        return self._context.__exit__(*exc)


class StatelessScope:
    """A block that runs with given variable values and leaves the variables as they were.

    Args:
        state_mapping: ``(variable, value)`` pairs. Inside the block each variable
            reads as its value; assignments to it inside the block are kept by the
            scope (``get_current_value``) and undone at its end.
        collect_losses: accepted for Keras compatibility; losses are not collected.
        initialize_variables: accepted for Keras compatibility.

    Example:

    >>> v = cornu.Variable(np.zeros(2))
    >>> with cornu.StatelessScope([(v, np.ones(2))]) as scope:
    ...     v.assign(v.value * 3)
    >>> cornu.ops.convert_to_numpy(scope.get_current_value(v)), v.numpy()
    (array([3., 3.], dtype=float32), array([0., 0.], dtype=float32))

    Differences from Keras: the values are copied into the variables (gradients
    do not flow back to the given values), and only the variables named in
    ``state_mapping`` are protected: an assignment inside the block to any other
    variable stays.
    """

    def __init__(self, state_mapping=None, collect_losses=False, initialize_variables=True):
        self.collect_losses = collect_losses
        self.initialize_variables = initialize_variables
        self.losses = []
        self._mapping = []
        for item in state_mapping or ():
            if not (isinstance(item, (list, tuple)) and len(item) == 2 and
                    isinstance(item[0], backend.Variable)):
                raise ValueError("`state_mapping` must be a list of (Variable, value) pairs; "
                                 f"received the item {item!r}.")
            self._mapping.append((item[0], backend.convert_to_tensor(item[1])))
        self._saved = []
        self._current = {}

    def __enter__(self):
        self._saved = [(v, backend.convert_to_tensor(v.numpy())) for v, _ in self._mapping]
        for variable, value in self._mapping:
            variable.assign(value)
        return self

    def __exit__(self, *exc):
        for variable, original in self._saved:
            self._current[id(variable)] = (variable, backend.convert_to_tensor(variable.numpy()))
            variable.assign(original)
        self._saved = []

    def get_current_value(self, variable):
        """The value of ``variable`` in the scope (after the assignments made in it),
        or None when it is not in ``state_mapping``."""
        if self._saved:  # still inside the block: the variable holds it
            if any(v is variable for v, _ in self._saved):
                return variable.value
            return None
        entry = self._current.get(id(variable))
        return entry[1] if entry is not None and entry[0] is variable else None


_REMAT_MODES = ("full", "activations", "larger_than", "list_of_layers", None)
_remat_stack = []


class RematScope:
    """Choose which layers recompute their activations in the backward pass
    (gradient checkpointing), trading compute for memory.

    Args:
        mode: ``"full"`` (every layer), ``"activations"``, ``"larger_than"``
            (layers whose outputs exceed ``output_size_threshold`` elements),
            ``"list_of_layers"`` (the layers named in ``layer_names``) or None (off).
        output_size_threshold: the size for ``"larger_than"``.
        layer_names: the layer names for ``"list_of_layers"``.

    Not yet implemented in cornu: layers do not read the scope, so it only records
    the choice (``get_current_remat_mode()``). Wrap a function with ``cornu.remat``
    to checkpoint it.
    """

    def __init__(self, mode="full", output_size_threshold=1024, layer_names=None):
        if mode not in _REMAT_MODES:
            raise ValueError(f"Invalid remat mode {mode!r}; expected one of {_REMAT_MODES}.")
        if mode == "list_of_layers" and not layer_names:
            raise ValueError("mode='list_of_layers' needs `layer_names`, the layers to "
                             "rematerialize; received none.")
        self.mode = mode
        self.output_size_threshold = output_size_threshold
        self.layer_names = list(layer_names or [])

    def __enter__(self):
        _remat_stack.append(self)
        return self

    def __exit__(self, *exc):
        _remat_stack.pop()


def get_current_remat_mode():
    """The innermost active ``RematScope``, or None outside any (or when its mode is None)."""
    if not _remat_stack or _remat_stack[-1].mode is None:
        return None
    return _remat_stack[-1]


def remat(f):
    """``f`` with gradient checkpointing: it keeps no activations for the backward
    pass and recomputes them there, saving memory for the cost of a second forward run.

    Args:
        f: a function of tensors (a layer or model call, a block of ops).

    Returns:
        A function with the same results and gradients.

    Example:

    >>> dense = cornu.layers.Dense(8)
    >>> y = cornu.remat(dense)(np.ones((2, 4), "float32"))
    """
    return backend.core.remat(f)
