"""The errors loading raises: every failure to read a file is one of these.

All are ``ValueError`` subclasses, so code that caught Keras's ``ValueError``
keeps working; catch ``LoadingError`` to handle any bad file.
"""


class LoadingError(ValueError):
    """A file could not be turned into a model or weights."""


class CorruptFileError(LoadingError):
    """The file is damaged, truncated, not of the format its name says, or
    inconsistent with itself (a config that does not build, weights of the wrong
    count or shape)."""


class UnsafeFileError(LoadingError):
    """The file holds something loading refuses: a zip bomb, an archive member
    outside the archive, an HDF5 link to another file, a dataset declaring far
    more data than it stores, or code (a ``Lambda``) while in safe mode."""


class UnknownObjectError(LoadingError):
    """A config names a class or function that is neither cornu's own nor one the
    caller registered or passed in ``custom_objects``."""
