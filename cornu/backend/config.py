"""Global configuration: which backend, image data format, float type, epsilon.

The backend comes from the ``CORNU_BACKEND`` environment variable, else from
``$CORNU_HOME/cornu.json`` (``~/.cornu/cornu.json``), else torch.
"""
import json
import os

_BACKENDS = ("torch", "jax")
_FORMATS = ("channels_last", "channels_first")
_FLOATS = ("float16", "bfloat16", "float32", "float64")


def cornu_home():
    """The folder for cornu's config and caches (``$CORNU_HOME`` or ``~/.cornu``)."""
    return os.path.expanduser(os.environ.get("CORNU_HOME", os.path.join("~", ".cornu")))


def _read_config_file():
    path = os.path.join(cornu_home(), "cornu.json")
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


_file = _read_config_file()
_state = {
    "backend": os.environ.get("CORNU_BACKEND", _file.get("backend", "torch")),
    "image_data_format": _file.get("image_data_format", "channels_last"),
    "floatx": _file.get("floatx", "float32"),
    "epsilon": float(_file.get("epsilon", 1e-7)),
}
if _state["backend"] not in _BACKENDS:
    raise ValueError(
        f"Unknown backend {_state['backend']!r} (from CORNU_BACKEND or cornu.json). "
        f"Expected one of {_BACKENDS}.")


def backend():
    """The name of the backend in use: ``'torch'`` or ``'jax'``."""
    return _state["backend"]


def floatx():
    """The default float type, as a string (``'float32'`` unless changed)."""
    return _state["floatx"]


def set_floatx(value):
    """Set the default float type: one of float16, bfloat16, float32, float64."""
    value = str(value)
    if value not in _FLOATS:
        raise ValueError(f"Unknown floatx {value!r}. Expected one of {_FLOATS}.")
    _state["floatx"] = value


def epsilon():
    """The fuzz factor used in numeric expressions (default 1e-7)."""
    return _state["epsilon"]


def set_epsilon(value):
    """Set the fuzz factor used in numeric expressions."""
    _state["epsilon"] = float(value)


def image_data_format():
    """``'channels_last'`` (default) or ``'channels_first'``."""
    return _state["image_data_format"]


def set_image_data_format(data_format):
    """Set the default image layout: ``'channels_last'`` or ``'channels_first'``."""
    fmt = str(data_format).lower()
    if fmt not in _FORMATS:
        raise ValueError(
            f"Unknown data_format {data_format!r}. Expected one of {_FORMATS}.")
    _state["image_data_format"] = fmt


def standardize_data_format(data_format):
    """``None`` means the global default; anything else must be a known format."""
    if data_format is None:
        return image_data_format()
    fmt = str(data_format).lower()
    if fmt not in _FORMATS:
        raise ValueError(
            f"Unknown data_format {data_format!r}. Expected one of {_FORMATS}.")
    return fmt
