"""Read Keras's dataset files without running code from them.

IMDB and Reuters store ragged sequences as numpy object arrays, which ``.npy``
can only hold as a pickle; the CIFAR "python version" batches are pickles of a
dict of bytes, lists and arrays. Pickle's opcodes can only call what
``find_class`` hands them, so this unpickler hands out, for the handful of numpy
names these files use, stand-ins that build arrays from the stored bytes
(``np.frombuffer``) and nothing else; every other name is refused. Numeric
``.npy`` members are read with ``allow_pickle=False``.
"""
import io
import pickle
import re
import zipfile

import numpy as np

_DTYPE_CODE = re.compile(r"^[<>|=]?[biufcOSUV?]\d{0,3}$")


class _NdarrayClass:
    """What the file gets for ``numpy.ndarray``: a marker, never instantiated."""


class _PendingDtype:
    """``numpy.dtype(code)``, completed by the byte order in its pickled state."""

    def __init__(self, code, align=False, copy=False):
        if not isinstance(code, (str, bytes)) or not _DTYPE_CODE.match(
                code.decode("latin1") if isinstance(code, bytes) else code):
            raise pickle.UnpicklingError(f"Refusing the dtype {code!r}: only plain numeric, "
                                         "string and object dtypes are read.")
        self.dtype = np.dtype(code.decode("latin1") if isinstance(code, bytes) else code)

    def __setstate__(self, state):
        if not isinstance(state, tuple) or len(state) < 8 or any(
                part is not None for part in state[2:5]):
            raise pickle.UnpicklingError("Refusing a structured or sub-array dtype.")
        order = state[1].decode("latin1") if isinstance(state[1], bytes) else state[1]
        if order in ("<", ">"):
            self.dtype = self.dtype.newbyteorder(order)


class _PendingArray:
    """``numpy.core.multiarray._reconstruct(ndarray, ...)``: filled in by ``__setstate__``."""

    def __init__(self, cls, shape, typecode):
        if cls is not _NdarrayClass:
            raise pickle.UnpicklingError("Refusing to reconstruct anything but numpy.ndarray.")
        self.array = None

    def __setstate__(self, state):
        if not isinstance(state, tuple) or len(state) != 5:
            raise pickle.UnpicklingError("Unexpected ndarray state in the pickle.")
        _, shape, dtype, fortran, data = state
        dtype = _resolve(dtype)
        if not isinstance(dtype, np.dtype):
            raise pickle.UnpicklingError("Unexpected dtype in the pickle.")
        shape = tuple(int(d) for d in shape)
        order = "F" if fortran else "C"
        if dtype.hasobject:
            if not isinstance(data, list):
                raise pickle.UnpicklingError("An object array must hold a list of items.")
            flat = np.empty(len(data), dtype=object)
            for i, item in enumerate(data):
                flat[i] = _resolve(item)
            self.array = flat.reshape(shape, order=order)
        else:
            if isinstance(data, str):  # a Python 2 str read with encoding="latin1"
                data = data.encode("latin1")
            self.array = np.frombuffer(data, dtype=dtype).reshape(shape, order=order).copy()


def _frombuffer(buffer, dtype, shape, order):
    """``numpy.core.numeric._frombuffer`` (how protocol 5 pickles arrays)."""
    dtype = _resolve(dtype)
    if not isinstance(dtype, np.dtype) or dtype.hasobject:
        raise pickle.UnpicklingError("Unexpected dtype in the pickle.")
    return np.frombuffer(bytes(buffer), dtype=dtype).reshape(
        tuple(int(d) for d in shape), order=order).copy()


def _codecs_encode(text, encoding="latin1"):
    """``_codecs.encode``: how Python 3 writes bytes into a protocol 2 pickle."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise pickle.UnpicklingError("Refusing _codecs.encode with these arguments.")
    return text.encode("latin1")


_ALLOWED = {
    ("numpy", "ndarray"): _NdarrayClass,
    ("numpy", "dtype"): _PendingDtype,
    ("numpy.core.multiarray", "_reconstruct"): _PendingArray,
    ("numpy._core.multiarray", "_reconstruct"): _PendingArray,
    ("numpy.core.numeric", "_frombuffer"): _frombuffer,
    ("numpy._core.numeric", "_frombuffer"): _frombuffer,
    ("_codecs", "encode"): _codecs_encode,
}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module, name):
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"Refusing to load `{module}.{name}` from a dataset file: only numpy arrays "
                "are read. The file may be corrupted or malicious.") from None

    def persistent_load(self, pid):
        raise pickle.UnpicklingError("Refusing a persistent id in a dataset file.")


def _resolve(value):
    """Replace the stand-ins in a loaded structure by the arrays and dtypes they built."""
    if isinstance(value, _PendingArray):
        if getattr(value, "array", None) is None:
            raise pickle.UnpicklingError("An ndarray in the pickle has no data.")
        return value.array
    if isinstance(value, _PendingDtype):
        if not isinstance(getattr(value, "dtype", None), np.dtype):
            raise pickle.UnpicklingError("A dtype in the pickle has no code.")
        return value.dtype
    if isinstance(value, dict):
        return {k: _resolve(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v) for v in value] if any(
            isinstance(v, (_PendingArray, _PendingDtype, dict, list, tuple)) for v in value) \
            else value
    if isinstance(value, tuple):
        return tuple(_resolve(v) for v in value)
    return value


def load_pickle(file, encoding="bytes"):
    """Load a pickle of dicts, lists, tuples, strings, numbers and numpy arrays.

    ``encoding`` is for Python 2 ``str`` objects, as in ``pickle.load``: "bytes" keeps
    them as bytes (what the CIFAR batches need), "latin1" makes them text.
    """
    return _resolve(_Unpickler(file, encoding=encoding).load())


def load_npy(file):
    """One ``.npy`` stream: numeric arrays with ``allow_pickle=False``, object arrays
    through the restricted unpickler."""
    version = np.lib.format.read_magic(file)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(file)
    else:  # 2.0 and 3.0 share the header layout (3.0 only changes its text encoding)
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(file)
    if not dtype.hasobject:
        file.seek(0)
        return np.lib.format.read_array(file, allow_pickle=False)
    array = load_pickle(file, encoding="latin1")
    if not isinstance(array, np.ndarray) or array.shape != tuple(shape):
        raise ValueError("The object array in the .npy file does not match its header.")
    return array


def load_npz(path):
    """All members of an ``.npz`` archive as a dict of arrays, without running code."""
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if not info.filename.endswith(".npy"):
                continue
            with archive.open(info) as member:
                arrays[info.filename[:-4]] = load_npy(io.BytesIO(member.read()))
    return arrays
