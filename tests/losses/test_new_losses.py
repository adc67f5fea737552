"""Circle and CategoricalGeneralizedCrossEntropy against Keras 3.15.1 (fixtures made by
``fixtures/make_new_loss_fixtures.py``): functions, reductions, sample weights, configs,
lookup by name and use in ``compile``."""
import json
import os

import numpy as np
import pytest

import cornu
from cornu import losses

HERE = os.path.dirname(os.path.abspath(__file__))
A = np.load(os.path.join(HERE, "fixtures", "new_losses.npz"))
with open(os.path.join(HERE, "fixtures", "new_losses.json")) as _f:
    CONFIGS = json.load(_f)["configs"]
REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none"]
TOL = dict(rtol=1e-5, atol=1e-5)
LABELS, EMBEDDINGS = A["circle__labels"], A["circle__embeddings"]


@pytest.mark.parametrize("case,kwargs", [
    ("default", {}),
    ("keep_diagonal", {"remove_diagonal": False}),
    ("gamma_margin", {"gamma": 16.0, "margin": 0.25}),
    ("reference", {"ref_labels": A["circle__ref_labels"],
                   "ref_embeddings": A["circle__ref_embeddings"]}),
])
def test_circle_function_matches_keras(case, kwargs):
    value = losses.circle(LABELS, EMBEDDINGS, **kwargs)
    np.testing.assert_allclose(np.asarray(value), A[f"circle_fn__{case}"], **TOL)


def circle_numpy(labels, e, gamma=80.0, margin=0.4):
    """Sun et al.'s Circle loss per query, written directly (self-pairs left out)."""
    d = np.maximum(1 - e @ e.T, 0.0)
    same = labels[:, None] == labels[None, :]
    out = []
    for i in range(len(labels)):
        pos = same[i].copy()
        pos[i] = False
        neg = ~same[i]
        sp = -gamma * np.maximum(margin + d[i, pos], 0) * (margin - d[i, pos])
        sn = gamma * np.maximum(1 + margin - d[i, neg], 0) * (1 - margin - d[i, neg])
        lse = np.log(np.exp(sp - sp.max()).sum()) + sp.max() + (
            np.log(np.exp(sn - sn.max()).sum()) + sn.max())
        out.append(np.logaddexp(0.0, lse))
    return np.array(out)


def test_circle_against_numpy():
    value = losses.circle(LABELS, EMBEDDINGS, gamma=16.0, margin=0.25)
    np.testing.assert_allclose(np.asarray(value),
                               circle_numpy(LABELS, EMBEDDINGS.astype("float64"), 16.0, 0.25),
                               rtol=1e-4)


@pytest.mark.parametrize("q", [0.1, 0.5, 0.9])
def test_gce_function_matches_keras_and_numpy(q):
    value = losses.categorical_generalized_cross_entropy(A["gce__labels"], A["gce__probs"], q=q)
    np.testing.assert_allclose(np.asarray(value), A[f"gce_fn__q{q}"], **TOL)
    p = A["gce__probs"][np.arange(6), A["gce__labels"]]
    np.testing.assert_allclose(np.asarray(value), (1 - p ** q) / q, **TOL)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_reductions_match_keras(reduction, weighted):
    tag = f"{reduction}__{'weighted' if weighted else 'plain'}"
    circle = losses.Circle(gamma=32.0, margin=0.3, reduction=reduction)
    value = circle(LABELS, EMBEDDINGS, sample_weight=A["circle__weight"] if weighted else None)
    np.testing.assert_allclose(np.asarray(value), A[f"circle__{tag}"], **TOL)
    gce = losses.CategoricalGeneralizedCrossEntropy(q=0.7, reduction=reduction)
    value = gce(A["gce__labels"], A["gce__probs"],
                sample_weight=A["gce__weight"] if weighted else None)
    np.testing.assert_allclose(np.asarray(value), A[f"gce__{tag}"], **TOL)


def test_column_labels():
    value = losses.CategoricalGeneralizedCrossEntropy()(A["gce__labels"][:, None], A["gce__probs"])
    np.testing.assert_allclose(np.asarray(value), A["gce__column_labels"], **TOL)
    value = losses.Circle()(LABELS[:, None], EMBEDDINGS)
    np.testing.assert_allclose(np.asarray(value), A["circle__column_labels"], **TOL)


def test_circle_mask_averages_over_positive_losses():
    values = losses.circle(LABELS, EMBEDDINGS)
    assert np.array_equal(np.asarray(values._keras_mask), np.asarray(values) > 0)


def test_configs_round_trip():
    circle = losses.Circle(gamma=32.0, margin=0.3, remove_diagonal=False)
    assert circle.get_config() == CONFIGS["Circle"]
    assert losses.Circle.from_config(circle.get_config()).get_config() == CONFIGS["Circle"]
    gce = losses.CategoricalGeneralizedCrossEntropy(q=0.7, name="gce")
    assert gce.get_config() == CONFIGS["CategoricalGeneralizedCrossEntropy"]
    for key in ("Circle", "gce"):
        restored = losses.deserialize(CONFIGS["serialized"][key])
        assert restored.get_config() == CONFIGS["serialized"][key]["config"]
    assert losses.serialize(losses.Circle())["config"] == (
        CONFIGS["serialized"]["Circle"]["config"])
    assert losses.deserialize(CONFIGS["serialized"]["circle"]) is losses.circle


def test_lookup_by_name():
    assert losses.get("circle") is losses.circle
    assert isinstance(losses.get("Circle"), losses.Circle)
    # Keras 3.15.1 does not list the generalized cross entropy by name; cornu lists the
    # class (so saved configs naming it load), not the function (its q has no default)
    assert isinstance(losses.get("CategoricalGeneralizedCrossEntropy"),
                      losses.CategoricalGeneralizedCrossEntropy)
    with pytest.raises(ValueError, match="Unknown loss"):
        losses.get("categorical_generalized_cross_entropy")


def test_gce_checks_q():
    with pytest.raises(ValueError, match=r"\(0, 1\).*q=1.5"):
        losses.CategoricalGeneralizedCrossEntropy(q=1.5)


def embedding_model():
    return cornu.Sequential([cornu.Input((6,)), cornu.layers.Dense(4),
                             cornu.layers.UnitNormalization()])


@pytest.mark.parametrize("loss", ["circle", losses.Circle, losses.Circle(gamma=16.0)],
                         ids=["string", "class", "instance"])
def test_circle_in_compile(loss, tmp_path):
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(4), 8)
    centers = rng.normal(size=(4, 6))
    x = (centers[labels] + 0.3 * rng.normal(size=(32, 6))).astype("float32")
    model = embedding_model()
    model.compile(optimizer=cornu.optimizers.Adam(0.01), loss=loss)
    history = model.fit(x, labels.astype("float32"), batch_size=32, epochs=5, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    if isinstance(loss, type):
        return  # a model compiled with a loss class does not save, in Keras either
    path = str(tmp_path / "circle.keras")
    model.save(path)
    loaded = cornu.saving.load_model(path)
    np.testing.assert_allclose(loaded.evaluate(x, labels.astype("float32"), batch_size=32,
                                               verbose=0),
                               model.evaluate(x, labels.astype("float32"), batch_size=32,
                                              verbose=0), rtol=1e-5)


@pytest.mark.parametrize("loss", [losses.CategoricalGeneralizedCrossEntropy,
                                  losses.CategoricalGeneralizedCrossEntropy(q=0.3)],
                         ids=["class", "instance"])
def test_gce_in_compile(loss, tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 5)).astype("float32")
    y = (x[:, 0] > 0).astype("int32") + (x[:, 1] > 0).astype("int32")
    model = cornu.Sequential([cornu.Input((5,)), cornu.layers.Dense(3, activation="softmax")])
    model.compile(optimizer=cornu.optimizers.Adam(0.05), loss=loss)
    history = model.fit(x, y, batch_size=16, epochs=5, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    if isinstance(loss, type):
        return  # a model compiled with a loss class does not save, in Keras either
    path = str(tmp_path / "gce.keras")
    model.save(path)
    loaded = cornu.saving.load_model(path)
    assert isinstance(loaded.loss, losses.CategoricalGeneralizedCrossEntropy)
    assert loaded.loss.q == 0.3
    np.testing.assert_allclose(loaded.evaluate(x, y, verbose=0), model.evaluate(x, y, verbose=0),
                               rtol=1e-5)


def test_circle_queries_without_positives_are_masked_out():
    e = EMBEDDINGS[:4]
    per_query = np.asarray(losses.circle([0, 0, 1, 2], e))
    assert per_query[2] == 0 and per_query[3] == 0  # no other sample of their class
    np.testing.assert_allclose(np.asarray(losses.Circle()([0, 0, 1, 2], e)),
                               per_query[:2].mean(), rtol=1e-6)
    metric = cornu.metrics.get("circle")
    metric.update_state([0, 0, 1, 2], e)
    np.testing.assert_allclose(float(metric.result()), per_query[:2].mean(), rtol=1e-6)
