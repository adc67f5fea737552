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


def _children(x):
    """``(path entry, child)`` pairs of a list, tuple or dict (dicts in sorted-key order)."""
    if isinstance(x, dict):
        return [(k, x[k]) for k in sorted(x)]
    return list(enumerate(x))


def _rebuild(like, values):
    """A structure of the type of ``like`` holding ``values`` (in ``_children`` order)."""
    if isinstance(like, dict):
        done = dict(zip(sorted(like), values))
        return type(like)((k, done[k]) for k in like)
    if isinstance(like, tuple) and hasattr(like, "_fields"):
        return type(like)(*values)
    return type(like)(values)


def flatten_with_path(structure):
    """The leaves of ``structure`` as ``(path, leaf)`` pairs.

    A path is a tuple of list/tuple indices and dict keys (dicts in sorted-key order)
    that leads from the top to the leaf.

    Example:

    >>> cornu.tree.flatten_with_path([{"foo": 42}])
    [((0, 'foo'), 42)]

    Args:
        structure: a nest of lists, tuples and dicts.

    Returns:
        A list of ``(path, leaf)`` pairs in ``flatten`` order.
    """
    out = []

    def walk(x, path):
        if is_nested(x):
            for key, child in _children(x):
                walk(child, path + (key,))
        else:
            out.append((path, x))
    walk(structure, ())
    return out


class MAP_TO_NONE:
    """Special value for ``traverse``: return it to replace a sub-tree with ``None``."""


def traverse(func, structure, top_down=True):
    """Apply ``func`` to every sub-tree of ``structure``, depth first.

    Top-down (the default), parents are visited before their children: where
    ``func(subtree)`` is None the walk goes into the sub-tree; otherwise the sub-tree
    is replaced by that value and not entered. Bottom-up, children come first and a
    sub-tree is replaced by ``func(subtree)`` unless that is None. Return
    ``MAP_TO_NONE`` to replace a sub-tree with ``None``.

    Example:

    >>> v = []
    >>> cornu.tree.traverse(v.append, [(1, 2), [3], {"a": 4}])
    [(1, 2), [3], {'a': 4}]
    >>> v
    [[(1, 2), [3], {'a': 4}], (1, 2), 1, 2, [3], 3, {'a': 4}, 4]

    Args:
        func: a function of one sub-tree.
        structure: a nest of lists, tuples and dicts.
        top_down: visit parents before children (True) or after.

    Returns:
        The structure with the replacements made.
    """
    if not callable(func):
        raise TypeError(f"`func` must be callable; received {func!r}.")

    def result(value, original):
        if value is None:
            return original
        return None if value is MAP_TO_NONE else value

    def walk(x):
        if top_down:
            value = func(x)
            if value is not None:
                return result(value, x)
        if is_nested(x):
            x = _rebuild(x, [walk(child) for _, child in _children(x)])
        return result(func(x), x) if not top_down else x
    return walk(structure)


def map_structure_up_to(shallow_structure, func, *structures):
    """Like ``map_structure``, but only down to the depth of ``shallow_structure``:
    what lies deeper in ``structures`` is passed to ``func`` whole.

    Example:

    >>> cornu.tree.map_structure_up_to([None, [None, None]], str, [[1, 1], [2, 2]])
    ['[1, 1]', ['2', '2']]

    Args:
        shallow_structure: a nest whose layout every structure contains.
        func: a function of as many arguments as there are structures.
        *structures: nests at least as deep as ``shallow_structure``.

    Returns:
        A nest with the layout of ``shallow_structure``.

    Raises:
        ValueError: when a structure is shallower than ``shallow_structure`` or its
            containers or keys differ from it.
    """
    if not structures:
        raise TypeError("map_structure_up_to needs at least one structure to map.")
    if not callable(func):
        raise TypeError(f"`func` must be callable; received {func!r}.")

    def walk(shallow, parts, path):
        if not is_nested(shallow):
            return func(*parts)
        for part in parts:
            if not isinstance(part, (dict,) if isinstance(shallow, dict) else (list, tuple)):
                raise ValueError(
                    f"At path {path}: expected a {type(shallow).__name__} as in the shallow "
                    f"structure; received {type(part).__name__} {part!r}.")
            if isinstance(shallow, dict) and sorted(part) != sorted(shallow):
                raise ValueError(f"At path {path}: expected the keys {sorted(shallow)}; "
                                 f"received {sorted(part)}.")
            if not isinstance(shallow, dict) and len(part) != len(shallow):
                raise ValueError(f"At path {path}: expected {len(shallow)} items as in the "
                                 f"shallow structure; received {len(part)}.")
        keys = [k for k, _ in _children(shallow)]
        return _rebuild(shallow, [walk(shallow[k], [p[k] for p in parts], path + (k,))
                                  for k in keys])
    return walk(shallow_structure, list(structures), ())


def assert_same_paths(a, b):
    """Raise ValueError unless ``a`` and ``b`` have the same leaf paths (indices and
    keys); unlike ``assert_same_structure``, a list and a tuple (or two namedtuple
    types) with the same items are alike.

    Example:

    >>> cornu.tree.assert_same_paths([0, 1], (2, 3))

    Args:
        a: a nest of lists, tuples and dicts.
        b: another.

    Raises:
        ValueError: naming the paths found in only one of them.
    """
    paths_a = {p for p, _ in flatten_with_path(a)}
    paths_b = {p for p, _ in flatten_with_path(b)}
    if paths_a != paths_b:
        message = "`a` and `b` don't have the same paths."
        if paths_a - paths_b:
            message += f"\nPaths in `a` missing in `b`:\n{paths_a - paths_b}"
        if paths_b - paths_a:
            message += f"\nPaths in `b` missing in `a`:\n{paths_b - paths_a}"
        raise ValueError(message)


def lists_to_tuples(structure):
    """``structure`` with every list, at any depth, turned into a tuple.

    Args:
        structure: a nest of lists, tuples and dicts.

    Returns:
        The same nest, with tuples where it had lists.
    """
    if isinstance(structure, list):
        return tuple(lists_to_tuples(x) for x in structure)
    if is_nested(structure):
        return _rebuild(structure, [lists_to_tuples(x) for _, x in _children(structure)])
    return structure


def _is_shape(x):
    return isinstance(x, (list, tuple)) and all(
        d is None or (isinstance(d, int) and not isinstance(d, bool)) for d in x)


def map_shape_structure(func, structure):
    """``map_structure`` for nests of shapes: a list or tuple of ints and Nones is a
    shape, passed to ``func`` whole (as are the other leaves).

    Example:

    >>> cornu.tree.map_shape_structure(len, {"x": (None, 3), "y": [(2, 2, 1)]})
    {'x': 2, 'y': [3]}

    Args:
        func: a function of one shape.
        structure: a nest of shapes.

    Returns:
        The nest with ``func`` applied to each shape.
    """
    if _is_shape(structure) or not is_nested(structure):
        return func(structure)
    return _rebuild(structure, [map_shape_structure(func, x) for _, x in _children(structure)])
