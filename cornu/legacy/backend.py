"""Keras 2's backend functions (``import keras.backend as K``): K.int_shape, K.sum, ...

Each is a thin spelling of a ``cornu.ops`` function or of the config; they are
reached as attributes of ``cornu.backend``.
"""
import numpy as np

from cornu import ops
from cornu.backend.common.keras_tensor import KerasTensor


def int_shape(x):
    """The shape of ``x`` as a tuple of ints (None where unknown)."""
    return tuple(x.shape)


def shape(x):
    return ops.shape(x)


def ndim(x):
    return len(x.shape)


def dtype(x):
    return ops.dtype(x)


def is_keras_tensor(x):
    return isinstance(x, KerasTensor)


def get_value(x):
    """The value of a variable or tensor as a numpy array."""
    return ops.convert_to_numpy(x)


eval = get_value


def batch_get_value(xs):
    return [get_value(x) for x in xs]


def set_value(x, value):
    """Assign ``value`` to variable ``x``."""
    x.assign(np.asarray(value))


def batch_set_value(pairs):
    for x, value in pairs:
        set_value(x, value)


def variable(value, dtype=None, name=None, constraint=None):
    from cornu import backend
    v = backend.Variable(np.asarray(value), dtype=dtype, name=name)
    v.constraint = constraint
    return v


def constant(value, dtype=None, shape=None, name=None):
    value = np.asarray(value, dtype=dtype)
    if shape is not None:
        value = np.broadcast_to(value, shape)
    return ops.convert_to_tensor(value)


def zeros(shape, dtype=None, name=None):
    return ops.zeros(shape, dtype=dtype)


def ones(shape, dtype=None, name=None):
    return ops.ones(shape, dtype=dtype)


def cast_to_floatx(x):
    from cornu.backend.config import floatx
    return np.asarray(x, dtype=floatx())


def learning_phase():
    from cornu.layers.layer import _ctx
    return 1 if _ctx.training else 0


def _reduction(name):
    def fn(x, axis=None, keepdims=False):
        return getattr(ops, name)(x, axis=axis, keepdims=keepdims)
    fn.__name__ = name
    fn.__doc__ = f"``cornu.ops.{name}`` with Keras 2's signature."
    return fn


sum = _reduction("sum")
mean = _reduction("mean")
max = _reduction("max")
min = _reduction("min")
prod = _reduction("prod")
std = _reduction("std")
var = _reduction("var")
any = _reduction("any")
all = _reduction("all")


def dot(x, y):
    return ops.matmul(x, y)


def batch_dot(x, y, axes=None):
    from cornu.layers.merging import Dot
    return Dot(axes=axes if axes is not None else (len(x.shape) - 1, len(y.shape) - 2))([x, y])


def concatenate(tensors, axis=-1):
    return ops.concatenate(tensors, axis=axis)


def reshape(x, shape):
    return ops.reshape(x, shape)


def permute_dimensions(x, pattern):
    return ops.transpose(x, pattern)


def expand_dims(x, axis=-1):
    return ops.expand_dims(x, axis)


def squeeze(x, axis):
    return ops.squeeze(x, axis)


def clip(x, min_value, max_value):
    return ops.clip(x, min_value, max_value)


def argmax(x, axis=-1):
    return ops.argmax(x, axis=axis)


def argmin(x, axis=-1):
    return ops.argmin(x, axis=axis)


def softmax(x, axis=-1):
    return ops.softmax(x, axis=axis)


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    return ops.categorical_crossentropy(target, output, from_logits=from_logits, axis=axis)


def binary_crossentropy(target, output, from_logits=False):
    return ops.binary_crossentropy(target, output, from_logits=from_logits)


def _elementwise(name, op=None):
    def fn(x):
        return getattr(ops, op or name)(x)
    fn.__name__ = name
    fn.__doc__ = f"``cornu.ops.{op or name}``."
    return fn


for _name, _op in (("exp", None), ("log", None), ("sqrt", None), ("square", None),
                   ("abs", "absolute"), ("sign", None), ("round", None), ("relu", None),
                   ("sigmoid", None), ("tanh", None), ("softplus", None), ("softsign", None),
                   ("elu", None), ("sin", None), ("cos", None)):
    globals()[_name] = _elementwise(_name, _op)
del _name, _op


def pow(x, a):
    return ops.power(x, a)


def maximum(x, y):
    return ops.maximum(x, y)


def minimum(x, y):
    return ops.minimum(x, y)


def equal(x, y):
    return ops.equal(x, y)


def gather(reference, indices):
    return ops.take(reference, indices, axis=0)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    from cornu import backend
    return backend.random.normal(shape, mean=mean, stddev=stddev, dtype=dtype, seed=seed)


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    from cornu import backend
    return backend.random.uniform(shape, minval=minval, maxval=maxval, dtype=dtype, seed=seed)


def image_dim_ordering():
    """Keras 1's name: 'tf' for channels_last, 'th' for channels_first."""
    from cornu.backend.config import image_data_format
    return "tf" if image_data_format() == "channels_last" else "th"


def set_image_dim_ordering(ordering):
    from cornu.backend.config import set_image_data_format
    set_image_data_format({"tf": "channels_last", "th": "channels_first"}.get(ordering, ordering))
