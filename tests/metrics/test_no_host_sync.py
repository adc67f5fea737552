"""Every metric updates its state without reading a value back to the host (nor
copying host data to the device, which waits on the device too), and its result is
a backend tensor."""
import numpy as np
import pytest
import torch

from cornu import backend, metrics

rng = np.random.default_rng(7)
N, C = 6, 3
PROBS = torch.tensor(rng.uniform(size=(N, C)), dtype=torch.float32)
ONE_HOT = torch.eye(C)[torch.tensor([0, 2, 1, 1, 0, 2])]
LABELS = torch.tensor([0, 2, 1, 1, 0, 2])
BINARY = torch.tensor(rng.integers(0, 2, (N, C)), dtype=torch.float32)
REAL = torch.tensor(rng.normal(size=(N, C)), dtype=torch.float32)
WEIGHTS = torch.tensor(rng.uniform(size=N), dtype=torch.float32)

CASES = {  # name: (metric factory, y_true, y_pred)
    "mean": (metrics.Mean, None, REAL),
    "sum": (metrics.Sum, None, REAL),
    "accuracy": (metrics.Accuracy, BINARY, BINARY),
    "binary_accuracy": (metrics.BinaryAccuracy, BINARY, PROBS),
    "categorical_accuracy": (metrics.CategoricalAccuracy, ONE_HOT, PROBS),
    "sparse_categorical_accuracy": (metrics.SparseCategoricalAccuracy, LABELS, PROBS),
    "top_k": (lambda: metrics.TopKCategoricalAccuracy(k=2), ONE_HOT, PROBS),
    "sparse_top_k": (lambda: metrics.SparseTopKCategoricalAccuracy(k=2), LABELS, PROBS),
    "true_positives": (lambda: metrics.TruePositives([0.2, 0.7]), BINARY, PROBS),
    "true_negatives": (metrics.TrueNegatives, BINARY, PROBS),
    "false_positives": (metrics.FalsePositives, BINARY, PROBS),
    "false_negatives": (metrics.FalseNegatives, BINARY, PROBS),
    "precision": (lambda: metrics.Precision(top_k=2, class_id=1), BINARY, PROBS),
    "recall": (lambda: metrics.Recall(thresholds=[0.3, 0.6]), BINARY, PROBS),
    "auc": (metrics.AUC, BINARY, PROBS),
    "auc_pr_multi": (lambda: metrics.AUC(curve="PR", multi_label=True), BINARY, PROBS),
    "sens_at_spec": (lambda: metrics.SensitivityAtSpecificity(0.5), BINARY, PROBS),
    "spec_at_sens": (lambda: metrics.SpecificityAtSensitivity(0.5), BINARY, PROBS),
    "prec_at_rec": (lambda: metrics.PrecisionAtRecall(0.5), BINARY, PROBS),
    "rec_at_prec": (lambda: metrics.RecallAtPrecision(0.5), BINARY, PROBS),
    "mse": (metrics.MeanSquaredError, REAL, PROBS),
    "rmse": (metrics.RootMeanSquaredError, REAL, PROBS),
    "mae": (metrics.MeanAbsoluteError, REAL, PROBS),
    "mape": (metrics.MeanAbsolutePercentageError, REAL, PROBS),
    "msle": (metrics.MeanSquaredLogarithmicError, PROBS, PROBS),
    "cosine": (metrics.CosineSimilarity, REAL, PROBS),
    "logcosh": (metrics.LogCoshError, REAL, PROBS),
    "r2": (lambda: metrics.R2Score(num_regressors=1), REAL, PROBS),
    "iou": (lambda: metrics.IoU(C, [0, 2], ignore_class=1), LABELS, LABELS.flip(0)),
    "mean_iou": (lambda: metrics.MeanIoU(C), LABELS, LABELS.flip(0)),
    "binary_iou": (metrics.BinaryIoU, BINARY, PROBS),
    "one_hot_iou": (lambda: metrics.OneHotIoU(C, [1]), ONE_HOT, PROBS),
    "one_hot_mean_iou": (lambda: metrics.OneHotMeanIoU(C), ONE_HOT, PROBS),
    "f1": (metrics.F1Score, ONE_HOT, PROBS),
    "fbeta": (lambda: metrics.FBetaScore(average="weighted", beta=2.0, threshold=0.4),
              BINARY, PROBS),
    "hinge": (metrics.Hinge, BINARY, REAL),
    "squared_hinge": (metrics.SquaredHinge, BINARY, REAL),
    "categorical_hinge": (metrics.CategoricalHinge, ONE_HOT, REAL),
    "kld": (metrics.KLDivergence, PROBS, PROBS.flip(0)),
    "poisson": (metrics.Poisson, PROBS, PROBS.flip(0)),
    "bce": (lambda: metrics.BinaryCrossentropy(from_logits=True), BINARY, REAL),
    "cce": (lambda: metrics.CategoricalCrossentropy(label_smoothing=0.1), ONE_HOT, PROBS),
    "scce": (lambda: metrics.SparseCategoricalCrossentropy(from_logits=True), LABELS, REAL),
    "huber_by_name": (lambda: metrics.get("huber"), REAL, PROBS),
    "focal_by_name": (lambda: metrics.get("binary_focal_crossentropy"), BINARY, PROBS),
}


def _refuse(*args, **kwargs):
    raise AssertionError("update_state moved data between the host and the device")


HOST_READS = ("item", "tolist", "numpy", "__bool__", "__float__", "__int__", "cpu")
HOST_WRITES = ("tensor", "as_tensor", "from_numpy")  # torch functions making tensors from data


def guard(patch):
    for attr in HOST_READS:
        patch.setattr(torch.Tensor, attr, _refuse)
    for attr in HOST_WRITES:
        patch.setattr(torch, attr, _refuse)


def test_the_guard_catches_a_host_read(monkeypatch):
    class Syncing(metrics.Mean):
        def update_state(self, values, sample_weight=None):
            if torch.tensor(values).sum() > 0:  # a Python branch on a tensor value
                super().update_state(values)

    with monkeypatch.context() as patch:
        guard(patch)
        with pytest.raises(AssertionError, match="host"):
            Syncing().update_state([1.0])


@pytest.mark.parametrize("name", sorted(CASES))
def test_update_state_stays_on_device(name, monkeypatch):
    factory, y_true, y_pred = CASES[name]
    metric = factory()
    with monkeypatch.context() as patch:
        guard(patch)
        for _ in range(2):
            if y_true is None:
                metric.update_state(y_pred, sample_weight=WEIGHTS)
            else:
                metric.update_state(y_true, y_pred, sample_weight=WEIGHTS)
        result = metric.result()
    assert backend.is_tensor(result)
    assert np.all(np.isfinite(backend.convert_to_numpy(result)))
