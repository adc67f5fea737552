"""IoU metrics against a numpy confusion matrix."""
import numpy as np
import pytest

from cornu import backend, metrics

rng = np.random.default_rng(5)
EPS = 1e-7
C = 4
LABELS = rng.integers(0, C, (6, 5))  # e.g. (batch, pixels)
PRED = np.where(rng.uniform(size=LABELS.shape) < 0.6, LABELS, rng.integers(0, C, LABELS.shape))
W = rng.uniform(0.1, 2.0, LABELS.shape).astype("float32")


def value(x):
    return backend.convert_to_numpy(x)


def np_iou(labels, pred, weights, num_classes, target, ignore=None):
    labels, pred, weights = labels.ravel(), pred.ravel(), weights.ravel()
    if ignore is not None:
        keep = labels != ignore
        labels, pred, weights = labels[keep], pred[keep], weights[keep]
    cm = np.zeros((num_classes, num_classes))
    np.add.at(cm, (labels, pred), weights)
    tp = np.diag(cm)
    denom = (cm.sum(0) + cm.sum(1) - tp)[target]
    return (tp[target] / (denom + EPS)).sum() / ((denom > 1e-9).sum() + EPS)


def feed(metric, y_true, y_pred, weights):
    metric.update_state(y_true[:3], y_pred[:3], sample_weight=weights[:3])
    metric.update_state(y_true[3:], y_pred[3:], sample_weight=weights[3:])
    return value(metric.result())


def test_iou_and_mean_iou():
    target = [0, 2]
    np.testing.assert_allclose(feed(metrics.IoU(C, target), LABELS, PRED, W),
                               np_iou(LABELS, PRED, W, C, target), rtol=1e-5)
    np.testing.assert_allclose(feed(metrics.MeanIoU(C), LABELS, PRED, W),
                               np_iou(LABELS, PRED, W, C, list(range(C))), rtol=1e-5)
    # A per-sample weight applies to every entry of the sample.
    ws = rng.uniform(0.1, 2.0, 6).astype("float32")
    np.testing.assert_allclose(
        feed(metrics.MeanIoU(C), LABELS, PRED, ws),
        np_iou(LABELS, PRED, np.broadcast_to(ws[:, None], LABELS.shape), C, list(range(C))),
        rtol=1e-5)


def test_ignore_class_and_absent_classes():
    labels = np.where(LABELS == 3, 255, LABELS)
    pred = np.where(PRED == 3, 0, PRED)
    m = metrics.MeanIoU(C, ignore_class=255)
    np.testing.assert_allclose(feed(m, labels, pred, W),
                               np_iou(labels, pred, W, C, list(range(C)), ignore=255),
                               rtol=1e-5)


def test_one_hot_and_binary_variants():
    one_hot = np.eye(C, dtype="float32")[LABELS]
    scores = rng.uniform(size=one_hot.shape).astype("float32")
    pred = scores.argmax(-1)
    np.testing.assert_allclose(feed(metrics.OneHotIoU(C, [1, 3]), one_hot, scores, W),
                               np_iou(LABELS, pred, W, C, [1, 3]), rtol=1e-5)
    np.testing.assert_allclose(feed(metrics.OneHotMeanIoU(C), one_hot, scores, W),
                               np_iou(LABELS, pred, W, C, list(range(C))), rtol=1e-5)
    np.testing.assert_allclose(
        feed(metrics.IoU(C, [0], sparse_y_true=False, sparse_y_pred=False), one_hot, scores, W),
        np_iou(LABELS, pred, W, C, [0]), rtol=1e-5)
    binary = (LABELS % 2).astype("float32")
    probs = rng.uniform(size=binary.shape).astype("float32")
    np.testing.assert_allclose(
        feed(metrics.BinaryIoU(threshold=0.3), binary, probs, W),
        np_iou(binary.astype(int), (probs >= 0.3).astype(int), W, 2, [0, 1]), rtol=1e-5)


def test_keras_documented_values():
    def check(metric, y_true, y_pred, expected, sample_weight=None):
        metric.reset_state()
        metric.update_state(y_true, y_pred, sample_weight=sample_weight)
        np.testing.assert_allclose(value(metric.result()), expected, rtol=1e-5)

    check(metrics.IoU(num_classes=2, target_class_ids=[0]), [0, 0, 1, 1], [0, 1, 0, 1],
          0.33333334)
    check(metrics.IoU(num_classes=2, target_class_ids=[0]), [0, 0, 1, 1], [0, 1, 0, 1],
          0.33333334, [0.3, 0.3, 0.3, 0.1])
    m = metrics.BinaryIoU(target_class_ids=[0, 1], threshold=0.3)
    check(m, [0, 1, 0, 1], [0.1, 0.2, 0.4, 0.7], 0.33333334)
    check(m, [0, 1, 0, 1], [0.1, 0.2, 0.4, 0.7], 0.17361112, [0.2, 0.3, 0.4, 0.1])
    check(metrics.MeanIoU(num_classes=2), [0, 0, 1, 1], [0, 1, 0, 1], 0.33333334)
    y_true = [[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]]
    y_pred = [[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1], [0.1, 0.4, 0.5]]
    check(metrics.OneHotIoU(num_classes=3, target_class_ids=[0, 2]), y_true, y_pred,
          0.07142857, [0.1, 0.2, 0.3, 0.4])
    check(metrics.OneHotMeanIoU(num_classes=3), y_true, y_pred, 0.047619, [0.1, 0.2, 0.3, 0.4])


def test_names_and_config():
    assert metrics.IoU(2, [0]).name == "io_u"
    assert metrics.MeanIoU(3).name == "mean_io_u"
    config = metrics.MeanIoU(3, ignore_class=0).get_config()
    assert "target_class_ids" not in config
    assert metrics.MeanIoU.from_config(config).get_config() == config
    config = metrics.BinaryIoU(threshold=0.2).get_config()
    assert config == {"target_class_ids": [0, 1], "threshold": 0.2, "name": "binary_io_u",
                      "dtype": "float32"}
    assert metrics.OneHotIoU.from_config(metrics.OneHotIoU(3, [1]).get_config()).num_classes == 3
    with pytest.raises(ValueError, match="out of range"):
        metrics.IoU(2, [2])
