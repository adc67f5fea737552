"""Lamb, Muon, ScheduleFreeAdamW, MultiOptimizer / OptimizerMap and
``optimizers.legacy``: update steps against Keras 3.15.1 (fixtures made by
``fixtures/make_new_optimizer_fixtures.py``), configs, saved state, ``fit``."""
import json
import os
import warnings

import numpy as np
import pytest

import cornu
from cornu import optimizers

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "fixtures", "new_optimizers.json")) as _f:
    FIXTURE = json.load(_f)
ARRAYS = np.load(os.path.join(HERE, "fixtures", "new_optimizers.npz"))
ORDER = FIXTURE["order"]
TOL = dict(rtol=1e-5, atol=1e-5)


def quadratic_steps(optimizer, steps=FIXTURE["steps"], on_step=None):
    """Run ``steps`` updates of the fixture's quadratic problem; returns the variables."""
    variables = {k: cornu.Variable(ARRAYS[f"start__{k}"].copy(), name=k) for k in ORDER}
    for step in range(1, steps + 1):
        grads = [2 * ARRAYS[f"scale__{k}"] * (variables[k].numpy() - ARRAYS[f"target__{k}"])
                 for k in ORDER]
        optimizer.apply_gradients(zip(grads, [variables[k] for k in ORDER]))
        if on_step:
            on_step(step, variables)
    return variables


def from_fixture(case):
    return optimizers.deserialize(FIXTURE["cases"][case]["config"])


def check_case(case, optimizer):
    def on_step(step, variables):
        for k in ORDER:
            np.testing.assert_allclose(variables[k].numpy(), ARRAYS[f"{case}__step{step}__{k}"],
                                       err_msg=f"{case} step {step} {k}", **TOL)

    quadratic_steps(optimizer, on_step=on_step)
    paths = FIXTURE["cases"][case]["optimizer_variables"]
    assert [v.path for v in optimizer.variables] == paths
    for i, v in enumerate(optimizer.variables):
        np.testing.assert_allclose(v.numpy(), ARRAYS[f"{case}__optvar__{i}"],
                                   err_msg=f"{case}: {paths[i]}", **TOL)


@pytest.mark.parametrize("case", ["lamb", "lamb_wd", "muon", "muon_plain", "multi"])
def test_steps_match_keras(case):
    cornu.backend.clear_session()  # the fixture's optimizer names are the first of each
    check_case(case, from_fixture(case))


@pytest.mark.parametrize("case", sorted(FIXTURE["cases"]))
def test_config_matches_keras(case):
    config = FIXTURE["cases"][case]["config"]
    optimizer = optimizers.deserialize(config)
    ours = optimizers.serialize(optimizer)
    assert ours["class_name"] == config["class_name"]
    if case == "multi":
        inner = ours["config"]["optimizer_map"]["config"]
        assert set(inner) == {"default_optimizer", "optimizer_map"}
        assert inner["default_optimizer"]["class_name"] == "SGD"
        assert list(inner["optimizer_map"]) == ["kern.*"]
        return
    np.testing.assert_allclose(ours["config"].pop("learning_rate"),
                               config["config"]["learning_rate"], rtol=1e-7)
    expected = {k: v for k, v in config["config"].items() if k != "learning_rate"}
    assert ours["config"] == expected
    again = type(optimizer).from_config(optimizer.get_config())
    assert again.get_config() == optimizer.get_config()


# ----------------------------------------------------------------- ScheduleFreeAdamW

def schedule_free_reference(case, alias_previous_z=False):
    """The published Schedule-Free AdamW in numpy (float64). ``alias_previous_z`` reads
    ``z`` after its update when recovering ``x``, as Keras 3.15.1 does on torch."""
    cfg = FIXTURE["cases"][case]["config"]["config"]
    b1, b2, eps, lr0 = cfg["beta_1"], cfg["beta_2"], cfg["epsilon"], cfg["learning_rate"]
    wd, warmup = cfg["weight_decay"], cfg["warmup_steps"]
    y = {k: ARRAYS[f"start__{k}"].astype("float64") for k in ORDER}
    z = {k: v.copy() for k, v in y.items()}
    v = {k: np.zeros_like(x) for k, x in y.items()}
    out = []
    for t in range(1, FIXTURE["steps"] + 1):
        lr = lr0 * (min(t / warmup, 1.0) if warmup else 1.0)
        for k in ORDER:
            g = 2 * ARRAYS[f"scale__{k}"] * (y[k] - ARRAYS[f"target__{k}"])
            if wd:
                y[k] = y[k] - y[k] * wd * lr0
            v[k] = v[k] + (g * g - v[k]) * (1 - b2)
            z_new = z[k] - lr * g / (np.sqrt(v[k] / (1 - b2 ** t)) + eps)
            x = (y[k] - (1 - b1) * (z_new if alias_previous_z else z[k])) / b1
            x = (1 - 1 / t) * x + (1 / t) * z_new
            y[k] = (1 - b1) * z_new + b1 * x
            z[k] = z_new
        out.append({k: y[k].copy() for k in ORDER})
    return out


@pytest.mark.parametrize("case", ["schedule_free", "schedule_free_warmup"])
def test_schedule_free_follows_the_paper(case):
    expected = schedule_free_reference(case)
    cornu.backend.clear_session()

    def on_step(step, variables):
        for k in ORDER:
            np.testing.assert_allclose(variables[k].numpy(), expected[step - 1][k],
                                       err_msg=f"{case} step {step} {k}", **TOL)

    optimizer = from_fixture(case)
    quadratic_steps(optimizer, on_step=on_step)
    assert [v.path for v in optimizer.variables] == FIXTURE["cases"][case]["optimizer_variables"]


@pytest.mark.parametrize("case", ["schedule_free", "schedule_free_warmup"])
def test_schedule_free_keras_torch_difference_is_only_the_aliased_read(case):
    # Keras on torch equals the reference with the one aliased read, at every step; and
    # at step 1 (where x is the new z whatever it is recovered from) cornu equals Keras.
    aliased = schedule_free_reference(case, alias_previous_z=True)
    for step in range(1, FIXTURE["steps"] + 1):
        for k in ORDER:
            np.testing.assert_allclose(ARRAYS[f"{case}__step{step}__{k}"], aliased[step - 1][k],
                                       **TOL)
    variables = quadratic_steps(from_fixture(case), steps=1)
    for k in ORDER:
        np.testing.assert_allclose(variables[k].numpy(), ARRAYS[f"{case}__step1__{k}"], **TOL)


def test_schedule_free_slot_starts_at_the_weights():
    w = cornu.Variable(np.array([1.0, -2.0], "float32"), name="w")
    optimizer = optimizers.ScheduleFreeAdamW()
    optimizer.build([w])
    np.testing.assert_array_equal(optimizer.variables[2].numpy(), [1.0, -2.0])


# ----------------------------------------------------------------- Lamb, Muon details

def test_lamb_trust_ratio_is_one_for_zero_weights():
    # ||w|| = 0: the step is Adam's bias-corrected step times lr (no NaN from 0 / 0)
    w = cornu.Variable(np.zeros(3, "float32"), name="w")
    optimizers.Lamb(learning_rate=0.1).apply([np.array([1.0, -2.0, 0.5], "float32")], [w])
    np.testing.assert_allclose(w.numpy(), -0.1 * np.sign([1.0, -2.0, 0.5]), rtol=1e-5)


def test_muon_newton_schulz_approximates_the_orthogonal_factor():
    x = np.random.default_rng(0).normal(size=(6, 4)).astype("float32")
    q = np.asarray(optimizers.Muon().zeropower_via_newtonschulz5(cornu.ops.convert_to_tensor(x),
                                                                 10))
    # singular values pushed into the band Muon's coefficients aim at (about 0.7 to 1.2)
    s = np.linalg.svd(q, compute_uv=False)
    assert s.min() > 0.5 and s.max() < 1.3
    u, _, vt = np.linalg.svd(x, full_matrices=False)
    assert np.sum(q * (u @ vt)) / (np.linalg.norm(q) * 2) > 0.95  # aligned with U V^T
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        optimizers.Muon().zeropower_via_newtonschulz5(cornu.ops.ones((3,)), 5)


def test_muon_routes_variables():
    muon = optimizers.Muon(exclude_layers=["head"])
    kernel = cornu.Variable(np.ones((3, 4), "float32"), name="kernel")
    head = cornu.Variable(np.ones((4, 2), "float32"), name="head_kernel")
    table = cornu.Variable(np.ones((5, 2), "float32"), name="embeddings")
    bias = cornu.Variable(np.ones((4,), "float32"), name="bias")
    assert [muon._should_use_adamw(v) for v in (kernel, head, table, bias)] == [
        False, True, True, True]


# ----------------------------------------------------------------- MultiOptimizer

def test_optimizer_map_lookup():
    adam, sgd, rms = optimizers.Adam(), optimizers.SGD(), optimizers.RMSprop()
    mapping = optimizers.OptimizerMap(default_optimizer=rms)
    mapping["encoder/layer_0/dense"] = adam
    mapping["encoder/.*"] = sgd
    mapping["decoder"] = adam
    assert mapping["decoder"] is adam
    assert mapping["encoder/layer_0/dense"] is adam  # the exact key wins
    assert mapping["encoder/layer_0/attention/query"] is sgd
    assert mapping["decoder/layer_0/dense"] is rms
    assert len(mapping) == 3 and set(mapping) == {"encoder/layer_0/dense", "encoder/.*",
                                                  "decoder"}
    with pytest.raises(ValueError, match="already exists"):
        mapping["decoder"] = sgd
    mapping["enc.*"] = sgd
    with pytest.raises(ValueError, match="Multiple optimizers"):
        mapping["encoder/x"]
    with pytest.raises(ValueError, match="LossScaleOptimizer"):
        mapping["x"] = optimizers.LossScaleOptimizer(optimizers.SGD())
    with pytest.raises(TypeError, match="default_optimizer"):
        optimizers.OptimizerMap("sgd")


def test_multi_optimizer_with_a_callable_and_no_learning_rate():
    adam, sgd = optimizers.Adam(learning_rate=0.1), optimizers.SGD(learning_rate=0.1)
    multi = optimizers.MultiOptimizer(lambda v: adam if v.name == "kernel" else sgd)
    variables = quadratic_steps(multi, steps=2)
    assert multi.optimizers == [adam, sgd]
    assert int(multi.iterations.numpy()) == 2
    assert int(adam.iterations.numpy()) == 2 and int(sgd.iterations.numpy()) == 2
    assert all(not np.allclose(variables[k].numpy(), ARRAYS[f"start__{k}"]) for k in ORDER)
    with pytest.raises(AttributeError, match="sub-optimizers|inner optimizers"):
        multi.learning_rate
    with pytest.raises(AttributeError, match="inner optimizers"):
        multi.learning_rate = 0.1


def test_multi_optimizer_loss_scale_factor_reaches_inner_optimizers():
    inner = optimizers.SGD(learning_rate=1.0)
    multi = optimizers.MultiOptimizer(optimizers.OptimizerMap(inner), loss_scale_factor=4.0)
    assert inner.loss_scale_factor == 4.0
    w = cornu.Variable(np.zeros(2, "float32"), name="w")
    multi.apply([np.array([4.0, 8.0], "float32")], [w])  # unscaled by the inner optimizer
    np.testing.assert_allclose(w.numpy(), [-1.0, -2.0])
    multi.loss_scale_factor = None
    assert inner.loss_scale_factor is None


# ----------------------------------------------------------------- legacy names

@pytest.mark.parametrize("name", ["Adagrad", "Adam", "Ftrl", "RMSprop", "SGD"])
def test_legacy_names_build_the_modern_optimizer(name):
    with pytest.warns(DeprecationWarning, match=f"use `keras.optimizers.{name}`"):
        optimizer = getattr(optimizers.legacy, name)(learning_rate=0.05)
    assert type(optimizer) is getattr(optimizers, name)
    assert isinstance(optimizer, getattr(optimizers.legacy, name))
    np.testing.assert_allclose(optimizer.get_config()["learning_rate"], 0.05)


def test_legacy_import_path_and_keras2_arguments():
    from cornu.optimizers.legacy import Adam
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        optimizer = Adam(lr=0.01)
    messages = " ".join(str(w.message) for w in caught)
    assert "keras.optimizers.Adam" in messages and "learning_rate" in messages
    np.testing.assert_allclose(float(optimizer.learning_rate.numpy()), 0.01)


def test_legacy_optimizer_base_class():
    class PlainSGD(optimizers.legacy.Optimizer):
        def update_step(self, gradient, variable, learning_rate):
            self.assign_sub(variable, gradient * learning_rate)

    with pytest.warns(DeprecationWarning, match="keras.optimizers.Optimizer"):
        optimizer = PlainSGD(learning_rate=0.5)
    w = cornu.Variable(np.ones(2, "float32"), name="w")
    optimizer.apply([np.array([1.0, 2.0], "float32")], [w])
    np.testing.assert_allclose(w.numpy(), [0.5, 0.0])


# ----------------------------------------------------------------- in a model

def make_optimizer(kind):
    if kind == "multi":
        return optimizers.MultiOptimizer(optimizers.OptimizerMap(
            optimizers.SGD(learning_rate=0.05), {".*kernel": optimizers.Adam(0.01)}))
    return {"lamb": optimizers.Lamb(learning_rate=0.01),
            "muon": optimizers.Muon(learning_rate=0.01, exclude_layers=["out"]),
            "schedule_free": optimizers.ScheduleFreeAdamW(learning_rate=0.01)}[kind]


@pytest.mark.parametrize("kind", ["lamb", "muon", "schedule_free", "multi"])
def test_fit_save_and_load(kind, tmp_path):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(64, 6)).astype("float32")
    y = (x @ rng.normal(size=(6, 2))).astype("float32")
    model = cornu.Sequential([cornu.Input((6,)), cornu.layers.Dense(8, activation="tanh"),
                              cornu.layers.Dense(2, name="out")])
    model.compile(optimizer=make_optimizer(kind), loss="mse")
    history = model.fit(x, y, batch_size=16, epochs=4, verbose=0)
    losses = history.history["loss"]
    assert np.isfinite(losses).all() and losses[-1] < losses[0]
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = cornu.saving.load_model(path)
    assert type(loaded.optimizer) is type(model.optimizer)
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    ours = [v.numpy() for v in model.optimizer.variables]
    theirs = [v.numpy() for v in loaded.optimizer.variables]
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b)
    # training goes on from the same state: one more epoch gives the same weights
    model.fit(x, y, batch_size=16, epochs=1, verbose=0, shuffle=False)
    loaded.fit(x, y, batch_size=16, epochs=1, verbose=0, shuffle=False)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["lamb", "muon", "schedulefreeadamw", "Lamb"])
def test_get_by_name(name):
    assert isinstance(optimizers.get(name), optimizers.Optimizer)


# ----------------------------------------------------------------- files from and for Keras

def h5_groups(path):
    """The optimizer's part of a .keras file: {group path: list of arrays}."""
    import io
    import zipfile

    import h5py
    out = {}
    with zipfile.ZipFile(path) as archive:
        data = archive.read("model.weights.h5")
    with h5py.File(io.BytesIO(data), "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Group) and name.endswith("vars"):
                out[name] = [obj[str(i)][()] for i in range(len(obj))]
        f["optimizer"].visititems(visit)
    return out


@pytest.mark.parametrize("kind", ["lamb", "muon", "schedule_free", "multi"])
def test_keras_saved_models_load_and_save_back_alike(kind, tmp_path):
    path = os.path.join(HERE, "fixtures", f"keras_{kind}.keras")
    model = cornu.saving.load_model(path)
    stored = h5_groups(path)
    ours = [v.numpy() for v in model.optimizer.variables]
    assert len(ours) == len(stored["vars"])
    for a, b in zip(ours, stored["vars"]):
        np.testing.assert_allclose(a, b)
    assert int(model.optimizer.iterations.numpy()) == 4
    # saved again by cornu: the same groups and values where Keras put them
    again = str(tmp_path / "again.keras")
    model.save(again)
    resaved = h5_groups(again)
    assert sorted(resaved) == sorted(stored)
    for name in stored:
        for a, b in zip(resaved[name], stored[name]):
            np.testing.assert_allclose(a, b)
    x = np.random.default_rng(0).normal(size=(8, 6)).astype("float32")
    model.fit(x, x[:, :2], verbose=0)  # and training goes on
    assert int(model.optimizer.iterations.numpy()) == 5
