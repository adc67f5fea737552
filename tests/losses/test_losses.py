"""Each loss against an independent numpy version of its formula, Keras's documented
values, the reductions, sample weights, masks, and get/serialize."""
import warnings

import numpy as np
import pytest
import torch

from cornu import backend, losses, ops

EPS = 1e-7
rng = np.random.default_rng(0)
PROBS = rng.uniform(0.05, 0.95, (4, 3)).astype("float32")  # (N, C)
BINARY = rng.integers(0, 2, (4, 3)).astype("float32")
ONE_HOT = np.eye(3, dtype="float32")[[0, 2, 1, 2]]
LABELS = np.array([0, 2, 1, 2])
LOGITS = rng.normal(0, 2, (4, 3)).astype("float32")
REAL_TRUE = rng.normal(0, 2, (4, 3)).astype("float32")
REAL_PRED = rng.normal(0, 2, (4, 3)).astype("float32")
POSITIVE_TRUE = rng.uniform(0.1, 3, (4, 3)).astype("float32")
POSITIVE_PRED = rng.uniform(0.1, 3, (4, 3)).astype("float32")
WEIGHTS = np.array([0.5, 1.0, 0.0, 2.0], dtype="float32")


def np_value(x):
    return backend.convert_to_numpy(x)


# ---------------------------------------------------------------- numpy references

def ref_bce(t, p, from_logits=False, label_smoothing=0.0):
    t = t * (1 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        per = np.maximum(p, 0) - p * t + np.log1p(np.exp(-np.abs(p)))
    else:
        p = np.clip(p, EPS, 1 - EPS)
        per = -(t * np.log(p) + (1 - t) * np.log(1 - p))
    return per.mean(-1)


def ref_focal_bce(t, p, gamma=2.0, alpha=0.25, balance=False, from_logits=False):
    if from_logits:
        p = 1 / (1 + np.exp(-p))
    pc = np.clip(p, EPS, 1 - EPS)
    bce = -(t * np.log(pc) + (1 - t) * np.log(1 - pc))
    p_t = t * p + (1 - t) * (1 - p)
    out = (1 - p_t) ** gamma * bce
    if balance:
        out = (t * alpha + (1 - t) * (1 - alpha)) * out
    return out.mean(-1)


def _log_probs(p, from_logits):
    if from_logits:
        p = p - p.max(-1, keepdims=True)
        return p - np.log(np.exp(p).sum(-1, keepdims=True))
    return np.log(np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS))


def ref_cce(t, p, from_logits=False, label_smoothing=0.0):
    t = t * (1 - label_smoothing) + label_smoothing / t.shape[-1]
    return -(t * _log_probs(p, from_logits)).sum(-1)


def ref_focal_cce(t, p, alpha=0.25, gamma=2.0, from_logits=False):
    out = np.exp(_log_probs(p, from_logits)) if from_logits else np.clip(
        p / p.sum(-1, keepdims=True), EPS, 1 - EPS)
    out = np.clip(out, EPS, 1 - EPS)
    return (alpha * (1 - out) ** gamma * -t * np.log(out)).sum(-1)


def ref_scce(labels, p, from_logits=False):
    return -np.take_along_axis(_log_probs(p, from_logits), labels[..., None], -1)[..., 0]


def ref_hinge_labels(t):
    return 2 * t - 1 if np.all((t == 0) | (t == 1)) else t


def ref_cosine(t, p, axis=-1):
    def unit(x):
        return x / np.maximum(np.sqrt((x * x).sum(axis, keepdims=True)), EPS)
    return -(unit(t) * unit(p)).sum(axis)


def ref_huber(t, p, delta=1.0):
    e = np.abs(p - t)
    return np.where(e <= delta, 0.5 * e ** 2, delta * e - 0.5 * delta ** 2).mean(-1)


CASES = [  # (loss, y_true, y_pred, reference of per-sample values)
    (losses.MeanSquaredError(), REAL_TRUE, REAL_PRED, lambda t, p: ((t - p) ** 2).mean(-1)),
    (losses.MeanAbsoluteError(), REAL_TRUE, REAL_PRED, lambda t, p: np.abs(t - p).mean(-1)),
    (losses.MeanAbsolutePercentageError(), REAL_TRUE, REAL_PRED,
     lambda t, p: 100 * np.abs((t - p) / np.maximum(np.abs(t), EPS)).mean(-1)),
    (losses.MeanSquaredLogarithmicError(), POSITIVE_TRUE, POSITIVE_PRED,
     lambda t, p: ((np.log1p(p) - np.log1p(t)) ** 2).mean(-1)),
    (losses.CosineSimilarity(), REAL_TRUE, REAL_PRED, ref_cosine),
    (losses.CosineSimilarity(axis=0), REAL_TRUE, REAL_PRED, lambda t, p: ref_cosine(t, p, 0)),
    (losses.Huber(), REAL_TRUE, REAL_PRED, ref_huber),
    (losses.Huber(delta=0.3), REAL_TRUE, REAL_PRED, lambda t, p: ref_huber(t, p, 0.3)),
    (losses.LogCosh(), REAL_TRUE, REAL_PRED, lambda t, p: np.log(np.cosh(p - t)).mean(-1)),
    (losses.BinaryCrossentropy(), BINARY, PROBS, ref_bce),
    (losses.BinaryCrossentropy(from_logits=True), BINARY, LOGITS,
     lambda t, p: ref_bce(t, p, from_logits=True)),
    (losses.BinaryCrossentropy(label_smoothing=0.2), BINARY, PROBS,
     lambda t, p: ref_bce(t, p, label_smoothing=0.2)),
    (losses.BinaryFocalCrossentropy(), BINARY, PROBS, ref_focal_bce),
    (losses.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=0.4, gamma=3.0,
                                    from_logits=True), BINARY, LOGITS,
     lambda t, p: ref_focal_bce(t, p, 3.0, 0.4, True, True)),
    (losses.CategoricalCrossentropy(), ONE_HOT, PROBS, ref_cce),
    (losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1), ONE_HOT, LOGITS,
     lambda t, p: ref_cce(t, p, True, 0.1)),
    (losses.CategoricalFocalCrossentropy(), ONE_HOT, PROBS, ref_focal_cce),
    (losses.CategoricalFocalCrossentropy(alpha=0.5, gamma=1.0, from_logits=True), ONE_HOT,
     LOGITS, lambda t, p: ref_focal_cce(t, p, 0.5, 1.0, True)),
    (losses.SparseCategoricalCrossentropy(), LABELS, PROBS, ref_scce),
    (losses.SparseCategoricalCrossentropy(from_logits=True), LABELS[:, None], LOGITS,
     lambda t, p: ref_scce(t[:, 0], p, True)),
    (losses.Hinge(), BINARY, REAL_PRED,
     lambda t, p: np.maximum(1 - ref_hinge_labels(t) * p, 0).mean(-1)),
    (losses.Hinge(), np.sign(REAL_TRUE), REAL_PRED,
     lambda t, p: np.maximum(1 - t * p, 0).mean(-1)),
    (losses.SquaredHinge(), BINARY, REAL_PRED,
     lambda t, p: (np.maximum(1 - ref_hinge_labels(t) * p, 0) ** 2).mean(-1)),
    (losses.CategoricalHinge(), ONE_HOT, REAL_PRED,
     lambda t, p: np.maximum(((1 - t) * p).max(-1) - (t * p).sum(-1) + 1, 0)),
    (losses.KLDivergence(), PROBS[::-1].copy(), PROBS,
     lambda t, p: (np.clip(t, EPS, 1) * np.log(np.clip(t, EPS, 1) / np.clip(p, EPS, 1))).sum(-1)),
    (losses.Poisson(), POSITIVE_TRUE, POSITIVE_PRED,
     lambda t, p: (p - t * np.log(p + EPS)).mean(-1)),
    (losses.Dice(axis=-1), BINARY, PROBS,
     lambda t, p: 1 - 2 * (t * p).sum(-1) / (t.sum(-1) + p.sum(-1) + EPS)),
    (losses.Tversky(alpha=0.3, beta=0.7, axis=-1), BINARY, PROBS,
     lambda t, p: 1 - (t * p).sum(-1) / ((t * p).sum(-1) + 0.3 * ((1 - p) * t).sum(-1)
                                        + 0.7 * (p * (1 - t)).sum(-1) + EPS)),
]
IDS = [f"{type(c[0]).__name__}-{i}" for i, c in enumerate(CASES)]


@pytest.mark.parametrize("loss, y_true, y_pred, ref", CASES, ids=IDS)
def test_per_sample_values_match_reference(loss, y_true, y_pred, ref):
    expected = ref(y_true, y_pred)
    config = {**loss.get_config(), "reduction": None}
    values = type(loss).from_config(config)(y_true, y_pred)
    np.testing.assert_allclose(np_value(values), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("loss, y_true, y_pred, ref", CASES, ids=IDS)
def test_reductions_and_sample_weight(loss, y_true, y_pred, ref):
    per = ref(y_true, y_pred)
    if per.shape != (4,):
        pytest.skip("not one value per sample")
    cls, config = type(loss), loss.get_config()

    def make(reduction):
        return cls.from_config({**config, "reduction": reduction})

    close = dict(rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np_value(loss(y_true, y_pred)), per.mean(), **close)
    np.testing.assert_allclose(np_value(make("sum")(y_true, y_pred)), per.sum(), **close)
    np.testing.assert_allclose(np_value(make("mean")(y_true, y_pred)), per.mean(), **close)
    weighted = per * WEIGHTS
    np.testing.assert_allclose(np_value(loss(y_true, y_pred, sample_weight=WEIGHTS)),
                               weighted.mean(), **close)
    np.testing.assert_allclose(np_value(make("sum")(y_true, y_pred, sample_weight=WEIGHTS)),
                               weighted.sum(), **close)
    np.testing.assert_allclose(
        np_value(make("mean_with_sample_weight")(y_true, y_pred, sample_weight=WEIGHTS)),
        weighted.sum() / WEIGHTS.sum(), **close)
    np.testing.assert_allclose(np_value(make("none")(y_true, y_pred, sample_weight=WEIGHTS)),
                               weighted, **close)
    np.testing.assert_allclose(np_value(loss(y_true, y_pred, sample_weight=WEIGHTS[:, None])),
                               weighted.mean(), **close)


def test_keras_documented_values():
    bce = losses.BinaryCrossentropy(from_logits=True)
    y_true, y_pred = np.array([[0, 1], [0, 0]]), np.array([[-18.6, 0.51], [2.94, -12.8]])
    assert np.isclose(np_value(bce([0, 1, 0, 0], [-18.6, 0.51, 2.94, -12.8])), 0.8654, atol=1e-3)
    assert np.isclose(np_value(bce(y_true, y_pred)), 0.8654, atol=1e-3)
    assert np.isclose(np_value(bce(y_true, y_pred, sample_weight=[0.8, 0.2])), 0.243, atol=1e-3)
    assert np.isclose(np_value(losses.BinaryCrossentropy(from_logits=True, reduction="sum")(
        y_true, y_pred)), 1.730, atol=1e-3)
    np.testing.assert_allclose(np_value(losses.BinaryCrossentropy(
        from_logits=True, reduction=None)(y_true, y_pred)), [0.235, 1.496], atol=1e-3)

    focal = losses.BinaryFocalCrossentropy
    flat_true, flat_pred = [0, 1, 0, 0], [-18.6, 0.51, 2.94, -12.8]
    assert np.isclose(np_value(focal(gamma=2, from_logits=True)(flat_true, flat_pred)), 0.691,
                      atol=1e-3)
    assert np.isclose(np_value(focal(apply_class_balancing=True, gamma=2, from_logits=True)(
        flat_true, flat_pred)), 0.51, atol=1e-2)
    assert np.isclose(np_value(focal(gamma=3, from_logits=True)(y_true, y_pred)), 0.647,
                      atol=1e-3)
    assert np.isclose(np_value(focal(gamma=3, from_logits=True)(
        y_true, y_pred, sample_weight=[0.8, 0.2])), 0.133, atol=1e-3)
    assert np.isclose(np_value(focal(gamma=4, from_logits=True, reduction="sum")(
        y_true, y_pred)), 1.222, atol=1e-3)
    np.testing.assert_allclose(np_value(focal(gamma=5, from_logits=True, reduction=None)(
        y_true, y_pred)), [0.0017, 1.1561], atol=1e-4)
    np.testing.assert_allclose(np_value(losses.binary_focal_crossentropy(
        [[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]], gamma=2)), [0.330, 0.206], atol=1e-3)

    cat_true, cat_pred = np.array([[0, 1, 0], [0, 0, 1]]), np.array([[0.05, 0.95, 0],
                                                                        [0.1, 0.8, 0.1]])
    cce = losses.CategoricalCrossentropy()
    assert np.isclose(np_value(cce(cat_true, cat_pred)), 1.177, atol=1e-3)
    assert np.isclose(np_value(cce(cat_true, cat_pred, sample_weight=np.array([0.3, 0.7]))),
                      0.814, atol=1e-3)
    assert np.isclose(np_value(losses.CategoricalCrossentropy(reduction="sum")(
        cat_true, cat_pred)), 2.354, atol=1e-3)
    scce = losses.SparseCategoricalCrossentropy()
    assert np.isclose(np_value(scce([1, 2], cat_pred)), 1.177, atol=1e-3)
    assert np.isclose(np_value(scce([1, 2], cat_pred, sample_weight=np.array([0.3, 0.7]))),
                      0.814, atol=1e-3)
    np.testing.assert_allclose(np_value(losses.sparse_categorical_crossentropy(
        np.array([1, 2]), cat_pred)), [0.0513, 2.303], atol=1e-3)

    cfce = losses.CategoricalFocalCrossentropy()
    assert np.isclose(np_value(cfce(cat_true, cat_pred)), 0.23315276, atol=1e-5)
    assert np.isclose(np_value(cfce(cat_true, cat_pred, sample_weight=np.array([0.3, 0.7]))),
                      0.1632, atol=1e-4)
    np.testing.assert_allclose(np_value(losses.CategoricalFocalCrossentropy(reduction=None)(
        cat_true, cat_pred)), [3.2058331e-05, 4.6627346e-01], rtol=1e-4)
    np.testing.assert_allclose(np_value(losses.categorical_focal_crossentropy(
        cat_true, [[0.05, 0.9, 0.05], [0.1, 0.85, 0.05]])), [2.63401289e-04, 6.75912094e-01],
        rtol=1e-4)

    np.testing.assert_allclose(np_value(losses.binary_crossentropy(
        [[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])), [0.916, 0.714], atol=1e-3)
    assert np.isclose(np_value(losses.Huber()([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])),
                      0.155, atol=1e-3)
    assert np.isclose(np_value(losses.LogCosh()([[0., 1.], [0., 0.]], [[1., 1.], [0., 0.]])),
                      0.108, atol=1e-3)
    np.testing.assert_allclose(np_value(losses.cosine_similarity(
        [[0., 1.], [1., 1.], [1., 1.]], [[1., 0.], [1., 1.], [-1., -1.]])), [0., -1., 1.],
        atol=1e-6)

    dice_true = [[[[1.0], [1.0]], [[0.0], [0.0]]], [[[1.0], [1.0]], [[0.0], [0.0]]]]
    dice_pred = [[[[0.0], [1.0]], [[0.0], [1.0]]], [[[0.4], [0.0]], [[0.0], [0.9]]]]
    np.testing.assert_allclose(np_value(losses.dice(dice_true, dice_pred, axis=(1, 2, 3))),
                               [0.5, 0.75757575], rtol=1e-6)
    assert np.isclose(np_value(losses.dice(dice_true, dice_pred)), 0.6164384, rtol=1e-6)
    np.testing.assert_allclose(np_value(losses.Dice(axis=(1, 2, 3), reduction=None)(
        np.array(dice_true), np.array(dice_pred))), [0.5, 0.75757575], rtol=1e-6)


def test_rank_mismatch_is_reconciled():
    y_true = np.array([1.0, 2.0, 3.0])
    y_pred = np.array([[1.5], [2.0], [2.0]])
    # (N,) against (N, 1): one value per sample, not an (N, N) broadcast.
    np.testing.assert_allclose(np_value(losses.MeanSquaredError(reduction=None)(y_true, y_pred)),
                               [0.25, 0.0, 1.0])
    np.testing.assert_allclose(np_value(losses.mean_absolute_error(y_true, y_pred)),
                               [0.5, 0.0, 1.0])
    # (N, T) against (N, T, 1)
    seq_true = np.arange(6, dtype="float32").reshape(2, 3)
    seq_pred = seq_true[..., None] + 1.0
    assert np.isclose(np_value(losses.MeanSquaredError()(seq_true, seq_pred)), 1.0)


def test_y_true_cast_to_y_pred_dtype():
    out = losses.BinaryCrossentropy()(np.array([[1, 0]], dtype="int64"),
                                      np.array([[0.7, 0.2]], dtype="float32"))
    assert ops.dtype(out) == "float32"
    out = losses.MeanSquaredError(dtype="float64")([[1, 2]], [[1.5, 2.5]])
    assert ops.dtype(out) == "float64" and np.isclose(np_value(out), 0.25)


def test_sequence_loss_with_per_sample_weight_and_mask():
    labels = np.array([[0, 1, 2], [2, 2, 1]])  # (N, T)
    logits = rng.normal(size=(2, 3, 4)).astype("float32")  # (N, T, C)
    per = ref_scce(labels, logits, from_logits=True)  # (N, T)
    loss = losses.SparseCategoricalCrossentropy(from_logits=True)
    w = np.array([1.0, 3.0], dtype="float32")
    np.testing.assert_allclose(np_value(loss(labels, logits, sample_weight=w)),
                               (per * w[:, None]).mean(), rtol=1e-5)
    pred = ops.convert_to_tensor(logits)
    mask = np.array([[True, True, False], [True, False, False]])
    pred._keras_mask = ops.convert_to_tensor(mask)
    np.testing.assert_allclose(np_value(loss(labels, pred)), per[mask].mean(), rtol=1e-5)
    np.testing.assert_allclose(np_value(losses.SparseCategoricalCrossentropy(
        from_logits=True, reduction="sum")(labels, pred)), per[mask].sum(), rtol=1e-5)


def test_ignore_class():
    labels = np.array([0, 255, 2, 1])
    per = ref_scce(np.where(labels == 255, 0, labels), LOGITS, from_logits=True)
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=255)
    valid = labels != 255
    np.testing.assert_allclose(np_value(loss(labels, LOGITS)), per[valid].mean(), rtol=1e-5)
    none = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=255,
                                                reduction=None)(labels, LOGITS)
    np.testing.assert_allclose(np_value(none), np.where(valid, per, 0), rtol=1e-5)


def test_ctc_matches_torch():
    y_true = np.array([[1, 2, 0], [3, 0, 0]])
    logits = rng.normal(size=(2, 6, 4)).astype("float32")
    log_probs = torch.log_softmax(torch.tensor(logits), -1).transpose(0, 1)
    expected = torch.nn.functional.ctc_loss(
        log_probs, torch.tensor(y_true), torch.tensor([6, 6]), torch.tensor([2, 1]), blank=0,
        reduction="none").numpy()
    np.testing.assert_allclose(np_value(losses.CTC(reduction=None)(y_true, logits)), expected,
                               rtol=1e-5)
    np.testing.assert_allclose(np_value(losses.CTC()(y_true, logits)), expected.mean(),
                               rtol=1e-5)


def test_loss_function_wrapper_and_custom_loss():
    wrapped = losses.LossFunctionWrapper(losses.huber, delta=0.3, name="h")
    np.testing.assert_allclose(np_value(wrapped(REAL_TRUE, REAL_PRED)),
                               ref_huber(REAL_TRUE, REAL_PRED, 0.3).mean(), rtol=1e-6)
    config = wrapped.get_config()
    assert config["fn"] == "huber" and config["delta"] == 0.3
    again = losses.LossFunctionWrapper.from_config(config)
    np.testing.assert_allclose(np_value(again(REAL_TRUE, REAL_PRED)),
                               np_value(wrapped(REAL_TRUE, REAL_PRED)))

    class Squares(losses.Loss):
        def call(self, y_true, y_pred):
            return ops.sum(ops.square(y_pred - y_true), axis=-1)

    loss = Squares()
    assert loss.name == "squares"
    np.testing.assert_allclose(np_value(loss(REAL_TRUE, REAL_PRED)),
                               ((REAL_TRUE - REAL_PRED) ** 2).sum(-1).mean(), rtol=1e-6)


def test_get_serialize_deserialize():
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("MAE") is losses.mean_absolute_error
    assert losses.get("kld") is losses.kl_divergence
    assert losses.get("huber") is losses.huber
    assert isinstance(losses.get("CategoricalCrossentropy"), losses.CategoricalCrossentropy)
    assert losses.get(None) is None
    instance = losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1)
    assert losses.get(instance) is instance
    assert losses.get(ref_huber) is ref_huber
    loss = losses.get({"class_name": "CategoricalCrossentropy", "config": {"from_logits": True}})
    assert isinstance(loss, losses.CategoricalCrossentropy) and loss.from_logits
    config = losses.serialize(instance)
    assert config["class_name"] == "BinaryCrossentropy" and config["module"] == "keras.losses"
    restored = losses.deserialize(config)
    assert restored.get_config() == instance.get_config()
    assert losses.serialize(losses.mean_squared_error) == "mean_squared_error"
    assert losses.deserialize("mean_squared_error") is losses.mean_squared_error
    with pytest.warns(DeprecationWarning, match="kl_divergence"):
        assert losses.get("kullback_leibler_divergence") is losses.kl_divergence
    with pytest.warns(DeprecationWarning, match="log_cosh"):
        assert losses.get("logcosh") is losses.log_cosh
    with pytest.raises(ValueError, match="Did you mean 'categorical_crossentropy'"):
        losses.get("categorical_crossentropi")


def test_invalid_arguments():
    with pytest.raises(ValueError, match="reduction"):
        losses.MeanSquaredError(reduction="average")
    with pytest.raises(ValueError, match="axis"):
        losses.categorical_crossentropy(ONE_HOT, PROBS, axis=True)
    with pytest.raises(ValueError, match="y_pred"):
        losses.ctc(np.zeros((2, 3)), np.zeros((2, 3)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        losses.MeanSquaredError()(REAL_TRUE, REAL_PRED)  # no warning on the normal path
    with pytest.warns(DeprecationWarning, match="sum_over_batch_size"):
        assert losses.MeanSquaredError(reduction="auto").reduction == "sum_over_batch_size"


def test_default_names_and_config():
    assert losses.MeanSquaredError().name == "mean_squared_error"
    assert losses.Huber().name == "huber_loss"
    assert losses.LogCosh().name == "log_cosh"
    assert losses.KLDivergence().name == "kl_divergence"
    assert losses.CTC().name == "ctc"
    assert losses.LossFunctionWrapper(losses.hinge).name == "loss_function_wrapper"
    config = losses.BinaryFocalCrossentropy(gamma=3.0).get_config()
    assert config == {"name": "binary_focal_crossentropy", "reduction": "sum_over_batch_size",
                      "apply_class_balancing": False, "alpha": 0.25, "gamma": 3.0,
                      "from_logits": False, "label_smoothing": 0.0, "axis": -1}
    assert losses.MeanSquaredError().get_config() == {
        "name": "mean_squared_error", "reduction": "sum_over_batch_size"}


def test_gradient_flows():
    pred = torch.tensor(PROBS, requires_grad=True)
    loss = losses.CategoricalCrossentropy()(ONE_HOT, pred, sample_weight=WEIGHTS)
    loss.backward()
    assert pred.grad is not None and torch.isfinite(pred.grad).all()


def _refuse(*args, **kwargs):
    raise AssertionError("the loss moved data between the host and the device")


@pytest.mark.parametrize("loss, y_true, y_pred, ref", CASES + [
    (losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=1), LABELS, LOGITS,
     None),
    (losses.CTC(), np.array([[1, 2, 0], [3, 0, 0]]), rng.normal(size=(2, 6, 4)), None),
], ids=IDS + ["scce-ignore", "ctc"])
def test_no_host_device_traffic_in_the_training_step(loss, y_true, y_pred, ref, monkeypatch):
    y_true, y_pred = torch.tensor(y_true), torch.tensor(y_pred, dtype=torch.float32)
    weights = torch.ones(y_pred.shape[0])
    with monkeypatch.context() as patch:
        for attr in ("item", "tolist", "numpy", "__bool__", "__float__", "__int__", "cpu"):
            patch.setattr(torch.Tensor, attr, _refuse)
        for attr in ("tensor", "as_tensor", "from_numpy"):
            patch.setattr(torch, attr, _refuse)
        loss(y_true, y_pred)
        if getattr(loss, "axis", -1) != 0:  # along axis 0 there is no value per sample
            loss(y_true, y_pred, sample_weight=weights)
