"""The torch engine's core: devices, tensor conversion, Variable, symbolic scope.

Shapes of symbolic calls come from running the real ``call`` on tensors of the
``meta`` device, which carry a shape and a dtype and no data (DESIGN.md, 4).
"""
import contextlib
import os

import numpy as np
import torch

from cornu.backend.common import global_state
from cornu.backend.common.dtypes import standardize_dtype
from cornu.backend.common.keras_tensor import KerasTensor
from cornu.backend.config import floatx

Tensor = torch.Tensor
IS_THREAD_SAFE = True

_DTYPES = {
    "float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32,
    "float64": torch.float64, "uint8": torch.uint8, "uint16": torch.uint16,
    "uint32": torch.uint32, "uint64": torch.uint64, "int8": torch.int8,
    "int16": torch.int16, "int32": torch.int32, "int64": torch.int64,
    "bool": torch.bool, "complex64": torch.complex64, "complex128": torch.complex128,
}
_NAMES = {v: k for k, v in _DTYPES.items()}


def to_torch_dtype(dtype):
    """A torch dtype from any dtype spelling (None means floatx)."""
    if isinstance(dtype, torch.dtype):
        return dtype
    name = standardize_dtype(dtype)
    try:
        return _DTYPES[name]
    except KeyError:
        raise ValueError(f"The torch backend has no dtype {name!r}.") from None


def dtype_name(x):
    """The string dtype of a tensor, Variable or KerasTensor."""
    d = x.dtype
    return _NAMES.get(d, d) if isinstance(d, torch.dtype) else standardize_dtype(d)


# ----------------------------------------------------------------- devices

class _Scope:
    """Process-wide state read on the hot path, so kept as plain attributes."""
    symbolic = False
    device = None


_scope = _Scope()


def _default_device():
    env = os.environ.get("CORNU_DEVICE")
    if env:
        return env
    return "cuda" if torch.cuda.is_available() else "cpu"


def get_device():
    """The device new tensors and variables go to: ``'cuda'`` when present, else ``'cpu'``."""
    if _scope.device is None:
        _scope.device = _default_device()
    return "meta" if _scope.symbolic else _scope.device


def set_device(device):
    """Choose the device for new tensors and variables (``'cpu'``, ``'cuda'``, ``'cuda:1'``).

    The environment variable ``CORNU_DEVICE`` sets the same at start-up.
    """
    torch.device(device)  # validates the spelling
    _scope.device = str(device)


@contextlib.contextmanager
def device_scope(device):
    """Place the tensors and variables created inside the block on ``device``."""
    previous = get_device()
    set_device(device)
    try:
        yield
    finally:
        _scope.device = previous


# ----------------------------------------------------------------- tensors

def is_tensor(x):
    return isinstance(x, torch.Tensor)


def convert_to_tensor(x, dtype=None, sparse=None):
    """A torch tensor on the current device; python floats become floatx."""
    tdtype = None if dtype is None else to_torch_dtype(dtype)
    if isinstance(x, torch.Tensor):
        if _scope.symbolic and x.device.type != "meta":
            x = torch.empty_like(x, device="meta")
        if tdtype is not None and x.dtype != tdtype:
            x = x.to(tdtype)
        return x
    if isinstance(x, Variable):
        x = x.value
        return x if tdtype is None or x.dtype == tdtype else x.to(tdtype)
    if isinstance(x, KerasTensor):
        raise TypeError(
            f"{x!r} is symbolic and cannot become a real tensor. Call the layer or "
            "op on it instead, or call the model on real data.")
    device = get_device()
    if isinstance(x, np.ndarray) or np.isscalar(x) and not isinstance(x, (bool, int, float)):
        x = np.asarray(x)
        if x.dtype == object:
            raise TypeError(
                "Cannot convert an array of Python objects to a tensor. Expected "
                "numbers of one dtype; pad ragged sequences first "
                "(cornu.utils.pad_sequences).")
        if tdtype is None and x.dtype.kind == "U":
            raise TypeError("Strings cannot become torch tensors; expected numbers.")
        if not x.flags.writeable or any(step < 0 for step in x.strides):
            x = x.copy()  # torch wraps neither read-only nor reversed (negative-stride) views
        t = torch.as_tensor(x)
        return t.to(device=device, dtype=tdtype) if (
            tdtype is not None or device != "cpu") else t
    if tdtype is None:
        tdtype = _infer_python_dtype(x)
    if device == "meta":
        return torch.empty(np.shape(x), dtype=tdtype, device="meta")
    if isinstance(x, (list, tuple)) and any(
            isinstance(v, (torch.Tensor, Variable)) for v in _leaves(x)):
        return torch.stack([convert_to_tensor(v, dtype=tdtype) for v in x])
    return torch.as_tensor(x, dtype=tdtype, device=device)


def _leaves(x):
    for v in x:
        if isinstance(v, (list, tuple)):
            yield from _leaves(v)
        else:
            yield v


def _infer_python_dtype(x):
    leaves = list(_leaves(x)) if isinstance(x, (list, tuple)) else [x]
    if any(isinstance(v, float) for v in leaves):
        return to_torch_dtype(floatx())
    if leaves and all(isinstance(v, bool) for v in leaves):
        return torch.bool
    if all(isinstance(v, (int, bool)) for v in leaves):
        return torch.int32
    return to_torch_dtype(floatx())


def convert_to_numpy(x):
    """A numpy array holding the value of a tensor, Variable or array-like."""
    if isinstance(x, Variable):
        x = x.value
    if isinstance(x, torch.Tensor):
        x = x.detach()
        if x.device.type != "cpu":
            x = x.cpu()
        if x.dtype == torch.bfloat16:
            x = x.float()
        return x.numpy()
    if isinstance(x, (list, tuple)):
        return np.array([convert_to_numpy(v) for v in x])
    return np.asarray(x)


def cast(x, dtype):
    tdtype = to_torch_dtype(dtype)
    x = convert_to_tensor(x)
    return x if x.dtype == tdtype else x.to(tdtype)


def shape(x):
    return tuple(x.shape)


def stop_gradient(x):
    return convert_to_tensor(x).detach()


# ----------------------------------------------------------------- Variable

class Variable:
    """A model weight: a torch Parameter with Keras's name, path and flags.

    ``value`` is the Parameter itself (on the meta device while shapes are
    being inferred), so ops use it directly and autograd sees it.
    """

    def __init__(self, initializer, shape=None, dtype=None, trainable=True,
                 autocast=True, aggregation="none", synchronization="auto", name=None):
        self.name = str(name or global_state.uniquify("variable"))
        scope = global_state.name_scope_path()  # cornu.name_scope blocks
        self.path = f"{scope}/{self.name}" if scope else self.name
        self.aggregation = aggregation
        self.synchronization = synchronization
        self.autocast = autocast
        self.regularizer = None
        self.constraint = None
        # Weights created while shapes are being inferred still get real values.
        symbolic, _scope.symbolic = _scope.symbolic, False
        try:
            if isinstance(initializer, str) and global_state.initializer_from_name is not None:
                initializer = global_state.initializer_from_name(initializer)
            if callable(initializer) and not isinstance(initializer, (torch.Tensor, np.ndarray)):
                if shape is None:
                    raise ValueError(f"Variable {self.name!r}: an initializer needs a shape; "
                                     "received shape=None.")
                value = initializer(tuple(shape), dtype=standardize_dtype(dtype))
            else:
                value = initializer
            self._init_value(value, shape, dtype, trainable)
        finally:
            _scope.symbolic = symbolic

    def _init_value(self, value, shape, dtype, trainable):
        device = _scope.device or get_device()
        with torch.no_grad():
            if isinstance(value, Variable):
                value = value.value
            if isinstance(value, torch.Tensor):
                value = value.detach().to(device=device, dtype=to_torch_dtype(
                    dtype if dtype is not None else _NAMES[value.dtype]), copy=True)
            else:
                # A copy: updates of the variable must not write into the caller's array.
                value = torch.tensor(np.asarray(value), device=device,
                                     dtype=None if dtype is None else to_torch_dtype(dtype))
                if dtype is None and value.dtype == torch.float64:
                    value = value.to(to_torch_dtype(floatx()))
        if shape is not None and tuple(value.shape) != tuple(shape):
            raise ValueError(
                f"Variable {self.name!r}: the initial value has shape {tuple(value.shape)} "
                f"but shape={tuple(shape)} was requested.")
        self._trainable = bool(trainable)
        self._value = torch.nn.Parameter(
            value, requires_grad=self._trainable and (value.is_floating_point() or value.is_complex()))
        self._meta = None

    # -- value
    @property
    def value(self):
        if _scope.symbolic:
            if self._meta is None or self._meta.shape != self._value.shape:
                self._meta = torch.empty_like(self._value, device="meta")
            return self._meta
        return self._value

    def numpy(self):
        """A copy of the value (a later update of the variable does not change it)."""
        return convert_to_numpy(self._value).copy()

    def assign(self, value):
        if _scope.symbolic:
            return self
        with torch.no_grad():
            value = convert_to_tensor(value)
            if tuple(value.shape) != tuple(self._value.shape):
                raise ValueError(
                    f"Cannot assign a value of shape {tuple(value.shape)} to variable "
                    f"{self.path!r} of shape {self.shape}.")
            self._value.copy_(value)
        return self

    def assign_add(self, value):
        if not _scope.symbolic:
            with torch.no_grad():  # a Python number goes in as a kernel argument, no copy
                self._value.add_(value if isinstance(value, (int, float)) else
                                 convert_to_tensor(value))
        return self

    def assign_sub(self, value):
        if not _scope.symbolic:
            with torch.no_grad():
                self._value.sub_(convert_to_tensor(value))
        return self

    # -- attributes
    @property
    def shape(self):
        return tuple(self._value.shape)

    @property
    def ndim(self):
        return self._value.ndim

    @property
    def dtype(self):
        return _NAMES[self._value.dtype]

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        if self._value.is_floating_point():
            self._value.requires_grad_(self._trainable)

    def __repr__(self):
        return (f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype}, "
                f"value={self.numpy()}>")

    # -- behave like a tensor
    def __array__(self, dtype=None, copy=None):
        a = self.numpy()
        return a if dtype is None else a.astype(dtype)

    def __len__(self):
        return len(self._value)

    def __float__(self):
        return float(self._value)

    def __int__(self):
        return int(self._value)

    def __bool__(self):
        return bool(self._value)

    def __getitem__(self, key):
        return self.value[key]

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        unwrap = lambda v: v.value if isinstance(v, Variable) else (
            type(v)(unwrap(i) for i in v) if isinstance(v, (list, tuple)) else v)
        return func(*unwrap(args), **{k: unwrap(v) for k, v in (kwargs or {}).items()})

    def _bin(op, reflect=False):
        def method(self, other):
            if isinstance(other, KerasTensor):
                from cornu import ops
                name = {"__add__": "add", "__sub__": "subtract", "__mul__": "multiply",
                        "__truediv__": "true_divide", "__matmul__": "matmul"}.get(op)
                if name:
                    return getattr(ops, name)(other, self) if reflect else getattr(ops, name)(self, other)
            other = other.value if isinstance(other, Variable) else other
            fn = getattr(self.value, op)
            return fn(other)
        return method

    for _op in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
                "__truediv__", "__rtruediv__", "__floordiv__", "__rfloordiv__", "__mod__",
                "__rmod__", "__pow__", "__rpow__", "__matmul__", "__rmatmul__", "__lt__",
                "__le__", "__gt__", "__ge__", "__and__", "__or__"):
        locals()[_op] = _bin(_op, reflect=_op.startswith("__r"))
    del _op, _bin

    def __neg__(self):
        return -self.value

    def __abs__(self):
        return abs(self.value)

    __hash__ = object.__hash__


# ----------------------------------------------------------------- symbolic execution

@contextlib.contextmanager
def symbolic_scope():
    """Inside, variables read as meta tensors and new tensors go to the meta device."""
    previous = _scope.symbolic
    get_device()
    _scope.symbolic = True
    try:
        with torch.no_grad():
            yield
    finally:
        _scope.symbolic = previous


def in_symbolic_scope():
    return _scope.symbolic


_FILLS = (83, 89)


def _to_meta(x, fill):
    if isinstance(x, KerasTensor):
        shape = [fill if d is None else d for d in x.shape]
        return torch.empty(shape, dtype=to_torch_dtype(x.dtype), device="meta")
    return x


def compute_output_spec(fn, *args, **kwargs):
    """Run ``fn`` on meta tensors standing for the KerasTensors in args/kwargs and
    return KerasTensors of the results' shapes and dtypes.

    Unknown dimensions are filled with two different sizes in two runs; the
    output dimensions that differ between the runs are unknown too.
    """
    from cornu import tree
    flat = tree.flatten((args, kwargs))
    has_none = any(isinstance(x, KerasTensor) and None in x.shape for x in flat)
    runs = []
    for fill in (_FILLS if has_none else _FILLS[:1]):
        margs, mkwargs = tree.map_structure(lambda x: _to_meta(x, fill), (args, kwargs))
        with symbolic_scope():
            runs.append(fn(*margs, **mkwargs))
    if len(runs) == 1:
        runs.append(runs[0])

    def to_keras_tensor(a, b):
        if isinstance(a, torch.Tensor):
            dims = tuple(x if x == y else None for x, y in zip(a.shape, b.shape))
            return KerasTensor(dims, dtype=_NAMES[a.dtype])
        return a
    return tree.map_structure(to_keras_tensor, runs[0], runs[1])


# ----------------------------------------------------------------- core ops (keras.ops.core)
# Control flow runs as plain Python on the eager tensors. On meta tensors (shape
# inference) a data-dependent choice cannot be made, so the first branch stands in.
# (This section defines ``slice`` and ``map``; builtins are reached through ``builtins``.)
import builtins  # noqa: E402

def saturate_cast(x, dtype):
    """``x`` cast to ``dtype``, values clipped to its range first instead of wrapping."""
    tdtype = to_torch_dtype(dtype)
    x = convert_to_tensor(x)
    if x.dtype == tdtype or tdtype == torch.bool:
        return x.to(tdtype)
    info = torch.finfo(tdtype) if tdtype.is_floating_point else torch.iinfo(tdtype)
    lo, hi = info.min, info.max
    if x.is_floating_point():
        # the limits as x's dtype, rounded towards zero so that the cast cannot overflow
        lo_t, hi_t = torch.tensor([lo, hi], dtype=torch.float64).to(x.dtype)
        lo_t = torch.nextafter(lo_t, hi_t) if float(lo_t) < lo else lo_t
        hi_t = torch.nextafter(hi_t, lo_t) if float(hi_t) > hi else hi_t
        x = torch.clamp(x, lo_t.to(x.device), hi_t.to(x.device))
    elif not tdtype.is_floating_point:
        own = torch.iinfo(x.dtype)
        x = torch.clamp(x, builtins.max(lo, own.min), builtins.min(hi, own.max))
    return x.to(tdtype)


def scatter(indices, values, shape):
    """A zero tensor of ``shape`` with ``values`` added at ``indices`` (last axis: coordinates)."""
    indices = convert_to_tensor(indices).long()
    values = convert_to_tensor(values)
    out = torch.zeros(tuple(shape), dtype=values.dtype, device=values.device)
    return out.index_put_(tuple(indices.unbind(-1)), values, accumulate=True)


_SCATTER_REDUCTIONS = {"max": "amax", "min": "amin", "mul": "prod"}


def scatter_update(inputs, indices, updates, reduction=None):
    """A copy of ``inputs`` with the entries at ``indices`` (last axis: coordinates) set to
    ``updates``, or, with ``reduction`` ``"add"``, ``"max"``, ``"min"`` or ``"mul"``,
    combined with them (repeated indices combine all their updates)."""
    inputs = convert_to_tensor(inputs)
    indices = convert_to_tensor(indices).long()
    updates = convert_to_tensor(updates, dtype=inputs.dtype)
    coords = tuple(indices.unbind(-1))
    if reduction is None or reduction == "add":
        return inputs.clone().index_put_(coords, updates, accumulate=reduction == "add")
    if reduction not in _SCATTER_REDUCTIONS:
        raise ValueError(f"scatter_update: reduction must be None, 'add', 'max', 'min' or "
                         f"'mul'; received {reduction!r}.")
    k = indices.shape[-1]
    flat = inputs.reshape((-1,) + tuple(inputs.shape[k:])).clone()  # (prod(shape[:k]), *rest)
    rows = torch.zeros_like(coords[0])
    for c, n in zip(coords, inputs.shape[:k]):
        rows = rows * n + c
    rows = rows.reshape(-1)
    updates = updates.reshape((-1,) + tuple(flat.shape[1:]))
    index = rows.reshape((-1,) + (1,) * (flat.ndim - 1)).expand(updates.shape)
    flat.scatter_reduce_(0, index, updates, _SCATTER_REDUCTIONS[reduction])
    return flat.reshape(inputs.shape)


def _starts(start_indices):
    if isinstance(start_indices, torch.Tensor):
        return start_indices.unbind(0)
    return start_indices


def slice(inputs, start_indices, shape):
    """The block of ``inputs`` of ``shape`` starting at ``start_indices``."""
    x = convert_to_tensor(inputs)
    for axis, (start, length) in enumerate(zip(_starts(start_indices), shape)):
        x = x.narrow(axis, start, x.shape[axis] - start if length == -1 else length)
    return x


def slice_update(inputs, start_indices, updates):
    """A copy of ``inputs`` with the block at ``start_indices`` replaced by ``updates``."""
    out = convert_to_tensor(inputs).clone()
    updates = convert_to_tensor(updates, dtype=out.dtype)
    block = out
    for axis, (start, length) in enumerate(zip(_starts(start_indices), updates.shape)):
        block = block.narrow(axis, start, length)
    block.copy_(updates)
    return out


def unstack(x, num=None, axis=0):
    """The slices of ``x`` along ``axis``, as a list."""
    return list(torch.unbind(convert_to_tensor(x), dim=axis))


def _decide(pred):
    """A Python bool from ``pred``; True (the first branch) for a meta tensor."""
    if isinstance(pred, torch.Tensor) and pred.device.type == "meta":
        return True
    return bool(pred)


def cond(pred, true_fn, false_fn):
    """``true_fn()`` if ``pred`` holds, else ``false_fn()``."""
    return true_fn() if _decide(pred) else false_fn()


def switch(index, branches, *operands):
    """``branches[index](*operands)``, ``index`` clipped to the valid range."""
    if isinstance(index, torch.Tensor) and index.device.type == "meta":
        return branches[0](*operands)
    return branches[builtins.min(builtins.max(int(index), 0), len(branches) - 1)](*operands)


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Run ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)`` (and fewer than
    ``maximum_iterations`` times); returns the final loop_vars."""
    packed = isinstance(loop_vars, (list, tuple))
    state = tuple(loop_vars) if packed else (loop_vars,)
    steps = 0
    while (maximum_iterations is None or steps < maximum_iterations) and _decide(cond(*state)):
        state = body(*state)
        state = tuple(state) if isinstance(state, (list, tuple)) else (state,)
        steps += 1
        if in_symbolic_scope():
            break
    return state if packed else state[0]


def fori_loop(lower, upper, body_fun, init_val):
    """``val = body_fun(i, val)`` for ``i`` in ``range(lower, upper)``; returns the final val."""
    val = init_val
    for i in range(int(lower), int(upper)):
        val = body_fun(i, val)
    return val


def _length(xs):
    from cornu import tree
    return tree.flatten(xs)[0].shape[0]


def _stack(results):
    from cornu import tree
    return tree.map_structure(
        lambda *ys: torch.stack([convert_to_tensor(y) for y in ys]), *results)


def map(f, xs):
    """``f`` applied to each slice along the first axis of ``xs`` (a nested structure), stacked."""
    from cornu import tree
    xs = tree.map_structure(convert_to_tensor, xs)
    n = _length(xs)
    return _stack([f(tree.map_structure(lambda x: x[i], xs)) for i in range(n)])


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """Loop ``carry, y = f(carry, x)`` over the first axis of ``xs``; returns the final
    carry and the stacked ``y``s."""
    from cornu import tree
    if xs is not None:
        xs = tree.map_structure(convert_to_tensor, xs)
    n = _length(xs) if xs is not None else length
    if n is None:
        raise ValueError("scan() needs xs or length.")
    carry, ys = init, []
    for i in (range(n - 1, -1, -1) if reverse else range(n)):
        x = None if xs is None else tree.map_structure(lambda v: v[i], xs)
        carry, y = f(carry, x)
        ys.append(y)
    if reverse:
        ys.reverse()
    if not ys or builtins.all(y is None for y in tree.flatten(ys[0])):
        return carry, None
    return carry, _stack(ys)


def associative_scan(f, elems, reverse=False, axis=0):
    """Inclusive scan of the associative ``f`` along ``axis`` of ``elems`` (a nested structure)."""
    from cornu import tree
    leaves = [convert_to_tensor(x) for x in tree.flatten(elems)]
    if reverse:
        leaves = [torch.flip(x, (axis,)) for x in leaves]
    n = leaves[0].shape[axis]
    acc = [x.select(axis, 0) for x in leaves]
    outs = [acc]
    for i in range(1, n):
        step = f(tree.pack_sequence_as(elems, acc),
                 tree.pack_sequence_as(elems, [x.select(axis, i) for x in leaves]))
        acc = tree.flatten(step)
        outs.append(acc)
    stacked = [torch.stack([o[k] for o in outs], dim=axis) for k in range(len(leaves))]
    if reverse:
        stacked = [torch.flip(x, (axis,)) for x in stacked]
    return tree.pack_sequence_as(elems, stacked)


def vectorized_map(function, elements):
    """``function`` applied to each slice along the first axis of ``elements``, batched."""
    from cornu import tree
    elements = tree.map_structure(convert_to_tensor, elements)
    try:
        return torch.vmap(function)(elements)
    except RuntimeError:  # ops vmap cannot batch (data-dependent shapes): loop instead
        return map(function, elements)


class _CustomGradient(torch.autograd.Function):
    @staticmethod
    def forward(ctx, fn, *args):
        output, grad_fn = fn(*args)
        ctx.grad_fn = grad_fn
        return output

    @staticmethod
    def backward(ctx, *upstream):
        grads = ctx.grad_fn(*upstream)
        grads = tuple(grads) if isinstance(grads, (list, tuple)) else (grads,)
        return (None,) + grads


def custom_gradient(f):
    """Decorate ``f(*args) -> (output, grad_fn)`` so that autograd uses
    ``grad_fn(upstream)`` as the gradient of ``output`` with respect to the args."""
    import functools

    @functools.wraps(f)
    def wrapper(*args):
        return _CustomGradient.apply(f, *(convert_to_tensor(a) for a in args))
    return wrapper


def remat(f):
    """``f`` with gradient checkpointing: its activations are recomputed in the
    backward pass instead of being kept (``keras.remat``)."""
    import functools
    from torch.utils import checkpoint

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        return checkpoint.checkpoint(f, *args, use_reentrant=False, **kwargs)
    return wrapper
