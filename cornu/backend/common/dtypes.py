"""Dtype names. cornu speaks dtypes as numpy-style strings (``'float32'``)."""

ALLOWED = (
    "float16", "bfloat16", "float32", "float64",
    "uint8", "uint16", "uint32", "uint64",
    "int8", "int16", "int32", "int64",
    "bool", "complex64", "complex128", "string",
)
_ALIASES = {
    "float": "float32", "double": "float64", "half": "float16", "int": "int64",
    "long": "int64", "bool_": "bool", "str": "string", "object": "string",
}
_PY = {float: "float32", int: "int64", bool: "bool", str: "string"}


def standardize_dtype(dtype):
    """Return the canonical string name of ``dtype`` (None means floatx)."""
    if dtype is None:
        from cornu.backend.config import floatx
        return floatx()
    if isinstance(dtype, str) and dtype in ALLOWED:
        return dtype
    if dtype in _PY:
        return _PY[dtype]
    name = getattr(dtype, "name", None)
    if isinstance(dtype, type) and dtype.__module__ == "numpy":  # np.float64, np.int32
        name = dtype.__name__
    if not isinstance(name, str):
        name = str(dtype)
    name = name.replace("torch.", "").replace("<dtype: '", "").rstrip("'>")
    name = _ALIASES.get(name, name)
    if name not in ALLOWED:
        raise ValueError(f"Unknown dtype {dtype!r}. Expected one of {ALLOWED}.")
    return name


def is_float(dtype):
    return standardize_dtype(dtype) in ("float16", "bfloat16", "float32", "float64")


def is_int(dtype):
    d = standardize_dtype(dtype)
    return d.startswith("int") or d.startswith("uint")


_ORDER = ("bool", "uint8", "int8", "int16", "uint16", "int32", "uint32", "int64", "uint64",
          "bfloat16", "float16", "float32", "float64", "complex64", "complex128")


def result_type(*dtypes):
    """A simple promotion: the widest of the given dtypes, ints promoting to floatx with floats."""
    names = [standardize_dtype(d) for d in dtypes if d is not None]
    if not names:
        from cornu.backend.config import floatx
        return floatx()
    return max(names, key=_ORDER.index)
