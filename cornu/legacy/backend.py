"""Keras 2's backend functions (``import keras.backend as K``): K.int_shape, K.sum, ...

They are reached as attributes of ``cornu.backend``. Each has its Keras 2 meaning on
eager tensors and on symbolic ``KerasTensor``s (they are made of ``cornu.ops``).
Every name Keras 2.15 exports as ``keras.backend.<name>`` is here
(tests/legacy/test_keras2_backend.py checks the list made by an oracle script):

=================  ===========================================================================
group              names
=================  ===========================================================================
values, variables  backend, cast, cast_to_floatx, constant, count_params, dtype, eval, eye,
                   get_value, batch_get_value, set_value, batch_set_value, int_shape,
                   is_keras_tensor, is_sparse, ndim, ones, ones_like, shape, to_dense, update,
                   update_add, update_sub, moving_average_update, variable, zeros, zeros_like,
                   random_normal_variable, random_uniform_variable
random             random_bernoulli, random_binomial, random_normal, random_uniform,
                   truncated_normal, dropout
math               abs, all, any, argmax, argmin, clip, cos, cumprod, cumsum, equal, exp,
                   greater, greater_equal, less, less_equal, log, max, maximum, mean, min,
                   minimum, not_equal, pow, prod, round, sign, sin, sqrt, square, std, sum, var,
                   l2_normalize, in_top_k, stop_gradient
shapes             arange, batch_flatten, concatenate, expand_dims, flatten, gather, one_hot,
                   permute_dimensions, repeat, repeat_elements, reshape, reverse, squeeze,
                   stack, tile, transpose, dot, batch_dot
activations,       elu, hard_sigmoid, relu, sigmoid, softmax, softplus, softsign, tanh,
losses             binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy,
                   categorical_focal_crossentropy, sparse_categorical_crossentropy,
                   ctc_batch_cost, ctc_decode (the blank is the last class, as in Keras 2)
layers' math       bias_add, conv1d (with "causal"), conv2d, conv2d_transpose, conv3d,
                   depthwise_conv2d, separable_conv2d, local_conv1d, local_conv2d, pool2d,
                   pool3d, temporal_padding, spatial_2d_padding, spatial_3d_padding,
                   resize_images, resize_volumes, batch_normalization,
                   normalize_batch_in_training
control flow       switch, in_train_phase, in_test_phase, learning_phase,
                   set_learning_phase, learning_phase_scope, rnn, map_fn, foldl, foldr,
                   function (``K.function([model.input], [layer.output])``), print_tensor
session            clear_session, get_uid, reset_uids, name_scope (no prefixing),
                   manual_variable_initialization (a no-op: variables start initialized)
TensorFlow 1 only  placeholder (use ``keras.Input``), gradients (use a custom ``train_step``
                   or ``loss.backward()``), ctc_label_dense_to_sparse (cornu has no sparse
                   tensors; the CTC functions take dense labels): these raise an error that
                   says what to write instead
=================  ===========================================================================
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


def _bind_public(module_name):
    """The public functions of a sibling module, as names of this one."""
    import importlib
    import types
    module = importlib.import_module(module_name)
    for name, value in vars(module).items():
        if not name.startswith("_") and not isinstance(value, types.ModuleType) and (
                getattr(value, "__module__", None) == module_name):
            globals()[name] = value


_bind_public("cornu.legacy.backend_math")
_bind_public("cornu.legacy.backend_nn")
