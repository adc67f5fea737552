"""plot_model / model_to_dot: the pydot graph always; rendering when Graphviz is present."""
import shutil

import pytest

import cornu
from cornu import layers
from cornu.utils import model_to_dot, plot_model
from cornu.utils import model_visualization

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz's `dot` is not installed")


def _functional():
    a = cornu.Input((8,), name="a")
    b = cornu.Input((4,), name="b")
    x = layers.Dense(6, activation="relu", name="hidden")(a)
    x = layers.concatenate([x, b], name="joined")
    out = layers.Dense(1, activation="sigmoid", name="out")(x)
    return cornu.Model([a, b], out, name="two_inputs")


def _edges(dot):
    names = {n.get_name(): n.get_label() for n in dot.get_nodes()}
    found = set()
    for e in dot.get_edges():
        src, dst = names[e.get_source()], names[e.get_destination()]
        found.add((src.split("<b>")[1].split("</b>")[0], dst.split("<b>")[1].split("</b>")[0]))
    return found


def test_functional_graph_nodes_and_edges():
    dot = model_to_dot(_functional())
    labels = [n.get_label() for n in dot.get_nodes() if n.get_label()]
    assert len(labels) == 5 and any("hidden</b> (Dense)" in l for l in labels)
    assert _edges(dot) == {("a", "hidden"), ("hidden", "joined"), ("b", "joined"),
                           ("joined", "out")}
    assert dot.get("rankdir") == "TB" and dot.get("dpi") == 200


def test_label_options():
    dot = model_to_dot(_functional(), show_shapes=True, show_dtype=True,
                       show_layer_names=False, show_layer_activations=True,
                       show_trainable=True, rankdir="LR", dpi=72)
    text = dot.to_string()
    assert "Output shape: <b>(None, 6)</b>" in text and "Input shape: <b>(None, 8)</b>" in text
    assert "Output dtype: <b>float32</b>" in text
    assert "Activation: <b>sigmoid</b>" in text and "Trainable" in text
    assert "hidden" not in text and dot.get("rankdir") == "LR" and dot.get("dpi") == 72


def test_sequential_and_nested():
    inner = cornu.Sequential([cornu.Input((3,)), layers.Dense(4, name="in1"),
                              layers.Dense(2, name="in2")], name="inner")
    x = cornu.Input((3,), name="x")
    out = layers.Dense(1, name="head")(inner(x))
    model = cornu.Model(x, out)
    assert _edges(model_to_dot(inner)) == {("in1", "in2")}
    assert _edges(model_to_dot(model)) == {("x", "inner"), ("inner", "head")}
    expanded = model_to_dot(model, expand_nested=True)
    assert expanded.get_subgraphs()[0].get_name() == "cluster_inner"
    assert {("x", "in1"), ("in2", "head")} <= _edges_in_all(expanded)


def _edges_in_all(dot):
    labels = {}
    for graph in [dot] + dot.get_subgraphs():
        for n in graph.get_nodes():
            if n.get_label():
                labels[n.get_name()] = n.get_label().split("<b>")[1].split("</b>")[0]
    return {(labels[e.get_source()], labels[e.get_destination()]) for e in dot.get_edges()}


def test_unbuilt_model_is_an_error():
    with pytest.raises(ValueError, match="not built"):
        model_to_dot(cornu.Sequential([layers.Dense(2)]))


@needs_dot
@pytest.mark.parametrize("ext, magic", [("png", b"\x89PNG"), ("svg", b"<"), ("pdf", b"%PDF")])
def test_plot_model_writes_by_extension(tmp_path, ext, magic):
    path = tmp_path / f"model.{ext}"
    assert plot_model(_functional(), path, show_shapes=True) is None
    assert path.read_bytes().lstrip()[:len(magic)] == magic


@needs_dot
def test_create_svg_from_model_to_dot():
    svg = model_to_dot(_functional()).create(prog="dot", format="svg")
    assert b"<svg" in svg and b"hidden" in svg


def test_missing_graphviz_says_how_to_install(tmp_path, monkeypatch):
    dot = model_to_dot(_functional())
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` on the PATH
    with pytest.raises(ImportError, match="apt-get install graphviz"):
        dot.create(prog="dot", format="svg")
    with pytest.raises(ImportError, match="apt-get install graphviz"):
        plot_model(_functional(), tmp_path / "m.png")
    assert not model_visualization.check_graphviz()


def test_vis_utils_module_path():
    import importlib
    import sys
    sys.modules.pop("cornu.utils.vis_utils", None)
    with pytest.warns(DeprecationWarning, match="vis_utils"):
        vis_utils = importlib.import_module("cornu.utils.vis_utils")
    assert vis_utils.plot_model is plot_model and vis_utils.model_to_dot is model_to_dot
