"""``keras.ops.rearrange``: einops-style axis rearrangement (reorder, merge, split axes)."""
import math
import re

from cornu import backend as _backend
from cornu.ops._dispatch import make_op as _make_op

_TOKEN = re.compile(r"\(([^)]*)\)|(\w+)")


def _groups(side, where):
    """``"b (h w) c"`` as ``[["b"], ["h", "w"], ["c"]]``."""
    groups, end = [], 0
    for m in _TOKEN.finditer(side):
        if side[end:m.start()].strip():
            raise ValueError(f"rearrange: cannot read {side[end:m.start()].strip()!r} in the "
                             f"{where} pattern {side!r}. Use names and (grouped names).")
        groups.append(m.group(1).split() if m.group(1) is not None else [m.group(2)])
        end = m.end()
    if side[end:].strip():
        raise ValueError(f"rearrange: cannot read {side[end:].strip()!r} in the {where} "
                         f"pattern {side!r}.")
    return groups


def rearrange(tensor, pattern, **axes_lengths):
    """Rearrange the axes of ``tensor`` as an einops pattern says.

    Args:
        tensor: Input tensor.
        pattern: ``"input axes -> output axes"``, each axis a name; ``(h w)`` is one axis
            made of (or split into) several, e.g. ``"b h w c -> b (h w) c"``.
        **axes_lengths: Lengths of the names inside an input group, all but one of them
            (``h1=2``).

    Returns:
        The rearranged tensor.

    Example:
    >>> x = np.zeros((2, 4, 6, 3))
    >>> rearrange(x, "b (h1 h) w c -> (b h1) h w c", h1=2).shape
    (4, 2, 6, 3)
    """
    if pattern.count("->") != 1:
        raise ValueError(f"rearrange: the pattern must look like 'b h w c -> b c h w'; "
                         f"received {pattern!r}.")
    left, right = (_groups(side, where) for side, where in zip(pattern.split("->"),
                                                                ("input", "output")))
    x = _backend.convert_to_tensor(tensor)
    shape = tuple(x.shape)
    if len(left) != len(shape):
        raise ValueError(f"rearrange: the input pattern names {len(left)} axes but the "
                         f"tensor has shape {shape}.")
    sizes = {}
    for group, dim in zip(left, shape):
        unknown = [a for a in group if a not in axes_lengths]
        known = math.prod(axes_lengths[a] for a in group if a in axes_lengths)
        if len(unknown) > 1:
            raise ValueError(f"rearrange: give the lengths of all but one of {group} "
                             f"(e.g. {unknown[0]}=...).")
        for a in group:
            sizes[a] = axes_lengths[a] if a in axes_lengths else dim // known
    names = [a for group in left for a in group]
    out_names = [a for group in right for a in group]
    if sorted(names) != sorted(out_names):
        raise ValueError(f"rearrange: both sides must name the same axes; received "
                         f"{names} -> {out_names}.")
    npx = _backend.numpy
    split = [sizes[a] for a in names]  # 1. split grouped input axes
    if tuple(split) != shape:
        x = npx.reshape(x, split)
    x = npx.transpose(x, [names.index(a) for a in out_names])  # 2. reorder
    return npx.reshape(x, [math.prod(sizes[a] for a in g) for g in right])  # 3. merge


rearrange = _make_op("rearrange", rearrange)

__all__ = ["rearrange"]
