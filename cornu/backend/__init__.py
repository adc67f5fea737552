"""cornu.backend: the engine boundary, and Keras 2's ``keras.backend`` module.

The backend package named by ``config.backend()`` is imported here; the rest of
cornu reaches the engine only through these names and ``cornu.ops``.
Keras 2 programs use this module as ``K`` (``K.set_image_data_format``,
``K.epsilon``, ``K.int_shape`` ...).
"""
from cornu.backend.config import (  # noqa: F401
    backend, epsilon, floatx, image_data_format, set_epsilon, set_floatx,
    set_image_data_format, standardize_data_format,
)
from cornu.backend.common.dtypes import standardize_dtype, result_type  # noqa: F401
from cornu.backend.common.global_state import clear_session  # noqa: F401
from cornu.backend.common.keras_tensor import KerasTensor, is_keras_tensor  # noqa: F401

if backend() == "torch":
    from cornu.backend import torch as _impl
else:
    try:
        from cornu.backend import jax as _impl
    except ImportError as e:
        raise ImportError(
            f"CORNU_BACKEND={backend()!r} asks for the JAX backend, which is not available "
            f"here ({e}). Install it with `pip install cornu[jax]` or set CORNU_BACKEND=torch."
        ) from e


class _PlainLayerBase:
    """The base of ``cornu.layers.Layer`` on backends whose layers are plain objects."""
    _module_state_keys = frozenset()

    def _track_torch_modules(self):
        pass


Tensor = _impl.Tensor
# The base class of every layer: ``torch.nn.Module`` on torch (as in Keras 3).
LayerBase = getattr(_impl, "LayerBase", _PlainLayerBase)
Variable = _impl.Variable
SeedGenerator = _impl.SeedGenerator
cast = _impl.cast
compute_output_spec = _impl.compute_output_spec
convert_to_numpy = _impl.convert_to_numpy
convert_to_tensor = _impl.convert_to_tensor
device_scope = _impl.device_scope
get_device = _impl.get_device
set_device = _impl.set_device
in_symbolic_scope = _impl.in_symbolic_scope
is_tensor = _impl.is_tensor
dtype_name = _impl.dtype_name
numpy = _impl.numpy
nn = _impl.nn
math = _impl.math
linalg = _impl.linalg
image = _impl.image
random = _impl.random
core = _impl.core
data = _impl.data
fused = _impl.fused
logits = _impl.logits
fused_losses = _impl.fused_losses


def get_uid(prefix=""):
    """The next number for ``prefix``: 1 on the first call, then 2, 3, ...

    It shares its counters with automatic layer names, as in Keras (after one
    ``Dense`` layer, ``get_uid("dense")`` is 2 and the next layer is ``dense_2``);
    ``clear_session()`` resets them.

    Args:
        prefix: the name to count.

    Returns:
        int.
    """
    from cornu.backend.common import global_state
    counts = global_state._name_counts
    counts[prefix] = counts.get(prefix, 0) + 1
    return counts[prefix]


def is_float_dtype(dtype):
    """Whether ``dtype`` (a name, a NumPy or engine dtype, ``float``) is a floating type.

    Returns:
        bool.
    """
    from cornu.backend.common import dtypes
    return dtypes.is_float(dtype)


def is_int_dtype(dtype):
    """Whether ``dtype`` is a signed or unsigned integer type (``bool`` is not).

    Returns:
        bool.
    """
    from cornu.backend.common import dtypes
    return dtypes.is_int(dtype)


def __getattr__(name):
    # Keras 2's backend functions (K.sum, K.int_shape, ...) live with the legacy code.
    from cornu.legacy import backend as legacy_backend
    try:
        return getattr(legacy_backend, name)
    except AttributeError:
        raise AttributeError(f"module 'cornu.backend' has no attribute {name!r}") from None
