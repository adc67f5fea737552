"""cornu.ops numpy ops against numpy itself, Keras's dtype rules, and shape inference."""
import numpy as np
import pytest
import torch

from cornu import backend, ops
from cornu.backend.common.keras_tensor import KerasTensor

rng = np.random.default_rng(0)
A = rng.standard_normal((3, 4)).astype("float32")
B = rng.standard_normal((3, 4)).astype("float32")
POS = np.abs(A) + 0.5
UNIT = np.clip(A / 3, -0.9, 0.9)
I = np.array([[1, -2, 3, 7], [0, 5, -6, 2], [4, 4, -1, 0]], dtype="int32")
J = np.array([[3, 1, 2, 5], [1, 2, 3, 4], [2, 2, 1, 3]], dtype="int32")
BOOL = A > 0
NANS = np.where(BOOL, np.nan, A).astype("float32")
C3 = rng.standard_normal((2, 3, 4)).astype("float32")
SQ = rng.standard_normal((3, 3)).astype("float32")
V = np.array([3.0, -1.0, 2.0, 0.5], dtype="float32")


def case(name, *args, ref=None, **kwargs):
    """A row of the table: op ``name`` on args/kwargs against ``ref`` (np.<name> by default)."""
    return pytest.param(name, args, kwargs, ref or getattr(np, name),
                        id=f"{name}-{len(CASES)}")


CASES = []
_ROWS = [
    # element-wise, one input
    *[(n, (A,)) for n in ("abs", "absolute", "negative", "sign", "square", "exp", "expm1",
                          "sin", "cos", "tan", "arctan", "sinh", "cosh", "tanh", "arcsinh",
                          "ceil", "floor", "round", "trunc", "cbrt", "deg2rad", "exp2",
                          "isnan", "isinf", "isfinite", "signbit", "logical_not", "conj",
                          "conjugate", "real", "imag", "ravel", "copy", "size", "ndim")],
    *[(n, (POS,)) for n in ("sqrt", "log", "log2", "log10", "log1p", "reciprocal")],
    *[(n, (UNIT,)) for n in ("arcsin", "arccos", "arctanh")],
    ("arccosh", (POS + 1,)),
    ("abs", (I,)), ("square", (I,)), ("negative", (I,)), ("sign", (I,)),
    ("round", (A * 10,), {"decimals": 1}), ("round", (I * 37,), {"decimals": -1}),
    ("isnan", (NANS,)), ("nan_to_num", (NANS,)), ("nan_to_num", (NANS,), {"nan": 7.0}),
    # element-wise, two inputs
    *[(n, (A, B)) for n in ("add", "subtract", "multiply", "divide", "true_divide",
                            "maximum", "minimum", "arctan2", "hypot", "logaddexp",
                            "logaddexp2", "equal", "not_equal", "less", "less_equal",
                            "greater", "greater_equal", "logical_and", "logical_or",
                            "logical_xor", "isclose", "heaviside", "nextafter")],
    *[(n, (POS, 0.5)) for n in ("add", "subtract", "multiply", "divide", "maximum", "minimum",
                              "power", "greater", "equal")],
    *[(n, (2.0, A)) for n in ("subtract", "divide", "maximum", "minimum", "less")],
    *[(n, (I, J)) for n in ("add", "multiply", "floor_divide", "mod", "bitwise_and",
                            "bitwise_or", "bitwise_xor", "left_shift", "right_shift", "gcd",
                            "lcm", "maximum", "power", "equal")],
    ("floor_divide", (A, POS)), ("mod", (A, POS)), ("power", (POS, B)), ("mod", (I, 3)),
    ("floor_divide", (I, 2)), ("ldexp", (A, J)), ("bitwise_not", (I,)), ("bitwise_invert", (I,)),
    ("bitwise_left_shift", (I, J), {}, np.left_shift),
    ("bitwise_right_shift", (I, J), {}, np.right_shift),
    ("divide_no_nan", (A, np.where(BOOL, 0, B)), {},
     lambda a, b: np.where(b == 0, 0, a / np.where(b == 0, 1, b))),
    ("clip", (A, -0.5, 0.5)), ("clip", (I, 0, 3)), ("clip", (A, B * 0 - 0.2, None)),
    ("where", (BOOL, A, B)), ("where", (BOOL, A, 0.0)), ("where", (BOOL, 1.0, B)),
    ("where", (BOOL,), {}, np.nonzero), ("nonzero", (I,)),
    ("select", ([A < -0.5, A > 0.5], [A, B]), {"default": 9.0}),
    ("isin", (I, [1, 2, 3])),
    # reductions and statistics
    *[(n, (A,), kw) for n in ("sum", "mean", "max", "min", "amax", "amin", "prod", "std",
                              "var", "ptp", "median")
      for kw in ({}, {"axis": 0}, {"axis": -1, "keepdims": True}, {"axis": (0, 1)})],
    *[(n, (BOOL,), kw) for n in ("all", "any") for kw in ({}, {"axis": 1}, {"axis": (0, 1)})],
    *[(n, (A,), kw) for n in ("argmax", "argmin") for kw in ({}, {"axis": 1}, {"axis": 0})],
    ("argmax", (A,), {"axis": 1, "keepdims": True}, lambda a, axis, keepdims: np.argmax(
        a, axis=axis, keepdims=keepdims)),
    ("sum", (I,)), ("sum", (BOOL,), {"axis": 0}), ("max", (I,), {"axis": 1}),
    ("max", (A,), {"initial": 1.5}), ("prod", (I,), {"axis": 0}),
    ("median", (C3,), {"axis": (0, 2), "keepdims": True}),
    ("quantile", (A, 0.3)), ("quantile", (A, [0.1, 0.9]), {"axis": 1}),
    ("quantile", (A, [0.25, 0.5]), {"axis": 0, "keepdims": True}),
    ("quantile", (A, 0.4), {"axis": 1, "method": "nearest"}),
    ("average", (A,), {"axis": 1, "weights": V}), ("average", (A,), {"weights": POS}),
    ("count_nonzero", (I,)), ("count_nonzero", (I,), {"axis": 0}),
    ("cumsum", (A,)), ("cumsum", (I,), {"axis": 1}), ("cumprod", (A,), {"axis": 0}),
    ("nansum", (NANS,), {"axis": 0}), ("nanmean", (NANS,)), ("nanmax", (NANS,), {"axis": 1}),
    ("nanmin", (NANS,)), ("nanprod", (NANS,), {"axis": 1}),
    ("diff", (A,)), ("diff", (A,), {"n": 2, "axis": 0}),
    ("trapezoid", (A,)), ("trapezoid", (A,), {"x": V}), ("trapezoid", (A,), {"dx": 0.5, "axis": 0}),
    ("sort", (A,)), ("sort", (A,), {"axis": 0}), ("sort", (A,), {"axis": None}),
    ("argsort", (I,), {}, lambda x: np.argsort(x, kind="stable")),
    ("argsort", (A,), {"axis": 0}), ("digitize", (A, [-1.0, 0.0, 1.0])),
    ("searchsorted", ([1.0, 2.0, 3.0], [0.5, 2.0, 2.5])),
    ("searchsorted", ([1.0, 2.0, 3.0], [0.5, 2.0, 2.5]), {"side": "right"}),
    ("bincount", ([0, 1, 1, 3],)), ("bincount", ([0, 1, 1, 3],), {"minlength": 6}),
    ("bincount", ([0, 1, 1],), {"weights": [0.5, 1.0, 2.0]}),
    ("histogram", (V,), {"bins": 3}), ("histogram", (A.ravel(),), {"bins": 4, "range": (-1, 1)}),
    ("corrcoef", (A,)), ("correlate", (V, [1.0, 0.5])),
    *[("correlate", (V[:m], np.arange(1.0, n + 1)), {"mode": mode})
      for m, n in ((4, 2), (2, 4), (3, 3), (1, 3)) for mode in ("valid", "same", "full")],
    # shapes and indexing
    ("reshape", (A, (2, 6))), ("reshape", (A, (-1, 3))), ("transpose", (C3,)),
    ("transpose", (C3, (1, 0, 2))), ("moveaxis", (C3, 0, -1)),
    ("moveaxis", (C3, [0, 1], [2, 0])), ("swapaxes", (C3, 0, 2)),
    ("expand_dims", (A, 1)), ("expand_dims", (A, (0, -1))), ("squeeze", (A[:, :1],)),
    ("squeeze", (A[None, :, :1],), {"axis": 0}), ("flip", (A,)), ("flip", (A,), {"axis": 1}),
    ("rot90", (A,)), ("rot90", (C3,), {"k": 3, "axes": (1, 2)}),
    ("roll", (A, 2)), ("roll", (A, -1), {"axis": 1}), ("roll", (A, (1, 2)), {"axis": (0, 1)}),
    ("tile", (A, 2)), ("tile", (A, (2, 1, 2))), ("repeat", (A, 2)),
    ("repeat", (A, [1, 0, 2]), {"axis": 0}), ("broadcast_to", (V, (2, 4))),
    ("concatenate", ([A, B],)), ("concatenate", ([A, B],), {"axis": 1}),
    ("concatenate", ([A, V],), {"axis": None}), ("append", (A, B)),
    ("append", (A, B), {"axis": 0}), ("stack", ([A, B],)), ("stack", ([A, B],), {"axis": -1}),
    ("hstack", ([A, B],)), ("vstack", ([V, V],)), ("dstack", ([A, B],)),
    ("split", (A, 2), {"axis": 1}), ("split", (A, [1, 3]), {"axis": 1}),
    ("array_split", (V, 3)), ("vsplit", (C3, 2)),
    ("take", (A, [2, 0, -1])), ("take", (A, [[0, 1], [1, 2]]), {"axis": 1}),
    ("take", (A, 2), {"axis": 0}), ("take", (C3, [0, 2]), {"axis": -1}),
    ("take_along_axis", (A, np.argsort(A, axis=1)), {"axis": 1}),
    ("take_along_axis", (A, np.array([[0, -1, 1, 0]])), {"axis": 0}, lambda a, i, axis:
     np.take_along_axis(a, i % 3, axis=axis)),
    ("take_along_axis", (V, np.array([3, 0])), {"axis": None}),
    ("diag", (V,)), ("diag", (V,), {"k": -1}), ("diag", (SQ,)), ("diag", (SQ,), {"k": 1}),
    ("diagflat", (A[:2, :2],)), ("diagonal", (C3,), {"offset": 1, "axis1": 1, "axis2": 2}),
    ("trace", (A,)), ("trace", (C3,), {"axis1": 1, "axis2": 2}), ("trace", (I,)),
    ("tril", (A,)), ("triu", (A,), {"k": 1}), ("tril", (C3,), {"k": -1}, lambda x, k: np.tril(
        x, k)),
    ("meshgrid", (V[:2], V)), ("meshgrid", (V[:2], V), {"indexing": "ij"}),
    ("unravel_index", ([3, 7, 11], (3, 4))), ("vander", (V,)), ("vander", (V,), {"N": 2}),
    ("vander", (V,), {"increasing": True}),
    ("pad", (A, 1)), ("pad", (A, ((1, 0), (2, 3))), {"constant_values": 5.0}),
    *[("pad", (A, ((2, 3), (4, 1))), {"mode": m})
      for m in ("edge", "reflect", "symmetric", "wrap")],
    ("pad", (A, ((0, 0), (5, 6))), {"mode": "reflect"}),
    # products
    ("matmul", (A, B.T)), ("matmul", (C3, B.T)), ("matmul", (V, B.T)),
    ("dot", (A, B.T)), ("dot", (V, V)), ("dot", (C3, SQ[:, :1].repeat(4, 0)[:4])),
    ("dot", (A, 2.0)), ("dot", (C3, np.ones((2, 4, 5), "float32"))), ("vdot", (A, B)),
    ("inner", (A, B)), ("outer", (V, V[:2])), ("kron", (A[:2, :2], SQ)),
    ("tensordot", (C3, A.T, 1)), ("tensordot", (C3, A, ([1, 2], [0, 1]))),
    ("tensordot", (A, B, 2)), ("einsum", ("ij,kj->ik", A, B)), ("einsum", ("bij->bji", C3)),
    ("cross", (C3[..., :3], A[:, :3])),
    ("cross", (V[:2], V[1:3]), {}, lambda a, b: a[0] * b[1] - a[1] * b[0]),
    ("cross", (C3[:, :3, :], C3[:, :3, ::-1].copy()), {"axis": 1}),
    ("slogdet", (SQ,), {}, lambda x: np.linalg.slogdet(x)),
    # creation
    ("zeros", ((2, 3),)), ("ones", (4,)), ("full", ((2, 2), 7.0)), ("full_like", (A, 3.0)),
    ("zeros_like", (I,)), ("ones_like", (A,)), ("eye", (3,)), ("eye", (3, 4), {"k": 1}),
    ("eye", (4, 3), {"k": -2}), ("identity", (3,)), ("tri", (3,)), ("tri", (3, 5), {"k": 1}),
    ("arange", (5,)), ("arange", (1, 7, 2)), ("arange", (0.0, 1.0, 0.25)),
    ("linspace", (0.0, 1.0, 5)), ("linspace", (0, 2, 4), {"endpoint": False}),
    ("linspace", ([0.0, 1.0], [1.0, 3.0], 3), {"axis": 1}), ("linspace", (2, 3, 1)),
    ("linspace", (0.0, 1.0, 5), {"retstep": True}),
    ("linspace", (0, 10, 4), {"dtype": "int32"}),
    ("logspace", (0.0, 2.0, 3)), ("logspace", (0.0, 2.0, 3), {"base": 2}),
    *[(n, (5,)) for n in ("bartlett", "blackman", "hamming", "hanning")],
    ("kaiser", (6, 2.5)),
]
for _row in _ROWS:  # (name, args[, kwargs[, ref]])
    _name, _args, _kwargs, _ref = _row + ({}, None)[len(_row) - 2:]
    CASES.append(case(_name, *_args, ref=_ref, **_kwargs))


def _assert_close(actual, expected):
    if isinstance(expected, (tuple, list)):
        assert isinstance(actual, (tuple, list)) and len(actual) == len(expected)
        for a, e in zip(actual, expected):
            _assert_close(a, e)
        return
    actual = ops.convert_to_numpy(actual) if not isinstance(actual, (int, float)) else actual
    expected = np.asarray(expected)
    assert np.shape(actual) == expected.shape, (np.shape(actual), expected.shape)
    np.testing.assert_allclose(np.asarray(actual, dtype=expected.dtype if expected.dtype != bool
                                          else bool), expected, rtol=2e-5, atol=2e-5)


@pytest.mark.parametrize("name,args,kwargs,ref", CASES)
def test_matches_numpy(name, args, kwargs, ref):
    _assert_close(getattr(ops, name)(*args, **kwargs), ref(*args, **kwargs))


def test_argpartition_partitions():
    idx = ops.convert_to_numpy(ops.argpartition(V, 1))
    assert V[idx[1]] == np.partition(V, 1)[1]


def test_get_item_and_torch_and_variable_inputs():
    x = torch.tensor(A)
    np.testing.assert_allclose(ops.convert_to_numpy(ops.get_item(x, (slice(None), 1))), A[:, 1])
    var = backend.Variable(A)
    np.testing.assert_allclose(ops.convert_to_numpy(ops.add(var, 1.0)), A + 1)
    np.testing.assert_allclose(ops.convert_to_numpy(ops.mean(var, axis=0)), A.mean(0), rtol=1e-6)


def test_vectorize():
    dot = ops.vectorize(lambda a, b: ops.sum(a * b), signature="(n),(n)->()")
    np.testing.assert_allclose(ops.convert_to_numpy(dot(A, V)), A @ V, rtol=1e-5)
    twice = ops.vectorize(lambda a: a * 2)
    np.testing.assert_allclose(ops.convert_to_numpy(twice(A)), A * 2)


def _i32(*shape):
    return torch.zeros(shape, dtype=torch.int32)


DTYPES = [  # (op, args, expected dtype): Keras's promotion rules
    (ops.add, (_i32(2), 1), "int32"), (ops.add, (_i32(2), 1.5), "float32"),
    (ops.multiply, (torch.zeros(2, dtype=torch.float16), 2.0), "float16"),
    (ops.add, (torch.zeros(2, dtype=torch.int8), torch.zeros(2, dtype=torch.uint8)), "int16"),
    (ops.add, (_i32(2), torch.zeros(2)), "float32"), (ops.add, (torch.zeros(2) > 0, 1), "int32"),
    (ops.subtract, (3, _i32(2)), "int32"), (ops.maximum, (_i32(2), 0.5), "float32"),
    (ops.true_divide, (_i32(2), _i32(2)), "float32"), (ops.divide, (_i32(2), 2), "float32"),
    (ops.sqrt, (_i32(2),), "float32"), (ops.exp, (torch.zeros(2) > 0,), "float32"),
    (ops.ceil, (_i32(2),), "float32"), (ops.round, (_i32(2),), "int32"),
    (ops.mean, (_i32(2),), "float32"), (ops.var, (_i32(2),), "float32"),
    (ops.median, (_i32(3),), "float32"), (ops.sum, (_i32(2),), "int32"),
    (ops.sum, (torch.zeros(2) > 0,), "int32"),
    (ops.sum, (torch.zeros(2, dtype=torch.int64),), "int64"),
    (ops.max, (_i32(2),), "int32"), (ops.cumsum, (_i32(2),), "int32"),
    (ops.prod, (torch.zeros(2, dtype=torch.int8),), "int32"),
    (ops.argmax, (torch.zeros(3),), "int32"), (ops.argsort, (torch.zeros(3),), "int32"),
    (ops.count_nonzero, (torch.zeros(3),), "int32"), (ops.square, (torch.zeros(2) > 0,), "int32"),
    (ops.clip, (torch.zeros(2) > 0, 0, 1), "int32"), (ops.equal, (_i32(2), 1.0), "bool"),
    (ops.arange, (5,), "int32"), (ops.arange, (0, 1, 0.5), "float32"),
    (ops.zeros, ((2,),), "float32"), (ops.full, ((2,), 1), "float32"),
    (ops.full, ((2,), 1, "int8"), "int8"), (ops.eye, (2,), "float32"),
    (ops.linspace, (0, 1, 3), "float32"), (ops.ones_like, (_i32(2),), "int32"),
    (ops.array, ([1, 2],), "int32"), (ops.array, ([1.0, 2],), "float32"),
]


@pytest.mark.parametrize("op,args,dtype", DTYPES)
def test_dtype_rules(op, args, dtype):
    assert backend.standardize_dtype(op(*args).dtype) == dtype


def test_int_inputs_follow_floatx():
    backend.set_floatx("float64")
    assert ops.sqrt(_i32(2)).dtype == torch.float64
    assert ops.mean(_i32(2)).dtype == torch.float64
    assert ops.add(_i32(2), 0.5).dtype == torch.float64


META = [  # (op, args, kwargs, expected shape) run on meta tensors
    ("add", (A, 1.0), {}, (3, 4)), ("matmul", (A, B.T), {}, (3, 3)),
    ("mean", (C3,), {"axis": 1}, (2, 4)), ("reshape", (C3, (6, -1)), {}, (6, 4)),
    ("pad", (A, ((1, 1), (2, 2))), {"mode": "reflect"}, (5, 8)),
    ("take", (A, [0, 2]), {"axis": 1}, (3, 2)),
    ("take_along_axis", (A, np.zeros((3, 1), "int64")), {"axis": 1}, (3, 1)),
    ("where", (BOOL, A, 0.0), {}, (3, 4)), ("concatenate", ([A, B],), {"axis": 1}, (3, 8)),
    ("einsum", ("bij,kj->bik", C3, A), {}, (2, 3, 3)), ("linspace", (0.0, 1.0, 7), {}, (7,)),
    ("eye", (3,), {}, (3, 3)), ("quantile", (A, 0.5), {"axis": 0}, (4,)),
    ("split", (A, 2), {"axis": 1}, [(3, 2), (3, 2)]), ("cumsum", (A,), {"axis": 0}, (3, 4)),
    ("tile", (V, 3), {}, (12,)), ("sort", (A,), {}, (3, 4)), ("cross", (C3[..., :3], V[:3]), {},
                                                              (2, 3, 3)),
]


@pytest.mark.parametrize("name,args,kwargs,shape", META)
def test_meta_shapes(name, args, kwargs, shape):
    with backend.core.symbolic_scope():
        out = getattr(ops, name)(*args, **kwargs)
    outs = out if isinstance(out, list) else [out]
    assert all(o.device.type == "meta" for o in outs)
    assert [tuple(o.shape) for o in outs] == (shape if isinstance(shape, list) else [shape])


def test_symbolic_call_records_shapes():
    x = KerasTensor((None, 3, 4))
    assert ops.cumsum(x, axis=1).shape == (None, 3, 4)
    assert ops.pad(x, ((0, 0), (1, 1), (0, 2))).shape == (None, 5, 6)
    assert ops.argmax(x, axis=-1).dtype == "int32"
