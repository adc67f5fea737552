"""cornu.config: Keras 3's ``keras.config``."""
import os
import warnings

from cornu.backend.config import (  # noqa: F401
    backend, epsilon, floatx, image_data_format, set_epsilon, set_floatx,
    set_image_data_format,
)


def set_device(device):
    """Place new tensors and variables on ``device`` (``'cpu'``, ``'cuda'``)."""
    from cornu import backend as _backend
    _backend.set_device(device)


def get_device():
    """The device new tensors and variables go to."""
    from cornu import backend as _backend
    return _backend.get_device()


def enable_unsafe_deserialization():
    """Allow loading configs that hold code (a ``Lambda`` of a Python lambda, a pickled
    torch module). Only for files from a source you trust."""
    from cornu.saving import safe_mode
    safe_mode.enable_unsafe_deserialization()


from cornu.utils.io_utils import (  # noqa: E402,F401
    disable_interactive_logging, enable_interactive_logging, is_interactive_logging_enabled,
)

_state = {"traceback_filtering": True, "flash_attention": None, "dtype_policy": None}


def _env_int(name):
    value = os.environ.get(name)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"The environment variable {name} must be an integer; received "
                         f"{value!r}. Unset it or set it to a whole number.") from None


_state["max_epochs"] = _env_int("CORNU_MAX_EPOCHS")
_state["max_steps_per_epoch"] = _env_int("CORNU_MAX_STEPS_PER_EPOCH")


# ----------------------------------------------------------------- traceback filtering

def enable_traceback_filtering():
    """Turn on traceback filtering (the default).

    Keras hides its own frames from the tracebacks of errors raised in its code.
    cornu records the setting for programs that set it but does not rewrite
    tracebacks: cornu's frames are always shown.
    """
    _state["traceback_filtering"] = True


def disable_traceback_filtering():
    """Turn off traceback filtering (see ``enable_traceback_filtering``)."""
    _state["traceback_filtering"] = False


def is_traceback_filtering_enabled():
    """Whether traceback filtering is on (True by default).

    Returns:
        bool.
    """
    return _state["traceback_filtering"]


# ----------------------------------------------------------------- flash attention

def enable_flash_attention():
    """Let attention layers use flash attention where the engine can.

    As in Keras, this sets the choice back to automatic (``is_flash_attention_enabled()``
    returns None): on torch the engine picks its attention kernel itself.
    """
    _state["flash_attention"] = None


def disable_flash_attention():
    """Ask attention layers not to use flash attention
    (``is_flash_attention_enabled()`` returns False).

    cornu records the choice; its attention layers leave the kernel choice to torch.
    """
    _state["flash_attention"] = False


def is_flash_attention_enabled():
    """None (automatic, the default) or False (after ``disable_flash_attention``).

    Returns:
        None or bool.
    """
    return _state["flash_attention"]


def is_nnx_enabled():
    """Whether Flax NNX integration is on: always False in cornu (it has no NNX support).

    Returns:
        False.
    """
    return False


# ----------------------------------------------------------------- fit limits (for debugging)

def _limit(value, name):
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ValueError(f"`{name}` must be a positive integer or None; received {value!r}.")
    return value


def set_max_epochs(max_epochs):
    """Cap the number of epochs of every ``fit()`` call (for quick debugging runs).

    The environment variable ``CORNU_MAX_EPOCHS`` sets the same at start-up
    (Keras reads ``KERAS_MAX_EPOCHS``).

    Args:
        max_epochs: a positive int, or None for no limit.
    """
    _state["max_epochs"] = _limit(max_epochs, "max_epochs")


def max_epochs():
    """The cap on the epochs of ``fit()``, or None when there is none.

    Returns:
        int or None.
    """
    return _state["max_epochs"]


def set_max_steps_per_epoch(max_steps_per_epoch):
    """Cap the steps of each epoch of ``fit()``, and of ``evaluate()`` and ``predict()``.

    The environment variable ``CORNU_MAX_STEPS_PER_EPOCH`` sets the same at start-up
    (Keras reads ``KERAS_MAX_STEPS_PER_EPOCH``).

    Args:
        max_steps_per_epoch: a positive int, or None for no limit.
    """
    _state["max_steps_per_epoch"] = _limit(max_steps_per_epoch, "max_steps_per_epoch")


def max_steps_per_epoch():
    """The cap on the steps per epoch, or None when there is none.

    Returns:
        int or None.
    """
    return _state["max_steps_per_epoch"]


def capped_epochs(epochs):
    """``epochs`` limited by ``max_epochs()``, warning when it is cut (used by ``fit``)."""
    cap = _state["max_epochs"]
    if cap and cap < epochs:
        warnings.warn(f"Limiting epochs to {cap} (cornu.config.max_epochs()).", stacklevel=3)
        return cap
    return epochs


def capped_steps(steps):
    """``steps`` (None: the whole data) limited by ``max_steps_per_epoch()``."""
    cap = _state["max_steps_per_epoch"]
    if cap and (not steps or cap < steps):
        warnings.warn(f"Limiting steps_per_epoch to {cap} "
                      "(cornu.config.max_steps_per_epoch()).", stacklevel=3)
        return cap
    return steps


# ----------------------------------------------------------------- backend and dtype policy

def set_backend(backend_name):
    """Switch the backend. cornu runs on one backend per process.

    Args:
        backend_name: ``"torch"`` (accepted when it is the current backend).

    Raises:
        ValueError: for any other backend. Choose the backend before Python starts
            with the ``CORNU_BACKEND`` environment variable; Keras's in-process
            reload of every module is not supported.
    """
    current = backend()
    if backend_name == current:
        return
    raise ValueError(
        f"cornu cannot switch the backend from {current!r} to {backend_name!r} inside a "
        f"running program. Set the environment variable CORNU_BACKEND={backend_name} "
        "before starting Python (the JAX backend is not yet available; 'torch' is).")


_POLICIES = {"mixed_float16": ("float16", "float32"), "mixed_bfloat16": ("bfloat16", "float32")}


class _DTypePolicyName:
    """The global dtype policy's name and dtypes (not yet Keras's ``DTypePolicy`` class)."""

    def __init__(self, name):
        if name in _POLICIES:
            self.compute_dtype, self.variable_dtype = _POLICIES[name]
        elif name in ("float16", "bfloat16", "float32", "float64"):
            self.compute_dtype = self.variable_dtype = name
        else:
            raise ValueError(
                f"Unknown dtype policy {name!r}. Expected one of 'float16', 'bfloat16', "
                "'float32', 'float64', 'mixed_float16', 'mixed_bfloat16'.")
        self.name = name
        self.quantization_mode = None

    def __repr__(self):
        return f'<DTypePolicy "{self.name}">'

    def get_config(self):
        return {"name": self.name}


def set_dtype_policy(policy):
    """Set the global dtype policy by name (``"mixed_float16"``, ``"bfloat16"``, ...).

    Args:
        policy: a policy name, or an object with a ``name`` attribute (a Keras-style
            ``DTypePolicy``).

    Not yet implemented in cornu: the ``DTypePolicy`` classes and quantized policies,
    and cornu's layers do not yet read the global policy (they compute and store
    weights in ``floatx()`` unless given ``dtype=``). As in Keras, this does not
    change ``floatx()``.
    """
    name = getattr(policy, "name", policy)
    if not isinstance(name, str):
        raise ValueError("Expected the name of a dtype policy (such as 'mixed_float16'); "
                         f"received {policy!r} of type {type(policy).__name__}.")
    _state["dtype_policy"] = _DTypePolicyName(name)


def dtype_policy():
    """The global dtype policy: an object with ``name``, ``compute_dtype`` and
    ``variable_dtype`` (by default the policy named ``floatx()``).

    Returns:
        The policy set by ``set_dtype_policy``.
    """
    if _state["dtype_policy"] is None:
        _state["dtype_policy"] = _DTypePolicyName(floatx())
    return _state["dtype_policy"]
