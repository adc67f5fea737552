"""Sizes given to layer constructors, as the Python ints the layers store.

Keras 2 programs pass NumPy integers where a size is expected (``Dense(num_classes)``
with ``num_classes = np.max(y_train) + 1``), and Keras 2 took them; so does cornu,
while Keras 3 refuses anything but a Python ``int``. Integral floats (``32.0``, from
``x.shape[1] / 2``) are taken as Keras 2 took them, with a DeprecationWarning. Other
values (``2.5``, ``True``, strings) pass through unchanged, for the layer's own check
to refuse with its own message. The layer stores plain ints, so its ``get_config`` is
JSON.
"""
import numbers
import warnings


def integral(value, name=None):
    """``value`` as a Python int when it is an integral number, else ``value`` itself.

    Args:
        value: the argument as received.
        name: the argument's name, for the warning about integral floats.

    Returns:
        ``int(value)`` for a NumPy or Python integer (not a bool) or an integral float;
        ``value`` unchanged otherwise.
    """
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real) and float(value).is_integer():
        warnings.warn(
            f"`{name or 'size'}={value!r}` is a float; Keras 3 requires an integer. cornu "
            f"uses {int(value)}, as Keras 2 did; pass `{name or 'size'}={int(value)}`.",
            DeprecationWarning, stacklevel=3)
        return int(value)
    return value


def integral_sizes(value, name=None):
    """``integral`` applied to a size or to the items of a (nested) tuple or list of
    sizes; the container type is kept."""
    if isinstance(value, (tuple, list)):
        return type(value)(integral_sizes(v, name) for v in value)
    return integral(value, name)
