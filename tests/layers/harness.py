"""The shared layer test harness: every layer goes through ``check_layer``.

It checks, for one set of constructor arguments and one input shape:
- eager and symbolic output shapes agree (the symbolic one from a shape-only run);
- ``get_config`` / ``from_config`` (and ``layers.serialize`` / ``deserialize``) round-trip;
- the number of trainable and non-trainable weights, and their shapes (Keras's order);
- one training step changes every trainable weight (unless ``train=False``);
- the output equals ``reference(inputs, weights)`` when a reference is given.
"""
import numpy as np

import cornu
from cornu import backend, layers


def _np(x):
    return backend.convert_to_numpy(x)


def _random_input(shape, dtype, rng):
    if dtype.startswith("int"):
        return rng.integers(0, 10, size=shape).astype(dtype)
    if dtype == "bool":
        return rng.random(shape) > 0.5
    return rng.normal(size=shape).astype(dtype)


def _shape_of(out):
    if isinstance(out, (list, tuple)):
        return [tuple(o.shape) for o in out]
    return tuple(out.shape)


def _batchless(shape):
    if isinstance(shape, list):
        return [_batchless(s) for s in shape]
    return (None,) + tuple(shape[1:])


def check_layer(layer_cls, init_kwargs=None, input_shape=(2, 3), input_dtype="float32",
                input_data=None, expected_output_shape=None, expected_num_trainable_weights=None,
                expected_num_non_trainable_weights=None, expected_weight_shapes=None,
                reference=None, atol=1e-5, train=True, call_kwargs=None, seed=0):
    """Run the harness on ``layer_cls(**init_kwargs)``; returns the eager output (numpy)."""
    init_kwargs = dict(init_kwargs or {})
    call_kwargs = dict(call_kwargs or {})
    rng = np.random.default_rng(seed)
    if input_data is None:
        if isinstance(input_shape, list):
            input_data = [_random_input(s, input_dtype, rng) for s in input_shape]
        else:
            input_data = _random_input(input_shape, input_dtype, rng)

    # Eager call.
    layer = layer_cls(**init_kwargs)
    out = layer(input_data, **call_kwargs)
    eager_shape = _shape_of(out)
    if expected_output_shape is not None:
        assert eager_shape == (list(map(tuple, expected_output_shape)) if isinstance(
            expected_output_shape, list) else tuple(expected_output_shape)), eager_shape

    # Weights: counts, shapes, order.
    if expected_num_trainable_weights is not None:
        assert len(layer.trainable_weights) == expected_num_trainable_weights, [
            w.path for w in layer.trainable_weights]
    if expected_num_non_trainable_weights is not None:
        assert len(layer.non_trainable_weights) == expected_num_non_trainable_weights, [
            w.path for w in layer.non_trainable_weights]
    if expected_weight_shapes is not None:
        assert [tuple(w.shape) for w in layer.weights] == [
            tuple(s) for s in expected_weight_shapes], [w.shape for w in layer.weights]

    # Symbolic call on a fresh layer: same shapes, batch dimension unknown.
    symbolic_layer = layer_cls(**init_kwargs)
    if isinstance(input_data, list):
        sym_in = [cornu.Input(batch_shape=(None,) + tuple(x.shape[1:]), dtype=str(x.dtype))
                  for x in input_data]
    else:
        sym_in = cornu.Input(batch_shape=(None,) + tuple(input_data.shape[1:]),
                             dtype=str(input_data.dtype))
    sym_out = symbolic_layer(sym_in, **call_kwargs)
    sym_shape = _shape_of(sym_out)
    expected_sym = _batchless(eager_shape)
    if isinstance(sym_shape, list):
        for s, e in zip(sym_shape, expected_sym):
            assert all(a is None or a == b for a, b in zip(s, e)) and len(s) == len(e), (
                sym_shape, eager_shape)
    else:
        assert len(sym_shape) == len(expected_sym) and all(
            a is None or a == b for a, b in zip(sym_shape, expected_sym)), (sym_shape, eager_shape)

    # Config round trips.
    config = layer.get_config()
    clone = layer_cls.from_config(config)
    assert clone.get_config() == config, (clone.get_config(), config)
    again = layers.deserialize(layers.serialize(layer))
    assert type(again) is layer_cls and again.get_config() == config

    # Numerics against an independent reference.
    if reference is not None:
        expected = reference(input_data, [w.numpy() for w in layer.weights])
        got = [_np(o) for o in out] if isinstance(out, (list, tuple)) else _np(out)
        if isinstance(expected, (list, tuple)):
            for g, e in zip(got, expected):
                np.testing.assert_allclose(g, e, atol=atol, rtol=atol)
        else:
            np.testing.assert_allclose(got, expected, atol=atol, rtol=atol)

    # One training step changes every trainable weight.
    if train and layer.trainable_weights and not isinstance(out, (list, tuple)):
        model = cornu.Model(sym_in, sym_out)
        model.set_weights([w.numpy() for w in layer.weights]) if len(model.weights) == len(
            layer.weights) else None
        before = [w.numpy().copy() for w in symbolic_layer.trainable_weights]
        model.compile(optimizer=cornu.optimizers.SGD(0.1), loss="mse")
        target = np.random.default_rng(1).normal(size=eager_shape).astype("float32")
        model.train_on_batch(input_data, target)
        after = [w.numpy() for w in symbolic_layer.trainable_weights]
        for w, b, a in zip(symbolic_layer.trainable_weights, before, after):
            assert not np.array_equal(b, a), f"{w.path} did not change in a training step"
    return [_np(o) for o in out] if isinstance(out, (list, tuple)) else _np(out)
