"""Write the Keras 3 reference values that ``test_against_keras.py`` checks cornu against.

Run with real Keras on the torch backend, from the repository root, never in the test
suite (real Keras is not a dependency of cornu)::

    KERAS_BACKEND=torch /work/kenv/bin/python tests/oracle/make_fixtures.py

It writes ``tests/oracle/fixtures/{optimizers,schedules,losses,metrics,initializers}.npz``
(inputs and Keras's outputs, loadable with ``allow_pickle=False``) and ``index.json``:
one entry per case with the class (or function) name and its constructor kwargs, so the
test builds the same object in cornu by name. A case Keras itself rejects is left out
and listed under ``"keras_errors"`` in the index.
"""
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402

import keras  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")
F32 = "float32"


def rng(seed):
    return np.random.default_rng(seed)


def np_(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype(F32)


class Store:
    """Arrays for one .npz file and the cases for one section of the index."""

    def __init__(self, name):
        self.name = name
        self.arrays = {}
        self.cases = []
        self.errors = []

    def put(self, key, value):
        assert key not in self.arrays, key
        self.arrays[key] = np.asarray(value)
        return key

    def save(self):
        np.savez_compressed(os.path.join(OUT, self.name + ".npz"), **self.arrays)


def build_schedule(spec):
    return getattr(keras.optimizers.schedules, spec["class_name"])(**spec["config"])


# ------------------------------------------------------------------ optimizers

def optimizer_fixtures():
    store = Store("optimizers")
    r = rng(0)
    init = {"kernel": r.normal(size=(3, 4)).astype(F32), "bias": r.normal(size=(4,)).astype(F32)}
    for name, value in init.items():
        store.put(f"init__{name}", value)
    grads = {}
    for gset in ("default", "nan"):
        for step in range(3):
            for name, value in init.items():
                g = r.normal(size=value.shape).astype(F32)
                if gset == "nan" and step == 1 and name == "bias":
                    g[2] = np.nan
                grads[(gset, step, name)] = store.put(f"grad__{gset}__{step}__{name}", g)

    exp = {"class_name": "ExponentialDecay",
           "config": {"initial_learning_rate": 0.1, "decay_steps": 1, "decay_rate": 0.5}}
    cases = [
        ("SGD", {"learning_rate": 0.1}),
        ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
        ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
        ("SGD", {}),
        ("Adam", {}),
        ("Adam", {"learning_rate": 0.1}),
        ("Adam", {"learning_rate": 0.1, "amsgrad": True}),
        ("Adam", {"learning_rate": 0.1, "beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-3}),
        ("AdamW", {}),
        ("AdamW", {"learning_rate": 0.1, "weight_decay": 0.1}),
        ("AdamW", {"learning_rate": 0.1, "weight_decay": 0.1, "amsgrad": True}),
        ("Adamax", {}),
        ("Adamax", {"learning_rate": 0.1, "beta_1": 0.5}),
        ("Nadam", {}),
        ("Nadam", {"learning_rate": 0.1, "beta_1": 0.8, "beta_2": 0.9}),
        ("RMSprop", {}),
        ("RMSprop", {"learning_rate": 0.1, "momentum": 0.9}),
        ("RMSprop", {"learning_rate": 0.1, "centered": True}),
        ("RMSprop", {"learning_rate": 0.1, "rho": 0.8, "momentum": 0.5, "centered": True}),
        ("Adagrad", {}),
        ("Adagrad", {"learning_rate": 0.1, "initial_accumulator_value": 0.5}),
        ("Adadelta", {}),
        ("Adadelta", {"learning_rate": 1.0, "rho": 0.9}),
        ("Adafactor", {}),
        ("Adafactor", {"learning_rate": 0.1, "relative_step": False}),
        ("Adafactor", {"learning_rate": 0.01, "clip_threshold": 0.5, "beta_2_decay": -0.5,
                       "epsilon_2": 1e-2}),
        ("Adafactor", {"learning_rate": exp}),
        ("Lion", {}),
        ("Lion", {"learning_rate": 0.1, "beta_1": 0.5, "beta_2": 0.9}),
        ("Ftrl", {}),
        ("Ftrl", {"learning_rate": 0.1, "learning_rate_power": -0.7,
                  "initial_accumulator_value": 0.2, "l1_regularization_strength": 0.01,
                  "l2_regularization_strength": 0.02,
                  "l2_shrinkage_regularization_strength": 0.03, "beta": 0.1}),
        ("Ftrl", {"learning_rate": 0.5, "l1_regularization_strength": 0.5}),
        # the common arguments
        ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "weight_decay": 0.05}),
        ("Adam", {"learning_rate": 0.1, "weight_decay": 0.05}),
        ("Lion", {"learning_rate": 0.1, "weight_decay": 0.05}),
        ("SGD", {"learning_rate": 0.1, "clipnorm": 0.5}),
        ("Adam", {"learning_rate": 0.1, "clipnorm": 0.5}),
        ("SGD", {"learning_rate": 0.1, "clipvalue": 0.2}),
        ("RMSprop", {"learning_rate": 0.1, "clipvalue": 0.2}),
        ("SGD", {"learning_rate": 0.1, "global_clipnorm": 0.5}),
        ("Adam", {"learning_rate": 0.1, "global_clipnorm": 0.5}),
        ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "use_ema": True, "ema_momentum": 0.9}),
        ("Adam", {"learning_rate": 0.1, "use_ema": True, "ema_momentum": 0.5,
                  "ema_overwrite_frequency": 2}),
        ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "gradient_accumulation_steps": 2}),
        ("Adam", {"learning_rate": 0.1, "gradient_accumulation_steps": 2}),
        ("Adam", {"learning_rate": 0.1, "loss_scale_factor": 4.0}),
        ("SGD", {"learning_rate": exp}),
        ("Adam", {"learning_rate": exp}),
        ("RMSprop", {"learning_rate": {"class_name": "PiecewiseConstantDecay", "config": {
            "boundaries": [1, 2], "values": [0.1, 0.05, 0.01]}}}),
        ("SGD", {"learning_rate": {"class_name": "CosineDecay", "config": {
            "initial_learning_rate": 0.0, "decay_steps": 4, "warmup_target": 0.2,
            "warmup_steps": 2}}}),
        ("SGD", {"momentum": 0.5, "learning_rate": {"class_name": "PolynomialDecay", "config": {
            "initial_learning_rate": 0.2, "decay_steps": 2, "end_learning_rate": 0.01,
            "power": 2.0}}}),
        ("LossScaleOptimizer", {"inner_optimizer": {"class_name": "SGD", "config": {
            "learning_rate": 0.1, "momentum": 0.9}}, "initial_scale": 8.0}),
        ("LossScaleOptimizer", {"inner_optimizer": {"class_name": "Adam", "config": {
            "learning_rate": 0.1}}, "initial_scale": 8.0}, "nan"),
        # large steps with the default betas: Keras's float32 bias corrections show
        ("Adam", {"learning_rate": 0.5, "beta_2": 0.9999}),
        ("Nadam", {"learning_rate": 0.1}),
        ("Nadam", {"learning_rate": 0.5, "beta_2": 0.9999}),
        ("Adamax", {"learning_rate": 0.1}),
        ("AdamW", {"learning_rate": 0.5, "beta_2": 0.9999, "amsgrad": True}),
    ]
    counts = {}
    for case in cases:
        cls_name, kwargs = case[0], case[1]
        gset = case[2] if len(case) > 2 else "default"
        counts[cls_name] = counts.get(cls_name, 0) + 1
        cid = f"{cls_name}_{counts[cls_name]}"
        ctor = dict(kwargs)
        if isinstance(ctor.get("learning_rate"), dict):
            ctor["learning_rate"] = build_schedule(ctor["learning_rate"])
        if "inner_optimizer" in ctor:
            inner = ctor["inner_optimizer"]
            ctor["inner_optimizer"] = getattr(keras.optimizers, inner["class_name"])(
                **inner["config"])
        optimizer = getattr(keras.optimizers, cls_name)(**ctor)
        variables = [keras.Variable(init[n].copy(), name=n) for n in init]
        for step in range(3):
            gs = [keras.ops.convert_to_tensor(store.arrays[grads[(gset, step, n)]])
                  for n in init]
            optimizer.apply_gradients(list(zip(gs, variables)))
            for n, v in zip(init, variables):
                store.put(f"{cid}__step{step}__{n}", np_(v))
            if cls_name == "LossScaleOptimizer":
                store.put(f"{cid}__step{step}__dynamic_scale", np_(optimizer.dynamic_scale))
        entry = {"id": cid, "class": cls_name, "kwargs": kwargs, "grads": gset,
                 "variables": list(init)}
        if cls_name != "LossScaleOptimizer":
            paths = []
            for i, v in enumerate(optimizer.variables):
                store.put(f"{cid}__optvar__{i}", np_(v))
                paths.append(v.path)
            entry["optimizer_variables"] = paths
        store.cases.append(entry)
    return store


def schedule_fixtures():
    store = Store("schedules")
    specs = [
        ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 3,
                              "decay_rate": 0.5}),
        ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 3,
                              "decay_rate": 0.5, "staircase": True}),
        ("PiecewiseConstantDecay", {"boundaries": [2, 5], "values": [1.0, 0.5, 0.1]}),
        ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 10,
                             "end_learning_rate": 0.01, "power": 0.5}),
        ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 4,
                             "end_learning_rate": 0.01, "power": 1.0, "cycle": True}),
        ("InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 2,
                              "decay_rate": 0.5}),
        ("InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 2,
                              "decay_rate": 0.5, "staircase": True}),
        ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 10}),
        ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 10, "alpha": 0.1}),
        ("CosineDecay", {"initial_learning_rate": 0.0, "decay_steps": 10, "alpha": 0.1,
                         "warmup_target": 0.2, "warmup_steps": 5}),
        ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 4}),
        ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 3,
                                 "t_mul": 1.5, "m_mul": 0.8, "alpha": 0.05}),
    ]
    steps = np.array([0, 1, 2, 3, 4, 5, 7, 10, 13, 20, 50], dtype="int64")
    store.put("steps", steps)
    counts = {}
    for cls_name, kwargs in specs:
        counts[cls_name] = counts.get(cls_name, 0) + 1
        cid = f"{cls_name}_{counts[cls_name]}"
        schedule = getattr(keras.optimizers.schedules, cls_name)(**kwargs)
        store.put(cid, np.array([float(np_(schedule(int(s)))) for s in steps], dtype=F32))
        store.cases.append({"id": cid, "class": cls_name, "kwargs": kwargs})
    return store


# ------------------------------------------------------------------ losses

def loss_inputs(store):
    r = rng(1)
    inputs = {}

    def add(name, y_true, y_pred, sample_weight):
        inputs[name] = {}
        for key, value in (("y_true", y_true), ("y_pred", y_pred),
                           ("sample_weight", sample_weight)):
            inputs[name][key] = store.put(f"input__{name}__{key}", value)

    sw4 = np.array([0.5, 1.0, 0.0, 2.0], F32)
    add("reg", r.normal(size=(4, 3)).astype(F32), r.normal(size=(4, 3)).astype(F32), sw4)
    add("reg_1d", r.normal(size=(4,)).astype(F32), r.normal(size=(4, 1)).astype(F32), sw4)
    add("pos", r.uniform(0.1, 2.0, size=(4, 3)).astype(F32),
        r.uniform(0.1, 2.0, size=(4, 3)).astype(F32), sw4)
    add("dist", softmax(r.normal(size=(4, 5))), softmax(r.normal(size=(4, 5))), sw4)
    add("bin", r.integers(0, 2, size=(4, 3)).astype(F32),
        r.uniform(0.02, 0.98, size=(4, 3)).astype(F32), sw4)
    add("bin_logits", r.integers(0, 2, size=(4, 3)).astype(F32),
        (2 * r.normal(size=(4, 3))).astype(F32), sw4)
    add("bin_1d", r.integers(0, 2, size=(4,)).astype(F32),
        r.uniform(0.02, 0.98, size=(4, 1)).astype(F32), sw4)
    add("bin_soft", r.uniform(0, 1, size=(4, 3)).astype(F32),
        r.uniform(0.02, 0.98, size=(4, 3)).astype(F32), sw4)
    labels = np.array([0, 3, 1, 4])
    add("cat", np.eye(5, dtype=F32)[labels], softmax(r.normal(size=(4, 5))), sw4)
    add("cat_logits", np.eye(5, dtype=F32)[labels], (2 * r.normal(size=(4, 5))).astype(F32),
        sw4)
    add("cat_unnorm", np.eye(5, dtype=F32)[labels], r.uniform(0.05, 1, size=(4, 5)).astype(F32),
        sw4)
    add("sparse", labels.astype("int32"), softmax(r.normal(size=(4, 5))), sw4)
    add("sparse_col", labels.reshape(4, 1).astype(F32), softmax(r.normal(size=(4, 5))), sw4)
    add("sparse_logits", labels.astype("int32"), (2 * r.normal(size=(4, 5))).astype(F32), sw4)
    add("sparse_ignore", np.array([0, -1, 1, 4], "int32"),
        (2 * r.normal(size=(4, 5))).astype(F32), sw4)
    add("sparse_seg", np.array([[0, 2, 1], [2, 4, 2]], "int32"),
        softmax(r.normal(size=(2, 3, 5))), np.array([0.5, 2.0], F32))
    add("hinge01", r.integers(0, 2, size=(4, 3)).astype(F32), r.normal(size=(4, 3)).astype(F32),
        sw4)
    add("hinge_pm", (2 * r.integers(0, 2, size=(4, 3)) - 1).astype(F32),
        r.normal(size=(4, 3)).astype(F32), sw4)
    add("cat_hinge", np.eye(5, dtype=F32)[labels], r.normal(size=(4, 5)).astype(F32), sw4)
    add("ctc", np.array([[1, 2, 2, 0], [3, 1, 0, 0], [4, 4, 4, 1]], "int32"),
        r.normal(size=(3, 8, 5)).astype(F32), np.array([0.5, 1.0, 2.0], F32))
    add("seg", r.integers(0, 2, size=(2, 3, 3, 1)).astype(F32),
        r.uniform(0.02, 0.98, size=(2, 3, 3, 1)).astype(F32), np.array([0.5, 2.0], F32))
    return inputs


LOSSES = [
    # (class, class kwargs, function, function kwargs, inputs)
    ("MeanSquaredError", {}, "mean_squared_error", {}, ["reg", "reg_1d"]),
    ("MeanAbsoluteError", {}, "mean_absolute_error", {}, ["reg", "reg_1d"]),
    ("MeanAbsolutePercentageError", {}, "mean_absolute_percentage_error", {}, ["reg", "pos"]),
    ("MeanSquaredLogarithmicError", {}, "mean_squared_logarithmic_error", {}, ["pos"]),
    ("BinaryCrossentropy", {}, "binary_crossentropy", {}, ["bin", "bin_1d", "bin_soft"]),
    ("BinaryCrossentropy", {"from_logits": True}, "binary_crossentropy",
     {"from_logits": True}, ["bin_logits"]),
    ("BinaryCrossentropy", {"label_smoothing": 0.2}, "binary_crossentropy",
     {"label_smoothing": 0.2}, ["bin"]),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1},
     "binary_crossentropy", {"from_logits": True, "label_smoothing": 0.1}, ["bin_logits"]),
    ("BinaryCrossentropy", {"axis": 0}, "binary_crossentropy", {"axis": 0}, ["bin"]),
    ("BinaryFocalCrossentropy", {}, "binary_focal_crossentropy", {}, ["bin", "bin_1d"]),
    ("BinaryFocalCrossentropy", {"apply_class_balancing": True, "alpha": 0.3, "gamma": 1.5},
     "binary_focal_crossentropy", {"apply_class_balancing": True, "alpha": 0.3, "gamma": 1.5},
     ["bin"]),
    ("BinaryFocalCrossentropy", {"from_logits": True, "label_smoothing": 0.1},
     "binary_focal_crossentropy", {"from_logits": True, "label_smoothing": 0.1},
     ["bin_logits"]),
    ("CategoricalCrossentropy", {}, "categorical_crossentropy", {}, ["cat", "cat_unnorm"]),
    ("CategoricalCrossentropy", {"from_logits": True}, "categorical_crossentropy",
     {"from_logits": True}, ["cat_logits"]),
    ("CategoricalCrossentropy", {"label_smoothing": 0.2}, "categorical_crossentropy",
     {"label_smoothing": 0.2}, ["cat"]),
    ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.1},
     "categorical_crossentropy", {"from_logits": True, "label_smoothing": 0.1},
     ["cat_logits"]),
    ("CategoricalFocalCrossentropy", {}, "categorical_focal_crossentropy", {},
     ["cat", "cat_unnorm"]),
    ("CategoricalFocalCrossentropy", {"alpha": 0.5, "gamma": 1.0, "from_logits": True,
                                      "label_smoothing": 0.1},
     "categorical_focal_crossentropy", {"alpha": 0.5, "gamma": 1.0, "from_logits": True,
                                        "label_smoothing": 0.1}, ["cat_logits"]),
    ("SparseCategoricalCrossentropy", {}, "sparse_categorical_crossentropy", {},
     ["sparse", "sparse_col", "sparse_seg"]),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, "sparse_categorical_crossentropy",
     {"from_logits": True}, ["sparse_logits"]),
    ("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": -1},
     "sparse_categorical_crossentropy", {"from_logits": True, "ignore_class": -1},
     ["sparse_ignore"]),
    ("SparseCategoricalCrossentropy", {"ignore_class": 2}, "sparse_categorical_crossentropy",
     {"ignore_class": 2}, ["sparse_seg"]),
    ("Hinge", {}, "hinge", {}, ["hinge01", "hinge_pm"]),
    ("SquaredHinge", {}, "squared_hinge", {}, ["hinge01", "hinge_pm"]),
    ("CategoricalHinge", {}, "categorical_hinge", {}, ["cat_hinge"]),
    ("KLDivergence", {}, "kl_divergence", {}, ["dist", "bin"]),
    ("Poisson", {}, "poisson", {}, ["pos"]),
    ("CosineSimilarity", {}, "cosine_similarity", {}, ["reg"]),
    ("CosineSimilarity", {"axis": 0}, "cosine_similarity", {"axis": 0}, ["reg"]),
    ("Huber", {}, "huber", {}, ["reg", "reg_1d"]),
    ("Huber", {"delta": 0.3}, "huber", {"delta": 0.3}, ["reg"]),
    ("LogCosh", {}, "log_cosh", {}, ["reg"]),
    ("CTC", {}, "ctc", {}, ["ctc"]),
    ("Dice", {}, "dice", {}, ["seg"]),
    ("Dice", {"axis": [1, 2, 3]}, "dice", {"axis": [1, 2, 3]}, ["seg"]),
    ("Tversky", {}, "tversky", {}, ["seg"]),
    ("Tversky", {"alpha": 0.7, "beta": 0.3, "axis": [1, 2, 3]}, "tversky",
     {"alpha": 0.7, "beta": 0.3, "axis": [1, 2, 3]}, ["seg"]),
]
REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none"]


def _tuple_axis(kwargs):
    return {k: tuple(v) if k == "axis" and isinstance(v, list) else v for k, v in kwargs.items()}


def loss_fixtures():
    store = Store("losses")
    inputs = loss_inputs(store)
    seen_fn = set()
    counts = {}
    for cls_name, cls_kwargs, fn_name, fn_kwargs, input_names in LOSSES:
        for inp in input_names:
            arrays = {k: store.arrays[v] for k, v in inputs[inp].items()}
            fn_key = (fn_name, json.dumps(fn_kwargs, sort_keys=True), inp)
            if fn_key not in seen_fn:
                seen_fn.add(fn_key)
                cid = f"fn_{fn_name}_{len(seen_fn)}"
                try:
                    out = getattr(keras.losses, fn_name)(
                        keras.ops.convert_to_tensor(arrays["y_true"]),
                        keras.ops.convert_to_tensor(arrays["y_pred"]), **_tuple_axis(fn_kwargs))
                    store.put(cid, np_(out))
                    store.cases.append({"id": cid, "function": fn_name, "kwargs": fn_kwargs,
                                        "inputs": inp, "sample_weight": False})
                except Exception as e:  # noqa: BLE001
                    store.errors.append(f"{cid} ({fn_name} on {inp}): {type(e).__name__}: {e}")
            for reduction in REDUCTIONS:
                for weighted in (False, True):
                    counts[cls_name] = counts.get(cls_name, 0) + 1
                    cid = f"{cls_name}_{counts[cls_name]}"
                    kwargs = dict(cls_kwargs, reduction=reduction)
                    try:
                        loss = getattr(keras.losses, cls_name)(**_tuple_axis(kwargs))
                        sw = arrays["sample_weight"] if weighted else None
                        out = loss(arrays["y_true"], arrays["y_pred"], sample_weight=sw)
                        store.put(cid, np_(out))
                        store.cases.append({"id": cid, "class": cls_name, "kwargs": kwargs,
                                            "inputs": inp, "sample_weight": weighted})
                    except Exception as e:  # noqa: BLE001
                        store.errors.append(f"{cid} ({cls_name} {kwargs} on {inp}, weighted="
                                            f"{weighted}): {type(e).__name__}: {e}")
    store.inputs = inputs
    return store


# ------------------------------------------------------------------ metrics

def metric_inputs(store):
    """Named input sets: two batches, the second with a sample_weight."""
    r = rng(2)
    inputs = {}

    def add(name, b1, b2, sw):
        inputs[name] = {}
        for i, batch in enumerate((b1, b2)):
            for key, value in zip(("y_true", "y_pred"), batch):
                inputs[name][f"{key}{i}"] = store.put(f"input__{name}__{key}{i}", value)
        inputs[name]["sample_weight1"] = store.put(f"input__{name}__sample_weight1", sw)

    sw5 = np.array([0.5, 1.0, 0.0, 2.0, 1.5], F32)
    sw6 = np.array([1.0, 0.5, 2.0, 0.0, 1.0, 3.0], F32)

    def twice(make):
        return make(6), make(5)

    # Mean / Sum: the values in y_true, y_pred unused
    a, b = twice(lambda n: r.normal(size=(n,)).astype(F32))
    add("values", (a, a), (b, b), sw5)
    a, b = twice(lambda n: (r.normal(size=(n, 3)).astype(F32), r.normal(size=(n, 3)).astype(F32)))
    add("reg", a, b, sw5)
    a, b = twice(lambda n: (r.uniform(0.1, 2, size=(n, 3)).astype(F32),
                            r.uniform(0.1, 2, size=(n, 3)).astype(F32)))
    add("pos", a, b, sw5)
    a, b = twice(lambda n: (r.integers(0, 3, size=(n, 1)).astype(F32),
                            r.integers(0, 3, size=(n, 1)).astype(F32)))
    add("ints", a, b, sw5)
    a, b = twice(lambda n: (r.integers(0, 2, size=(n, 1)).astype(F32),
                            r.uniform(0, 1, size=(n, 1)).astype(F32)))
    add("bin", a, b, sw5)
    a, b = twice(lambda n: (r.integers(0, 2, size=(n, 3)).astype(F32),
                            r.uniform(0, 1, size=(n, 3)).astype(F32)))
    add("bin3", a, b, sw5)
    a, b = twice(lambda n: (r.integers(0, 2, size=(n, 3)).astype(F32),
                            (2 * r.normal(size=(n, 3))).astype(F32)))
    add("bin3_logits", a, b, sw5)
    a, b = twice(lambda n: (r.integers(0, 2, size=(n,)).astype(F32),
                            r.uniform(0, 1, size=(n,)).astype(F32)))
    add("bin_flat", a, b, sw5)
    a, b = twice(lambda n: (np.eye(4, dtype=F32)[r.integers(0, 4, size=n)],
                            softmax(r.normal(size=(n, 4)))))
    add("cat", a, b, sw5)
    a, b = twice(lambda n: (np.eye(4, dtype=F32)[r.integers(0, 4, size=n)],
                            (2 * r.normal(size=(n, 4))).astype(F32)))
    add("cat_logits", a, b, sw5)
    a, b = twice(lambda n: (r.integers(0, 4, size=(n, 1)).astype(F32),
                            softmax(r.normal(size=(n, 4)))))
    add("sparse", a, b, sw5)
    a, b = twice(lambda n: (r.integers(0, 4, size=(n,)).astype("int32"),
                            (2 * r.normal(size=(n, 4))).astype(F32)))
    add("sparse_logits", a, b, sw5)
    a, b = twice(lambda n: ((2 * r.integers(0, 2, size=(n, 3)) - 1).astype(F32),
                            r.normal(size=(n, 3)).astype(F32)))
    add("hinge", a, b, sw5)
    a, b = twice(lambda n: (softmax(r.normal(size=(n, 4))), softmax(r.normal(size=(n, 4)))))
    add("dist", a, b, sw5)
    # thresholded metrics: 6 and then 6 samples, three labels
    a, b = (r.integers(0, 2, size=(6, 3)).astype(F32), r.uniform(0, 1, size=(6, 3)).astype(F32)), \
        (r.integers(0, 2, size=(6, 3)).astype(F32), r.uniform(0, 1, size=(6, 3)).astype(F32))
    add("multi", a, b, sw6)
    a, b = (r.integers(0, 2, size=(6, 3)).astype(F32), (2 * r.normal(size=(6, 3))).astype(F32)), \
        (r.integers(0, 2, size=(6, 3)).astype(F32), (2 * r.normal(size=(6, 3))).astype(F32))
    add("multi_logits", a, b, sw6)
    # IoU: sparse labels and predictions, one-hot labels with probabilities. Whole
    # sample weights: Keras's IoU metrics count in dtype "int" unless given a dtype,
    # so fractional weights are truncated there ("_fracw" sets check them).
    swi = np.array([1.0, 2.0, 0.0, 3.0, 1.0], F32)
    a, b = twice(lambda n: (r.integers(0, 3, size=(n,)).astype("int32"),
                            r.integers(0, 3, size=(n,)).astype("int32")))
    add("iou_sparse", a, b, swi)
    add("iou_sparse_fracw", a, b, sw5)
    a, b = twice(lambda n: (r.integers(0, 3, size=(n,)).astype("int32"),
                            softmax(r.normal(size=(n, 3)))))
    add("iou_sparse_true", a, b, swi)
    a, b = twice(lambda n: (np.eye(3, dtype=F32)[r.integers(0, 3, size=n)],
                            softmax(r.normal(size=(n, 3)))))
    add("iou_onehot", a, b, swi)
    a, b = twice(lambda n: (np.eye(3, dtype=F32)[r.integers(0, 3, size=n)],
                            r.integers(0, 3, size=(n,)).astype("int32")))
    add("iou_onehot_sparse_pred", a, b, swi)
    a, b = twice(lambda n: (r.integers(0, 2, size=(n,)).astype(F32),
                            r.uniform(0, 1, size=(n,)).astype(F32)))
    add("iou_binary", a, b, swi)
    add("iou_binary_fracw", a, b, sw5)
    a, b = twice(lambda n: (r.normal(size=(n, 2)).astype(F32), r.normal(size=(n, 2)).astype(F32)))
    add("r2", a, b, sw5)
    a, b = twice(lambda n: (r.normal(size=(n, 1)).astype(F32), r.normal(size=(n, 1)).astype(F32)))
    add("r2_single", a, b, sw5)
    return inputs


METRICS = [
    # (class, kwargs, inputs)
    ("Mean", {}, ["values"]),
    ("Sum", {}, ["values"]),
    ("Accuracy", {}, ["ints"]),
    ("BinaryAccuracy", {}, ["bin", "bin3"]),
    ("BinaryAccuracy", {"threshold": 0.3}, ["bin3"]),
    ("CategoricalAccuracy", {}, ["cat"]),
    ("SparseCategoricalAccuracy", {}, ["sparse", "sparse_logits"]),
    ("TopKCategoricalAccuracy", {"k": 2}, ["cat"]),
    ("SparseTopKCategoricalAccuracy", {"k": 2}, ["sparse", "sparse_logits"]),
    ("AUC", {}, ["bin", "multi"]),
    ("AUC", {"num_thresholds": 7}, ["bin"]),
    ("AUC", {"curve": "PR"}, ["bin", "multi"]),
    ("AUC", {"curve": "PR", "summation_method": "minoring", "num_thresholds": 9}, ["bin"]),
    ("AUC", {"summation_method": "majoring", "num_thresholds": 9}, ["bin"]),
    ("AUC", {"multi_label": True}, ["multi"]),
    ("AUC", {"multi_label": True, "curve": "PR", "num_thresholds": 20}, ["multi"]),
    ("AUC", {"multi_label": True, "num_labels": 3, "label_weights": [0.2, 0.5, 0.3]},
     ["multi"]),
    ("AUC", {"thresholds": [0.25, 0.5, 0.75]}, ["multi"]),
    ("AUC", {"from_logits": True}, ["multi_logits"]),
    ("Precision", {}, ["bin", "multi"]),
    ("Precision", {"thresholds": [0.3, 0.6]}, ["multi"]),
    ("Precision", {"top_k": 2}, ["multi"]),
    ("Precision", {"class_id": 1}, ["multi"]),
    ("Precision", {"top_k": 1, "class_id": 2}, ["multi"]),
    ("Recall", {}, ["bin", "multi"]),
    ("Recall", {"thresholds": [0.3, 0.6]}, ["multi"]),
    ("Recall", {"top_k": 2}, ["multi"]),
    ("Recall", {"class_id": 0}, ["multi"]),
    ("TruePositives", {}, ["multi"]),
    ("TruePositives", {"thresholds": [0.2, 0.5, 0.8]}, ["multi"]),
    ("TrueNegatives", {}, ["multi"]),
    ("TrueNegatives", {"thresholds": [0.2, 0.5, 0.8]}, ["multi"]),
    ("FalsePositives", {}, ["multi"]),
    ("FalsePositives", {"thresholds": [0.2, 0.5, 0.8]}, ["multi"]),
    ("FalseNegatives", {}, ["multi"]),
    ("FalseNegatives", {"thresholds": [0.2, 0.5, 0.8]}, ["multi"]),
    ("PrecisionAtRecall", {"recall": 0.5}, ["multi"]),
    ("PrecisionAtRecall", {"recall": 0.8, "num_thresholds": 11, "class_id": 1}, ["multi"]),
    ("RecallAtPrecision", {"precision": 0.6}, ["multi"]),
    ("RecallAtPrecision", {"precision": 0.5, "num_thresholds": 11, "class_id": 2}, ["multi"]),
    ("SensitivityAtSpecificity", {"specificity": 0.5}, ["multi"]),
    ("SensitivityAtSpecificity", {"specificity": 0.7, "num_thresholds": 11, "class_id": 0},
     ["multi"]),
    ("SpecificityAtSensitivity", {"sensitivity": 0.5}, ["multi"]),
    ("SpecificityAtSensitivity", {"sensitivity": 0.7, "num_thresholds": 11, "class_id": 1},
     ["multi"]),
    ("MeanSquaredError", {}, ["reg"]),
    ("RootMeanSquaredError", {}, ["reg"]),
    ("MeanAbsoluteError", {}, ["reg"]),
    ("MeanAbsolutePercentageError", {}, ["reg", "pos"]),
    ("MeanSquaredLogarithmicError", {}, ["pos"]),
    ("CosineSimilarity", {}, ["reg"]),
    ("LogCoshError", {}, ["reg"]),
    ("MeanIoU", {"num_classes": 3}, ["iou_sparse"]),
    ("MeanIoU", {"num_classes": 3, "ignore_class": 1}, ["iou_sparse"]),
    ("MeanIoU", {"num_classes": 3, "sparse_y_pred": False}, ["iou_sparse_true"]),
    ("MeanIoU", {"num_classes": 3}, ["iou_sparse_fracw"]),
    ("MeanIoU", {"num_classes": 3, "dtype": "float32"}, ["iou_sparse_fracw"]),
    ("IoU", {"num_classes": 3, "target_class_ids": [0, 2]}, ["iou_sparse"]),
    ("IoU", {"num_classes": 3, "target_class_ids": [1], "sparse_y_true": False,
             "sparse_y_pred": False}, ["iou_onehot"]),
    ("BinaryIoU", {}, ["iou_binary"]),
    ("BinaryIoU", {"dtype": "float32"}, ["iou_binary_fracw"]),
    ("BinaryIoU", {"target_class_ids": [1], "threshold": 0.3}, ["iou_binary"]),
    ("OneHotIoU", {"num_classes": 3, "target_class_ids": [0, 1]}, ["iou_onehot"]),
    ("OneHotIoU", {"num_classes": 3, "target_class_ids": [2], "sparse_y_pred": True},
     ["iou_onehot_sparse_pred"]),
    ("OneHotMeanIoU", {"num_classes": 3}, ["iou_onehot"]),
    ("F1Score", {}, ["multi"]),
    ("F1Score", {"average": "micro"}, ["multi"]),
    ("F1Score", {"average": "macro", "threshold": 0.5}, ["multi"]),
    ("F1Score", {"average": "weighted", "threshold": 0.4}, ["multi"]),
    ("FBetaScore", {"beta": 2.0}, ["multi"]),
    ("FBetaScore", {"beta": 0.5, "average": "macro", "threshold": 0.5}, ["multi"]),
    ("FBetaScore", {"beta": 2.0, "average": "weighted"}, ["multi"]),
    ("R2Score", {}, ["r2", "r2_single"]),
    ("R2Score", {"class_aggregation": "variance_weighted_average"}, ["r2"]),
    ("R2Score", {"class_aggregation": None}, ["r2"]),
    ("R2Score", {"num_regressors": 2}, ["r2"]),
    ("Hinge", {}, ["hinge", "bin3"]),
    ("SquaredHinge", {}, ["hinge"]),
    ("CategoricalHinge", {}, ["hinge"]),
    ("KLDivergence", {}, ["dist"]),
    ("Poisson", {}, ["pos"]),
    ("BinaryCrossentropy", {}, ["bin3"]),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, ["bin3_logits"]),
    ("CategoricalCrossentropy", {}, ["cat"]),
    ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.2}, ["cat_logits"]),
    ("SparseCategoricalCrossentropy", {}, ["sparse"]),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, ["sparse_logits"]),
]


def metric_fixtures():
    store = Store("metrics")
    inputs = metric_inputs(store)
    counts = {}
    for cls_name, kwargs, input_names in METRICS:
        for inp in input_names:
            counts[cls_name] = counts.get(cls_name, 0) + 1
            cid = f"{cls_name}_{counts[cls_name]}"
            a = {k: store.arrays[v] for k, v in inputs[inp].items()}
            try:
                metric = getattr(keras.metrics, cls_name)(**kwargs)
                results = []
                for i in range(2):
                    sw = a["sample_weight1"] if i == 1 else None
                    if cls_name in ("Mean", "Sum"):
                        metric.update_state(a[f"y_true{i}"], sample_weight=sw)
                    else:
                        metric.update_state(a[f"y_true{i}"], a[f"y_pred{i}"], sample_weight=sw)
                    results.append(np_(metric.result()).astype(F32))
                for i, value in enumerate(results):
                    store.put(f"{cid}__result{i}", value)
                store.cases.append({"id": cid, "class": cls_name, "kwargs": kwargs,
                                    "inputs": inp})
            except Exception as e:  # noqa: BLE001
                store.errors.append(f"{cid} ({cls_name} {kwargs} on {inp}): "
                                    f"{type(e).__name__}: {e}")
    store.inputs = inputs
    return store


# ------------------------------------------------------------------ initializers

def initializer_fixtures():
    store = Store("initializers")
    specs = [
        ("Identity", {}, (3, 4)),
        ("Identity", {"gain": 2.5}, (4, 3)),
        ("Constant", {"value": 0.25}, (2, 3)),
        ("Zeros", {}, (2, 3)),
        ("Ones", {}, (3,)),
        ("Orthogonal", {"gain": 1.5, "seed": 3}, (3, 5)),  # random: its shape only
    ]
    counts = {}
    for cls_name, kwargs, shape in specs:
        counts[cls_name] = counts.get(cls_name, 0) + 1
        cid = f"{cls_name}_{counts[cls_name]}"
        value = np_(getattr(keras.initializers, cls_name)(**kwargs)(shape))
        entry = {"id": cid, "class": cls_name, "kwargs": kwargs, "shape": list(shape)}
        if "seed" in kwargs:  # seeded streams differ between libraries
            entry["random"] = True
            value = np.array(value.shape)
        store.put(cid, value)
        store.cases.append(entry)
    return store


def main():
    os.makedirs(OUT, exist_ok=True)
    index = {"keras_version": keras.__version__, "backend": keras.backend.backend(),
             "generator": "tests/oracle/make_fixtures.py", "keras_errors": {}}
    for make in (optimizer_fixtures, schedule_fixtures, loss_fixtures, metric_fixtures,
                 initializer_fixtures):
        store = make()
        store.save()
        section = {"file": store.name + ".npz", "cases": store.cases}
        if hasattr(store, "inputs"):
            section["inputs"] = store.inputs
        index[store.name] = section
        if store.errors:
            index["keras_errors"][store.name] = store.errors
        print(f"{store.name}: {len(store.cases)} cases, {len(store.errors)} rejected by Keras",
              file=sys.stderr)
    with open(os.path.join(OUT, "index.json"), "w") as f:
        f.write(dump_index(index))


def dump_index(index):
    """The index as JSON with one case per line (readable diffs, a small file)."""
    lines = ["{"]
    items = list(index.items())
    for n, (key, value) in enumerate(items):
        end = "," if n < len(items) - 1 else ""
        if isinstance(value, dict) and "cases" in value:
            lines.append(f" {json.dumps(key)}: {{")
            rest = {k: v for k, v in value.items() if k != "cases"}
            for k, v in rest.items():
                lines.append(f"  {json.dumps(k)}: {json.dumps(v)},")
            lines.append('  "cases": [')
            cases = value["cases"]
            lines += [f"   {json.dumps(c)}" + ("," if i < len(cases) - 1 else "")
                      for i, c in enumerate(cases)]
            lines.append("  ]")
            lines.append(" }" + end)
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(value, indent=1)}{end}")
    lines.append("}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
