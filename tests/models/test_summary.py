"""model.summary(): Keras's table, totals with separators, Connected to, options."""
import numpy as np

import cornu as keras
from cornu import layers


def _summary(model, **kwargs):
    lines = []
    model.summary(print_fn=lines.append, **kwargs)
    return "\n".join(lines)


def test_sequential_like_functional_has_no_connected_column():
    inputs = keras.Input(shape=(784,))
    x = layers.Dense(64, activation="relu")(inputs)
    outputs = layers.Dense(10)(x)
    text = _summary(keras.Model(inputs, outputs, name="mnist_model"))
    assert text.splitlines()[0] == 'Model: "mnist_model"'
    assert "Layer (type)" in text and "Output Shape" in text and "Param #" in text
    assert "Connected to" not in text
    assert "dense (Dense)" in text and "(None, 64)" in text and "50,240" in text
    assert " Total params: 50,890 (198.79 KB)" in text
    assert " Trainable params: 50,890" in text and " Non-trainable params: 0 (0.00 B)" in text


def test_branching_model_shows_connections():
    def get_model():
        i = keras.Input(shape=(128,))
        return keras.Model(i, layers.Dense(1)(i))

    inputs = keras.Input(shape=(128,))
    outs = [get_model()(inputs) for _ in range(3)]
    model = keras.Model(inputs, layers.average(outs))
    text = _summary(model)
    assert "Connected to" in text and "387" in text
    assert "functional[0][0]" in text and "functional_2[0][0]" in text
    assert "input_layer[0][0]" in text


def test_options_and_unbuilt():
    model = keras.Sequential([layers.Dense(3, input_shape=(2,))])
    model.layers[0].trainable = False
    text = _summary(model, show_trainable=True, line_length=100)
    assert "Trainable" in text and " N " in text
    assert max(len(l) for l in text.splitlines()[1:6]) <= 112
    assert "Non-trainable params: 9" in text
    unbuilt = keras.Sequential([layers.Dense(3)])
    text = _summary(unbuilt)
    assert "unbuilt" in text and "not built" in text


def test_expand_nested_lists_inner_layers():
    inner = keras.Sequential([layers.Dense(3, input_shape=(2,), name="inner_dense")],
                             name="inner")
    x = keras.Input((2,))
    model = keras.Model(x, inner(x))
    assert "inner_dense" not in _summary(model)
    assert "inner_dense" in _summary(model, expand_nested=True)


def test_summary_prints_to_stdout(capsys):
    keras.Sequential([layers.Dense(1, input_shape=(3,))]).summary()
    out = capsys.readouterr().out
    assert 'Model: "sequential"' in out and "Total params: 4" in out
