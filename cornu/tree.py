"""Nested structures of lists, tuples and dicts (``keras.tree``).

Dicts are walked in sorted-key order, as Keras does, so that flattening is
stable whatever the insertion order was.
"""


def is_nested(x):
    """True for a list, tuple or dict."""
    return isinstance(x, (list, tuple, dict))


def flatten(structure):
    """The leaves of ``structure`` in a flat list (``None`` is a leaf)."""
    out = []
    _flatten_into(structure, out)
    return out


def _flatten_into(x, out):
    if isinstance(x, (list, tuple)):
        for item in x:
            _flatten_into(item, out)
    elif isinstance(x, dict):
        for key in sorted(x):
            _flatten_into(x[key], out)
    else:
        out.append(x)


def map_structure(fn, *structures):
    """Apply ``fn`` to the leaves of one or more structures of the same shape."""
    first = structures[0]
    if isinstance(first, dict):
        done = {k: map_structure(fn, *(s[k] for s in structures)) for k in sorted(first)}
        return type(first)((k, done[k]) for k in first)
    if isinstance(first, (list, tuple)):
        items = [map_structure(fn, *parts) for parts in zip(*structures)]
        if isinstance(first, tuple) and hasattr(first, "_fields"):
            return type(first)(*items)
        return type(first)(items)
    return fn(*structures)


def pack_sequence_as(structure, flat_sequence):
    """Put the items of ``flat_sequence`` back into the shape of ``structure``."""
    it = iter(flat_sequence)
    result = map_structure(lambda _: next(it), structure)
    return result


def assert_same_structure(a, b):
    """Raise ValueError when ``a`` and ``b`` are not nested the same way."""
    if is_nested(a) != is_nested(b) or (is_nested(a) and (
            type(a) is dict) != (type(b) is dict)):
        raise ValueError(f"Structures differ: {a!r} and {b!r}.")
    if isinstance(a, dict):
        if sorted(a) != sorted(b):
            raise ValueError(f"Dict keys differ: {sorted(a)} and {sorted(b)}.")
        for k in a:
            assert_same_structure(a[k], b[k])
    elif is_nested(a):
        if len(a) != len(b):
            raise ValueError(f"Lengths differ: {len(a)} and {len(b)}.")
        for x, y in zip(a, b):
            assert_same_structure(x, y)
