"""The safe-mode switch: whether loading may run code stored in a file.

Configs can hold Python bytecode (a ``Lambda`` of a Python lambda) or a pickled
``torch.nn.Module`` (``TorchModuleWrapper``). Loading either runs code, so it is
refused unless the user opted out of safe mode: globally with
``cornu.config.enable_unsafe_deserialization()``, or for one load with
``safe_mode=False`` (loaders wrap the load in ``SafeModeScope(False)``).
"""
import threading

from cornu.saving.errors import UnsafeFileError

_state = threading.local()
_global = {"unsafe": False}


def enable_unsafe_deserialization():
    """Allow every later load to run code stored in configs (lambdas, pickled modules)."""
    _global["unsafe"] = True


def in_safe_mode():
    """False only when the innermost ``SafeModeScope`` or the global switch allows code."""
    stack = getattr(_state, "stack", None)
    if stack:
        return stack[-1] is not False
    return not _global["unsafe"]


class SafeModeScope:
    """``with SafeModeScope(False):`` allows loading code inside the block; ``None``
    leaves the setting as it is."""

    def __init__(self, safe_mode=True):
        self.safe_mode = safe_mode

    def __enter__(self):
        if not hasattr(_state, "stack"):
            _state.stack = []
        current = self.safe_mode if self.safe_mode is not None else in_safe_mode()
        _state.stack.append(bool(current))
        return self

    def __exit__(self, *exc):
        _state.stack.pop()


def refuse_code(what):
    """Raise ``UnsafeFileError`` (a ValueError) for loading ``what`` (code in a config)
    while in safe mode."""
    if in_safe_mode():
        raise UnsafeFileError(
            f"Requested the deserialization of {what}. This runs code stored in the file "
            "and thus is disallowed by default (safe mode). If you trust the source of the "
            "file, pass `safe_mode=False` to the loading function, or call "
            "`cornu.config.enable_unsafe_deserialization()` first.")


def loading_in_safe_mode():
    """True while a loader rebuilds objects from a file in safe mode (inside a
    ``SafeModeScope`` that does not allow code). Outside any load it is False, so
    objects made in code may still read the files their arguments name."""
    return bool(getattr(_state, "stack", None)) and in_safe_mode()


def refuse_outside_file(owner, argument, path):
    """Raise ``UnsafeFileError`` when a config being loaded in safe mode names a file
    (``path``) outside the model file, as ``argument`` of ``owner`` (a layer's name).

    Keras refuses these the same way (CVE-2025-12058): a config could otherwise read
    any local file (``/proc/self/environ``) or an endless one (``/dev/zero``)."""
    if loading_in_safe_mode():
        raise UnsafeFileError(
            f"{owner}: the loaded config sets `{argument}` to the path {str(path)!r}, a "
            "file outside the model archive. Safe mode reads nothing outside the file "
            "being loaded, so such paths are only allowed when the layer is made in code. "
            "If you trust the source of the file, pass `safe_mode=False` to the loading "
            "function, or call `cornu.config.enable_unsafe_deserialization()` first.")
