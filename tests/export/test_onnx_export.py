"""model.export to ONNX, checked by ONNX Runtime itself; format="torch" checked by
torch.export.load in a process without cornu; ExportArchive; the format errors."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import cornu as keras
from cornu import layers as L



@pytest.fixture
def ort():
    """onnxruntime; the ONNX tests skip without it or without torch.onnx's onnxscript."""
    pytest.importorskip("onnxscript", reason="torch.onnx's exporter needs onnxscript "
                        "(pip install 'cornu[export]')")
    pytest.importorskip("onnx", reason="pip install 'cornu[export]'")
    return pytest.importorskip("onnxruntime", reason="the ONNX tests run the files in "
                               "onnxruntime (pip install 'cornu[export]')")

RNG = np.random.default_rng(0)


def _floats(*shape):
    return RNG.standard_normal(shape).astype("float32")


def _randomize(model):
    """Random values in every weight (BatchNorm's moving variance kept positive), so
    that a layer ignored by the export would show."""
    for layer in model._flatten_layers():
        for v in layer.weights:
            value = RNG.uniform(0.5, 1.5, v.shape) if "variance" in v.name else (
                RNG.standard_normal(v.shape) * 0.5)
            v.assign(value.astype(v.dtype))
    return model


def _seq(shape, *layers, dtype="float32"):
    return keras.Sequential([keras.Input(shape, dtype=dtype)] + list(layers))


def _padded_ids(batch):
    ids = RNG.integers(1, 10, (batch, 6)).astype("int32")
    for i in range(batch):
        ids[i, RNG.integers(2, 7):] = 0  # right padding, at least 2 real steps
    return ids


def _mha():
    q, v = keras.Input((4, 6), name="query"), keras.Input((5, 6), name="value")
    return keras.Model([q, v], L.MultiHeadAttention(2, 3)(q, v))


def _attention():
    q, v = keras.Input((4, 3)), keras.Input((5, 3))
    return keras.Model([q, v], [L.Attention()([q, v]), L.AdditiveAttention()([q, v])])


def _merging():
    a, b = keras.Input((3,)), keras.Input((3,))
    return keras.Model([a, b], [L.Add()([a, b]), L.Concatenate()([a, b]),
                                L.Multiply()([a, b]), L.Dense(2)(L.Subtract()([a, b]))])


def _preprocessing():
    norm = L.Normalization()
    norm.adapt(RNG.uniform(0, 10, (32, 3)).astype("float32"))
    return _seq((3,), L.Rescaling(1 / 255.0, offset=0.5), norm, L.Dense(2))


# name -> (model builder, input maker for a batch size)
FAMILIES = {
    "dense": (lambda: _seq((4,), L.Dense(5, activation="relu"), L.Dense(3)),
              lambda b: _floats(b, 4)),
    "conv1d": (lambda: _seq((9, 2), L.Conv1D(3, 3, padding="same"), L.Conv1DTranspose(2, 3, 2)),
               lambda b: _floats(b, 9, 2)),
    "conv2d": (lambda: _seq((7, 7, 2), L.Conv2D(3, 3, strides=2), L.Conv2DTranspose(2, 3, 2),
                            L.DepthwiseConv2D(2), L.SeparableConv2D(2, 2)),
               lambda b: _floats(b, 7, 7, 2)),
    "conv3d": (lambda: _seq((4, 4, 4, 1), L.Conv3D(2, 2), L.Conv3DTranspose(2, 2, 2)),
               lambda b: _floats(b, 4, 4, 4, 1)),
    "pooling": (lambda: _seq((8, 8, 2), L.MaxPooling2D(), L.AveragePooling2D(padding="same"),
                             L.Reshape((4, 2)), L.MaxPooling1D(2), L.GlobalAveragePooling1D()),
                lambda b: _floats(b, 8, 8, 2)),
    "pooling3d": (lambda: _seq((4, 4, 4, 2), L.AveragePooling3D(), L.GlobalMaxPooling3D()),
                  lambda b: _floats(b, 4, 4, 4, 2)),
    "normalization": (lambda: _seq((5, 3), L.BatchNormalization(), L.LayerNormalization(),
                                   L.GroupNormalization(groups=1), L.UnitNormalization()),
                      lambda b: _floats(b, 5, 3)),
    "embedding": (lambda: _seq((6,), L.Embedding(10, 4), L.GlobalAveragePooling1D(),
                               dtype="int32"),
                  lambda b: RNG.integers(0, 10, (b, 6)).astype("int32")),
    "lstm": (lambda: _seq((5, 3), L.LSTM(4, return_sequences=True), L.LSTM(2)),
             lambda b: _floats(b, 5, 3)),
    "gru": (lambda: _seq((5, 3), L.GRU(4, return_sequences=True), L.GRU(2, go_backwards=True)),
            lambda b: _floats(b, 5, 3)),
    "simple_rnn": (lambda: _seq((5, 3), L.SimpleRNN(4)), lambda b: _floats(b, 5, 3)),
    "bidirectional": (lambda: _seq((5, 3), L.Bidirectional(L.LSTM(3, return_sequences=True)),
                                   L.Bidirectional(L.GRU(2), merge_mode="sum")),
                      lambda b: _floats(b, 5, 3)),
    "masking_embedding": (lambda: _seq((6,), L.Embedding(10, 4, mask_zero=True), L.LSTM(3),
                                       dtype="int32"),
                          _padded_ids),
    "masking_layer": (lambda: _seq((6, 2), L.Masking(0.0), L.GRU(3, return_sequences=True),
                                   L.SimpleRNN(2)),
                      lambda b: _floats(b, 6, 2) * (np.arange(6) < 4)[None, :, None]),
    "attention": (_attention, lambda b: [_floats(b, 4, 3), _floats(b, 5, 3)]),
    "multi_head_attention": (_mha, lambda b: [_floats(b, 4, 6), _floats(b, 5, 6)]),
    "merging": (_merging, lambda b: [_floats(b, 3), _floats(b, 3)]),
    "reshaping": (lambda: _seq((4, 3), L.Permute((2, 1)), L.Reshape((2, 6)), L.Flatten(),
                               L.RepeatVector(2), L.Cropping1D((0, 1)), L.ZeroPadding1D(1),
                               L.UpSampling1D(2), L.Flatten()),
                  lambda b: _floats(b, 4, 3)),
    "activations": (lambda: _seq((6,), L.Dense(6, activation="gelu"), L.ReLU(max_value=1.0),
                                 L.LeakyReLU(0.2), L.ELU(), L.PReLU(), L.Activation("tanh"),
                                 L.Dense(6, activation="swish"), L.Softmax()),
                    lambda b: _floats(b, 6)),
    "dropout": (lambda: _seq((6,), L.Dropout(0.5), L.Dense(4), L.GaussianNoise(1.0),
                             L.AlphaDropout(0.3), L.Dense(2)),
                lambda b: _floats(b, 6)),
    "preprocessing": (_preprocessing, lambda b: RNG.uniform(0, 255, (b, 3)).astype("float32")),
}


def _run(session, inputs):
    inputs = inputs if isinstance(inputs, list) else [inputs]
    return session.run(None, {i.name: x for i, x in zip(session.get_inputs(), inputs)})


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_onnx_runtime_matches_predict(family, ort, tmp_path):
    build, make = FAMILIES[family]
    model = _randomize(build())
    path = str(tmp_path / "model.onnx")
    model.export(path, format="onnx", verbose=False)
    session = ort.InferenceSession(path)
    assert session.get_inputs()[0].shape[0] == "batch"
    for batch in (1, 7):  # one file, two batch sizes: the batch axis is dynamic
        x = make(batch)
        expected = model.predict(x, verbose=0)
        expected = expected if isinstance(expected, list) else [expected]
        got = _run(session, x)
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            np.testing.assert_allclose(g, np.asarray(e), rtol=1e-5, atol=1e-5)


def test_names_dict_inputs_and_outputs(ort, tmp_path):
    a, b = keras.Input((3,), name="a"), keras.Input((2,), name="b")
    model = keras.Model({"a": a, "b": b},
                        {"sum": L.Dense(2)(L.Concatenate()([a, b])), "first": L.Dense(1)(a)})
    path = str(tmp_path / "model.onnx")
    model.export(path, format="onnx", verbose=False)
    session = ort.InferenceSession(path)
    assert [(i.name, i.shape) for i in session.get_inputs()] == [("a", ["batch", 3]),
                                                                ("b", ["batch", 2])]
    assert [o.name for o in session.get_outputs()] == ["first", "sum"]
    x = {"a": _floats(4, 3), "b": _floats(4, 2)}
    got = dict(zip(["first", "sum"], session.run(None, x)))
    expected = model.predict(x, verbose=0)
    for key in ("first", "sum"):
        np.testing.assert_allclose(got[key], np.asarray(expected[key]), rtol=1e-5, atol=1e-5)


def test_default_names_and_explicit_signature(ort, tmp_path, capsys):
    model = _seq((4,), L.Dense(2))
    path = str(tmp_path / "model.onnx")
    model.export(path, format="onnx", input_signature=[keras.InputSpec(shape=(None, 4),
                                                                       dtype="float32")])
    assert f"Saved artifact at '{path}'." in capsys.readouterr().out
    session = ort.InferenceSession(path)
    assert [i.name for i in session.get_inputs()] == ["input_0"]
    assert [o.name for o in session.get_outputs()] == ["output_0"]
    x = _floats(3, 4)
    np.testing.assert_allclose(_run(session, x)[0], model.predict(x, verbose=0), atol=1e-5)


def test_subclassed_model_and_opset(ort, tmp_path):
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden, self.out = L.Dense(4, activation="relu"), L.Dense(1)

        def call(self, x):
            return self.out(self.hidden(x))

    model = Net()
    model(_floats(2, 3))
    path = str(tmp_path / "net.onnx")
    model.export(path, format="onnx", verbose=False, opset_version=18)
    import onnx
    assert max(o.version for o in onnx.load(path).opset_import if o.domain == "") == 18
    x = _floats(5, 3)
    np.testing.assert_allclose(_run(ort.InferenceSession(path), x)[0],
                               model.predict(x, verbose=0), atol=1e-5)


class ValueDependent(L.Layer):
    """A layer whose Python control flow reads its input's values: not exportable."""

    def call(self, x):
        if float(keras.ops.sum(x)) > 0:
            return x * 2.0
        return x

    def compute_output_shape(self, input_shape):
        return input_shape


@pytest.mark.parametrize("fmt,name", [("onnx", "model.onnx"), ("torch", "model.pt2")])
def test_unexportable_layer_named_and_nothing_written(fmt, name, tmp_path):
    if fmt == "onnx":
        pytest.importorskip("onnxscript", reason="pip install 'cornu[export]'")
    model = _seq((3,), L.Dense(3), ValueDependent(name="picky"))
    path = tmp_path / name
    with pytest.raises(ValueError, match=r"Layer 'picky' \(ValueDependent\) cannot be exported"):
        model.export(str(path), format=fmt, verbose=False)
    assert os.listdir(tmp_path) == []  # no partial file, no temporary left behind
    path.write_bytes(b"previous")  # an existing file is left as it was
    with pytest.raises(ValueError, match="picky"):
        model.export(str(path), format=fmt, verbose=False)
    assert path.read_bytes() == b"previous"


def test_openvino_matches_predict(tmp_path):
    ov = pytest.importorskip("openvino", reason="format='openvino' needs pip install openvino")
    model = _randomize(_seq((5, 3), L.Conv1D(4, 2), L.LSTM(3), L.Dense(2)))
    path = str(tmp_path / "model.xml")
    model.export(path, format="openvino", verbose=False)
    assert sorted(os.listdir(tmp_path)) == ["model.bin", "model.xml"]
    # f32 inference: OpenVINO's CPU plugin may otherwise compute in bfloat16.
    compiled = ov.Core().compile_model(path, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    assert compiled.inputs[0].any_name == model.inputs[0].name
    for batch in (1, 7):
        x = _floats(batch, 5, 3)
        np.testing.assert_allclose(compiled(x)[0], model.predict(x, verbose=0),
                                   rtol=1e-5, atol=1e-5)


def test_torch_program_loads_without_cornu(tmp_path):
    model = _randomize(_seq((5, 3), L.Conv1D(4, 2), L.LSTM(3), L.Dense(2)))
    path = str(tmp_path / "model.pt2")
    model.export(path, format="torch", verbose=False)
    x = _floats(7, 5, 3)
    np.save(tmp_path / "x.npy", x)
    script = textwrap.dedent(f"""
        import sys, numpy as np, torch
        program = torch.export.load({path!r})
        for batch in (1, 7):
            x = torch.from_numpy(np.load({str(tmp_path / 'x.npy')!r})[:batch])
            np.save({str(tmp_path)!r} + f"/y{{batch}}.npy", program.module()(x).numpy())
        assert not any(m == "cornu" or m.startswith("cornu.") for m in sys.modules)
    """)
    subprocess.run([sys.executable, "-c", script], check=True, cwd=str(tmp_path), timeout=300)
    for batch in (1, 7):
        np.testing.assert_allclose(np.load(tmp_path / f"y{batch}.npy"),
                                   model.predict(x[:batch], verbose=0), rtol=1e-5, atol=1e-5)


def test_torch_format_needs_pt2(tmp_path):
    with pytest.raises(ValueError, match=r"\.pt2"):
        _seq((2,), L.Dense(1)).export(str(tmp_path / "m.onnx"), format="torch")


@pytest.mark.parametrize("fmt", ["tf_saved_model", "litert"])
def test_tensorflow_formats_say_what_works(fmt, tmp_path):
    if __import__("importlib").util.find_spec("tensorflow") is not None:
        pytest.skip("TensorFlow is installed here")
    model = _seq((2,), L.Dense(1))
    with pytest.raises(ImportError, match=r"needs TensorFlow.*'onnx', 'torch'"):
        model.export(str(tmp_path / "m"), format=fmt)
    with pytest.raises(ImportError, match="TensorFlow"):
        model.export(str(tmp_path / "m"))  # Keras's default format
    assert os.listdir(tmp_path) == []


def test_unknown_format(tmp_path):
    with pytest.raises(ValueError, match="Unrecognized format='tflite'"):
        _seq((2,), L.Dense(1)).export(str(tmp_path / "m"), format="tflite")


def test_export_archive_onnx_with_collection(ort, tmp_path, capsys):
    import onnx
    from onnx import numpy_helper
    model = _randomize(_seq((3,), L.Dense(4), L.BatchNormalization(), L.Dense(2)))
    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint("serve", lambda x: model(x, training=False) * 2.0,
                         input_signature=[keras.InputSpec(shape=(None, 3), dtype="float32")])
    archive.add_variable_collection("bn", model.layers[1].non_trainable_variables)
    path = str(tmp_path / "archive.onnx")
    archive.write_out(path)
    assert "Saved endpoint 'serve'" in capsys.readouterr().out
    x = _floats(6, 3)
    np.testing.assert_allclose(_run(ort.InferenceSession(path), x)[0],
                               2.0 * model.predict(x, verbose=0), rtol=1e-5, atol=1e-5)
    stored = {t.name: numpy_helper.to_array(t) for t in onnx.load(path).graph.initializer}
    for v in model.layers[1].non_trainable_variables:
        np.testing.assert_array_equal(stored[f"bn/{v.path}"], v.numpy())
    assert len(archive.variables) == len(model.variables)


def test_export_archive_rules(tmp_path):
    model = _seq((3,), L.Dense(2))
    archive = keras.export.ExportArchive()
    with pytest.raises(ValueError, match="input_signature` is required"):
        archive.add_endpoint("serve", model)
    spec = [keras.InputSpec(shape=(None, 3), dtype="float32")]
    archive.track_and_add_endpoint("serve", model, spec)
    archive.add_endpoint("double", lambda x: model(x) * 2, spec)
    with pytest.raises(ValueError, match="holds one computation graph"):
        archive.write_out(str(tmp_path / "a.onnx"))
    with pytest.raises(ValueError, match="Cannot tell the format"):
        archive.write_out(str(tmp_path / "folder"))
    assert os.listdir(tmp_path) == []


def test_export_archive_torch_format(tmp_path):
    import torch
    model = _seq((3,), L.Dense(2))
    archive = keras.export.ExportArchive()
    archive.track_and_add_endpoint("serve", model, [(None, 3)])
    path = str(tmp_path / "a.pt2")
    archive.write_out(path, verbose=False)
    x = _floats(4, 3)
    got = torch.export.load(path).module()(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-5, atol=1e-5)


def test_dynamic_time_axis(ort, tmp_path):
    model = _randomize(_seq((None, 3), L.Conv1D(4, 3), L.LayerNormalization(),
                            L.GlobalMaxPooling1D(), L.Dense(2)))
    path = str(tmp_path / "model.onnx")
    model.export(path, format="onnx", verbose=False)
    session = ort.InferenceSession(path)
    assert session.get_inputs()[0].shape == ["batch", "dim_0_1", 3]
    for batch, steps in ((1, 5), (7, 11)):
        x = _floats(batch, steps, 3)
        np.testing.assert_allclose(_run(session, x)[0], model.predict(x, verbose=0),
                                   rtol=1e-5, atol=1e-5)


def test_fixed_axis_left_none_is_a_clear_error(tmp_path):
    pytest.importorskip("onnxscript", reason="pip install 'cornu[export]'")
    # A masked RNN runs step by step while exporting (an unmasked one through torch's
    # LSTM/GRU ops, which torch.export also unrolls): its time axis cannot stay dynamic.
    # Without the check, the file would accept other lengths and compute them wrongly.
    model = _seq((None, 2), L.Masking(0.0), L.GRU(3))
    path = tmp_path / "model.onnx"
    with pytest.raises(ValueError, match=r"fixes the size of axis \[1\].*fixed size"):
        model.export(str(path), format="onnx", verbose=False)
    assert os.listdir(tmp_path) == []
    model.export(str(path), format="onnx", verbose=False,
                 input_signature=[keras.InputSpec(shape=(None, 6, 2), dtype="float32")])
    assert path.exists()


def test_torchscript_exporter_is_the_fallback(ort, tmp_path, monkeypatch):
    import torch
    from cornu.export.onnx import write_onnx
    model = _randomize(_seq((4,), L.Dense(3, activation="tanh")))
    signature = [keras.InputSpec(shape=(None, 4), dtype="float32")]
    forward = lambda x: model(x, training=False)  # noqa: E731
    path = str(tmp_path / "dynamo.onnx")
    assert write_onnx(forward, model.variables, model.layers, signature, path) == "dynamo"

    real_export = torch.onnx.export

    def dynamo_fails(*args, dynamo=True, **kwargs):
        if dynamo:
            raise RuntimeError("no ONNX translation for aten::made_up")
        return real_export(*args, dynamo=False, **kwargs)

    monkeypatch.setattr(torch.onnx, "export", dynamo_fails)
    path = str(tmp_path / "torchscript.onnx")
    assert write_onnx(forward, model.variables, model.layers, signature, path) == "torchscript"
    session = ort.InferenceSession(path)
    assert session.get_inputs()[0].shape[0] == "batch"
    for batch in (1, 7):
        x = _floats(batch, 4)
        np.testing.assert_allclose(_run(session, x)[0], model.predict(x, verbose=0),
                                   rtol=1e-5, atol=1e-5)

    def both_fail(*args, **kwargs):
        raise RuntimeError("no ONNX translation for aten::made_up")

    monkeypatch.setattr(torch.onnx, "export", both_fail)
    path = tmp_path / "none.onnx"
    with pytest.raises(ValueError, match=r"cannot be exported to ONNX.*aten::made_up"):
        write_onnx(forward, model.variables, model.layers, signature, str(path))
    assert not path.exists()
