"""Recurrent layers: SimpleRNN, LSTM, GRU, their cells, RNN, StackedRNNCells.

Numbers are checked against numpy (tests/layers/rnn_reference.py); the fused
kernel path against the step-by-step path on the same weights; Keras 3's own
outputs in test_rnn_fixtures.py; the wrappers and ConvLSTM in test_rnn_wrappers.py.
"""
import warnings

import numpy as np
import pytest
import torch

import cornu
from cornu import backend, layers, ops
from cornu.backend.common.keras_tensor import KerasTensor
from tests.layers import rnn_reference as ref
from tests.layers.harness import check_layer

RIGHT = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 0, 0, 0, 0]], bool)
LEFT = np.array([[1, 1, 1, 1, 1], [0, 0, 1, 1, 1], [0, 0, 0, 0, 1]], bool)
HOLES = np.array([[1, 0, 1, 1, 0], [0, 1, 1, 0, 1], [0, 0, 0, 0, 0]], bool)


def _np(x):
    return backend.convert_to_numpy(x)


def _zeros(x, units, n):
    return [np.zeros((x.shape[0], units)) for _ in range(n)]


def lstm_reference(units, go_backwards=False, return_sequences=False, return_state=False,
                   mask=None, zero_output_for_mask=False, act="tanh", gate="sigmoid"):
    def reference(x, weights):
        kernel, recurrent_kernel, *bias = weights
        bias = bias[0] if bias else None
        last, seq, states = ref.scan(
            lambda xt, s: ref.lstm_step(xt, s, kernel, recurrent_kernel, bias, act, gate),
            x, _zeros(x, units, 2), mask, go_backwards, zero_output_for_mask)
        out = seq if return_sequences else last
        return [out, *states] if return_state else out
    return reference


def gru_reference(units, reset_after=True, go_backwards=False, return_sequences=False,
                  return_state=False, mask=None):
    def reference(x, weights):
        kernel, recurrent_kernel, *bias = weights
        bias = bias[0] if bias else None
        last, seq, states = ref.scan(
            lambda xt, s: ref.gru_step(xt, s, kernel, recurrent_kernel, bias, reset_after),
            x, _zeros(x, units, 1), mask, go_backwards)
        out = seq if return_sequences else last
        return [out, *states] if return_state else out
    return reference


def simple_reference(units, act="tanh", go_backwards=False, return_sequences=False,
                     return_state=False):
    def reference(x, weights):
        kernel, recurrent_kernel, *bias = weights
        bias = bias[0] if bias else None
        last, seq, states = ref.scan(
            lambda xt, s: ref.simple_step(xt, s, kernel, recurrent_kernel, bias, act),
            x, _zeros(x, units, 1), None, go_backwards)
        out = seq if return_sequences else last
        return [out, *states] if return_state else out
    return reference


# ------------------------------------------------------------ the harness, against numpy

@pytest.mark.parametrize("kwargs", [
    {}, {"return_sequences": True}, {"go_backwards": True, "return_sequences": True},
    {"return_state": True}, {"use_bias": False, "unit_forget_bias": False},
    {"recurrent_activation": "hard_sigmoid", "return_sequences": True},
    {"unroll": True, "return_sequences": True},
])
def test_lstm_harness(kwargs):
    check_layer(layers.LSTM, dict(units=4, **kwargs), input_shape=(3, 5, 2),
                expected_num_trainable_weights=3 - (not kwargs.get("use_bias", True)),
                reference=lstm_reference(
                    4, kwargs.get("go_backwards", False), kwargs.get("return_sequences", False),
                    kwargs.get("return_state", False),
                    gate=kwargs.get("recurrent_activation", "sigmoid")))


@pytest.mark.parametrize("kwargs", [
    {}, {"return_sequences": True}, {"reset_after": False, "return_sequences": True},
    {"reset_after": False, "use_bias": False}, {"use_bias": False},
    {"go_backwards": True, "return_state": True},
])
def test_gru_harness(kwargs):
    reset_after = kwargs.get("reset_after", True)
    shapes = [(2, 12), (4, 12)]
    if kwargs.get("use_bias", True):
        shapes.append((2, 12) if reset_after else (12,))
    check_layer(layers.GRU, dict(units=4, **kwargs), input_shape=(3, 5, 2),
                expected_weight_shapes=shapes,
                reference=gru_reference(4, reset_after, kwargs.get("go_backwards", False),
                                        kwargs.get("return_sequences", False),
                                        kwargs.get("return_state", False)))


@pytest.mark.parametrize("kwargs", [
    {}, {"activation": "relu", "return_sequences": True}, {"activation": "linear"},
    {"go_backwards": True, "return_state": True, "return_sequences": True},
])
def test_simple_rnn_harness(kwargs):
    check_layer(layers.SimpleRNN, dict(units=4, **kwargs), input_shape=(3, 5, 2),
                expected_weight_shapes=[(2, 4), (4, 4), (4,)],
                reference=simple_reference(
                    4, kwargs.get("activation", "tanh"), kwargs.get("go_backwards", False),
                    kwargs.get("return_sequences", False), kwargs.get("return_state", False)))


@pytest.mark.parametrize("cell, reference", [
    (lambda: layers.LSTMCell(3), lstm_reference(3, return_sequences=True)),
    (lambda: layers.GRUCell(3), gru_reference(3, return_sequences=True)),
    (lambda: layers.GRUCell(3, reset_after=False), gru_reference(3, False, return_sequences=True)),
    (lambda: layers.SimpleRNNCell(3), simple_reference(3, return_sequences=True)),
])
def test_rnn_of_a_cell_matches_numpy(cell, reference):
    check_layer(layers.RNN, dict(cell=cell(), return_sequences=True), input_shape=(2, 4, 3),
                reference=reference)


def test_stacked_cells_harness():
    def reference(x, weights):
        kl, rl, bl, ks, rs, bs = weights

        def step(xt, s):
            o1, s1 = ref.lstm_step(xt, s[:2], kl, rl, bl)
            o2, s2 = ref.simple_step(o1, s[2:], ks, rs, bs)
            return o2, s1 + s2
        return ref.scan(step, x, [np.zeros((x.shape[0], 3))] * 2 + [np.zeros((x.shape[0], 2))])[1]
    check_layer(layers.RNN, dict(cell=[layers.LSTMCell(3), layers.SimpleRNNCell(2)],
                                 return_sequences=True),
                input_shape=(2, 4, 3), reference=reference,
                expected_weight_shapes=[(3, 12), (3, 12), (12,), (3, 2), (2, 2), (2,)])


def test_cells_called_alone():
    x = np.random.default_rng(0).normal(size=(2, 3)).astype("float32")
    cell = layers.LSTMCell(4)
    h, (h2, c) = cell(x, [np.zeros((2, 4), "float32"), np.zeros((2, 4), "float32")])
    w = [v.numpy() for v in cell.weights]
    expected, _ = ref.lstm_step(x, [np.zeros((2, 4))] * 2, *w)
    np.testing.assert_allclose(_np(h), expected, atol=1e-6)
    assert h2 is h and tuple(c.shape) == (2, 4)
    gru = layers.GRUCell(4)
    out, state = gru(x, np.zeros((2, 4), "float32"))   # a single state, not nested
    assert not isinstance(state, (list, tuple)) and tuple(out.shape) == (2, 4)
    assert [v.path for v in cell.weights] == ["lstm_cell/kernel", "lstm_cell/recurrent_kernel",
                                              "lstm_cell/bias"]


# ------------------------------------------------------------ Keras's weight layout

def test_lstm_weights_layout_names_and_forget_bias():
    layer = layers.LSTM(5)
    layer(np.zeros((2, 3, 7), "float32"))
    assert [w.path for w in layer.weights] == [
        "lstm/lstm_cell/kernel", "lstm/lstm_cell/recurrent_kernel", "lstm/lstm_cell/bias"]
    assert [w.shape for w in layer.weights] == [(7, 20), (5, 20), (20,)]
    np.testing.assert_array_equal(layer.cell.bias.numpy(), [0] * 5 + [1] * 5 + [0] * 10)
    rk = layer.cell.recurrent_kernel.numpy()  # orthogonal rows by default
    np.testing.assert_allclose(rk @ rk.T, np.eye(5), atol=1e-5)
    assert layer.count_params() == 4 * (5 * (7 + 5) + 5)


def test_gru_and_simple_rnn_paths():
    gru = layers.GRU(3, name="g")
    gru(np.zeros((1, 2, 4), "float32"))
    assert [w.path for w in gru.weights] == ["g/gru_cell/kernel", "g/gru_cell/recurrent_kernel",
                                             "g/gru_cell/bias"]
    rnn = layers.SimpleRNN(3)
    rnn(np.zeros((1, 2, 4), "float32"))
    assert rnn.weights[0].path == "simple_rnn/simple_rnn_cell/kernel"


def test_layer_reads_hyperparameters_through_its_cell():
    layer = layers.LSTM(6, dropout=1.5, recurrent_activation="hard_sigmoid", seed=3)
    assert layer.units == 6 and layer.dropout == 1.0 and layer.seed == 3
    assert layer.recurrent_activation is cornu.activations.hard_sigmoid
    assert layers.GRU(2, reset_after=False).reset_after is False


# ------------------------------------------------------------ the fused path

def _paths(layer, x, mask=None, training=False):
    states = layer._initial_states(x, None)
    fused = layer._fused_call(x, states, mask, training)
    loop = layer._loop(x, states, mask, training)
    return fused, loop


def _flat(result):
    last, seq, states = result
    return [last] + ([seq] if seq is not None else []) + list(states)


@pytest.mark.parametrize("make", [
    lambda **k: layers.LSTM(5, **k), lambda **k: layers.GRU(5, **k),
    lambda **k: layers.SimpleRNN(5, **k), lambda **k: layers.SimpleRNN(5, activation="relu", **k),
    lambda **k: layers.LSTM(5, use_bias=False, **k), lambda **k: layers.GRU(5, use_bias=False, **k),
])
@pytest.mark.parametrize("kwargs", [
    {}, {"return_sequences": True}, {"go_backwards": True, "return_sequences": True},
    {"return_sequences": True, "zero_output_for_mask": True},
])
@pytest.mark.parametrize("mask", [None, RIGHT, LEFT, "block", "all"])
def test_fused_equals_step_by_step(make, kwargs, mask):
    rng = np.random.default_rng(0)
    x = ops.convert_to_tensor(rng.normal(size=(3, 5, 4)).astype("float32"))
    if isinstance(mask, str):
        mask = (np.array([[0, 1, 1, 1, 0], [1, 1, 0, 0, 0], [0, 0, 1, 1, 1]], bool)
                if mask == "block" else np.ones((3, 5), bool))
    mask = None if mask is None else ops.convert_to_tensor(mask)
    layer = make(**kwargs)
    layer(x)
    layer.set_weights([rng.normal(scale=0.5, size=w.shape) for w in layer.weights])
    fused, loop = _paths(layer, x, mask)
    assert fused is not None, "the fused kernel refused a mask it handles"
    for a, b in zip(_flat(fused), _flat(loop)):
        np.testing.assert_allclose(_np(a), _np(b), atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("make", [lambda: layers.LSTM(4, return_sequences=True),
                                  lambda: layers.GRU(4, return_sequences=True)])
def test_fused_gradients_reach_the_keras_variables(make):
    rng = np.random.default_rng(1)
    x = ops.convert_to_tensor(rng.normal(size=(2, 6, 3)).astype("float32"))
    layer = make()
    layer(x)
    grads = []
    for path in ("fused", "loop"):
        states = layer._initial_states(x, None)
        result = (layer._fused_call if path == "fused" else layer._loop)(x, states, None, False)
        loss = (result[1] ** 2).sum() + (result[2][0] * 3).sum()
        grads.append(torch.autograd.grad(loss, [w.value for w in layer.weights]))
    for a, b in zip(*grads):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-5, rtol=1e-4)


def test_fused_path_is_taken_only_when_allowed():
    x = ops.convert_to_tensor(np.zeros((2, 3, 4), "float32"))
    holes = ops.convert_to_tensor(HOLES[:2])
    assert layers.LSTM(3)._fused_mode() == "lstm"
    assert layers.GRU(3)._fused_mode() == "gru"
    assert layers.SimpleRNN(3)._fused_mode() == "rnn_tanh"
    for layer in (layers.LSTM(3, recurrent_dropout=0.1), layers.LSTM(3, activation="relu"),
                  layers.LSTM(3, unroll=True), layers.GRU(3, reset_after=False),
                  layers.LSTM(3, use_cudnn=False), layers.SimpleRNN(3, activation="elu")):
        assert layer._fused_mode() is None, layer.get_config()
    lstm = layers.LSTM(3)
    lstm(x)
    states = lstm._initial_states(x, None)
    x5 = ops.convert_to_tensor(np.zeros((2, 5, 4), "float32"))
    assert lstm._fused_call(x5, states, holes, False) is None   # not one block: the loop
    with pytest.raises(ValueError, match="use_cudnn=True"):
        layers.LSTM(3, activation="relu", use_cudnn=True)(x)
    with pytest.raises(ValueError, match="use_cudnn"):
        layers.GRU(3, use_cudnn="yes")


def test_step_by_step_path_runs_on_meta_tensors():
    layer = layers.LSTM(4, return_sequences=True, return_state=True)
    layer(np.zeros((2, 3, 5), "float32"))
    spec = backend.compute_output_spec(
        lambda x: layer._loop(x, layer._initial_states(x, None), None, False),
        KerasTensor((2, 7, 5)))
    assert tuple(spec[1].shape) == (2, 7, 4) and tuple(spec[2][1].shape) == (2, 4)
    assert layer._fused_call(torch.empty((2, 7, 5), device="meta"),
                             layer._initial_states(torch.empty((2, 7, 5), device="meta"), None),
                             None, False) is None


# ------------------------------------------------------------ masks

@pytest.mark.parametrize("mask", [RIGHT, LEFT, HOLES])
@pytest.mark.parametrize("zero", [False, True])
def test_masked_lstm_and_gru_match_keras_rules(mask, zero):
    x = np.random.default_rng(2).normal(size=(3, 5, 2)).astype("float32")
    lstm = layers.LSTM(3, return_sequences=True, return_state=True, zero_output_for_mask=zero)
    out = lstm(x, mask=mask)
    got = [_np(o) for o in out]
    want = lstm_reference(3, return_sequences=True, return_state=True, mask=mask,
                          zero_output_for_mask=zero)(x, lstm.get_weights())
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, atol=1e-5)
    gru = layers.GRU(3, go_backwards=True)
    np.testing.assert_allclose(
        _np(gru(x, mask=mask)),
        gru_reference(3, go_backwards=True, mask=mask)(x, gru.get_weights()), atol=1e-5)


def test_mask_from_embedding_flows_through():
    embed = layers.Embedding(20, 4, mask_zero=True)
    lstm = layers.LSTM(3, return_sequences=True)
    ids = np.array([[0, 0, 3, 4, 5], [1, 2, 3, 0, 0]])
    y = lstm(embed(ids))
    np.testing.assert_array_equal(_np(y._keras_mask), ids != 0)
    x = _np(embed(ids))
    want = lstm_reference(3, return_sequences=True, mask=ids != 0)(x, lstm.get_weights())
    np.testing.assert_allclose(_np(y), want, atol=1e-5)
    last = layers.LSTM(3)
    assert getattr(last(embed(ids)), "_keras_mask", None) is None


# ------------------------------------------------------------ states

def test_initial_state_and_keras2_list_inputs():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 4, 3)).astype("float32")
    h0, c0 = (rng.normal(size=(2, 5)).astype("float32") for _ in range(2))
    layer = layers.LSTM(5, return_state=True)
    out, h, c = layer(x, initial_state=[h0, c0])
    w = layer.get_weights()
    _, _, states = ref.scan(lambda xt, s: ref.lstm_step(xt, s, *w), x, [h0, c0])
    np.testing.assert_allclose(_np(h), states[0], atol=1e-5)
    np.testing.assert_allclose(_np(c), states[1], atol=1e-5)
    out2, _, _ = layer([x, h0, c0])
    np.testing.assert_allclose(_np(out2), _np(out), atol=1e-6)
    gru = layers.GRU(5)
    gru(x, initial_state=h0)  # a single tensor for a single state


def test_symbolic_initial_state_builds_an_encoder_decoder():
    enc_in = cornu.Input((None, 6))
    _, h, c = layers.LSTM(8, return_state=True)(enc_in)
    dec_in = cornu.Input((None, 5))
    seq = layers.LSTM(8, return_sequences=True)(dec_in, initial_state=[h, c])
    out = layers.Dense(5)(seq)
    model = cornu.Model([enc_in, dec_in], out)
    assert tuple(out.shape) == (None, None, 5) and tuple(h.shape) == (None, 8)
    y = model.predict([np.zeros((2, 3, 6), "float32"), np.zeros((2, 4, 5), "float32")],
                      verbose=0)
    assert y.shape == (2, 4, 5)


def test_stateful_carries_states_between_batches_and_resets():
    rng = np.random.default_rng(4)
    a, b = (rng.normal(size=(2, 3, 4)).astype("float32") for _ in range(2))
    layer = layers.LSTM(3, stateful=True, return_sequences=False)
    first = _np(layer(a))
    second = _np(layer(b))
    full = layers.LSTM(3)
    full(a)
    full.set_weights(layer.get_weights())
    np.testing.assert_allclose(second, _np(full(np.concatenate([a, b], axis=1))), atol=1e-5)
    assert len(layer.weights) == 3  # the states are not weights
    layer.reset_states()
    np.testing.assert_allclose(_np(layer(a)), first, atol=1e-6)
    layer.reset_states([np.ones((2, 3)), np.zeros((2, 3))])
    np.testing.assert_allclose(layer.states[0].numpy(), 1.0)
    with pytest.raises(ValueError, match="stateful with batch size 2"):
        layer(np.zeros((5, 3, 4), "float32"))
    with pytest.raises(AttributeError, match="stateful"):
        layers.GRU(2).reset_states()


def test_stateful_model_with_fixed_batch_trains():
    model = cornu.Sequential([cornu.Input(batch_shape=(4, 3, 2)),
                              layers.GRU(5, stateful=True), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((8, 3, 2), "float32"), np.ones((8, 1), "float32")
    model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    gru = model.layers[0]
    assert np.abs(gru.states[0].numpy()).sum() > 0
    gru.reset_states()
    assert np.abs(gru.states[0].numpy()).sum() == 0


# ------------------------------------------------------------ generic RNN, stacks, custom cells

class MinimalRNNCell(layers.Layer):
    """The custom cell of Keras's RNN docstring."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                name="recurrent_kernel")

    def call(self, inputs, states):
        output = ops.matmul(inputs, self.kernel) + ops.matmul(states[0], self.recurrent_kernel)
        return output, [output]


def test_custom_cell_and_its_shapes():
    x = np.random.default_rng(5).normal(size=(2, 4, 3)).astype("float32")
    layer = layers.RNN(MinimalRNNCell(6), return_sequences=True, return_state=True)
    out, state = layer(x)
    k, rk = layer.get_weights()

    def step(xt, s):
        h = xt @ k + s[0] @ rk
        return h, [h]
    _, seq, _ = ref.scan(step, x, [np.zeros((2, 6))])
    np.testing.assert_allclose(_np(out), seq, atol=1e-5)
    sym = layers.RNN(MinimalRNNCell(6))(cornu.Input((None, 3)))
    assert tuple(sym.shape) == (None, 6)
    with pytest.raises(ValueError, match="state_size"):
        layers.RNN(layers.Dense(3))


def test_stacked_cells_match_numpy_and_nest_states():
    x = np.random.default_rng(6).normal(size=(2, 4, 3)).astype("float32")
    layer = layers.RNN([layers.LSTMCell(4), layers.GRUCell(5)], return_state=True)
    out, (h1, c1), h2 = layer(x)
    kl, rl, bl, kg, rg, bg = layer.get_weights()

    def step(xt, s):
        o1, s1 = ref.lstm_step(xt, s[:2], kl, rl, bl)
        o2, s2 = ref.gru_step(o1, s[2:], kg, rg, bg)
        return o2, s1 + s2
    last, _, states = ref.scan(step, x, [np.zeros((2, 4))] * 2 + [np.zeros((2, 5))])
    np.testing.assert_allclose(_np(out), last, atol=1e-5)
    np.testing.assert_allclose(_np(c1), states[1], atol=1e-5)
    assert [w.path for w in layer.weights][:1] == ["rnn/stacked_rnn_cells/lstm_cell/kernel"]
    sym = layers.RNN([layers.LSTMCell(4), layers.GRUCell(5)], return_state=True)(
        cornu.Input((None, 3)))
    assert tuple(sym[0].shape) == (None, 5) and tuple(sym[1][1].shape) == (None, 4)
    config = layer.get_config()
    clone = layers.RNN.from_config(config)
    assert clone.get_config() == config


# ------------------------------------------------------------ dropout

def test_dropout_only_in_training_and_fixed_over_time():
    x = np.ones((4, 6, 5), "float32")
    for layer in (layers.LSTM(3, dropout=0.5, seed=1), layers.GRU(3, recurrent_dropout=0.5,
                                                                    dropout=0.3, seed=1),
                  layers.SimpleRNN(3, dropout=0.5, recurrent_dropout=0.5, seed=2),
                  layers.LSTM(3, dropout=0.4, recurrent_dropout=0.4, seed=3)):
        infer = _np(layer(x))
        np.testing.assert_allclose(infer, _np(layer(x, training=False)))
        trained = _np(layer(x, training=True))
        assert not np.allclose(trained, infer), layer.name
        assert layer.cell._dropout_mask is None  # masks live for one call only


def test_regularizers_and_constraints_reach_the_cell_weights():
    layer = layers.LSTM(3, kernel_regularizer="l2", recurrent_regularizer=cornu.regularizers.L1(
        0.1), bias_constraint="non_neg", activity_regularizer="l2")
    layer(np.ones((2, 3, 4), "float32"))
    assert len(layer.losses) == 3  # kernel, recurrent kernel, activity
    assert layer.cell.bias.constraint is not None
    config = layer.get_config()
    assert config["kernel_regularizer"]["class_name"] == "L2"
    assert layers.LSTM.from_config(config).get_config() == config


# ------------------------------------------------------------ shapes, config, errors

def test_symbolic_shapes_with_unknown_time():
    x = cornu.Input((None, 6))
    assert tuple(layers.LSTM(12)(x).shape) == (None, 12)
    seq, h, c = layers.LSTM(7, return_sequences=True, return_state=True)(x)
    assert tuple(seq.shape) == (None, None, 7) and tuple(c.shape) == (None, 7)
    assert tuple(layers.GRU(5, return_state=True)(x)[1].shape) == (None, 5)
    with pytest.raises(ValueError, match="unroll"):
        layers.SimpleRNN(3, unroll=True)(x)


def test_keras2_configs_and_arguments_load():
    config = layers.LSTM(4).get_config()
    config.update(implementation=2, time_major=False)
    assert layers.LSTM.from_config(config).units == 4
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        layer = layers.LSTM(output_dim=5, inner_activation="hard_sigmoid", dropout_W=0.1,
                            dropout_U=0.2, return_sequences=True)
    assert layer.units == 5 and layer.recurrent_dropout == 0.2
    assert layers.CuDNNLSTM is layers.LSTM and layers.CuDNNGRU is layers.GRU


def test_errors_name_the_layer():
    with pytest.raises(ValueError, match=r"'lstm'.*expected ndim=3.*\(2, 3\)"):
        layers.LSTM(3)(np.zeros((2, 3), "float32"))
    with pytest.raises(ValueError, match="units"):
        layers.GRU(0)
    with pytest.raises(ValueError, match="units"):
        layers.SimpleRNNCell(-2)
    with pytest.raises(TypeError, match="return_sequences"):
        layers.LSTM(3, return_sequence=True)
    layer = layers.LSTM(3, name="encoder")
    layer(np.zeros((2, 4, 5), "float32"))
    with pytest.raises(ValueError, match="'encoder'.*axis -1.*value 5"):
        layer(np.zeros((2, 4, 6), "float32"))


# ------------------------------------------------------------ the seed programs' models

def test_seed_lstm_parameter_counts():
    layer = layers.LSTM(100)
    layer(np.zeros((1, 2, 32), "float32"))
    assert layer.count_params() == 4 * (100 * (32 + 100) + 100)
    if not hasattr(layers, "Embedding"):
        pytest.skip("Embedding is not written yet")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        model = cornu.Sequential([layers.Embedding(5000, 32, input_length=200),
                                  layers.LSTM(100), layers.Dense(1, activation="sigmoid")])
        model.build((None, 200))
    assert model.count_params() == 213301


def test_seed_003_multi_input_model_builds():
    if not hasattr(layers, "Embedding"):
        pytest.skip("Embedding is not written yet")
    title = cornu.Input(shape=(None,), name="title")
    body = cornu.Input(shape=(None,), name="body")
    tags = cornu.Input(shape=(12,), name="tags")
    title_features = layers.LSTM(128)(layers.Embedding(10000, 64)(title))
    body_features = layers.LSTM(32)(layers.Embedding(10000, 64)(body))
    x = layers.concatenate([title_features, body_features, tags])
    priority = layers.Dense(1, name="priority")(x)
    department = layers.Dense(4, name="department")(x)
    model = cornu.Model(inputs=[title, body, tags], outputs=[priority, department])
    assert tuple(priority.shape) == (None, 1) and tuple(department.shape) == (None, 4)
    p, d = model.predict([np.ones((3, 7), "int32"), np.ones((3, 11), "int32"),
                          np.zeros((3, 12), "float32")], verbose=0)
    assert p.shape == (3, 1) and d.shape == (3, 4)
