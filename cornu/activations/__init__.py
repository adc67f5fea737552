"""Activation functions (Keras 3's ``keras.activations``), written with ``cornu.ops``.

Most are the ops themselves (``activations.relu6 is ops.relu6``), so a layer's
activation costs one op call. ``get`` turns a name, a config or a callable into
a function; ``serialize`` gives the name back.
"""
import difflib

from cornu import backend, ops
from cornu.saving import serialization

# The same functions as the ops of the same name (signatures and defaults agree).
celu = ops.celu
elu = ops.elu
glu = ops.glu
hard_shrink = ops.hard_shrink
hard_sigmoid = ops.hard_sigmoid
hard_silu = hard_swish = ops.hard_silu
hard_tanh = ops.hard_tanh
leaky_relu = ops.leaky_relu
log_sigmoid = ops.log_sigmoid
log_softmax = ops.log_softmax
relu6 = ops.relu6
selu = ops.selu
silu = swish = ops.silu
soft_shrink = ops.soft_shrink
softplus = ops.softplus
softsign = ops.softsign
sparse_plus = ops.sparse_plus
sparse_sigmoid = ops.sparse_sigmoid
sparsemax = ops.sparsemax
squareplus = ops.squareplus
tanh = ops.tanh
tanh_shrink = ops.tanh_shrink
threshold = ops.threshold


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit, with Keras's options.

    Args:
        x: input tensor.
        negative_slope: slope below ``threshold`` (0 gives the plain ReLU).
        max_value: if given, the output is capped at this value.
        threshold: values at or below it are zeroed (or scaled by ``negative_slope``).

    Example:
        >>> relu([-2.0, 0.5, 9.0], max_value=6.0)  # [0.0, 0.5, 6.0]
    """
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return ops.relu(x)
    if max_value is None and threshold == 0.0:
        return ops.leaky_relu(x, negative_slope)
    y = ops.threshold(x, threshold, 0.0) if threshold != 0.0 else ops.relu(x)
    if max_value is not None:
        y = ops.clip(y, 0.0, max_value)
    if negative_slope != 0.0:
        y = ops.subtract(y, ops.multiply(ops.relu(ops.subtract(threshold, x)), negative_slope))
    return y


def sigmoid(x):
    """Logistic sigmoid ``1 / (1 + exp(-x))``.

    A cross-entropy given this output (with ``from_logits=False``) works from ``x``
    itself, as Keras 2 does, so a saturated output still has a gradient.
    """
    if backend.is_tensor(x):
        return backend.logits.sigmoid(x)
    return ops.sigmoid(x)


def softmax(x, axis=-1):
    """Softmax over ``axis`` (an int, a tuple of ints, or None for all axes).

    As with ``sigmoid``, a cross-entropy over the same axis works from ``x``.
    """
    if axis.__class__ is int and backend.is_tensor(x) and x.is_floating_point():
        return backend.logits.softmax(x, axis)
    return ops.softmax(x, axis)


def gelu(x, approximate=False):
    """Gaussian error linear unit ``x * P(X <= x)``, exact unless ``approximate``
    (Keras's activation defaults to exact; ``ops.gelu`` to the tanh approximation)."""
    return ops.gelu(x, approximate=approximate)


def exponential(x):
    """``exp(x)``."""
    return ops.exp(x)


def mish(x):
    """``x * tanh(softplus(x))`` (Misra, 2019)."""
    return ops.multiply(x, ops.tanh(ops.softplus(x)))


def linear(x):
    """The identity: returns ``x`` unchanged."""
    return x


_ALL = {fn.__name__: fn for fn in (
    celu, elu, exponential, gelu, glu, hard_shrink, hard_sigmoid, hard_silu, hard_tanh,
    leaky_relu, linear, log_sigmoid, log_softmax, mish, relu, relu6, selu, sigmoid, silu,
    soft_shrink, softmax, softplus, softsign, sparse_plus, sparse_sigmoid, sparsemax,
    squareplus, tanh, tanh_shrink, threshold)}
_ALL.update(swish=silu, hard_swish=hard_silu)


def serialize(activation):
    """The name an activation is saved under: ``serialize(relu) == "relu"``."""
    name = getattr(activation, "__name__", None)
    if _ALL.get(name) is activation:
        return name
    return serialization.serialize_keras_object(activation)


def deserialize(config, custom_objects=None):
    """The activation named by ``config``: a name, or a Keras config dict
    (``{"class_name": "function", "config": "relu"}``, or a layer's config)."""
    if isinstance(config, dict) and config.get("class_name") == "function":
        config = config.get("config")
    if isinstance(config, str):
        fn = _ALL.get(config) or serialization.get_registered_object(config, custom_objects)
        if fn is None:
            close = difflib.get_close_matches(config, _ALL, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ValueError(
                f"Unknown activation {config!r}.{hint} Valid names: {', '.join(sorted(_ALL))}. "
                "A custom function can be passed directly, or registered with "
                "`cornu.saving.register_keras_serializable`.")
        return fn
    from cornu import layers  # an activation saved as a layer, e.g. LeakyReLU
    classes = {k: v for k, v in vars(layers).items() if isinstance(v, type)}
    return serialization.deserialize_keras_object(config, classes, custom_objects)


def get(identifier):
    """An activation function from a name, a config dict or a callable; None is ``linear``."""
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret activation identifier {identifier!r}: expected a name such "
        "as 'relu', a config dict, or a callable.")
