"""KerasFileEditor: read, compare, edit and resave the weights of Keras files."""
import pathlib

import numpy as np
import pytest

import cornu
from cornu import layers
from cornu.saving import KerasFileEditor

FIXTURES = pathlib.Path(__file__).with_name("fixtures")


def small_model(extra=False):
    inputs = cornu.Input((4,))
    x = layers.Dense(3, name="first")(inputs)
    if extra:
        x = layers.Dense(3, name="extra")(x)
    outputs = layers.Dense(2, name="last")(x)
    return cornu.Model(inputs, outputs)


def test_reads_a_file_keras_wrote(capsys):
    editor = KerasFileEditor(FIXTURES / "k3_compiled_adam.keras")
    out = capsys.readouterr().out
    assert "Saved with Keras 3.15.1" in out
    assert list(editor.weights_dict) == ["layers", "optimizer"]
    assert editor.weights_dict["layers"]["dense"]["0"].shape == (4, 6)
    assert editor.config["class_name"] in ("Sequential", "Functional")
    editor.summary()
    tree = capsys.readouterr().out
    assert "├─ dense ('dense_13')" in tree and "0: shape=(4, 6), dtype=float32" in tree


def test_weights_and_compare_match_the_model(tmp_path, capsys):
    model = small_model()
    model.save_weights(tmp_path / "m.weights.h5")
    editor = KerasFileEditor(str(tmp_path / "m.weights.h5"))
    kernel = editor.weights_dict["layers"]["dense"]["0"]
    np.testing.assert_array_equal(kernel, model.layers[1].kernel.numpy())
    assert editor.compare(model) == {"status": "success", "error_count": 0, "match_count": 4}
    bigger = small_model(extra=True)
    result = editor.compare(bigger)
    assert result["status"] == "error" and result["error_count"] >= 1
    assert "missing from saved file" in capsys.readouterr().out


def test_nested_layers_are_kept(tmp_path):
    # Keras 3.15's editor drops an object that has its own (empty) vars group and
    # sublayers, such as MultiHeadAttention; cornu keeps it.
    inputs = cornu.Input((2, 4))
    outputs = layers.MultiHeadAttention(2, 2)(inputs, inputs)
    model = cornu.Model(inputs, outputs)
    model.save_weights(tmp_path / "a.weights.h5")
    editor = KerasFileEditor(str(tmp_path / "a.weights.h5"))
    assert set(editor.weights_dict["layers"]["multi_head_attention"]) == {
        "key_dense", "output_dense", "query_dense", "value_dense"}
    assert editor.compare(model)["status"] == "success"
    editor.save(tmp_path / "b.weights.h5")
    again = cornu.Model(inputs, outputs)
    again.load_weights(tmp_path / "b.weights.h5")
    for a, b in zip(model.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_edit_a_file_for_a_changed_architecture(tmp_path):
    old = small_model()
    old.save_weights(tmp_path / "old.weights.h5")
    new = small_model(extra=True)  # layers: dense (first), dense_1 (extra), dense_2 (last)
    editor = KerasFileEditor(str(tmp_path / "old.weights.h5"))
    editor.rename_object("dense_1", "dense_2")
    extra = {"0": np.eye(3, dtype="float32"), "1": np.zeros(3, "float32")}
    editor.add_object("layers/dense_1", weights=extra)
    assert editor.compare(new)["status"] == "success"
    editor.resave_weights(tmp_path / "new.weights.h5")
    new.load_weights(tmp_path / "new.weights.h5")
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    # the extra layer is an identity, so the new model computes what the old one did
    np.testing.assert_allclose(new.predict(x, verbose=0), old.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_weight_edits_and_deletes(tmp_path):
    small_model().save_weights(tmp_path / "m.weights.h5")
    editor = KerasFileEditor(str(tmp_path / "m.weights.h5"))
    editor.delete_weight("layers/dense", "1")
    assert list(editor.weights_dict["layers"]["dense"]) == ["0"]
    editor.add_weights("dense", {"1": np.ones(3, "float32")})
    assert editor.weights_dict["layers"]["dense"]["1"].tolist() == [1.0, 1.0, 1.0]
    editor.delete_object("layers/dense_1")
    assert list(editor.weights_dict["layers"]) == ["dense"]


def test_errors_say_what_to_do(tmp_path):
    small_model().save_weights(tmp_path / "m.weights.h5")
    editor = KerasFileEditor(str(tmp_path / "m.weights.h5"))
    with pytest.raises(ValueError, match="does not appear in the model"):
        editor.delete_object("nothing")
    with pytest.raises(ValueError, match="more than once"):
        editor.delete_object("0")
    with pytest.raises(ValueError, match="not found in model"):
        editor.delete_object("layers/nothing")
    with pytest.raises(ValueError, match="Weight 7 not found"):
        editor.delete_weight("dense", "7")
    with pytest.raises(ValueError, match="should be a dict"):
        editor.add_object("layers/x", [np.ones(2)])
    with pytest.raises(ValueError, match="leaf name"):
        editor.rename_object("dense", "layers/other")
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        editor.save(tmp_path / "out.h5")
    with pytest.raises(ValueError, match="expected a `.keras` or `.weights.h5`"):
        KerasFileEditor(str(tmp_path / "m.h5"))
