"""Attention, AdditiveAttention, MultiHeadAttention, GroupedQueryAttention: Keras 3's
outputs (fixtures/make_attention_fixtures.py), numpy references via the harness,
masks, paths, configs and errors."""
import os

import numpy as np
import pytest
import torch

import cornu
from cornu import backend, layers
from cornu.layers import layer as layer_module
from cornu.saving import object_tree, register_keras_serializable
from tests.layers.fixtures.make_attention_fixtures import unpack
from tests.layers.harness import check_layer

ARRAYS, META = unpack(os.path.join(os.path.dirname(__file__), "fixtures",
                                   "attention_fixtures.npz"))
CASES = META["cases"]
NAMES = ("query", "value", "key")
LIST_LAYERS = ("Attention", "AdditiveAttention")


def _np(x):
    return backend.convert_to_numpy(x)


def _tensor(a):
    return backend.convert_to_tensor(a)


def _masks_on():
    # Masks attached by hand (not by a layer) are only looked for once some layer
    # produced one; in these tests no layer has to have run before.
    layer_module._mask_state.active = True


@pytest.fixture(autouse=True)
def _restore_mask_state():
    active = layer_module._mask_state.active
    yield
    layer_module._mask_state.active = active


# ------------------------------------------------------------------ Keras fixtures

def _case_call(case):
    """(run(layer) -> outputs) for a fixture case, as the fixture script called Keras."""
    cid = case["id"]
    names = NAMES[:len(case["inputs"])]
    tensors = [_tensor(ARRAYS[f"{cid}/{name}"]) for name in names]

    def attach_masks():  # again for each call: MultiHeadAttention consumes them
        for name, t in zip(names, tensors):
            if f"{cid}/{name}_keras_mask" in ARRAYS:
                _masks_on()
                t._keras_mask = _tensor(ARRAYS[f"{cid}/{name}_keras_mask"])
        return tensors
    call = dict(case.get("call", {}))
    if case["cls"] in LIST_LAYERS:
        if f"{cid}/query_mask" in ARRAYS:
            call["mask"] = [_tensor(ARRAYS[f"{cid}/query_mask"]),
                            _tensor(ARRAYS[f"{cid}/value_mask"])]
        return lambda layer: layer(list(attach_masks()), **call)
    for name in ("attention_mask", "value_mask"):
        if f"{cid}/{name}" in ARRAYS:
            call[name] = _tensor(ARRAYS[f"{cid}/{name}"])
    return lambda layer: layer(*attach_masks(), **call)


def _case_layer(case, from_keras_config):
    if from_keras_config:
        return layers.deserialize(META[f"{case['id']}/config"])
    return getattr(layers, case["cls"])(**case["kwargs"])


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
@pytest.mark.parametrize("from_keras_config", [False, True], ids=["args", "keras_config"])
def test_matches_keras(case, from_keras_config):
    cid = case["id"]
    layer = _case_layer(case, from_keras_config)
    run = _case_call(case)
    run(layer)
    n = len(layer.weights)
    assert f"{cid}/w{n}" not in ARRAYS and (n == 0 or f"{cid}/w{n - 1}" in ARRAYS), (
        f"{cid}: cornu has {n} weights")
    layer.set_weights([ARRAYS[f"{cid}/w{i}"] for i in range(n)])
    y = run(layer)
    if f"{cid}/scores" in ARRAYS:
        y, scores = y
        np.testing.assert_allclose(_np(scores), ARRAYS[f"{cid}/scores"], atol=1e-5,
                                   rtol=1e-5, err_msg=cid)
    np.testing.assert_allclose(_np(y), ARRAYS[f"{cid}/y"], atol=1e-5, rtol=1e-5, err_msg=cid)
    if f"{cid}/paths" in META:  # the same below the layer's (numbered) name
        assert [w.path.split("/", 1)[1:] for w in layer.weights] == [
            p.split("/", 1)[1:] for p in META[f"{cid}/paths"]]


def test_keras_configs_round_trip_to_the_same_config():
    for case in CASES:
        config = META[f"{case['id']}/config"]
        layer = layers.deserialize(config)
        ours = layer.get_config()
        for key, value in config["config"].items():
            if key in ("dtype", "name"):
                continue
            mine = ours[key]
            if isinstance(value, dict):  # initializers etc.: same class and arguments
                assert mine["class_name"] == value["class_name"], (case["id"], key)
            else:
                assert mine == value, (case["id"], key, mine, value)
        assert set(ours) - set(config["config"]) == set(), case["id"]


def test_embedding_masks_flow_through_a_functional_model():
    case = META["model_case"]
    tokens = cornu.Input((case["steps"],), dtype="int32")
    emb = layers.Embedding(case["vocab"], case["dim"], mask_zero=True)(tokens)
    mha = layers.MultiHeadAttention(case["heads"], 3)(emb, emb, use_causal_mask=True)
    att = layers.Attention(use_scale=True)([mha, emb])
    model = cornu.Model(tokens, att)
    model.set_weights([ARRAYS[f"model/w{i}"] for i in range(len(model.weights))])
    y = model(ARRAYS["model/x"])
    np.testing.assert_allclose(_np(y), ARRAYS["model/y"], atol=1e-5, rtol=1e-5)
    # The output carries the query's mask.
    np.testing.assert_array_equal(_np(y._keras_mask), ARRAYS["model/x"] != 0)


# ------------------------------------------------------------------ numpy references

def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _mha_reference(query, value, weights, num_heads, key_dim, key=None, mask=None):
    """(B, T, d) attention with (B, T, S) boolean mask; weights in Keras's order."""
    wq, bq, wk, bk, wv, bv, wo, bo = weights
    key = value if key is None else key
    q = np.einsum("btd,dnh->btnh", query, wq) + bq
    k = np.einsum("bsd,dnh->bsnh", key, wk) + bk
    v = np.einsum("bsd,dnh->bsnh", value, wv) + bv
    n_rep = q.shape[2] // k.shape[2]
    k, v = np.repeat(k, n_rep, axis=2), np.repeat(v, n_rep, axis=2)
    logits = np.einsum("btnh,bsnh->bnts", q, k) / np.sqrt(key_dim)
    if mask is not None:
        logits = np.where(mask[:, None], logits, -1e9)
    out = np.einsum("bnts,bsnh->btnh", _softmax(logits), v)
    return np.einsum("btnh,nhd->btd", out, wo) + bo


def _attention_reference(query, value, key=None, scale=1.0):
    key = value if key is None else key
    return _softmax(scale * query @ np.swapaxes(key, -1, -2)) @ value


class _ListCall:
    """Called on ``[query, value(, key)]`` (check_layer passes inputs as one list)."""

    def __call__(self, *args, **kwargs):
        if len(args) == 1 and isinstance(args[0], (list, tuple)):
            args = tuple(args[0])
        return super().__call__(*args, **kwargs)


@register_keras_serializable("cornu_attention_tests")
class ListMultiHeadAttention(_ListCall, layers.MultiHeadAttention):
    pass


@register_keras_serializable("cornu_attention_tests")
class ListGroupedQueryAttention(_ListCall, layers.GroupedQueryAttention):
    pass


def test_mha_harness():
    check_layer(ListMultiHeadAttention, {"num_heads": 2, "key_dim": 3},
                input_shape=[(2, 4, 5), (2, 6, 5)], expected_output_shape=(2, 4, 5),
                expected_num_trainable_weights=8,
                expected_weight_shapes=[(5, 2, 3), (2, 3)] * 3 + [(2, 3, 5), (5,)],
                reference=lambda x, w: _mha_reference(x[0], x[1], w, 2, 3))


def test_mha_harness_key_and_value_dim():
    check_layer(ListMultiHeadAttention, {"num_heads": 3, "key_dim": 2, "value_dim": 4,
                                         "output_shape": 6},
                input_shape=[(2, 4, 5), (2, 3, 4), (2, 3, 7)], expected_output_shape=(2, 4, 6),
                expected_weight_shapes=[(5, 3, 2), (3, 2), (7, 3, 2), (3, 2), (4, 3, 4),
                                        (3, 4), (3, 4, 6), (6,)])


def test_gqa_harness():
    check_layer(ListGroupedQueryAttention,
                {"head_dim": 3, "num_query_heads": 4, "num_key_value_heads": 2},
                input_shape=[(2, 4, 5), (2, 6, 5)], expected_output_shape=(2, 4, 5),
                expected_weight_shapes=[(5, 4, 3), (4, 3), (5, 2, 3), (2, 3), (5, 2, 3),
                                        (2, 3), (4, 3, 5), (5,)],
                reference=lambda x, w: _mha_reference(x[0], x[1], w, 4, 3))


def test_attention_harness():
    check_layer(layers.Attention, {}, input_shape=[(2, 4, 5), (2, 6, 5)],
                expected_output_shape=(2, 4, 5), expected_num_trainable_weights=0,
                reference=lambda x, w: _attention_reference(*x))
    check_layer(layers.Attention, {"use_scale": True}, input_shape=[(2, 4, 5), (2, 6, 3),
                                                                    (2, 6, 5)],
                expected_output_shape=(2, 4, 3), expected_weight_shapes=[()],
                reference=lambda x, w: _attention_reference(x[0], x[1], x[2], w[0]))


def test_attention_concat_harness():
    def reference(x, w):
        q, v = x
        scores = w[1] * np.tanh(w[0] * (q[:, :, None] + v[:, None])).sum(-1)
        return _softmax(scores) @ v
    check_layer(layers.Attention, {"use_scale": True, "score_mode": "concat"},
                input_shape=[(2, 4, 5), (2, 6, 5)], expected_weight_shapes=[(), ()],
                reference=reference)


def test_additive_attention_harness():
    def reference(x, w):
        q, v = x
        return _softmax((w[0] * np.tanh(q[:, :, None] + v[:, None])).sum(-1)) @ v
    check_layer(layers.AdditiveAttention, {}, input_shape=[(2, 4, 5), (2, 6, 5)],
                expected_output_shape=(2, 4, 5), expected_weight_shapes=[(5,)],
                reference=reference)


# ------------------------------------------------------------------ masks and paths

def _mha(**kwargs):
    layer = layers.MultiHeadAttention(2, 3, **kwargs)
    rng = np.random.default_rng(0)
    q = rng.normal(size=(2, 4, 5)).astype("float32")
    v = rng.normal(size=(2, 6, 5)).astype("float32")
    return layer, q, v


def test_mha_attention_mask_matches_numpy_and_fused_equals_explicit():
    layer, q, v = _mha()
    mask = np.random.default_rng(1).random((2, 4, 6)) > 0.3
    mask[..., 0] = True
    fused = layer(q, v, attention_mask=mask)
    explicit, scores = layer(q, v, attention_mask=mask, return_attention_scores=True)
    weights = [w.numpy() for w in layer.weights]
    np.testing.assert_allclose(_np(fused), _mha_reference(q, v, weights, 2, 3, mask=mask),
                               atol=1e-5)
    np.testing.assert_allclose(_np(fused), _np(explicit), atol=1e-5)
    assert np.all(_np(scores)[np.broadcast_to(~mask[:, None], scores.shape)] == 0)


def test_mha_keras_masks_and_output_mask():
    layer, q, v = _mha()
    qt, vt = _tensor(q), _tensor(v)
    _masks_on()
    qt._keras_mask = qm = _tensor(np.array([[1, 1, 1, 0], [1, 1, 1, 1]], bool))
    vt._keras_mask = vm = _tensor(np.array([[1, 1, 0, 0, 0, 0], [1] * 6], bool))
    out = layer(qt, vt)
    np.testing.assert_array_equal(_np(out._keras_mask), _np(qm))
    # As in Keras 3, the layer consumes its inputs' masks.
    assert qt._keras_mask is None and vt._keras_mask is None
    same = layer(_tensor(q), _tensor(v), attention_mask=qm[:, :, None] & vm[:, None, :])
    np.testing.assert_allclose(_np(out), _np(same), atol=1e-6)
    # An explicit query_mask is ignored (Keras 3 reads only the query's own mask);
    # value_mask is not.
    np.testing.assert_allclose(_np(layer(q, v, query_mask=qm)), _np(layer(q, v)), atol=0)
    np.testing.assert_allclose(_np(layer(q, v, value_mask=vm)),
                               _np(layer(q, v, attention_mask=vm[:, None, :])), atol=1e-6)


def test_gqa_keras_masks_stay_and_query_mask_argument_counts():
    layer = layers.GroupedQueryAttention(2, 4, 2)
    rng = np.random.default_rng(0)
    q = _tensor(rng.normal(size=(2, 4, 5)).astype("float32"))
    qm = _tensor(np.array([[1, 1, 1, 0], [1, 1, 1, 1]], bool))
    out = layer(q, q, query_mask=qm, return_attention_scores=True)[1]
    assert np.all(_np(out)[0, :, 3] == 0)
    _masks_on()
    q._keras_mask = qm
    y = layer(q, q)
    assert q._keras_mask is qm
    np.testing.assert_array_equal(_np(y._keras_mask), _np(qm))


def test_mha_causal_mask_hides_the_future():
    layer, q, _ = _mha()
    out = _np(layer(q, q, use_causal_mask=True))
    changed = q.copy()
    changed[:, 2:] += 1.0  # the future of steps 0 and 1
    out2 = _np(layer(q, changed, use_causal_mask=True))
    np.testing.assert_allclose(out[:, :2], out2[:, :2], atol=1e-6)
    assert not np.allclose(out[:, 2:], out2[:, 2:])


def test_mha_dropout_only_in_training():
    layer, q, v = _mha(dropout=0.5, seed=1)
    a, b = _np(layer(q, v)), _np(layer(q, v))
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(_np(layer(q, v, training=True)), a)


def test_mha_symbolic_shapes_and_keyword_call():
    q, v = cornu.Input((4, 5)), cornu.Input((None, 3))
    layer = layers.MultiHeadAttention(2, 3, output_shape=(2, 3))
    out, scores = layer(query=q, value=v, return_attention_scores=True)
    assert out.shape == (None, 4, 2, 3) and scores.shape == (None, 2, 4, None)
    assert layer.compute_output_shape((1, 4, 5), (1, 6, 3)) == (1, 4, 2, 3)
    model = cornu.Model([q, v], out)
    y = model([np.ones((2, 4, 5), "float32"), np.ones((2, 7, 3), "float32")])
    assert tuple(y.shape) == (2, 4, 2, 3)


def test_build_config_round_trip():
    layer, q, v = _mha()
    layer(q, v, v[..., :3])
    config = layer.get_build_config()
    assert config == {"shapes_dict": {"query_shape": [2, 4, 5], "value_shape": [2, 6, 5],
                                      "key_shape": [2, 6, 3]}}
    clone = layers.MultiHeadAttention.from_config(layer.get_config())
    clone.build_from_config(config)
    assert [tuple(w.shape) for w in clone.weights] == [tuple(w.shape) for w in layer.weights]


def test_weights_file_paths_are_keras_paths():
    q, v = cornu.Input((4, 5)), cornu.Input((6, 5))
    mha = layers.MultiHeadAttention(2, 3, use_gate=True)
    gqa = layers.GroupQueryAttention(2, 4, 2)
    model = cornu.Model([q, v], [mha(q, v), gqa(q, v)])
    paths = {path for path, obj in object_tree.walk(model) if obj.weights or path}
    for sub in ("query_dense", "key_dense", "value_dense", "output_dense", "_gate_dense",
                "_softmax", "_dropout_layer"):
        assert f"layers/multi_head_attention/{sub}" in paths, sub
    for sub in ("_query_dense", "_key_dense", "_value_dense", "_output_dense"):
        assert f"layers/grouped_query_attention/{sub}" in paths, sub
    assert mha._query_dense is mha.query_dense


def test_attention_masks_and_output_mask():
    rng = np.random.default_rng(0)
    q, v = _tensor(rng.normal(size=(2, 3, 4)).astype("float32")), _tensor(
        rng.normal(size=(2, 5, 4)).astype("float32"))
    qm = _tensor(np.array([[1, 1, 0], [1, 1, 1]], bool))
    vm = _tensor(np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], bool))
    layer = layers.Attention()
    out = _np(layer([q, v], mask=[qm, vm]))
    assert np.all(out[0, 2] == 0)
    np.testing.assert_allclose(out[0, :2], _attention_reference(_np(q)[0:1, :2],
                                                                _np(v)[0:1, :3])[0], atol=1e-5)
    _masks_on()
    q._keras_mask, v._keras_mask = qm, vm
    implicit = layer([q, v])
    np.testing.assert_allclose(_np(implicit), out, atol=1e-6)
    np.testing.assert_array_equal(_np(implicit._keras_mask), _np(qm))


# ------------------------------------------------------------------ errors

@pytest.mark.parametrize("kwargs, match", [
    ({"num_heads": 0, "key_dim": 2}, "num_heads"),
    ({"num_heads": 2, "key_dim": 2.5}, "key_dim"),
    ({"num_heads": 2, "key_dim": 2, "value_dim": -1}, "value_dim"),
    ({"num_heads": 2, "key_dim": 2, "attention_axes": "x"}, "attention_axes"),
    ({"num_heads": 2, "key_dim": 2, "sliding_window": 0}, "sliding_window"),
    ({"num_heads": 2, "key_dim": 2, "dropout": 0.1, "flash_attention": True}, "flash"),
])
def test_mha_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        layers.MultiHeadAttention(**kwargs)


def test_mha_bad_inputs_name_the_layer():
    layer = layers.MultiHeadAttention(2, 2, name="att")
    with pytest.raises(ValueError, match="'att'.*value_shape"):
        layer(np.ones((1, 3, 4)), np.ones((1, 5, 4)), np.ones((1, 6, 4)))
    with pytest.raises(ValueError, match="'att'.*rank 3 or more"):
        layers.MultiHeadAttention(2, 2, name="att")(np.ones((1, 4)), np.ones((1, 4)))
    with pytest.raises(TypeError, match="query.*value"):
        layers.MultiHeadAttention(2, 2)(np.ones((1, 3, 4)))
    with pytest.raises(ValueError, match="flash attention"):
        layers.MultiHeadAttention(2, 2, flash_attention=True)(
            np.ones((1, 3, 4)), np.ones((1, 3, 4)), return_attention_scores=True)
    with pytest.raises(TypeError, match="num_heads"):
        layers.MultiHeadAttention(num_head=2, key_dim=2)


def test_gqa_bad_arguments_and_inputs():
    with pytest.raises(ValueError, match="divisible"):
        layers.GroupedQueryAttention(2, 3, 2)
    with pytest.raises(ValueError, match="head_dim"):
        layers.GroupedQueryAttention(0, 2, 2)
    layer = layers.GroupedQueryAttention(2, 2, 1, name="gqa")
    with pytest.raises(ValueError, match="'gqa'.*rank 3"):
        layer(np.ones((1, 2, 3, 4)), np.ones((1, 2, 3, 4)))
    with pytest.raises(ValueError, match="'gqa'.*last dimension"):
        layers.GroupedQueryAttention(2, 2, 1, name="gqa")(cornu.Input((3, 4)),
                                                          cornu.Input((3, 5)))


def test_attention_bad_inputs_name_the_layer():
    with pytest.raises(ValueError, match="score_mode"):
        layers.Attention(score_mode="add")
    layer = layers.Attention(name="att")
    with pytest.raises(ValueError, match="'att' must be called on a list"):
        layer(np.ones((2, 3, 4)))
    with pytest.raises(ValueError, match="'att' accepts a list of 2 or 3"):
        layers.Attention(name="att")([np.ones((2, 3, 4))] * 4)
    with pytest.raises(ValueError, match="feature size"):
        layers.AdditiveAttention(name="att")([np.ones((2, 3, 4)), np.ones((2, 5, 3))])
    with pytest.raises(ValueError, match="`mask` must be a list"):
        layers.Attention()([np.ones((2, 3, 4)), np.ones((2, 5, 4))],
                           mask=torch.ones(2, 3, dtype=torch.bool))
