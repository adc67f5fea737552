"""The Keras 1/2 spellings, in one place: argument names, module paths, functions.

Each works and warns with a ``DeprecationWarning`` that names the modern spelling.
"""


def __getattr__(name):
    # `keras.legacy.saving` is reachable as an attribute after `import keras`.
    if name == "saving":
        import importlib
        return importlib.import_module("cornu.legacy.saving")
    raise AttributeError(f"module 'cornu.legacy' has no attribute {name!r}")
