"""``keras.utils.pack_x_y_sample_weight`` / ``unpack_x_y_sample_weight``: the
``(x, y, sample_weight)`` form of a batch that ``fit`` and ``train_step`` use."""
from cornu.trainers.data_adapters import unpack_x_y_sample_weight  # noqa: F401


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """The batch form of ``x``, ``y`` and ``sample_weight`` that ``fit`` takes.

    Args:
        x: the inputs.
        y: the targets, or None.
        sample_weight: the sample weights, or None.

    Returns:
        ``x`` alone when there is no ``y`` (``(x,)`` when ``x`` is itself a tuple or
        list, so that it is not read as ``(x, y)``), else ``(x, y)`` or
        ``(x, y, sample_weight)``.

    Example:

    >>> cornu.utils.pack_x_y_sample_weight([1, 2], [3])
    ([1, 2], [3])
    """
    if y is None:
        return (x,) if isinstance(x, (tuple, list)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)
