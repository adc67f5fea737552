"""Bidirectional, TimeDistributed and ConvLSTM1D/2D/3D (numpy references; Keras 3's
own outputs are in test_rnn_fixtures.py)."""
import numpy as np
import pytest

import cornu
from cornu import backend, layers
from tests.layers import rnn_reference as ref
from tests.layers.harness import check_layer


def _np(x):
    return backend.convert_to_numpy(x)


def _lstm_run(x, weights, units, go_backwards=False, mask=None, zero=False):
    return ref.scan(lambda xt, s: ref.lstm_step(xt, s, *weights), x,
                    [np.zeros((x.shape[0], units))] * 2, mask, go_backwards, zero)


# ------------------------------------------------------------ Bidirectional

MERGES = {"concat": lambda a, b: np.concatenate([a, b], -1), "sum": np.add,
          "mul": np.multiply, "ave": lambda a, b: (a + b) / 2}


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_bidirectional_lstm_matches_numpy(merge_mode, return_sequences):
    def reference(x, weights):
        _, fseq, _ = _lstm_run(x, weights[:3], 3)
        blast, bseq, _ = _lstm_run(x, weights[3:], 3, go_backwards=True)
        if return_sequences:
            y, y_rev = fseq, bseq[:, ::-1]
        else:
            y, y_rev = fseq[:, -1], blast
        return [y, y_rev] if merge_mode is None else MERGES[merge_mode](y, y_rev)

    width = 6 if merge_mode == "concat" else 3
    out_shape = (2, 4, width) if return_sequences else (2, width)
    check_layer(layers.Bidirectional,
                dict(layer=layers.LSTM(3, return_sequences=return_sequences),
                     merge_mode=merge_mode),
                input_shape=(2, 4, 5), reference=reference,
                expected_output_shape=[out_shape] * 2 if merge_mode is None else out_shape,
                expected_weight_shapes=[(5, 12), (3, 12), (12,)] * 2)


def test_bidirectional_states_masks_and_names():
    x = np.random.default_rng(0).normal(size=(2, 5, 3)).astype("float32")
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], bool)
    layer = layers.Bidirectional(layers.GRU(4, return_sequences=True, return_state=True),
                                 name="bi")
    out, h_fwd, h_bwd = layer(x, mask=mask)
    assert tuple(out.shape) == (2, 5, 8)
    assert [w.path for w in layer.weights][::3] == ["bi/forward_gru/gru_cell/kernel",
                                                    "bi/backward_gru/gru_cell/kernel"]
    w = layer.get_weights()
    step_f = lambda xt, s: ref.gru_step(xt, s, *w[:3])  # noqa: E731
    step_b = lambda xt, s: ref.gru_step(xt, s, *w[3:])  # noqa: E731
    z = [np.zeros((2, 4))]
    _, fseq, fstate = ref.scan(step_f, x, z, mask, zero_output_for_mask=True)
    _, bseq, bstate = ref.scan(step_b, x, z, mask, go_backwards=True, zero_output_for_mask=True)
    np.testing.assert_allclose(_np(out), np.concatenate([fseq, bseq[:, ::-1]], -1), atol=1e-5)
    np.testing.assert_allclose(_np(h_bwd), bstate[0], atol=1e-5)
    assert layer.forward_layer.zero_output_for_mask  # forced with return_sequences
    embedded = layers.Embedding(10, 3, mask_zero=True)(np.array([[1, 2, 0]]))
    seq = layers.Bidirectional(layers.LSTM(2, return_sequences=True))(embedded)
    np.testing.assert_array_equal(_np(seq._keras_mask), [[True, True, False]])


def test_bidirectional_initial_state_backward_layer_and_config():
    x = np.random.default_rng(1).normal(size=(2, 4, 3)).astype("float32")
    states = [np.random.default_rng(i).normal(size=(2, 2)).astype("float32") for i in range(4)]
    layer = layers.Bidirectional(layers.LSTM(2), merge_mode="sum")
    out = layer(x, initial_state=states)
    w = layer.get_weights()
    f_last, _, _ = ref.scan(lambda xt, s: ref.lstm_step(xt, s, *w[:3]), x, states[:2])
    b_last, _, _ = ref.scan(lambda xt, s: ref.lstm_step(xt, s, *w[3:]), x, states[2:],
                            go_backwards=True)
    np.testing.assert_allclose(_np(out), f_last + b_last, atol=1e-5)

    back = layers.SimpleRNN(5, go_backwards=True, name="back")
    mixed = layers.Bidirectional(layers.GRU(3), backward_layer=back)
    assert tuple(mixed(x).shape) == (2, 8) and mixed.backward_layer is back
    config = mixed.get_config()
    assert config["layer"]["config"]["name"] == "forward_gru"
    clone = layers.Bidirectional.from_config(config)
    assert clone.get_config() == config
    with pytest.raises(ValueError, match="go_backwards"):
        layers.Bidirectional(layers.GRU(3), backward_layer=layers.GRU(3))
    with pytest.raises(ValueError, match="return_sequences"):
        layers.Bidirectional(layers.GRU(3), backward_layer=layers.GRU(
            3, go_backwards=True, return_sequences=True))
    with pytest.raises(ValueError, match="merge_mode"):
        layers.Bidirectional(layers.GRU(3), merge_mode="max")
    with pytest.raises(ValueError, match="(?i)layer instance"):
        layers.Bidirectional("lstm")


def test_bidirectional_symbolic_and_trains():
    inputs = cornu.Input((None, 4))
    y, y_rev, *states = layers.Bidirectional(layers.LSTM(3, return_state=True),
                                             merge_mode=None)(inputs)
    assert tuple(y_rev.shape) == (None, 3) and len(states) == 4
    seq, h1, c1, h2, c2 = layers.Bidirectional(
        layers.LSTM(3, return_sequences=True, return_state=True))(inputs)
    assert tuple(seq.shape) == (None, None, 6) and tuple(c2.shape) == (None, 3)
    model = cornu.Sequential([cornu.Input((6, 4)), layers.Bidirectional(layers.GRU(3)),
                              layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    before = model.get_weights()
    model.fit(np.ones((8, 6, 4), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
    assert all(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_bidirectional_weights_argument_and_stateful():
    x = np.ones((2, 3, 4), "float32")
    source = layers.Bidirectional(layers.LSTM(2))
    source(x)
    copy = layers.Bidirectional(layers.LSTM(2), weights=source.get_weights())
    np.testing.assert_allclose(_np(copy(x)), _np(source(x)), atol=1e-6)
    stateful = layers.Bidirectional(layers.GRU(2, stateful=True))
    stateful(x)
    assert len(stateful.states) == 2
    stateful.reset_states()
    assert np.abs(stateful.states[0].numpy()).sum() == 0


# ------------------------------------------------------------ TimeDistributed

def test_time_distributed_dense_matches_numpy():
    def reference(x, weights):
        return x @ weights[0] + weights[1]
    check_layer(layers.TimeDistributed, dict(layer=layers.Dense(3)), input_shape=(2, 4, 5),
                expected_output_shape=(2, 4, 3), expected_weight_shapes=[(5, 3), (3,)],
                reference=reference)


def test_time_distributed_shapes_config_and_errors():
    td = layers.TimeDistributed(layers.Dense(2), name="td")
    y = td(cornu.Input((None, 7, 3)))
    assert tuple(y.shape) == (None, None, 7, 2)
    assert [w.path for w in td.weights] == ["td/dense/kernel", "td/dense/bias"]
    config = td.get_config()
    assert config["layer"]["class_name"] == "Dense"
    assert layers.TimeDistributed.from_config(config).get_config() == config
    inner = layers.TimeDistributed(layers.LSTM(3))          # a sequence per time step
    assert tuple(inner(np.zeros((2, 4, 5, 6), "float32")).shape) == (2, 4, 3)
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        layers.TimeDistributed(layers.Dense(2))(np.zeros((2, 3), "float32"))
    with pytest.raises(ValueError, match="(?i)layer instance"):
        layers.TimeDistributed(lambda x: x)


def test_time_distributed_keeps_the_mask_and_training_flag():
    ids = np.array([[1, 2, 0]])
    emb = layers.Embedding(5, 4, mask_zero=True)(ids)
    y = layers.TimeDistributed(layers.Dense(2))(emb)
    np.testing.assert_array_equal(_np(y._keras_mask), [[True, True, False]])
    drop = layers.TimeDistributed(layers.Dropout(0.5))
    x = np.ones((4, 5, 6), "float32")
    np.testing.assert_array_equal(_np(drop(x)), x)
    assert (_np(drop(x, training=True)) == 0).any()


# ------------------------------------------------------------ ConvLSTM

def conv_lstm_reference(strides=1, dilation=1, padding="valid", return_sequences=False,
                        go_backwards=False, data_format="channels_last", filters=2):
    def reference(x, weights):
        if data_format == "channels_first":
            x = np.moveaxis(x, 2, -1)
        rank = x.ndim - 3
        s, d = (strides,) * rank, (dilation,) * rank
        kernel, recurrent_kernel, bias = weights
        out_sizes = [((n + s_ - 1) // s_ if padding == "same" else
                      (n - d_ * (k - 1) - 1) // s_ + 1)
                     for n, k, s_, d_ in zip(x.shape[2:-1], kernel.shape[:rank], s, d)]
        zeros = np.zeros((x.shape[0], *out_sizes, filters))
        last, seq, _ = ref.scan(
            lambda xt, st: ref.conv_lstm_step(xt, st, kernel, recurrent_kernel, bias, s, d,
                                              padding),
            x, [zeros, zeros], go_backwards=go_backwards)
        out = seq if return_sequences else last
        if data_format == "channels_first":
            out = np.moveaxis(out, -1, 2 if return_sequences else 1)
        return out
    return reference


@pytest.mark.parametrize("cls, shape, kwargs", [
    (layers.ConvLSTM1D, (2, 3, 7, 2), dict(kernel_size=3)),
    (layers.ConvLSTM1D, (2, 3, 7, 2), dict(kernel_size=2, dilation_rate=2,
                                           return_sequences=True)),
    (layers.ConvLSTM2D, (1, 3, 5, 5, 2), dict(kernel_size=3, padding="same",
                                              return_sequences=True)),
    (layers.ConvLSTM2D, (1, 3, 6, 6, 2), dict(kernel_size=3, strides=2, go_backwards=True)),
    (layers.ConvLSTM2D, (1, 2, 2, 5, 5), dict(kernel_size=3, data_format="channels_first",
                                              return_sequences=True)),
    (layers.ConvLSTM3D, (1, 2, 4, 4, 4, 1), dict(kernel_size=3, padding="same")),
])
def test_conv_lstm_matches_numpy(cls, shape, kwargs):
    reference = conv_lstm_reference(
        kwargs.get("strides", 1), kwargs.get("dilation_rate", 1), kwargs.get("padding", "valid"),
        kwargs.get("return_sequences", False), kwargs.get("go_backwards", False),
        kwargs.get("data_format", "channels_last"))
    check_layer(cls, dict(filters=2, **kwargs), input_shape=shape, reference=reference,
                expected_num_trainable_weights=3)


def test_conv_lstm_layout_states_and_errors():
    layer = layers.ConvLSTM2D(4, (3, 2), return_state=True, name="c")
    out, h, c = layer(np.zeros((2, 3, 6, 5, 3), "float32"))
    assert [w.shape for w in layer.weights] == [(3, 2, 3, 16), (3, 2, 4, 16), (16,)]
    assert layer.weights[0].path == "c/conv_lstm_cell/kernel"
    assert tuple(out.shape) == tuple(c.shape) == (2, 4, 4, 4)
    np.testing.assert_array_equal(layer.cell.bias.numpy()[4:8], 1.0)  # unit_forget_bias
    sym = layers.ConvLSTM2D(4, 3, return_sequences=True)(cornu.Input((None, 8, 8, 1)))
    assert tuple(sym.shape) == (None, None, 6, 6, 4)
    config = layer.get_config()
    assert config["kernel_size"] == [3, 2] and layers.ConvLSTM2D.from_config(
        config).get_config() == config
    with pytest.raises(ValueError, match="ndim=5"):
        layers.ConvLSTM2D(2, 3)(np.zeros((2, 3, 4, 4), "float32"))
    with pytest.raises(ValueError, match="padding"):
        layers.ConvLSTM1D(2, 3, padding="causal")
    with pytest.raises(ValueError, match="dilation_rate"):
        layers.ConvLSTM1D(2, 3, strides=2, dilation_rate=2)
    masked = layers.ConvLSTM1D(2, 3, return_sequences=True)
    mask = np.array([[1, 1, 0], [1, 0, 0]], bool)
    out = masked(np.ones((2, 3, 5, 1), "float32"), mask=mask)
    np.testing.assert_allclose(_np(out)[1, 1], _np(out)[1, 0])  # masked: previous output
