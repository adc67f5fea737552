"""Process-wide state: automatic layer names and ``clear_session``."""
import re

_name_counts = {}
name_scopes = []  # the names of the open `cornu.name_scope` blocks, outermost first


def to_snake_case(name):
    """``Conv2DTranspose`` -> ``conv2d_transpose``, as Keras derives default names."""
    name = re.sub(r"\W+", "", name)
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub(r"([a-z])([A-Z])", r"\1_\2", name)
    return name.lower()


def uniquify(base):
    """``dense``, then ``dense_1``, ``dense_2``... until ``clear_session``."""
    count = _name_counts.get(base, 0)
    _name_counts[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


def name_scope_path():
    """The open ``name_scope`` names joined by ``/`` (``''`` outside any)."""
    return "/".join(name_scopes)


def clear_session():
    """Reset automatic names (``dense``, ``dense_1``, ...) as Keras does."""
    _name_counts.clear()


# Set by cornu.initializers when it is imported (the backend must not import it): turns
# an initializer name ("uniform", "glorot_uniform", ...) into an initializer, so that
# `Variable(initializer="uniform", shape=...)` works as in Keras 3.
initializer_from_name = None
