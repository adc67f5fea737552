"""Keras 2's backend tensor functions (``K.l2_normalize``, ``K.switch``, ``K.rnn``, ...).

Each has its Keras 2 meaning on eager tensors and on symbolic ``KerasTensor``s (it is
made of ``cornu.ops``, which records graph nodes on symbolic inputs). The functions
that only made sense in TensorFlow 1 graphs raise an error that says what to write
instead. Reached as attributes of ``cornu.backend`` (``keras.backend``); the full
table of Keras 2.15's ``keras.backend`` names is in ``cornu.legacy.backend``.
"""
import contextlib

import numpy as np

from cornu import ops


def _t(x):
    """numpy arrays and numbers as tensors (so Python operators work); tensors and
    symbolic tensors as they are."""
    if isinstance(x, (np.ndarray, np.generic, float, int)):
        return ops.convert_to_tensor(x)
    return x


def _floatx():
    from cornu.backend.config import floatx
    return floatx()


def _callable_value(x):
    return x() if callable(x) else x


# ----------------------------------------------------------------- creation

def arange(start, stop=None, step=1, dtype="int32"):
    """``ops.arange`` with Keras 2's default dtype (int32)."""
    return ops.arange(start, stop, step, dtype=dtype)


def eye(size, dtype=None, name=None):
    """An identity matrix as a variable (Keras 2 returns a variable); ``size`` may be a
    pair ``(rows, columns)``."""
    from cornu import backend
    rows, columns = (size, size) if isinstance(size, int) else size
    return backend.Variable(np.eye(rows, columns), dtype=dtype or _floatx(), name=name)


def ones_like(x, dtype=None, name=None):
    return ops.ones_like(x, dtype=dtype)


def zeros_like(x, dtype=None, name=None):
    return ops.zeros_like(x, dtype=dtype)


def random_normal_variable(shape, mean, scale, dtype=None, name=None, seed=None):
    """A variable of normal samples (Keras 2)."""
    from cornu import backend
    value = backend.random.normal(shape, mean=mean, stddev=scale, dtype=dtype or _floatx(),
                                  seed=seed)
    return backend.Variable(value, dtype=dtype or _floatx(), name=name)


def random_uniform_variable(shape, low, high, dtype=None, name=None, seed=None):
    """A variable of uniform samples in ``[low, high)`` (Keras 2)."""
    from cornu import backend
    value = backend.random.uniform(shape, minval=low, maxval=high, dtype=dtype or _floatx(),
                                   seed=seed)
    return backend.Variable(value, dtype=dtype or _floatx(), name=name)


def random_bernoulli(shape, p=0.0, dtype=None, seed=None):
    """Samples of 1 with probability ``p``, else 0."""
    from cornu import backend
    u = backend.random.uniform(shape, dtype=dtype or _floatx(), seed=seed)
    return ops.cast(ops.less(u, p), dtype or _floatx())


random_binomial = random_bernoulli


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    from cornu import backend
    return backend.random.truncated_normal(shape, mean=mean, stddev=stddev,
                                           dtype=dtype or _floatx(), seed=seed)


# ----------------------------------------------------------------- shapes

def flatten(x):
    """``x`` as one axis."""
    return ops.reshape(x, (-1,))


def batch_flatten(x):
    """``x`` as ``(batch, everything else)``."""
    return ops.reshape(x, (-1, int(np.prod(x.shape[1:]))))


def stack(x, axis=0):
    return ops.stack(x, axis=axis)


def tile(x, n):
    return ops.tile(x, [n] if isinstance(n, int) else n)


def transpose(x):
    return ops.transpose(x)


def repeat(x, n):
    """``(batch, dim)`` to ``(batch, n, dim)``."""
    if len(x.shape) != 2:
        raise ValueError(f"K.repeat expects a 2D tensor (batch, dim); received shape "
                         f"{tuple(x.shape)}. Use K.repeat_elements for other ranks.")
    return ops.repeat(ops.expand_dims(x, 1), n, axis=1)


def repeat_elements(x, rep, axis):
    """Each slice along ``axis`` repeated ``rep`` times (like ``np.repeat``)."""
    return ops.repeat(x, rep, axis=axis)


def reverse(x, axes):
    return ops.flip(x, axis=axes if isinstance(axes, int) else tuple(axes))


def one_hot(indices, num_classes):
    return ops.one_hot(indices, num_classes)


def count_params(x):
    """The number of scalars in ``x``."""
    return int(np.prod(x.shape))


def to_dense(tensor):
    return tensor  # cornu has no sparse tensors


def is_sparse(tensor):
    return False


# ----------------------------------------------------------------- math

def cumsum(x, axis=0):
    return ops.cumsum(x, axis=axis)


def cumprod(x, axis=0):
    return ops.cumprod(x, axis=axis)


def l2_normalize(x, axis=None):
    """``x / sqrt(max(sum(x**2, axis), 1e-12))``."""
    x = _t(x)
    square_sum = ops.sum(ops.square(x), axis=axis, keepdims=True)
    return x * ops.rsqrt(ops.maximum(square_sum, 1e-12))


def hard_sigmoid(x):
    """Keras 2's hard sigmoid: ``clip(0.2 x + 0.5, 0, 1)``."""
    return ops.clip(0.2 * x + 0.5, 0.0, 1.0)


def greater(x, y):
    return ops.greater(x, y)


def greater_equal(x, y):
    return ops.greater_equal(x, y)


def less(x, y):
    return ops.less(x, y)


def less_equal(x, y):
    return ops.less_equal(x, y)


def not_equal(x, y):
    return ops.not_equal(x, y)


def stop_gradient(variables):
    """``variables`` (a tensor or a list of them) with no gradient flowing back."""
    if isinstance(variables, (list, tuple)):
        return [ops.stop_gradient(v) for v in variables]
    return ops.stop_gradient(variables)


def in_top_k(predictions, targets, k):
    return ops.in_top_k(targets, predictions, k)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    return ops.sparse_categorical_crossentropy(target, output, from_logits=from_logits,
                                               axis=axis)


def _focal_weight(p_t, gamma):
    return ops.power(1.0 - p_t, gamma)


def binary_focal_crossentropy(target, output, apply_class_balancing=False, alpha=0.25,
                              gamma=2.0, from_logits=False):
    """Elementwise binary focal cross-entropy (Keras 2; no reduction)."""
    output = _t(output)
    target = ops.cast(target, output.dtype)
    if from_logits:
        output = ops.sigmoid(output)
    bce = ops.binary_crossentropy(target, output)
    p_t = target * output + (1.0 - target) * (1.0 - output)
    loss = _focal_weight(p_t, gamma) * bce
    if apply_class_balancing:
        loss = (target * alpha + (1.0 - target) * (1.0 - alpha)) * loss
    return loss


def categorical_focal_crossentropy(target, output, alpha=0.25, gamma=2.0, from_logits=False,
                                   axis=-1):
    """Categorical focal cross-entropy summed over ``axis`` (Keras 2)."""
    target, output = _t(target), _t(output)
    output = ops.softmax(output, axis=axis) if from_logits else (
        output / ops.sum(output, axis=axis, keepdims=True))
    output = ops.clip(output, 1e-7, 1.0 - 1e-7)
    loss = -target * ops.log(output) * alpha * _focal_weight(output, gamma)
    return ops.sum(loss, axis=axis)


def dropout(x, level, noise_shape=None, seed=None):
    """Inverted dropout: zero with probability ``level``, scale the rest by
    ``1 / (1 - level)``."""
    from cornu import backend
    return backend.random.dropout(x, level, noise_shape=noise_shape, seed=seed)


# ----------------------------------------------------------------- variables

def update(x, new_x):
    return x.assign(new_x)


def update_add(x, increment):
    return x.assign_add(increment)


def update_sub(x, decrement):
    return x.assign_sub(decrement)


def moving_average_update(x, value, momentum):
    """``x = x * momentum + value * (1 - momentum)``."""
    return x.assign(x.value * momentum + _t(value) * (1.0 - momentum))


def manual_variable_initialization(value):
    """Accepted for Keras 2 programs: cornu variables are always initialized when made."""


def reset_uids():
    """Restart automatic layer names (``dense``, ``dense_1``, ...) from zero."""
    from cornu.backend.common import global_state
    global_state.clear_session()


def print_tensor(x, message="", summarize=3):
    """Print ``message`` and ``x``'s value, and return ``x``."""
    print(message, ops.convert_to_numpy(x) if not hasattr(x, "_keras_history") else x)
    return x


# ----------------------------------------------------------------- control flow

def switch(condition, then_expression, else_expression):
    """``then_expression`` where ``condition`` holds, else ``else_expression`` (either may
    be a callable). A scalar Python condition picks one branch."""
    if isinstance(condition, (bool, int, np.bool_)):
        return _callable_value(then_expression if condition else else_expression)
    then_value, else_value = _callable_value(then_expression), _callable_value(else_expression)
    condition = ops.cast(condition, "bool")
    while len(condition.shape) < len(getattr(then_value, "shape", ())):
        condition = ops.expand_dims(condition, -1)
    return ops.where(condition, then_value, else_value)


def _phase(training):
    if training is None:
        from cornu.legacy.backend import learning_phase
        training = learning_phase()
    return training


def in_train_phase(x, alt, training=None):
    """``x`` in the training phase, ``alt`` otherwise (either may be a callable)."""
    training = _phase(training)
    if isinstance(training, (bool, int, np.integer)):
        return _callable_value(x if training else alt)
    return switch(training, x, alt)


def in_test_phase(x, alt, training=None):
    """``x`` in the test phase, ``alt`` otherwise."""
    return in_train_phase(alt, x, training=training)


def _training_state():
    from cornu.layers import layer
    return layer._ctx


def set_learning_phase(value):
    """Make layers run in training (1) or inference (0) mode when a call does not say
    (Keras 2). Deprecated there too: pass ``training=`` to the call instead."""
    if value not in (0, 1):
        raise ValueError(f"Expected learning phase to be 0 or 1; received {value!r}.")
    _training_state().training = bool(value)


@contextlib.contextmanager
def learning_phase_scope(value):
    """Training (1) or inference (0) mode inside the block."""
    if value not in (0, 1):
        raise ValueError(f"Expected learning phase to be 0 or 1; received {value!r}.")
    state = _training_state()
    previous, state.training = state.training, bool(value)
    try:
        yield
    finally:
        state.training = previous


@contextlib.contextmanager
def name_scope(name):
    """A name scope (accepted for Keras 2 programs; names are not prefixed)."""
    yield name


def map_fn(fn, elems, name=None, dtype=None):
    """``fn`` applied to each slice of ``elems`` along the first axis, stacked."""
    return ops.stack([fn(elems[i]) for i in range(elems.shape[0])])


def foldl(fn, elems, initializer=None, name=None):
    """Reduce ``elems`` along its first axis from the left: ``acc = fn(acc, x)``."""
    start = 0 if initializer is not None else 1
    acc = initializer if initializer is not None else elems[0]
    for i in range(start, elems.shape[0]):
        acc = fn(acc, elems[i])
    return acc


def foldr(fn, elems, initializer=None, name=None):
    """Reduce ``elems`` along its first axis from the right."""
    last = elems.shape[0] - 1
    acc = initializer if initializer is not None else elems[last]
    for i in range(last - (initializer is None), -1, -1):
        acc = fn(acc, elems[i])
    return acc


# ----------------------------------------------------------------- TensorFlow 1 graphs

def placeholder(shape=None, ndim=None, dtype=None, sparse=False, name=None, ragged=False):
    """Keras 2's graph input: cornu's is ``keras.Input`` (``shape`` without the batch)."""
    raise RuntimeError(
        "K.placeholder() made a TensorFlow 1 graph input. Use `keras.Input(shape=...)` "
        "(the shape without the batch axis), then build a model on it.")


def gradients(loss, variables):
    """TensorFlow 1's symbolic gradients: not available; say what to write instead."""
    raise RuntimeError(
        "K.gradients() differentiated a TensorFlow 1 graph. In cornu, write a custom "
        "`train_step` (or a torch loop: `loss.backward()` fills `variable.value.grad`), "
        "or use `model.fit`.")


def ctc_label_dense_to_sparse(labels, label_lengths):
    """Keras 2 made a sparse label tensor; cornu's CTC functions take dense labels."""
    raise RuntimeError(
        "cornu has no sparse tensors: K.ctc_batch_cost and keras.ops.ctc_loss take the dense "
        "labels (padded) and their lengths directly.")


def function(inputs, outputs, updates=None, name=None, **kwargs):
    """A callable computing ``outputs`` from ``inputs`` (KerasTensors of a model): called
    with a list of arrays, it returns a list of numpy arrays (Keras 2's ``K.function``)."""
    from cornu.backend.common.keras_tensor import KerasTensor
    from cornu.models.functional import Functional
    inputs = [x for x in (inputs if isinstance(inputs, (list, tuple)) else [inputs])
              if isinstance(x, KerasTensor)]  # a K.learning_phase() entry is dropped
    single = not isinstance(outputs, (list, tuple))
    graph = Functional(inputs, [outputs] if single else list(outputs))

    def run(values):
        values = list(values) if isinstance(values, (list, tuple)) else [values]
        results = graph(values[:len(inputs)] if len(inputs) > 1 else values[0])
        results = results if isinstance(results, (list, tuple)) else [results]
        return [ops.convert_to_numpy(r) for r in results]
    return run
