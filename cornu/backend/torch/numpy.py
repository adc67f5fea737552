"""numpy-like ops on torch tensors (Keras 3 ``keras.ops.numpy`` names and signatures).

Dtypes follow Keras: a Python number takes the dtype of the tensor it meets
(a float meeting an int tensor makes floatx); ops with float results (mean,
sqrt, exp, true_divide, ...) turn int and bool inputs into floatx; sums keep
int dtypes (bool and small ints sum to int32); index results are int32.

The common ops are a conversion and one torch call, because layers call them
on every step. Every op also runs on the meta device (shape inference), except
the few whose output shape depends on the data (nonzero, bincount, histogram).
"""
import builtins
import operator

import numpy as np
import torch
import torch.nn.functional as F

from cornu.backend.config import floatx
from cornu.backend.torch.core import convert_to_tensor, get_device, to_torch_dtype

_NUMBERS = (int, float)
# Keras sums unsigned ints to uint32, which torch cannot sum in; int32 holds the same counts.
_SUM_DTYPES = {torch.bool: torch.int32, torch.int8: torch.int32, torch.int16: torch.int32,
               torch.uint8: torch.int32, torch.uint16: torch.int32}


# ----------------------------------------------------------------- helpers

def _floatx():
    return to_torch_dtype(floatx())


def _to_float(x):
    """``x`` as a tensor with a float (or complex) dtype: ints and bools become floatx."""
    x = convert_to_tensor(x)
    return x if x.is_floating_point() or x.is_complex() else x.to(_floatx())


def _weak(x, number):
    """Tensor ``x`` cast so that combining it with a Python number keeps a Keras dtype."""
    if x.is_floating_point() or x.is_complex():
        return x
    if number.__class__ is float:
        return x.to(_floatx())
    return x.to(torch.int32) if x.dtype == torch.bool else x


def _pair(x1, x2):
    """Operands for a binary op: two tensors of one dtype, or a tensor and a Python number."""
    if x2.__class__ in _NUMBERS:
        return _weak(convert_to_tensor(x1), x2), x2
    if x1.__class__ in _NUMBERS:
        return x1, _weak(convert_to_tensor(x2), x1)
    x1 = convert_to_tensor(x1)
    x2 = convert_to_tensor(x2)
    if x1.dtype != x2.dtype:
        dtype = torch.promote_types(x1.dtype, x2.dtype)
        x1, x2 = x1.to(dtype), x2.to(dtype)
    return x1, x2


def _tensors(x1, x2, to_float=False):
    """Two tensors of one dtype (a float dtype when ``to_float``)."""
    x1, x2 = _pair(x1, x2)
    if x1.__class__ in _NUMBERS:
        x1 = torch.full((), x1, dtype=x2.dtype, device=x2.device)
    elif x2.__class__ in _NUMBERS:
        x2 = torch.full((), x2, dtype=x1.dtype, device=x1.device)
    if to_float and not (x1.is_floating_point() or x1.is_complex()):
        x1, x2 = x1.to(_floatx()), x2.to(_floatx())
    return x1, x2


def _common(xs):
    """A list of tensors promoted to one dtype."""
    xs = [convert_to_tensor(x) for x in xs]
    dtype = xs[0].dtype
    for x in xs[1:]:
        if x.dtype != dtype:
            dtype = torch.promote_types(dtype, x.dtype)
    return [x if x.dtype == dtype else x.to(dtype) for x in xs]


def _int32(x):
    return x.to(torch.int32)


def _flat_axes(x, axis):
    """``x`` with the ``axis`` dims (all when None) moved last and flattened into one,
    and the shape a reduction over them has with ``keepdims``."""
    nd = x.ndim
    if axis is None:
        axes = list(range(nd))
    else:
        axes = sorted({a % nd for a in ((axis,) if isinstance(axis, int) else axis)})
    kept = [d for d in range(nd) if d not in axes]
    y = x.permute(kept + axes).reshape([x.shape[d] for d in kept] + [-1])
    return y, [1 if d in axes else s for d, s in enumerate(x.shape)]


def _reduce(fn, x, axis, keepdims):
    """A one-axis reduction ``fn(x, dim)`` applied over ``axis`` (an int, a tuple or None)."""
    if isinstance(axis, int):
        out = fn(x, axis)
        return out.unsqueeze(axis) if keepdims else out
    y, keep_shape = _flat_axes(x, axis)
    out = fn(y, -1)
    return out.reshape(keep_shape) if keepdims else out


def _elementwise(name, fn, doc, to_float=False):
    """Define the op ``name(x)``: ``fn`` on a tensor, ints first made floatx when ``to_float``."""
    if to_float:
        def op(x):
            x = convert_to_tensor(x)
            if not (x.is_floating_point() or x.is_complex()):
                x = x.to(_floatx())
            return fn(x)
    else:
        def op(x):
            return fn(convert_to_tensor(x))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


def _binary(name, fn, doc, to_float=False):
    """Define the op ``name(x1, x2)``: ``fn`` on operands made by ``_pair`` (or ``_tensors``)."""
    if to_float:
        def op(x1, x2):
            return fn(*_tensors(x1, x2, to_float=True))
    else:
        def op(x1, x2):
            x1, x2 = _pair(x1, x2)
            return fn(x1, x2)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


# ----------------------------------------------------------------- creation

def array(x, dtype=None):
    """A tensor holding ``x``."""
    return convert_to_tensor(x, dtype=dtype)


def copy(x):
    """A copy of ``x``."""
    return convert_to_tensor(x).clone()


def _shape(shape):
    # A SymInt (a dynamic size while torch.export traces) stays symbolic: int() would
    # fix the exported graph to the traced size.
    return (shape,) if isinstance(shape, int) else tuple(
        d if isinstance(d, (int, torch.SymInt)) else int(d) for d in shape)


def zeros(shape, dtype=None):
    """A tensor of zeros (floatx unless ``dtype``)."""
    return torch.zeros(_shape(shape), dtype=to_torch_dtype(dtype), device=get_device())


def ones(shape, dtype=None):
    """A tensor of ones (floatx unless ``dtype``)."""
    return torch.ones(_shape(shape), dtype=to_torch_dtype(dtype), device=get_device())


def empty(shape, dtype=None):
    """An uninitialised tensor (floatx unless ``dtype``)."""
    return torch.empty(_shape(shape), dtype=to_torch_dtype(dtype), device=get_device())


def _like(x, dtype):
    x = convert_to_tensor(x)
    return x, (x.dtype if dtype is None else to_torch_dtype(dtype))


def zeros_like(x, dtype=None):
    """Zeros of the shape (and dtype unless given) of ``x``."""
    x, dtype = _like(x, dtype)
    return torch.zeros_like(x, dtype=dtype)


def ones_like(x, dtype=None):
    """Ones of the shape (and dtype unless given) of ``x``."""
    x, dtype = _like(x, dtype)
    return torch.ones_like(x, dtype=dtype)


def empty_like(x, dtype=None):
    """An uninitialised tensor of the shape (and dtype unless given) of ``x``."""
    x, dtype = _like(x, dtype)
    return torch.empty_like(x, dtype=dtype)


def full(shape, fill_value, dtype=None):
    """A tensor of ``shape`` filled with ``fill_value`` (floatx unless ``dtype``)."""
    value = convert_to_tensor(fill_value, dtype=to_torch_dtype(dtype))
    return torch.broadcast_to(value, _shape(shape)).clone()


def full_like(x, fill_value, dtype=None):
    """A tensor of the shape of ``x`` filled with ``fill_value``."""
    x, dtype = _like(x, dtype)
    if fill_value.__class__ in _NUMBERS or fill_value.__class__ is bool:
        return torch.full_like(x, fill_value, dtype=dtype)
    return torch.broadcast_to(convert_to_tensor(fill_value, dtype=dtype), x.shape).clone()


def arange(start, stop=None, step=1, dtype=None):
    """Evenly spaced values in ``[start, stop)`` (int32 for int arguments, else floatx)."""
    if stop is None:
        start, stop = 0, start
    step = 1 if step is None else step
    if dtype is None:
        ints = builtins.all(isinstance(v, (int, np.integer)) for v in (start, stop, step))
        dtype = torch.int32 if ints else _floatx()
    return torch.arange(start, stop, step, dtype=to_torch_dtype(dtype), device=get_device())


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """``num`` evenly spaced values from ``start`` to ``stop`` (which may be arrays)."""
    start, stop = torch.broadcast_tensors(*_tensors(start, stop, to_float=True))
    div = num - 1 if endpoint else num
    step = (stop - start) / div if div > 0 else torch.full_like(start, float("nan"))
    steps = torch.arange(num, dtype=start.dtype, device=start.device)
    y = start + steps.reshape((num,) + (1,) * start.ndim) * (step if div > 0 else 0)
    if endpoint and num > 1:
        y = torch.cat([y[:-1], stop.unsqueeze(0)])
    y = torch.movedim(y, 0, axis)
    if dtype is not None:
        dtype = to_torch_dtype(dtype)
        y = (y if dtype.is_floating_point else torch.floor(y)).to(dtype)
    return (y, step) if retstep else y


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    """``base ** linspace(start, stop)``."""
    y = power(base, linspace(start, stop, num, endpoint=endpoint, axis=axis))
    return y if dtype is None else y.to(to_torch_dtype(dtype))


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """``num`` numbers from ``start`` to ``stop`` spaced evenly on a log scale (a geometric
    progression; both ends have the same sign)."""
    start, stop = _tensors(start, stop, to_float=True)
    y = torch.sign(start) * power(10.0, linspace(torch.log10(start.abs()),
                                                 torch.log10(stop.abs()), num,
                                                 endpoint=endpoint, axis=axis))
    return y if dtype is None else y.to(to_torch_dtype(dtype))

def eye(N, M=None, k=0, dtype=None):
    """A 2-D tensor with ones on diagonal ``k``."""
    M = N if M is None else M
    rows = torch.arange(N, device=get_device()).unsqueeze(1)
    cols = torch.arange(M, device=get_device())
    return (cols - rows == k).to(to_torch_dtype(dtype))


def identity(n, dtype=None):
    """The ``n`` by ``n`` identity matrix."""
    return eye(n, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):
    """Ones at and below diagonal ``k`` of an ``N`` by ``M`` matrix."""
    M = N if M is None else M
    rows = torch.arange(N, device=get_device()).unsqueeze(1)
    cols = torch.arange(M, device=get_device())
    return (cols - rows <= k).to(to_torch_dtype(dtype))


def _window(fn, x, **kwargs):
    return fn(int(x), periodic=False, dtype=_floatx(), device=get_device(), **kwargs)


def bartlett(x):
    """The Bartlett (triangular) window of length ``x``."""
    return _window(torch.bartlett_window, x)


def blackman(x):
    """The Blackman window of length ``x``."""
    return _window(torch.blackman_window, x)


def hamming(x):
    """The Hamming window of length ``x``."""
    return _window(torch.hamming_window, x)


def hanning(x):
    """The Hann window of length ``x``."""
    return _window(torch.hann_window, x)


def kaiser(x, beta):
    """The Kaiser window of length ``x`` and shape ``beta``."""
    return _window(torch.kaiser_window, x, beta=float(beta))


# ----------------------------------------------------------------- element-wise, one input

abs = _elementwise("abs", torch.abs, "Element-wise absolute value.")
absolute = _elementwise("absolute", torch.abs, "Element-wise absolute value.")
negative = _elementwise("negative", torch.negative, "Element-wise ``-x``.")
sign = _elementwise("sign", torch.sign, "Element-wise sign (-1, 0 or 1).")
conj = _elementwise("conj", torch.conj_physical, "Element-wise complex conjugate.")
conjugate = _elementwise("conjugate", torch.conj_physical, "Element-wise complex conjugate.")
isnan = _elementwise("isnan", torch.isnan, "Element-wise test for NaN.")
isinf = _elementwise("isinf", torch.isinf, "Element-wise test for infinity.")
isfinite = _elementwise("isfinite", torch.isfinite, "Element-wise test for finiteness.")
isneginf = _elementwise("isneginf", torch.isneginf, "Element-wise test for -inf.")
isposinf = _elementwise("isposinf", torch.isposinf, "Element-wise test for +inf.")
isreal = _elementwise("isreal", torch.isreal, "Element-wise test for a zero imaginary part.")
signbit = _elementwise("signbit", torch.signbit, "Element-wise test for a set sign bit.")
logical_not = _elementwise("logical_not", torch.logical_not, "Element-wise logical NOT.")
bitwise_not = _elementwise("bitwise_not", torch.bitwise_not, "Element-wise bitwise NOT.")
bitwise_invert = _elementwise("bitwise_invert", torch.bitwise_not, "Element-wise bitwise NOT.")
angle = _elementwise("angle", torch.angle, "Element-wise complex argument.", to_float=True)
real = _elementwise("real", torch.real, "The real part of ``x``.")

_FLOAT_FUNCS = {
    "sqrt": (torch.sqrt, "square root"), "exp": (torch.exp, "exponential"),
    "exp2": (torch.exp2, "``2 ** x``"), "expm1": (torch.expm1, "``exp(x) - 1``"),
    "log": (torch.log, "natural logarithm"), "log2": (torch.log2, "base-2 logarithm"),
    "log10": (torch.log10, "base-10 logarithm"), "log1p": (torch.log1p, "``log(1 + x)``"),
    "sin": (torch.sin, "sine"), "cos": (torch.cos, "cosine"), "tan": (torch.tan, "tangent"),
    "arcsin": (torch.arcsin, "inverse sine"), "arccos": (torch.arccos, "inverse cosine"),
    "arctan": (torch.arctan, "inverse tangent"), "sinh": (torch.sinh, "hyperbolic sine"),
    "cosh": (torch.cosh, "hyperbolic cosine"), "tanh": (torch.tanh, "hyperbolic tangent"),
    "arcsinh": (torch.arcsinh, "inverse hyperbolic sine"),
    "arccosh": (torch.arccosh, "inverse hyperbolic cosine"),
    "arctanh": (torch.arctanh, "inverse hyperbolic tangent"),
    "ceil": (torch.ceil, "ceiling"), "floor": (torch.floor, "floor"),
    "reciprocal": (torch.reciprocal, "``1 / x``"),
    "deg2rad": (torch.deg2rad, "conversion from degrees to radians"),
    "cbrt": (lambda x: torch.sign(x) * torch.abs(x).pow(1 / 3), "cube root"),
}
for _name, (_fn, _what) in _FLOAT_FUNCS.items():
    globals()[_name] = _elementwise(
        _name, _fn, f"Element-wise {_what} (ints and bools become floatx).", to_float=True)
del _name, _fn, _what


fabs = _elementwise("fabs", torch.abs, "Element-wise absolute value (ints and bools become "
                   "floatx).", to_float=True)
sinc = _elementwise("sinc", torch.sinc, "Element-wise normalised sinc, ``sin(pi x) / (pi x)``.",
                    to_float=True)


def rad2deg(x):
    """Element-wise conversion from radians to degrees (int64 becomes float64, other ints
    and bools floatx)."""
    x = convert_to_tensor(x)
    return torch.rad2deg(x.double() if x.dtype == torch.int64 else _to_float(x))


def i0(x):
    """Element-wise modified Bessel function of the first kind, order 0 (int64 becomes
    float64, other ints and bools floatx)."""
    x = convert_to_tensor(x)
    return torch.i0(x.double() if x.dtype == torch.int64 else _to_float(x))


def imag(x):
    """The imaginary part of ``x`` (zeros for a real tensor)."""
    x = convert_to_tensor(x)
    return torch.imag(x) if x.is_complex() else torch.zeros_like(x)


def square(x):
    """Element-wise ``x * x`` (bools become int32)."""
    x = convert_to_tensor(x)
    return torch.square(x.to(torch.int32) if x.dtype == torch.bool else x)


def trunc(x):
    """Element-wise rounding towards zero."""
    x = convert_to_tensor(x)
    return torch.trunc(x) if x.is_floating_point() else x


def round(x, decimals=0):
    """Element-wise rounding to ``decimals`` places (halves to even)."""
    x = convert_to_tensor(x)
    if x.is_floating_point():
        return torch.round(x, decimals=decimals)
    if decimals >= 0:
        return x
    factor = 10 ** -decimals
    return (torch.round(x.double() / factor) * factor).to(x.dtype)


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """Replace NaN and infinities by finite numbers."""
    x = convert_to_tensor(x)
    if not x.is_floating_point():
        return x
    return torch.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)


def clip(x, x_min, x_max):
    """Limit the values of ``x`` to ``[x_min, x_max]`` (bools become int32)."""
    x = convert_to_tensor(x)
    if x.dtype == torch.bool:
        x = x.to(torch.int32)
    if (x_min is None or x_min.__class__ in _NUMBERS) and (
            x_max is None or x_max.__class__ in _NUMBERS):
        return torch.clamp(x, x_min, x_max)
    lo = None if x_min is None else convert_to_tensor(x_min, dtype=x.dtype)
    hi = None if x_max is None else convert_to_tensor(x_max, dtype=x.dtype)
    return torch.clamp(x, lo, hi)


# ----------------------------------------------------------------- element-wise, two inputs

add = _binary("add", operator.add, "Element-wise ``x1 + x2``.")
subtract = _binary("subtract", operator.sub, "Element-wise ``x1 - x2``.")
multiply = _binary("multiply", operator.mul, "Element-wise ``x1 * x2``.")
divide = _binary("divide", operator.truediv, "Element-wise ``x1 / x2`` (ints give floatx).")
true_divide = _binary("true_divide", operator.truediv,
                      "Element-wise ``x1 / x2`` (ints give floatx).")
floor_divide = _binary("floor_divide", operator.floordiv, "Element-wise ``x1 // x2``.")
mod = _binary("mod", operator.mod, "Element-wise remainder with the sign of ``x2``.")
power = _binary("power", operator.pow, "Element-wise ``x1 ** x2``.")
equal = _binary("equal", operator.eq, "Element-wise ``x1 == x2``.")
not_equal = _binary("not_equal", operator.ne, "Element-wise ``x1 != x2``.")
less = _binary("less", operator.lt, "Element-wise ``x1 < x2``.")
less_equal = _binary("less_equal", operator.le, "Element-wise ``x1 <= x2``.")
greater = _binary("greater", operator.gt, "Element-wise ``x1 > x2``.")
greater_equal = _binary("greater_equal", operator.ge, "Element-wise ``x1 >= x2``.")
bitwise_and = _binary("bitwise_and", operator.and_, "Element-wise bitwise AND.")
bitwise_or = _binary("bitwise_or", operator.or_, "Element-wise bitwise OR.")
bitwise_xor = _binary("bitwise_xor", operator.xor, "Element-wise bitwise XOR.")
left_shift = _binary("left_shift", operator.lshift, "Element-wise ``x1 << x2``.")
right_shift = _binary("right_shift", operator.rshift, "Element-wise ``x1 >> x2``.")
bitwise_left_shift = _binary("bitwise_left_shift", operator.lshift, "Element-wise ``x1 << x2``.")
bitwise_right_shift = _binary("bitwise_right_shift", operator.rshift,
                              "Element-wise ``x1 >> x2``.")
arctan2 = _binary("arctan2", torch.atan2, "Element-wise arc tangent of ``x1 / x2``.", True)
hypot = _binary("hypot", torch.hypot, "Element-wise ``sqrt(x1**2 + x2**2)``.", True)
logaddexp = _binary("logaddexp", torch.logaddexp, "Element-wise ``log(exp(x1) + exp(x2))``.",
                    True)
logaddexp2 = _binary("logaddexp2", torch.logaddexp2,
                     "Element-wise ``log2(2**x1 + 2**x2)``.", True)
heaviside = _binary("heaviside", torch.heaviside, "The Heaviside step of ``x1``, ``x2`` at 0.",
                    True)
nextafter = _binary("nextafter", torch.nextafter, "The next float after ``x1`` towards ``x2``.",
                    True)

fmax = _binary("fmax", lambda a, b: torch.fmax(*_tensors(a, b)),
               "Element-wise maximum; a NaN loses to a number.")
fmin = _binary("fmin", lambda a, b: torch.fmin(*_tensors(a, b)),
               "Element-wise minimum; a NaN loses to a number.")


def fmod(x1, x2):
    """Element-wise remainder of truncated division (the sign of ``x1``); bools become int32."""
    x1, x2 = _tensors(x1, x2)
    if x1.dtype == torch.bool:
        x1, x2 = x1.to(torch.int32), x2.to(torch.int32)
    return torch.fmod(x1, x2)


def maximum(x1, x2):
    """Element-wise maximum."""
    x1, x2 = _pair(x1, x2)
    if x2.__class__ in _NUMBERS:
        return torch.clamp_min(x1, x2)
    if x1.__class__ in _NUMBERS:
        return torch.clamp_min(x2, x1)
    return torch.maximum(x1, x2)


def minimum(x1, x2):
    """Element-wise minimum."""
    x1, x2 = _pair(x1, x2)
    if x2.__class__ in _NUMBERS:
        return torch.clamp_max(x1, x2)
    if x1.__class__ in _NUMBERS:
        return torch.clamp_max(x2, x1)
    return torch.minimum(x1, x2)


def divide_no_nan(x1, x2):
    """Element-wise ``x1 / x2``, 0 where ``x2`` is 0."""
    x1, x2 = _tensors(x1, x2, to_float=True)
    zero = x2 == 0
    return torch.where(zero, 0, x1 / torch.where(zero, 1, x2))


def gcd(x1, x2):
    """Element-wise greatest common divisor."""
    return torch.gcd(*_tensors(x1, x2))


def lcm(x1, x2):
    """Element-wise least common multiple."""
    return torch.lcm(*_tensors(x1, x2))


def ldexp(x1, x2):
    """Element-wise ``x1 * 2 ** x2``."""
    return torch.ldexp(_to_float(x1), convert_to_tensor(x2))


def logical_and(x1, x2):
    """Element-wise logical AND."""
    return torch.logical_and(convert_to_tensor(x1), convert_to_tensor(x2))


def logical_or(x1, x2):
    """Element-wise logical OR."""
    return torch.logical_or(convert_to_tensor(x1), convert_to_tensor(x2))


def logical_xor(x1, x2):
    """Element-wise logical XOR."""
    return torch.logical_xor(convert_to_tensor(x1), convert_to_tensor(x2))


def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """Element-wise ``|x1 - x2| <= atol + rtol * |x2|``."""
    x1, x2 = _tensors(x1, x2)
    return torch.isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan)


def allclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """True (a bool scalar tensor) when every ``|x1 - x2| <= atol + rtol * |x2|``; int and
    bool operands must be equal."""
    x1, x2 = _tensors(x1, x2)
    if not (x1.is_floating_point() or x1.is_complex()):
        return torch.all(x1 == x2)
    return torch.all(torch.isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan))

def isin(x1, x2, assume_unique=False, invert=False):
    """Element-wise test whether ``x1`` occurs in ``x2``."""
    x1, x2 = _tensors(x1, x2)
    return torch.isin(x1, x2, assume_unique=assume_unique, invert=invert)


def where(condition, x1=None, x2=None):
    """``x1`` where ``condition`` holds, else ``x2``; ``nonzero(condition)`` alone."""
    condition = convert_to_tensor(condition)
    if condition.dtype != torch.bool:
        condition = condition != 0
    if x1 is None and x2 is None:
        return nonzero(condition)
    if x1 is None or x2 is None:
        raise ValueError("where() needs both x1 and x2, or neither (to get the indices "
                         "where condition holds).")
    x1, x2 = _pair(x1, x2)
    return torch.where(condition, x1, x2)


def select(condlist, choicelist, default=0):
    """The first ``choicelist`` entry whose ``condlist`` entry holds, else ``default``."""
    if len(condlist) != len(choicelist):
        raise ValueError(f"select() needs as many conditions as choices; received "
                         f"{len(condlist)} and {len(choicelist)}.")
    out = default
    for cond, choice in zip(reversed(condlist), reversed(choicelist)):
        out = where(cond, choice, out)
    return convert_to_tensor(out)


# ----------------------------------------------------------------- reductions and statistics

def sum(x, axis=None, keepdims=False):
    """Sum along ``axis`` (all axes when None); bools and small ints sum to int32."""
    x = convert_to_tensor(x)
    if x.is_floating_point():
        return torch.sum(x, dim=axis, keepdim=keepdims)
    return torch.sum(x, dim=axis, keepdim=keepdims, dtype=_SUM_DTYPES.get(x.dtype, x.dtype))


def mean(x, axis=None, keepdims=False):
    """Mean along ``axis`` (all axes when None); ints give floatx."""
    x = convert_to_tensor(x)
    if not x.is_floating_point():
        x = x.to(_floatx())
    return torch.mean(x, dim=axis, keepdim=keepdims)


def prod(x, axis=None, keepdims=False, dtype=None):
    """Product along ``axis`` (all axes when None)."""
    x = convert_to_tensor(x)
    if dtype is not None:
        x = x.to(to_torch_dtype(dtype))
    elif not x.is_floating_point():
        x = x.to(_SUM_DTYPES.get(x.dtype, x.dtype))
    return _reduce(lambda y, d: torch.prod(y, dim=d, dtype=y.dtype), x, axis, keepdims)


def max(x, axis=None, keepdims=False, initial=None):
    """Maximum along ``axis`` (all axes when None)."""
    x = convert_to_tensor(x)
    out = torch.amax(x, dim=() if axis is None else axis, keepdim=keepdims)
    return out if initial is None else torch.clamp_min(out, initial)


def min(x, axis=None, keepdims=False, initial=None):
    """Minimum along ``axis`` (all axes when None)."""
    x = convert_to_tensor(x)
    out = torch.amin(x, dim=() if axis is None else axis, keepdim=keepdims)
    return out if initial is None else torch.clamp_max(out, initial)


def amax(x, axis=None, keepdims=False):
    """Maximum along ``axis`` (all axes when None)."""
    return torch.amax(convert_to_tensor(x), dim=() if axis is None else axis, keepdim=keepdims)


def amin(x, axis=None, keepdims=False):
    """Minimum along ``axis`` (all axes when None)."""
    return torch.amin(convert_to_tensor(x), dim=() if axis is None else axis, keepdim=keepdims)


def ptp(x, axis=None, keepdims=False):
    """Range (max - min) along ``axis``."""
    return amax(x, axis, keepdims) - amin(x, axis, keepdims)


def all(x, axis=None, keepdims=False):
    """Whether all entries along ``axis`` are true."""
    x = convert_to_tensor(x)
    return torch.all(x if x.dtype == torch.bool else x != 0, dim=_dims(axis), keepdim=keepdims)


def any(x, axis=None, keepdims=False):
    """Whether any entry along ``axis`` is true."""
    x = convert_to_tensor(x)
    return torch.any(x if x.dtype == torch.bool else x != 0, dim=_dims(axis), keepdim=keepdims)


def _dims(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def var(x, axis=None, keepdims=False):
    """Variance along ``axis`` (all axes when None)."""
    return torch.var(_to_float(x), dim=axis, correction=0, keepdim=keepdims)


def std(x, axis=None, keepdims=False):
    """Standard deviation along ``axis`` (all axes when None)."""
    return torch.std(_to_float(x), dim=axis, correction=0, keepdim=keepdims)


def quantile(x, q, axis=None, method="linear", keepdims=False):
    """The ``q``-th quantiles along ``axis`` (``q`` in [0, 1]; q's shape leads the result)."""
    x = _to_float(x)
    q = convert_to_tensor(q, dtype=x.dtype)
    y, keep_shape = _flat_axes(x, axis)
    out = torch.quantile(y, q, dim=-1, interpolation=method)
    return out.reshape(tuple(q.shape) + tuple(keep_shape)) if keepdims else out


def median(x, axis=None, keepdims=False):
    """Median along ``axis`` (all axes when None)."""
    return quantile(x, 0.5, axis=axis, keepdims=keepdims)


def average(x, axis=None, weights=None):
    """Weighted mean along ``axis``; 1-D ``weights`` apply along ``axis``."""
    if weights is None:
        return mean(x, axis)
    x, weights = _tensors(x, weights, to_float=True)
    if weights.ndim == 1 and x.ndim > 1 and axis is not None:
        weights = weights.reshape([-1 if d == axis % x.ndim else 1 for d in range(x.ndim)])
    return torch.sum(x * weights, dim=axis) / torch.sum(torch.broadcast_to(weights, x.shape),
                                                        dim=axis)


def count_nonzero(x, axis=None):
    """Number of non-zero entries along ``axis`` (int32)."""
    return _int32(torch.count_nonzero(convert_to_tensor(x), dim=_dims(axis)))


def _nan_fill(x, value):
    x = _to_float(x)
    return torch.where(torch.isnan(x), value, x)


def nansum(x, axis=None, keepdims=False):
    """Sum along ``axis``, NaNs counted as zero."""
    return torch.sum(_nan_fill(x, 0), dim=axis, keepdim=keepdims)


def nanprod(x, axis=None, keepdims=False):
    """Product along ``axis``, NaNs counted as one."""
    return prod(_nan_fill(x, 1), axis, keepdims)


def nanmean(x, axis=None, keepdims=False):
    """Mean along ``axis`` of the non-NaN entries."""
    return torch.nanmean(_to_float(x), dim=axis, keepdim=keepdims)


def _nan_extreme(fn, x, axis, keepdims, fill):
    x = _to_float(x)
    out = fn(torch.where(torch.isnan(x), fill, x), axis, keepdims)
    return torch.where(all(torch.isnan(x), axis, keepdims), float("nan"), out)


def nanmax(x, axis=None, keepdims=False):
    """Maximum along ``axis`` ignoring NaNs."""
    return _nan_extreme(amax, x, axis, keepdims, -float("inf"))


def nanmin(x, axis=None, keepdims=False):
    """Minimum along ``axis`` ignoring NaNs."""
    return _nan_extreme(amin, x, axis, keepdims, float("inf"))


def _arg(fn, x, axis, keepdims):
    x = convert_to_tensor(x)
    if x.dtype == torch.bool:
        x = x.to(torch.uint8)
    return _int32(fn(x, dim=axis, keepdim=keepdims))


def argmax(x, axis=None, keepdims=False):
    """Index (int32) of the maximum along ``axis`` (of the flattened ``x`` when None)."""
    return _arg(torch.argmax, x, axis, keepdims)


def argmin(x, axis=None, keepdims=False):
    """Index (int32) of the minimum along ``axis`` (of the flattened ``x`` when None)."""
    return _arg(torch.argmin, x, axis, keepdims)


def _flat_if_none(x, axis):
    x = convert_to_tensor(x)
    return (x.reshape(-1), 0) if axis is None else (x, axis)


def sort(x, axis=-1):
    """``x`` sorted along ``axis`` (flattened when None)."""
    x, axis = _flat_if_none(x, axis)
    return torch.sort(x, dim=axis, stable=True).values


def argsort(x, axis=-1):
    """Indices (int32) that sort ``x`` along ``axis`` (stable)."""
    x, axis = _flat_if_none(x, axis)
    if x.dtype == torch.bool:
        x = x.to(torch.uint8)
    return _int32(torch.argsort(x, dim=axis, stable=True))


def argpartition(x, kth, axis=-1):
    """Indices (int32) that put the ``kth`` smallest entry in place along ``axis``."""
    return argsort(x, axis=axis)  # a full sort is one valid partition


def _cumulative(fn, x, axis, dtype):
    x, axis = _flat_if_none(x, axis)
    if dtype is not None:
        dtype = to_torch_dtype(dtype)
    elif not x.is_floating_point():
        dtype = _SUM_DTYPES.get(x.dtype, x.dtype)
    return fn(x, dim=axis, dtype=dtype)


def cumsum(x, axis=None, dtype=None):
    """Cumulative sum along ``axis`` (of the flattened ``x`` when None)."""
    return _cumulative(torch.cumsum, x, axis, dtype)


def cumprod(x, axis=None, dtype=None):
    """Cumulative product along ``axis`` (of the flattened ``x`` when None)."""
    return _cumulative(torch.cumprod, x, axis, dtype)


def diff(a, n=1, axis=-1):
    """The ``n``-th discrete difference along ``axis``."""
    return torch.diff(convert_to_tensor(a), n=n, dim=axis)


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """Integral of ``y`` along ``axis`` by the trapezoidal rule."""
    y = _to_float(y)
    if x is None:
        return torch.trapezoid(y, dx=dx, dim=axis)
    return torch.trapezoid(y, convert_to_tensor(x, dtype=y.dtype), dim=axis)


def histogram(x, bins=10, range=None):
    """Counts (int32) of ``x`` in ``bins`` equal bins, and the bin edges."""
    x = _to_float(x).reshape(-1)
    lo, hi = (x.min(), x.max()) if range is None else range
    lo, hi = float(lo), float(hi)
    counts = torch.histc(x, bins=bins, min=lo, max=hi)
    edges = torch.linspace(lo, hi, bins + 1, dtype=x.dtype, device=x.device)
    return _int32(counts), edges


def bincount(x, weights=None, minlength=0, sparse=False):
    """Counts of each non-negative int in ``x`` (per row of a 2-D ``x``), or sums of ``weights``."""
    x = convert_to_tensor(x).long()
    length = builtins.max(int(minlength), int(x.max()) + 1 if x.numel() else 0)
    flat = x.ndim == 1
    x = x.unsqueeze(0) if flat else x
    if weights is None:
        out = torch.zeros(x.shape[0], length, dtype=torch.int32, device=x.device)
        out.scatter_add_(1, x, torch.ones_like(x, dtype=torch.int32))
    else:
        w = convert_to_tensor(weights).reshape(x.shape)
        out = torch.zeros(x.shape[0], length, dtype=w.dtype, device=x.device)
        out.scatter_add_(1, x, w)
    return out[0] if flat else out


def digitize(x, bins):
    """Index (int32) of the bin of ``bins`` (increasing) each entry of ``x`` falls in."""
    x, bins = _tensors(x, bins)
    return _int32(torch.bucketize(x, bins, right=True))


def searchsorted(sorted_sequence, values, side="left"):
    """Indices (int32) where ``values`` would be inserted to keep ``sorted_sequence`` sorted."""
    seq, values = _tensors(sorted_sequence, values)
    return _int32(torch.searchsorted(seq, values, side=side))


def corrcoef(x):
    """Pearson correlation coefficients of the rows of ``x``."""
    return torch.corrcoef(_to_float(x))


def correlate(x1, x2, mode="valid"):
    """Cross-correlation of two 1-D tensors (``mode``: valid, same or full)."""
    a, v = _tensors(x1, x2, to_float=True)
    m, n = a.shape[0], v.shape[0]
    full = F.conv1d(a.reshape(1, 1, m), v.conj().reshape(1, 1, n), padding=n - 1).reshape(-1)
    if mode == "full":
        return full
    if mode == "same":
        start = (n - 1) // 2 if m >= n else m // 2
        return full[start:start + builtins.max(m, n)]
    if mode == "valid":
        return full[builtins.min(m, n) - 1:builtins.max(m, n)]
    raise ValueError(f"correlate(): mode must be 'valid', 'same' or 'full'; received {mode!r}.")


# ----------------------------------------------------------------- shapes and indexing

def ndim(x):
    """Number of dimensions of ``x``."""
    return convert_to_tensor(x).ndim


def size(x):
    """Number of entries of ``x``."""
    return convert_to_tensor(x).numel()


def reshape(x, newshape):
    """``x`` with shape ``newshape`` (one entry may be -1)."""
    x = convert_to_tensor(x)
    try:
        return x.reshape(newshape)
    except TypeError:  # None entries (Keras's spelling of -1), or array-likes
        if isinstance(newshape, int):
            newshape = (newshape,)
        return x.reshape(tuple(-1 if d is None else int(d) for d in newshape))


def ravel(x):
    """``x`` flattened to 1-D."""
    return convert_to_tensor(x).reshape(-1)


def transpose(x, axes=None):
    """Permute the axes of ``x`` (reverse them when ``axes`` is None)."""
    x = convert_to_tensor(x)
    if axes is None:
        return x.permute(*range(x.ndim - 1, -1, -1))
    return x.permute(*axes)


def moveaxis(x, source, destination):
    """Move axes ``source`` of ``x`` to positions ``destination``."""
    if isinstance(source, list):
        source, destination = tuple(source), tuple(destination)
    return torch.movedim(convert_to_tensor(x), source, destination)


def swapaxes(x, axis1, axis2):
    """Exchange two axes of ``x``."""
    return torch.swapaxes(convert_to_tensor(x), axis1, axis2)


def expand_dims(x, axis):
    """Insert size-1 axes at the positions ``axis`` (int or tuple)."""
    x = convert_to_tensor(x)
    if isinstance(axis, int):
        return x.unsqueeze(axis)
    out_ndim = x.ndim + len(axis)
    for a in sorted(a % out_ndim for a in axis):
        x = x.unsqueeze(a)
    return x


def squeeze(x, axis=None):
    """Drop the size-1 axes (those in ``axis`` when given)."""
    x = convert_to_tensor(x)
    if axis is None:
        return x.squeeze()
    dims = (axis,) if isinstance(axis, int) else tuple(axis)
    for d in dims:
        if x.shape[d] != 1:
            raise ValueError(f"squeeze(): axis {d} of a tensor of shape {tuple(x.shape)} has "
                             f"size {x.shape[d]}, not 1.")
    return x.squeeze(dims)


def broadcast_to(x, shape):
    """``x`` broadcast to ``shape``."""
    return torch.broadcast_to(convert_to_tensor(x), _shape(shape))


def flip(x, axis=None):
    """Reverse the order of entries along ``axis`` (all axes when None)."""
    x = convert_to_tensor(x)
    dims = range(x.ndim) if axis is None else ((axis,) if isinstance(axis, int) else axis)
    return torch.flip(x, dims=tuple(dims))


def fliplr(x):
    """``x`` reversed along axis 1 (left/right); ``x`` needs at least 2 dims."""
    return torch.fliplr(convert_to_tensor(x))


def flipud(x):
    """``x`` reversed along axis 0 (up/down)."""
    return torch.flipud(convert_to_tensor(x))

def rot90(array, k=1, axes=(0, 1)):
    """Rotate ``array`` by 90 degrees ``k`` times in the plane of ``axes``."""
    return torch.rot90(convert_to_tensor(array), k, dims=list(axes))


def roll(x, shift, axis=None):
    """Shift entries along ``axis`` cyclically (of the flattened ``x`` when None)."""
    return torch.roll(convert_to_tensor(x), shifts=shift, dims=_dims(axis))


def tile(x, repeats):
    """``x`` repeated ``repeats`` times along each axis."""
    return torch.tile(convert_to_tensor(x), (repeats,) if isinstance(repeats, int) else
                      tuple(repeats))


def repeat(x, repeats, axis=None):
    """Repeat each entry ``repeats`` times along ``axis`` (of the flattened ``x`` when None)."""
    if not isinstance(repeats, int):
        repeats = convert_to_tensor(repeats).long()
    return torch.repeat_interleave(convert_to_tensor(x), repeats, dim=axis)


def concatenate(xs, axis=0):
    """Join tensors along an existing axis (all axes flattened when None)."""
    xs = [convert_to_tensor(x) for x in xs]
    if axis is None:
        return torch.cat([x.reshape(-1) for x in xs])
    return torch.cat(xs, dim=axis)


def append(x1, x2, axis=None):
    """``x2`` appended to ``x1`` along ``axis`` (both flattened when None)."""
    return concatenate([x1, x2], axis=axis)


def stack(x, axis=0):
    """Join tensors along a new axis."""
    return torch.stack(_common(x), dim=axis)


def hstack(xs):
    """Join tensors column-wise (along axis 1; axis 0 for 1-D)."""
    return torch.hstack(_common(xs))


def vstack(xs):
    """Join tensors row-wise (1-D become rows)."""
    return torch.vstack(_common(xs))


def dstack(xs):
    """Join tensors along the third axis."""
    return torch.dstack(_common(xs))


def split(x, indices_or_sections, axis=0):
    """Split ``x`` into equal sections, or at the given indices, along ``axis``."""
    x = convert_to_tensor(x)
    if isinstance(indices_or_sections, int):
        if x.shape[axis] % indices_or_sections:
            raise ValueError(f"split(): axis {axis} of size {x.shape[axis]} does not divide "
                             f"into {indices_or_sections} equal sections; use array_split.")
        return list(torch.tensor_split(x, indices_or_sections, dim=axis))
    return array_split(x, indices_or_sections, axis)


def array_split(x, indices_or_sections, axis=0):
    """Split ``x`` into (nearly) equal sections, or at the given indices, along ``axis``."""
    if not isinstance(indices_or_sections, int):
        indices_or_sections = [int(i) for i in indices_or_sections]
    return list(torch.tensor_split(convert_to_tensor(x), indices_or_sections, dim=axis))


def vsplit(x, indices_or_sections):
    """``split`` along axis 0."""
    return split(x, indices_or_sections, axis=0)


def hsplit(x, indices_or_sections):
    """``split`` along axis 1 (axis 0 for a 1-D ``x``)."""
    x = convert_to_tensor(x)
    return split(x, indices_or_sections, axis=1 if x.ndim > 1 else 0)


def dsplit(x, indices_or_sections):
    """``split`` along axis 2 (``x`` needs at least 3 dims)."""
    x = convert_to_tensor(x)
    if x.ndim < 3:
        raise ValueError(f"dsplit() splits along axis 2 and needs an input of rank >= 3; "
                         f"received shape {tuple(x.shape)}.")
    return split(x, indices_or_sections, axis=2)

def get_item(x, key):
    """``x[key]``."""
    return convert_to_tensor(x)[key]


def take(x, indices, axis=None):
    """Entries of ``x`` at ``indices`` along ``axis`` (of the flattened ``x`` when None)."""
    x, axis = _flat_if_none(x, axis)
    indices = convert_to_tensor(indices)
    if indices.dtype != torch.int64 and indices.dtype != torch.int32:
        indices = indices.long()  # other dtypes would index as masks, or not at all
    return x[(slice(None),) * (axis % x.ndim) + (indices,)]


def take_along_axis(x, indices, axis=None):
    """Entries of ``x`` at ``indices`` matched along ``axis`` (negatives count from the end)."""
    x, axis = _flat_if_none(x, axis)
    indices = convert_to_tensor(indices).long()
    indices = torch.where(indices < 0, indices + x.shape[axis], indices)
    return torch.take_along_dim(x, indices, dim=axis)


def nonzero(x):
    """Indices (int32) of the non-zero entries, one tensor per axis."""
    return tuple(_int32(i) for i in torch.nonzero(convert_to_tensor(x), as_tuple=True))


def unravel_index(indices, shape):
    """Coordinates in an array of ``shape`` of the flat ``indices``."""
    indices = convert_to_tensor(indices)
    coords = []
    for d in reversed(_shape(shape)):
        coords.append(indices % d)
        indices = indices // d
    return tuple(reversed(coords))


def diag(x, k=0):
    """The ``k``-th diagonal of a matrix, or a matrix with ``x`` on its ``k``-th diagonal."""
    return torch.diag(convert_to_tensor(x), k)


def diagflat(x, k=0):
    """A matrix with the flattened ``x`` on its ``k``-th diagonal."""
    return torch.diagflat(convert_to_tensor(x), k)


def diagonal(x, offset=0, axis1=0, axis2=1):
    """The diagonal of the ``axis1``/``axis2`` planes (moved last)."""
    return torch.diagonal(convert_to_tensor(x), offset=offset, dim1=axis1, dim2=axis2)


def trace(x, offset=0, axis1=0, axis2=1):
    """Sum along the diagonal of the ``axis1``/``axis2`` planes."""
    return sum(diagonal(x, offset, axis1, axis2), axis=-1)


def tril(x, k=0):
    """``x`` with the entries above diagonal ``k`` of the last two axes zeroed."""
    return torch.tril(convert_to_tensor(x), k)


def triu(x, k=0):
    """``x`` with the entries below diagonal ``k`` of the last two axes zeroed."""
    return torch.triu(convert_to_tensor(x), k)


def meshgrid(*x, indexing="xy"):
    """Coordinate grids from 1-D tensors (``indexing``: 'xy' or 'ij')."""
    return list(torch.meshgrid(*_common(x), indexing=indexing))


def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of ``x``: columns are powers of ``x``."""
    return torch.vander(convert_to_tensor(x), N=N, increasing=increasing)


def view(x, dtype=None):
    """The bytes of ``x`` reinterpreted as ``dtype``."""
    x = convert_to_tensor(x)
    return x if dtype is None else x.view(to_torch_dtype(dtype))


def _fold_index(i, n, mode):
    """Int tensor positions ``i`` (possibly outside ``[0, n)``) mapped into ``[0, n)`` the way
    numpy's pad ``mode`` (edge, wrap, reflect, symmetric) reads its source."""
    if mode == "edge":
        return i.clamp(0, n - 1)
    if mode == "wrap":
        return i % n
    if mode == "reflect":  # d c b | a b c d | c b a
        if n == 1:
            return torch.zeros_like(i)
        j = i % (2 * n - 2)
        return torch.where(j >= n, 2 * n - 2 - j, j)
    j = i % (2 * n)  # symmetric: c b a | a b c d | d c b
    return torch.where(j >= n, 2 * n - 1 - j, j)


def pad(x, pad_width, mode="constant", constant_values=None):
    """Pad ``x`` by ``pad_width`` ((before, after) per axis) with numpy's ``mode``
    (constant, edge, reflect, symmetric, wrap)."""
    x = convert_to_tensor(x)
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (x.ndim, 2))
    if mode == "constant":
        flat = [int(w) for pair in reversed(widths.tolist()) for w in pair]
        value = 0 if constant_values is None else constant_values
        return F.pad(x, flat, value=value)
    if constant_values is not None:
        raise ValueError(f"pad(): constant_values only applies to mode='constant', not {mode!r}.")
    if mode not in ("edge", "wrap", "reflect", "symmetric"):
        raise ValueError(f"pad(): unsupported mode {mode!r}. Expected one of constant, edge, "
                         "reflect, symmetric, wrap.")
    for axis, (before, after) in enumerate(widths.tolist()):
        if before or after:
            n = x.shape[axis]
            index = torch.arange(-before, n + after, device=x.device)
            x = torch.index_select(x, axis, _fold_index(index, n, mode))
    return x


# ----------------------------------------------------------------- products

def matmul(x1, x2):
    """Matrix product of two tensors (numpy broadcasting rules)."""
    x1 = convert_to_tensor(x1)
    x2 = convert_to_tensor(x2)
    if x1.dtype != x2.dtype:
        x1, x2 = _common((x1, x2))
    return torch.matmul(x1, x2)


def dot(x1, x2):
    """numpy's ``dot``: inner product over the last axis of ``x1`` and the second-last of ``x2``."""
    x1, x2 = _tensors(x1, x2)
    if x1.ndim == 0 or x2.ndim == 0:
        return x1 * x2
    if x2.ndim <= 2:
        return torch.matmul(x1, x2)
    return torch.tensordot(x1, x2, dims=([-1], [-2]))


def vdot(x1, x2):
    """Dot product of the flattened ``x1`` (conjugated) and ``x2``."""
    x1, x2 = _tensors(x1, x2)
    return torch.vdot(x1.reshape(-1), x2.reshape(-1))


def inner(x1, x2):
    """Inner product over the last axes."""
    x1, x2 = _tensors(x1, x2)
    if x1.ndim == 0 or x2.ndim == 0:
        return x1 * x2
    return torch.tensordot(x1, x2, dims=([-1], [-1]))


def outer(x1, x2):
    """Outer product of the flattened ``x1`` and ``x2``."""
    x1, x2 = _tensors(x1, x2)
    return torch.outer(x1.reshape(-1), x2.reshape(-1))


def kron(x1, x2):
    """Kronecker product."""
    return torch.kron(*_tensors(x1, x2))


def tensordot(x1, x2, axes=2):
    """Sum of products over ``axes`` (an int, or a pair of axis lists)."""
    x1, x2 = _tensors(x1, x2)
    if not isinstance(axes, int):
        axes = [[a] if isinstance(a, int) else list(a) for a in axes]
    return torch.tensordot(x1, x2, dims=axes)


def einsum(subscripts, *operands, **kwargs):
    """Einstein summation over ``operands`` as written in ``subscripts``."""
    return torch.einsum(subscripts, *_common(operands))


def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross product of 3-vectors (or 2-vectors, taken with a zero z) along the given axes."""
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = _tensors(x1, x2)
    a, b = torch.movedim(a, axisa, -1), torch.movedim(b, axisb, -1)
    both_2d = a.shape[-1] == 2 and b.shape[-1] == 2
    a = F.pad(a, (0, 3 - a.shape[-1]))
    b = F.pad(b, (0, 3 - b.shape[-1]))
    a, b = torch.broadcast_tensors(a, b)
    c = torch.linalg.cross(a, b, dim=-1)
    return c[..., 2] if both_2d else torch.movedim(c, -1, axisc)


def slogdet(x):
    """Sign and log of the absolute value of the determinant."""
    return tuple(torch.linalg.slogdet(_to_float(x)))


# ----------------------------------------------------------------- vectorize

def vectorize(pyfunc, *, excluded=None, signature=None):
    """``pyfunc`` made to broadcast over leading axes, like ``numpy.vectorize``.

    ``signature`` (e.g. ``"(n),(n)->()"``) names the core axes each argument keeps;
    without it every argument is taken entry by entry.
    """
    excluded = set(excluded or ())
    cores, out_core = _parse_signature(signature)

    def vectorized(*args):
        idx = [i for i in builtins.range(len(args)) if i not in excluded]
        tensors = [convert_to_tensor(args[i]) for i in idx]
        core = cores if cores is not None else [()] * len(tensors)
        loops = [t.shape[:t.ndim - len(c)] for t, c in zip(tensors, core)]
        batch = torch.broadcast_shapes(*loops) if loops else ()
        flat = [t.expand(batch + t.shape[t.ndim - len(c):]).reshape(
            (-1,) + t.shape[t.ndim - len(c):]) for t, c in zip(tensors, core)]

        def one(*parts):
            full = list(args)
            for i, p in zip(idx, parts):
                full[i] = p
            return pyfunc(*full)

        out = torch.vmap(one)(*flat)
        unflat = lambda o: o.reshape(tuple(batch) + o.shape[1:])
        return tuple(unflat(o) for o in out) if isinstance(out, tuple) else unflat(out)
    vectorized.__doc__ = pyfunc.__doc__
    return vectorized


def _parse_signature(signature):
    if signature is None:
        return None, None
    ins, outs = signature.replace(" ", "").split("->")
    groups = lambda s: [tuple(d for d in g.split(",") if d) for g in s[1:-1].split("),(")]
    return groups(ins), groups(outs)
