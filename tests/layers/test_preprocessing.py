"""Preprocessing layers against Keras 3's outputs, through the shared harness, and
their argument errors. Augmentation and the string layers have their own files."""
import json
import os

import numpy as np
import pytest

import cornu
from cornu import backend, layers
from tests.layers.harness import check_layer

HERE = os.path.join(os.path.dirname(__file__), "fixtures")
# Keras computes the lookup layers' one_hot / multi_hot / count outputs as int64 but
# declares them float; cornu gives floats (what Dense and the losses expect).
FLOAT_NOT_INT64 = {"str_one_hot", "str_multi_hot", "str_multi_hot_mask", "str_count_pad",
                   "int_one_hot", "int_count", "tv_multi_hot", "tv_count_pad"}


def _load(name):
    path = os.path.join(HERE, name)
    if not os.path.exists(path):
        return [], {}
    arrays = dict(np.load(path, allow_pickle=False))
    return json.loads(str(arrays["cases"])), arrays


PLAIN_CASES, PLAIN = _load("preprocessing_fixtures.npz")
TF_CASES, TF = _load("preprocessing_tf_fixtures.npz")
CASES = [(c, PLAIN) for c in PLAIN_CASES] + [(c, TF) for c in TF_CASES]


def _resolve(ref, arrays):
    if isinstance(ref, list):
        return [_resolve(r, arrays) for r in ref]
    return arrays[ref] if isinstance(ref, str) and ref.startswith("data/") else ref


def _np(x):
    return x if isinstance(x, np.ndarray) else backend.convert_to_numpy(x)


def run_case(case, arrays, from_keras_config=False):
    """Build, adapt and call the case's layer; returns (layer, output as numpy)."""
    cls = getattr(layers, case["cls"])
    layer = cls.from_config(case["config"]) if from_keras_config else cls(**case["kwargs"])
    if "adapt" in case:
        layer.adapt(_resolve(case["adapt"], arrays))
    if "batches" in case:
        layer.adapt(iter(_resolve(case["batches"], arrays)))
    call = {k: _resolve(v, arrays) for k, v in case["call"].items()}
    return layer, _np(layer(_resolve(case["x"], arrays), **call))


def _keras_config_applies(case):
    # An adapted layer's state is in its weights or assets, not its config; Discretization
    # keeps its adapted boundaries in the config.
    return "batches" not in case and ("adapt" not in case or case["cls"] == "Discretization")


@pytest.mark.parametrize("case,arrays", CASES, ids=[c["id"] for c, _ in CASES])
@pytest.mark.parametrize("from_keras_config", [False, True], ids=["args", "keras_config"])
def test_matches_keras(case, arrays, from_keras_config):
    if from_keras_config and not _keras_config_applies(case):
        pytest.skip("adapted state is not in the config")
    cid = case["id"]
    layer, got = run_case(case, arrays, from_keras_config)
    expected = arrays[f"{cid}/y"]
    assert got.shape == expected.shape
    if cid in FLOAT_NOT_INT64:
        assert str(got.dtype) == "float32"
    else:
        assert str(got.dtype) == str(expected.dtype)
    if expected.dtype.kind in "Uiub":
        np.testing.assert_array_equal(got, expected)
    else:
        np.testing.assert_allclose(got, expected, atol=1e-5, rtol=1e-5)
    if f"{cid}/vocab" in arrays:
        assert [str(t) for t in layer.get_vocabulary()] == arrays[f"{cid}/vocab"].tolist()
    if f"{cid}/bins" in arrays:
        np.testing.assert_allclose(layer.bin_boundaries, arrays[f"{cid}/bins"], atol=1e-6)
    if f"{cid}/idf" in arrays:
        lookup = getattr(layer, "_lookup_layer", layer)
        np.testing.assert_allclose(lookup.idf_weights, arrays[f"{cid}/idf"], rtol=1e-6)
    keras_weights = [arrays[k] for k in sorted(a for a in arrays if a.startswith(f"{cid}/w"))]
    if not from_keras_config:
        assert len(layer.weights) == len(keras_weights)
        for w, k in zip(layer.weights, keras_weights):
            np.testing.assert_allclose(w.numpy(), k, atol=1e-6, rtol=1e-6)


def test_fixtures_present():
    assert len(PLAIN_CASES) > 30 and len(TF_CASES) > 40


# ------------------------------------------------------------------ Normalization

def test_normalization_harness_given():
    mean, var = np.array([1.0, -2.0, 0.5]), np.array([4.0, 0.25, 1.0])
    check_layer(layers.Normalization, {"mean": mean.tolist(), "variance": var.tolist()},
                input_shape=(4, 3), expected_num_trainable_weights=0,
                expected_num_non_trainable_weights=0,
                reference=lambda x, w: (x - mean) / np.sqrt(var))


def test_normalization_harness_weights():
    # Not adapted: mean 0, variance 1 (Keras's initial state), three non-trainable weights.
    check_layer(layers.Normalization, {"axis": (1, 2)}, input_shape=(2, 3, 4),
                expected_num_trainable_weights=0, expected_num_non_trainable_weights=3,
                expected_weight_shapes=[(3, 4), (3, 4), ()],
                reference=lambda x, w: x)


def test_normalization_invert_round_trip():
    data = np.random.default_rng(0).normal(3.0, 2.0, size=(50, 4)).astype("float32")
    norm, denorm = layers.Normalization(), layers.Normalization(invert=True)
    norm.adapt(data)
    denorm.adapt(data)
    z = _np(norm(data))
    np.testing.assert_allclose(z.mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(z.std(0), 1, atol=1e-4)
    np.testing.assert_allclose(_np(denorm(z)), data, atol=1e-4)


def test_normalization_adapt_sources_agree():
    data = np.random.default_rng(1).normal(size=(30, 3)).astype("float32")
    results = []
    for source in (data, backend.convert_to_tensor(data), [data[:10], data[10:]],
                   (b for b in (data[:5], data[5:])), [(data[:15], None), (data[15:], None)]):
        layer = layers.Normalization()
        layer.adapt(source)
        results.append(np.stack([_np(layer.mean)[0], _np(layer.variance)[0]]))
    for r in results[1:]:
        np.testing.assert_allclose(r, results[0], atol=1e-5)
    np.testing.assert_allclose(results[0], [data.mean(0), data.var(0)], atol=1e-5)


def test_normalization_weights_reload():
    data = np.random.default_rng(2).normal(size=(20, 3)).astype("float32")
    layer = layers.Normalization()
    layer.adapt(data)
    clone = layers.Normalization.from_config(layer.get_config())
    clone.build_from_config(layer.get_build_config())
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(_np(clone(data)), _np(layer(data)))


def test_normalization_in_a_model():
    data = np.random.default_rng(3).normal(5.0, 3.0, size=(16, 4)).astype("float32")
    norm = layers.Normalization()
    norm.adapt(data)
    inputs = cornu.Input((4,))
    model = cornu.Model(inputs, layers.Dense(1)(norm(inputs)))
    model.compile(optimizer="sgd", loss="mse")
    model.fit(data, data[:, :1], epochs=1, verbose=0)
    assert model.predict(data, verbose=0).shape == (16, 1)


def test_normalization_errors():
    with pytest.raises(ValueError, match="both `mean` and `variance`"):
        layers.Normalization(mean=1.0)
    with pytest.raises(ValueError, match="same shape"):
        layers.Normalization(mean=[1.0, 2.0], variance=[1.0])
    layer = layers.Normalization(axis=3, name="norm")
    with pytest.raises(ValueError, match="norm.*axis"):
        layer(np.zeros((2, 3), "float32"))
    layer = layers.Normalization()
    layer.adapt(np.zeros((4, 3), "float32"))
    with pytest.raises(ValueError, match="differs on a kept axis"):
        layer.adapt(np.zeros((4, 5), "float32"))


# ------------------------------------------------------------------ Rescaling, images

def test_rescaling_harness():
    check_layer(layers.Rescaling, {"scale": 0.5, "offset": -1.0}, input_shape=(2, 3),
                reference=lambda x, w: x * 0.5 - 1.0)


def test_rescaling_per_channel_and_ints():
    layer = layers.Rescaling(scale=[1.0, 0.5, 0.25])
    x = np.full((1, 2, 2, 3), 8, "uint8")
    out = layer(x)
    assert str(out.dtype).endswith("float32")
    np.testing.assert_allclose(_np(out)[0, 0, 0], [8.0, 4.0, 2.0])


def test_resizing_harness():
    import torch
    import torch.nn.functional as F

    def reference(x, w):
        t = torch.from_numpy(x).permute(0, 3, 1, 2)
        return F.interpolate(t, size=(3, 5), mode="bilinear",
                             align_corners=False).permute(0, 2, 3, 1).numpy()
    check_layer(layers.Resizing, {"height": 3, "width": 5}, input_shape=(2, 6, 4, 2),
                expected_output_shape=(2, 3, 5, 2), reference=reference)


def test_center_crop_harness():
    check_layer(layers.CenterCrop, {"height": 2, "width": 3}, input_shape=(2, 5, 6, 1),
                expected_output_shape=(2, 2, 3, 1), reference=lambda x, w: x[:, 1:3, 1:4])


def test_center_crop_dict_and_errors():
    images = np.arange(2 * 4 * 4 * 1, dtype="float32").reshape(2, 4, 4, 1)
    out = layers.CenterCrop(2, 2)({"images": images, "labels": np.array([0, 1])})
    np.testing.assert_array_equal(_np(out["images"]), images[:, 1:3, 1:3])
    np.testing.assert_array_equal(out["labels"], [0, 1])
    with pytest.raises(ValueError, match="center_crop.*rank 3.*or 4"):
        layers.CenterCrop(2, 2, name="center_crop")(np.zeros((4, 4), "float32"))


# ------------------------------------------------------------------ categorical

@pytest.mark.parametrize("mode", ["one_hot", "multi_hot", "count"])
def test_category_encoding_harness(mode):
    def reference(x, w):
        if mode == "one_hot":
            return np.eye(10, dtype="float32")[x]
        counts = np.stack([np.bincount(r, minlength=10) for r in x]).astype("float32")
        return np.minimum(counts, 1) if mode == "multi_hot" else counts
    shape = (4,) if mode == "one_hot" else (4, 3)
    check_layer(layers.CategoryEncoding, {"num_tokens": 10, "output_mode": mode},
                input_shape=shape, input_dtype="int32", reference=reference, train=False)


def test_category_encoding_rank3_and_out_of_range():
    x = np.array([[[0, 1], [2, 2]], [[3, 9], [1, 1]]])  # (2, 2, 2): reduces axis 1
    out = _np(layers.CategoryEncoding(4, output_mode="count")(x))
    assert out.shape == (2, 2, 4)
    np.testing.assert_array_equal(out[1], [[0, 1, 0, 1], [0, 1, 0, 0]])  # 9 is dropped


def test_category_encoding_errors():
    with pytest.raises(ValueError, match="num_tokens"):
        layers.CategoryEncoding()
    with pytest.raises(ValueError, match="output_mode"):
        layers.CategoryEncoding(3, output_mode="tf_idf")
    with pytest.raises(ValueError, match="count_weights"):
        layers.CategoryEncoding(3, output_mode="one_hot")([0, 1], count_weights=[1.0, 2.0])
    with pytest.raises(ValueError, match="sparse=True"):
        layers.CategoryEncoding(3, sparse=True)


def test_discretization_harness():
    bins = [-0.5, 0.0, 0.7]
    out = check_layer(layers.Discretization, {"bin_boundaries": bins}, input_shape=(3, 4),
                      reference=lambda x, w: np.digitize(x, bins), train=False)
    assert out.dtype == np.int32
    check_layer(layers.Discretization, {"bin_boundaries": bins, "output_mode": "multi_hot"},
                input_shape=(3, 4), expected_output_shape=(3, 4), train=False)


def test_discretization_adapt_quantiles_and_config():
    data = np.random.default_rng(0).uniform(0, 100, size=(1000,)).astype("float32")
    layer = layers.Discretization(num_bins=4, epsilon=0.001)
    layer.adapt(data)
    np.testing.assert_allclose(layer.bin_boundaries, np.quantile(data, [0.25, 0.5, 0.75]),
                               rtol=0.02)
    clone = layers.Discretization.from_config(layer.get_config())
    assert clone.bin_boundaries == layer.bin_boundaries and clone.num_bins == 4
    batches = layers.Discretization(num_bins=4, epsilon=0.001)
    batches.adapt(iter(np.split(data, 4)))
    np.testing.assert_allclose(batches.bin_boundaries, layer.bin_boundaries, rtol=0.05)


def test_discretization_errors():
    with pytest.raises(ValueError, match="either `num_bins`"):
        layers.Discretization()
    with pytest.raises(ValueError, match="not both"):
        layers.Discretization(bin_boundaries=[0.0], num_bins=2)
    with pytest.raises(ValueError, match="adapt"):
        layers.Discretization(bin_boundaries=[0.0]).adapt(np.zeros(3))
    with pytest.raises(ValueError, match="call `adapt"):
        layers.Discretization(num_bins=3)(np.zeros(3, "float32"))


def test_preprocessing_exports():
    from cornu.layers import preprocessing
    for name in preprocessing.__all__:
        assert getattr(layers, name) is getattr(preprocessing, name)
