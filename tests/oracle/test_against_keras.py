"""cornu against values recorded from real Keras 3 (torch backend).

``make_fixtures.py`` (run by hand with real Keras, never here) wrote the inputs and
Keras's outputs to ``fixtures/*.npz`` and the cases to ``fixtures/index.json``: three
steps of every optimizer and common option from the same weights and gradients, the
learning-rate schedules, every loss (class with each reduction, with and without
``sample_weight``, and function), every metric over two batches (the second weighted),
and the deterministic initializers. Each case names a class and its constructor
kwargs; this test builds the same object in cornu and compares to 1e-6.
"""
import json
import os

import numpy as np
import pytest

import cornu
from cornu import ops

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
with open(os.path.join(FIXTURES, "index.json")) as _f:
    INDEX = json.load(_f)
TOL = dict(rtol=1e-6, atol=1e-6)

# Cases where cornu deliberately differs from Keras 3: {case id: reason}.
XFAIL = {
    "MeanIoU_4": "Keras 3's IoU metrics count in dtype 'int' unless given a dtype, so a "
                 "fractional sample_weight is truncated (Keras warns; its own docstring "
                 "example assumes float weights). cornu counts in float32, as Keras does with "
                 "dtype='float32' (case MeanIoU_5).",
}


def _arrays(section):
    with np.load(os.path.join(FIXTURES, INDEX[section]["file"]), allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


ARRAYS = {section: _arrays(section) for section in
          ("optimizers", "schedules", "losses", "metrics", "initializers")}


def cases(section):
    return [pytest.param(c, id=c["id"], marks=[pytest.mark.xfail(reason=XFAIL[c["id"]],
                                                                 strict=True)]
                         if c["id"] in XFAIL else [])
            for c in INDEX[section]["cases"]]


def check(actual, expected, what):
    actual = np.asarray(ops.convert_to_numpy(actual))
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, (
        f"{what}: shape {actual.shape}, Keras gives {expected.shape}")
    np.testing.assert_allclose(actual, expected, err_msg=what, **TOL)


def _axis(kwargs):
    """JSON lists for ``axis`` back to the tuples Keras was given."""
    return {k: tuple(v) if k == "axis" and isinstance(v, list) else v
            for k, v in kwargs.items()}


# ------------------------------------------------------------------ optimizers

def build_optimizer(class_name, kwargs):
    kwargs = dict(kwargs)
    lr = kwargs.get("learning_rate")
    if isinstance(lr, dict):
        kwargs["learning_rate"] = getattr(cornu.optimizers.schedules, lr["class_name"])(
            **lr["config"])
    inner = kwargs.get("inner_optimizer")
    if isinstance(inner, dict):
        kwargs["inner_optimizer"] = build_optimizer(inner["class_name"], inner["config"])
    return getattr(cornu.optimizers, class_name)(**kwargs)


@pytest.mark.parametrize("case", cases("optimizers"))
def test_optimizer(case):
    a = ARRAYS["optimizers"]
    cid, names = case["id"], case["variables"]
    optimizer = build_optimizer(case["class"], case["kwargs"])
    variables = [cornu.Variable(a[f"init__{n}"].copy(), name=n) for n in names]
    for step in range(3):
        grads = [ops.convert_to_tensor(a[f"grad__{case['grads']}__{step}__{n}"]) for n in names]
        optimizer.apply_gradients(zip(grads, variables))
        for n, v in zip(names, variables):
            check(v, a[f"{cid}__step{step}__{n}"], f"{cid}: {n} after step {step + 1}")
        if case["class"] == "LossScaleOptimizer":
            check(optimizer.dynamic_scale, a[f"{cid}__step{step}__dynamic_scale"],
                  f"{cid}: dynamic_scale after step {step + 1}")
    paths = case.get("optimizer_variables")
    if paths is not None:
        ours = optimizer.variables
        assert len(ours) == len(paths), (
            f"{cid}: {len(ours)} optimizer variables, Keras has {len(paths)}: {paths}")
        for i, (v, path) in enumerate(zip(ours, paths)):
            check(v, a[f"{cid}__optvar__{i}"], f"{cid}: optimizer variable {i} (Keras {path})")


@pytest.mark.parametrize("case", cases("schedules"))
def test_schedule(case):
    a = ARRAYS["schedules"]
    schedule = getattr(cornu.optimizers.schedules, case["class"])(**case["kwargs"])
    values = [float(ops.convert_to_numpy(schedule(int(s)))) for s in a["steps"]]
    check(np.array(values, "float32"), a[case["id"]], case["id"])


# ------------------------------------------------------------------ losses

@pytest.mark.parametrize("case", cases("losses"))
def test_loss(case):
    a = ARRAYS["losses"]
    inputs = {k: a[v] for k, v in INDEX["losses"]["inputs"][case["inputs"]].items()}
    kwargs = _axis(case["kwargs"])
    if "function" in case:
        fn = getattr(cornu.losses, case["function"])
        out = fn(ops.convert_to_tensor(inputs["y_true"]), ops.convert_to_tensor(inputs["y_pred"]),
                 **kwargs)
    else:
        loss = getattr(cornu.losses, case["class"])(**kwargs)
        sample_weight = inputs["sample_weight"] if case["sample_weight"] else None
        out = loss(inputs["y_true"], inputs["y_pred"], sample_weight=sample_weight)
    check(out, a[case["id"]], case["id"])


# ------------------------------------------------------------------ metrics

@pytest.mark.parametrize("case", cases("metrics"))
def test_metric(case):
    a = ARRAYS["metrics"]
    inputs = {k: a[v] for k, v in INDEX["metrics"]["inputs"][case["inputs"]].items()}
    metric = getattr(cornu.metrics, case["class"])(**case["kwargs"])
    for i in range(2):
        sample_weight = inputs["sample_weight1"] if i == 1 else None
        if case["class"] in ("Mean", "Sum"):
            metric.update_state(inputs[f"y_true{i}"], sample_weight=sample_weight)
        else:
            metric.update_state(inputs[f"y_true{i}"], inputs[f"y_pred{i}"],
                                sample_weight=sample_weight)
        check(metric.result(), a[f"{case['id']}__result{i}"],
              f"{case['id']}: result after batch {i + 1}")


# ------------------------------------------------------------------ initializers

@pytest.mark.parametrize("case", cases("initializers"))
def test_initializer(case):
    initializer = getattr(cornu.initializers, case["class"])(**case["kwargs"])
    value = initializer(tuple(case["shape"]))
    expected = ARRAYS["initializers"][case["id"]]
    if case.get("random"):  # Orthogonal: Keras's shape, and rows orthogonal with norm `gain`
        value = np.asarray(ops.convert_to_numpy(value))
        assert value.shape == tuple(expected)
        gain = case["kwargs"].get("gain", 1.0)
        np.testing.assert_allclose(value @ value.T, gain ** 2 * np.eye(len(value)), atol=1e-5)
        return
    check(value, expected, case["id"])
