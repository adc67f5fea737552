"""ReversibleEmbedding, Pipeline, MaxNumBoundingBoxes, and the foreign-framework layers
(TFSMLayer, JaxLayer, FlaxLayer) that cornu refuses with a helpful error."""
import json
import os

import numpy as np
import pytest

import cornu
from cornu import backend, layers
from tests.layers.fixtures import keras_cases
from tests.layers.harness import check_layer

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "misc_fixtures.npz")
CASES, ARRAYS = keras_cases.load(FIXTURES)
REV_CASES = [c for c in CASES if c["cls"] == "ReversibleEmbedding"]


def _np(x):
    return backend.convert_to_numpy(x)


# ------------------------------------------------------------ ReversibleEmbedding

@pytest.mark.parametrize("case", REV_CASES, ids=[c["id"] for c in REV_CASES])
@pytest.mark.parametrize("from_keras_config", [False, True], ids=["args", "keras_config"])
def test_reversible_embedding_matches_keras(case, from_keras_config):
    keras_cases.check_case(case, ARRAYS, from_keras_config=from_keras_config)


def test_reversible_embedding_harness_forward():
    check_layer(layers.ReversibleEmbedding, {"input_dim": 10, "output_dim": 3},
                input_shape=(2, 4), input_dtype="int32", expected_output_shape=(2, 4, 3),
                expected_weight_shapes=[(10, 3)], reference=lambda x, w: w[0][x])


def test_reversible_embedding_harness_reverse_untied():
    cap = 0.5

    def reference(x, weights):
        return np.tanh(x @ weights[1] / cap) * cap
    check_layer(layers.ReversibleEmbedding,
                {"input_dim": 10, "output_dim": 3, "tie_weights": False, "logit_soft_cap": cap},
                input_shape=(2, 4, 3), call_kwargs={"reverse": True},
                expected_output_shape=(2, 4, 10), expected_weight_shapes=[(10, 3), (3, 10)],
                reference=reference, train=False)  # (the reverse path leaves embeddings be)


def test_reversible_embedding_harness_reverse_tied():
    check_layer(layers.ReversibleEmbedding, {"input_dim": 7, "output_dim": 3},
                input_shape=(2, 3), call_kwargs={"reverse": True},
                expected_output_shape=(2, 7), expected_weight_shapes=[(7, 3)],
                reference=lambda x, w: x @ w[0].T)


def test_reversible_embedding_weight_names_and_mask():
    layer = layers.ReversibleEmbedding(10, 4, tie_weights=False, mask_zero=True)
    assert isinstance(layer, layers.Embedding)
    y = layer(np.array([[0, 3, 1]]))
    assert [w.path.split("/")[-1] for w in layer.weights] == ["embeddings",
                                                             "reverse_embeddings"]
    np.testing.assert_array_equal(_np(y._keras_mask), [[False, True, True]])
    logits = layer(y, reverse=True)
    assert getattr(logits, "_keras_mask", None) is None


def test_reversible_embedding_in_functional_model():
    # The usual language-model pattern: embed, transform, project back with the same layer.
    emb = layers.ReversibleEmbedding(20, 8)
    tokens = cornu.Input((5,), dtype="int32")
    hidden = layers.Dense(8)(emb(tokens))
    logits = emb(hidden, reverse=True)
    assert tuple(logits.shape) == (None, 5, 20) and logits.dtype == "float32"
    model = cornu.Model(tokens, logits)
    model.compile(optimizer="adam", loss=cornu.losses.SparseCategoricalCrossentropy(
        from_logits=True))
    x = np.random.default_rng(0).integers(0, 20, size=(4, 5))
    model.train_on_batch(x, x)
    assert model.predict(x, verbose=0).shape == (4, 5, 20)
    assert len(model.trainable_weights) == 3   # embeddings, dense kernel and bias


def test_reversible_embedding_reverse_dtype():
    layer = layers.ReversibleEmbedding(6, 4, reverse_dtype="float64")
    y = layer(np.ones((2, 4), "float32"), reverse=True)
    assert backend.standardize_dtype(y.dtype) == "float64"
    assert layer(cornu.Input((4,)), reverse=True).dtype == "float64"
    assert layer.get_config()["reverse_dtype"] == "float64"


def test_reversible_embedding_lora_config_round_trip():
    layer = layers.ReversibleEmbedding(10, 4, lora_rank=2)
    layer.build()
    config = layer.get_config()
    assert config["lora_rank"] == 2 and config["tie_weights"] is True
    clone = layers.ReversibleEmbedding.from_config(config)
    clone.build()
    assert [w.path.split("/")[-1] for w in clone.weights] == [
        "embeddings", "lora_embeddings_a", "lora_embeddings_b"]


def test_reversible_embedding_bad_dims():
    with pytest.raises(ValueError, match="input_dim"):
        layers.ReversibleEmbedding(0, 4)


# ------------------------------------------------------------------- Pipeline

def test_pipeline_matches_keras_at_inference():
    config = json.loads(str(ARRAYS["pipeline/config"]))
    pipeline = layers.deserialize(config)
    assert [type(l).__name__ for l in pipeline.layers] == [
        "Rescaling", "CenterCrop", "Resizing", "RandomFlip"]
    y = pipeline(ARRAYS["pipeline/x"], training=False)
    np.testing.assert_allclose(_np(y), ARRAYS["pipeline/y"], atol=1e-5, rtol=1e-5)


def _flip_pipeline():
    return layers.Pipeline([layers.Rescaling(0.5), layers.RandomFlip("horizontal", seed=3)])


def test_pipeline_harness():
    def reference(x, weights):  # training is None in the harness's call: Keras's default True
        return x * 0.5
    check_layer(layers.Pipeline, {"layers": [layers.Rescaling(0.5)]}, input_shape=(2, 4, 4, 3),
                expected_output_shape=(2, 4, 4, 3), reference=reference)


def test_pipeline_passes_training():
    x = np.arange(2 * 4 * 4 * 1, dtype="float32").reshape(2, 4, 4, 1)
    pipeline = _flip_pipeline()
    np.testing.assert_allclose(_np(pipeline(x, training=False)), x * 0.5)
    # Training (the default, as in Keras): each image is itself or its mirror, and over
    # several calls both occur.
    seen = set()
    for _ in range(8):
        y = _np(pipeline(x))
        for i in range(2):
            if np.allclose(y[i], x[i] * 0.5):
                seen.add("same")
            else:
                np.testing.assert_allclose(y[i], x[i, :, ::-1] * 0.5)
                seen.add("flipped")
    assert seen == {"same", "flipped"}


def test_pipeline_inside_model_is_identity_at_inference():
    model = cornu.Sequential([cornu.Input((4, 4, 1)), _flip_pipeline()])
    x = np.random.default_rng(0).normal(size=(3, 4, 4, 1)).astype("float32")
    np.testing.assert_allclose(model.predict(x, verbose=0), x * 0.5, rtol=1e-6)


def test_pipeline_dict_inputs():
    pipeline = layers.Pipeline([layers.CenterCrop(2, 2),
                                layers.MaxNumBoundingBoxes(3, bounding_box_format="xyxy")])
    images = np.random.default_rng(0).normal(size=(2, 4, 4, 3)).astype("float32")
    out = pipeline({"images": images, "labels": np.array([0, 1])})
    np.testing.assert_allclose(_np(out["images"]), images[:, 1:3, 1:3])
    np.testing.assert_array_equal(_np(out["labels"]), [0, 1])


def test_pipeline_config_like_keras():
    pipeline = _flip_pipeline()
    config = pipeline.get_config()
    assert set(config) == {"layers", "name"}
    assert [c["class_name"] for c in config["layers"]] == ["Rescaling", "RandomFlip"]
    clone = layers.Pipeline.from_config(json.loads(json.dumps(config)))
    assert clone.get_config() == config
    with pytest.raises(ValueError, match="`layers` key"):
        layers.Pipeline.from_config({"name": "p"})


def test_pipeline_bad_layers():
    with pytest.raises(ValueError, match="Pipeline.*list of layers"):
        layers.Pipeline(layers.Rescaling(0.5))


# --------------------------------------------------------- MaxNumBoundingBoxes

@pytest.mark.parametrize("n", [0, 1, 2])
def test_max_num_bounding_boxes_matches_keras(n):
    number, fill = (int(v) for v in ARRAYS[f"boxes{n}/args"])
    layer = layers.MaxNumBoundingBoxes(number, fill_value=fill, bounding_box_format="xyxy")
    images = ARRAYS["pipeline/x"]
    out = layer({"images": images, "bounding_boxes": {
        "boxes": ARRAYS[f"boxes{n}/boxes"], "labels": ARRAYS[f"boxes{n}/labels"]}})
    np.testing.assert_array_equal(_np(out["bounding_boxes"]["boxes"]), ARRAYS[f"boxes{n}/y_boxes"])
    np.testing.assert_array_equal(_np(out["bounding_boxes"]["labels"]),
                                  ARRAYS[f"boxes{n}/y_labels"])
    np.testing.assert_array_equal(_np(out["images"]), images)


def test_max_num_bounding_boxes_harness_images_pass_through():
    check_layer(layers.MaxNumBoundingBoxes, {"max_number": 2}, input_shape=(2, 4, 4, 3),
                expected_output_shape=(2, 4, 4, 3), reference=lambda x, w: x)


def test_max_num_bounding_boxes_unbatched_and_symbolic():
    layer = layers.MaxNumBoundingBoxes(3, fill_value=0, bounding_box_format="xyxy")
    out = layer({"images": np.zeros((4, 4, 3), "float32"), "bounding_boxes": {
        "boxes": np.ones((1, 4), "float32"), "labels": np.array([2])}})
    np.testing.assert_array_equal(_np(out["bounding_boxes"]["boxes"]),
                                  [[1, 1, 1, 1], [0, 0, 0, 0], [0, 0, 0, 0]])
    np.testing.assert_array_equal(_np(out["bounding_boxes"]["labels"]), [2, 0, 0])
    sym = layer({"images": cornu.Input((4, 4, 3)), "bounding_boxes": {
        "boxes": cornu.Input((5, 4)), "labels": cornu.Input((5,), dtype="int32")}})
    assert tuple(sym["bounding_boxes"]["boxes"].shape) == (None, 3, 4)
    assert tuple(sym["bounding_boxes"]["labels"].shape) == (None, 3)


def test_max_num_bounding_boxes_config():
    layer = layers.MaxNumBoundingBoxes(4, fill_value=-2, bounding_box_format="yxyx")
    config = layer.get_config()
    assert (config["max_number"], config["fill_value"], config["bounding_box_format"]) == (
        4, -2, "yxyx")
    assert layers.MaxNumBoundingBoxes.from_config(config).get_config() == config


def test_max_num_bounding_boxes_errors():
    images = np.zeros((1, 4, 4, 3), "float32")
    boxes = {"boxes": np.zeros((1, 2, 4), "float32"), "labels": np.zeros((1, 2))}
    with pytest.raises(ValueError, match="bounding_box_format='xyxy'"):
        layers.MaxNumBoundingBoxes(3)({"images": images, "bounding_boxes": boxes})
    layer = layers.MaxNumBoundingBoxes(3, bounding_box_format="xyxy", name="mnb")
    with pytest.raises(KeyError, match="mnb.*unsupported keys.*scores"):
        layer({"images": images, "bounding_boxes": dict(boxes, scores=np.zeros((1, 2)))})
    with pytest.raises(ValueError, match="mnb.*\\(batch, N, 4\\)"):
        layer({"images": images, "bounding_boxes": {"boxes": np.zeros((1, 1, 2, 4)),
                                                    "labels": np.zeros((1, 2))}})
    with pytest.raises(ValueError, match="max_number"):
        layers.MaxNumBoundingBoxes(0)


# -------------------------------------------------- TFSMLayer, JaxLayer, FlaxLayer

def test_tfsm_layer_explains():
    with pytest.raises(NotImplementedError) as info:
        layers.TFSMLayer("exported/model", call_endpoint="serving_default")
    message = str(info.value)
    for part in ["TFSMLayer(filepath='exported/model', call_endpoint='serving_default')",
                 "TensorFlow SavedModel", "PyTorch", "model.save('model.keras')",
                 "load_weights"]:
        assert part in message, part


@pytest.mark.parametrize("make, asked", [
    (lambda: layers.JaxLayer(call_fn=np.tanh, params={}), "JaxLayer(call_fn=tanh)"),
    (lambda: layers.FlaxLayer(object(), method="encode"), "FlaxLayer(module=object)"),
])
def test_jax_layers_explain(make, asked):
    with pytest.raises(ValueError) as info:
        make()
    message = str(info.value)
    for part in [asked, "JAX backend", "PyTorch", "TorchModuleWrapper", "cornu.layers.Layer"]:
        assert part in message, part


def test_foreign_layers_keep_keras_signatures():
    with pytest.raises(TypeError):
        layers.TFSMLayer()   # filepath is required, as in Keras
    assert issubclass(layers.FlaxLayer, layers.JaxLayer)
