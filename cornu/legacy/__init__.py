"""The Keras 1/2 spellings, in one place: argument names, module paths, functions.

Each works and warns with a ``DeprecationWarning`` that names the modern spelling.
"""
