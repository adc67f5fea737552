"""Each optimizer against an independent numpy version of Keras 3's formula, and the
base pipeline: clipping, weight decay, EMA, accumulation, legacy arguments, config."""
import warnings

import numpy as np
import pytest
import torch

import cornu
from cornu import optimizers
from cornu.optimizers import schedules
from tests.optimizers import reference as ref

_rng = np.random.default_rng(0)
WEIGHTS = [_rng.normal(size=(3, 4)).astype("float32"), _rng.normal(size=(4,)).astype("float32")]
GRADS = [[_rng.normal(size=w.shape).astype("float32") for w in WEIGHTS] for _ in range(3)]
NAMES = ["kernel", "bias"]
TOL = dict(rtol=1e-6, atol=1e-6)


def make_variables(constraint=None):
    # copies: a Variable made from a CPU numpy array may share its memory
    variables = [cornu.Variable(w.copy(), name=n) for w, n in zip(WEIGHTS, NAMES)]
    variables[0].constraint = constraint
    return variables


def as_torch(grads):
    return [torch.tensor(g) for g in grads]


def train(optimizer, grad_steps=GRADS, variables=None):
    variables = variables or make_variables()
    for grads in grad_steps:
        optimizer.apply(as_torch(grads), variables)
    return variables


def check(variables, expected):
    for v, e in zip(variables, expected):
        np.testing.assert_allclose(v.numpy(), e, **TOL)


CASES = [
    ("SGD", {}, ref.sgd, {}),
    ("SGD", {"momentum": 0.9}, ref.sgd, {}),
    ("SGD", {"momentum": 0.9, "nesterov": True}, ref.sgd, {}),
    ("Adam", {}, ref.adam, {}),
    ("Adam", {"amsgrad": True}, ref.adam, {}),
    ("Adam", {"beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-3}, ref.adam, {}),
    ("AdamW", {}, ref.adam, {"weight_decay": 0.004}),
    ("AdamW", {"weight_decay": 0.1, "amsgrad": True}, ref.adam, {"weight_decay": 0.1}),
    ("Adamax", {}, ref.adamax, {}),
    ("Nadam", {}, ref.nadam, {}),
    ("RMSprop", {}, ref.rmsprop, {}),
    ("RMSprop", {"centered": True}, ref.rmsprop, {}),
    ("RMSprop", {"momentum": 0.9, "centered": True, "rho": 0.8}, ref.rmsprop, {}),
    ("Adagrad", {}, ref.adagrad, {}),
    ("Adagrad", {"initial_accumulator_value": 0.5}, ref.adagrad, {}),
    ("Adadelta", {}, ref.adadelta, {}),
    ("Adafactor", {}, ref.adafactor, {}),
    ("Adafactor", {"relative_step": False, "clip_threshold": 0.5}, ref.adafactor, {}),
    ("Lion", {}, ref.lion, {}),
    ("Lion", {"beta_1": 0.5, "beta_2": 0.9}, ref.lion, {}),
    ("Ftrl", {}, ref.ftrl, {}),
    ("Ftrl", {"learning_rate_power": -0.7, "l1_regularization_strength": 0.01,
              "l2_regularization_strength": 0.02, "l2_shrinkage_regularization_strength": 0.03,
              "beta": 0.1}, ref.ftrl, {}),
]


@pytest.mark.parametrize("name, kwargs, update, run_kwargs", CASES,
                         ids=[f"{c[0]}-{'-'.join(c[1]) or 'default'}" for c in CASES])
def test_matches_keras_formula(name, kwargs, update, run_kwargs):
    optimizer = getattr(optimizers, name)(learning_rate=0.1, **kwargs)
    hyper = {k: v for k, v in kwargs.items() if k != "weight_decay"}
    expected, _ = ref.run(update, WEIGHTS, GRADS, lr=0.1, hyper=hyper, **run_kwargs)
    check(train(optimizer), expected)
    assert int(optimizer.iterations.numpy()) == 3


@pytest.mark.parametrize("option", [{"clipnorm": 0.5}, {"clipvalue": 0.3},
                                    {"global_clipnorm": 0.7}, {"loss_scale_factor": 4.0}])
def test_gradient_transforms(option):
    optimizer = optimizers.Adam(learning_rate=0.1, **option)
    expected, _ = ref.run(ref.adam, WEIGHTS, GRADS, lr=0.1, **option)
    check(train(optimizer), expected)


def test_only_one_clipping_option():
    with pytest.raises(ValueError, match="Only one of"):
        optimizers.SGD(clipnorm=1.0, clipvalue=1.0)


def test_weight_decay_and_exclusion():
    optimizer = optimizers.SGD(learning_rate=0.1, momentum=0.5, weight_decay=0.05)
    optimizer.exclude_from_weight_decay(var_names=["bias"])
    expected, _ = ref.run(ref.sgd, WEIGHTS, GRADS, lr=0.1, hyper={"momentum": 0.5},
                          weight_decay=0.05, decay_mask=[True, False])
    check(train(optimizer), expected)


def test_ema_overwrite_and_finalize():
    optimizer = optimizers.Adam(learning_rate=0.1, use_ema=True, ema_momentum=0.9,
                                ema_overwrite_frequency=2)
    variables = train(optimizer)
    expected, averages = ref.run(ref.adam, WEIGHTS, GRADS, lr=0.1, use_ema=True,
                                 ema_momentum=0.9, ema_overwrite_frequency=2)
    check(variables, expected)
    check(optimizer._model_variables_moving_average, averages)
    optimizer.finalize_variable_values(variables)
    check(variables, averages)


def test_ema_swap_round_trip():
    optimizer = optimizers.SGD(learning_rate=0.1, use_ema=True)
    variables = train(optimizer)
    expected, averages = ref.run(ref.sgd, WEIGHTS, GRADS, lr=0.1, use_ema=True)
    optimizer.swap(variables)
    check(variables, averages)
    optimizer.swap(variables)
    check(variables, expected)


def test_gradient_accumulation():
    steps = GRADS + GRADS[:1]
    optimizer = optimizers.Adam(learning_rate=0.1, gradient_accumulation_steps=2, clipnorm=1.0)
    variables = train(optimizer, steps)
    expected, _ = ref.run(ref.adam, WEIGHTS, steps, lr=0.1, accumulation_steps=2, clipnorm=1.0)
    check(variables, expected)
    assert int(optimizer.iterations) == 2
    assert int(optimizer._iterations.numpy()) == 4
    with pytest.raises(ValueError, match=">= 2"):
        optimizers.Adam(gradient_accumulation_steps=1)


def test_legacy_lr_and_decay():
    with pytest.warns(DeprecationWarning, match="learning_rate"):
        optimizer = optimizers.SGD(lr=0.1, decay=0.5, momentum=0.9)
    with pytest.warns(DeprecationWarning, match="InverseTimeDecay"):
        optimizers.Adam(decay=0.01)
    expected, _ = ref.run(ref.sgd, WEIGHTS, GRADS, hyper={"momentum": 0.9},
                          lr_at=lambda k: np.float32(0.1) / (1 + 0.5 * k))
    check(train(optimizer), expected)
    assert float(cornu.ops.convert_to_numpy(optimizer.learning_rate)) == pytest.approx(0.1)
    restored = optimizers.SGD.from_config(optimizer.get_config())
    assert restored._legacy_decay == 0.5
    with pytest.warns(DeprecationWarning):
        assert float(optimizer.lr) == pytest.approx(0.1)


def test_keras2_epsilon_none_and_config():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a Keras 2 config loads without warnings
        optimizer = optimizers.deserialize({"class_name": "Adam", "config": {
            "lr": 0.002, "beta_1": 0.9, "beta_2": 0.999, "decay": 0.0, "epsilon": None,
            "amsgrad": False}})
    assert isinstance(optimizer, optimizers.Adam)
    assert optimizer.epsilon == cornu.backend.epsilon()
    assert float(optimizer.learning_rate) == pytest.approx(0.002)


def test_unknown_argument_suggests_closest():
    with pytest.raises(TypeError, match="Did you mean `learning_rate`"):
        optimizers.Adam(learnin_rate=0.1)
    with pytest.raises(TypeError, match="Did you mean `momentum`"):
        optimizers.SGD(momentun=0.9)


def test_learning_rate_property():
    optimizer = optimizers.Adam(learning_rate=0.01)
    assert float(cornu.ops.convert_to_numpy(optimizer.learning_rate)) == pytest.approx(0.01)
    optimizer.learning_rate = 0.5
    assert float(cornu.ops.convert_to_numpy(optimizer.learning_rate)) == pytest.approx(0.5)
    expected, _ = ref.run(ref.adam, WEIGHTS, GRADS, lr=0.5)
    check(train(optimizer), expected)
    optimizer.learning_rate.assign(0.25)  # Keras 2's K.set_value path
    assert optimizer._learning_rate_value(0) == pytest.approx(0.25)


def test_schedule_is_evaluated_at_iterations():
    schedule = schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    optimizer = optimizers.SGD(learning_rate=schedule)
    expected, _ = ref.run(ref.sgd, WEIGHTS, GRADS, lr_at=lambda k: 0.1 * 0.5 ** k)
    check(train(optimizer), expected)
    assert float(optimizer.learning_rate) == pytest.approx(0.1 * 0.5 ** 3)
    with pytest.raises(TypeError, match="cannot be set"):
        optimizer.learning_rate = 0.1
    custom = optimizers.SGD(learning_rate=lambda: 0.2)
    expected, _ = ref.run(ref.sgd, WEIGHTS, GRADS, lr=0.2)
    check(train(custom), expected)


def test_variables_order():
    optimizer = optimizers.Adam(amsgrad=True)
    optimizer.build(make_variables())
    names = [v.name for v in optimizer.variables]
    assert names == ["iteration", "learning_rate", "kernel_momentum", "kernel_velocity",
                     "bias_momentum", "bias_velocity", "kernel_velocity_hat",
                     "bias_velocity_hat"]
    assert optimizer.variables[2].shape == (3, 4)
    sgd = optimizers.SGD()
    sgd.build(make_variables())
    assert [v.name for v in sgd.variables] == ["iteration", "learning_rate"]


def test_iterations_and_apply_gradients():
    optimizer = optimizers.SGD()
    variables = make_variables()
    for grads in GRADS:
        result = optimizer.apply_gradients(zip(as_torch(grads), variables))
    assert int(result.numpy()) == 3 and result is optimizer.iterations
    optimizer.apply([np.ones((3, 4)), np.ones(4)])  # float64 arrays; built: vars optional
    assert int(optimizer.iterations.numpy()) == 4


def test_none_gradients_and_subsets():
    optimizer = optimizers.Adam(learning_rate=0.1)
    variables = make_variables()
    optimizer.build(variables)
    with pytest.warns(UserWarning, match="Gradients do not exist"):
        optimizer.apply([None, torch.tensor(GRADS[0][1])], variables)
    np.testing.assert_array_equal(variables[0].numpy(), WEIGHTS[0])
    optimizer.apply([torch.tensor(GRADS[1][1])], [variables[1]])  # a subset
    expected, _ = ref.run(ref.adam, WEIGHTS[1:], [GRADS[0][1:], GRADS[1][1:]], lr=0.1)
    check(variables[1:], expected)
    with pytest.raises(ValueError, match="Unknown variable"):
        optimizer.apply([torch.zeros(2)], [cornu.Variable(np.zeros(2, "float32"))])


def test_constraint_applied_after_update():
    variables = make_variables(constraint=lambda w: torch.clamp(w, -0.1, 0.1))
    train(optimizers.SGD(learning_rate=0.1), variables=variables)
    assert np.abs(variables[0].numpy()).max() <= 0.1 + 1e-7


def test_custom_optimizer_update_step():
    class PlainSGD(optimizers.Optimizer):
        def __init__(self, learning_rate=0.1, **kwargs):
            super().__init__(learning_rate=learning_rate, **kwargs)

        def update_step(self, gradient, variable, learning_rate):
            self.assign_sub(variable, gradient * learning_rate)

    expected, _ = ref.run(ref.sgd, WEIGHTS, GRADS, lr=0.1)
    check(train(PlainSGD()), expected)


def test_loss_scale_optimizer():
    optimizer = optimizers.LossScaleOptimizer(optimizers.SGD(learning_rate=0.1),
                                              initial_scale=8.0, dynamic_growth_steps=2)
    variables = make_variables()
    assert float(optimizer.scale_loss(torch.tensor(1.0))) == 8.0
    scaled = [[g * 8.0 for g in grads] for grads in GRADS[:2]]
    train(optimizer, scaled, variables)
    assert float(optimizer.dynamic_scale.numpy()) == 16.0  # grew after 2 finite steps
    before = [v.numpy() for v in variables]
    optimizer.apply([torch.full((3, 4), float("inf")), torch.zeros(4)], variables)
    assert float(optimizer.dynamic_scale.numpy()) == 8.0
    check(variables, before)  # the non-finite step was skipped
    expected, _ = ref.run(ref.sgd, WEIGHTS, GRADS[:2], lr=0.1)
    check(variables, expected)
    assert int(optimizer.iterations.numpy()) == 2
    assert len(optimizer.variables) == 4 + 2
    restored = optimizers.deserialize(optimizers.serialize(optimizer))
    assert isinstance(restored.inner_optimizer, optimizers.SGD)
    assert restored.dynamic_growth_steps == 2


@pytest.mark.parametrize("name", ["adam", "sgd", "rmsprop", "adagrad", "adadelta", "adamax",
                                  "nadam", "ftrl", "adamw", "lion", "adafactor", "Adam", "SGD"])
def test_get_and_serialize_round_trip(name):
    optimizer = optimizers.get(name)
    assert isinstance(optimizer, optimizers.Optimizer)
    config = optimizers.serialize(optimizer)
    assert config["module"] == "keras.optimizers"
    restored = optimizers.deserialize(config)
    assert type(restored) is type(optimizer)
    assert restored.get_config() == optimizer.get_config()
    assert optimizers.get(optimizer) is optimizer


def test_config_with_schedule_round_trip():
    schedule = schedules.CosineDecay(0.1, 100, warmup_target=0.2, warmup_steps=10)
    optimizer = optimizers.AdamW(learning_rate=schedule, weight_decay=0.01, clipnorm=1.0)
    restored = optimizers.get(optimizers.serialize(optimizer))
    assert isinstance(restored._learning_rate, schedules.CosineDecay)
    assert restored.get_config() == optimizer.get_config()
    with pytest.raises(ValueError, match="Could not interpret"):
        optimizers.get(42)


def test_state_save_and_load():
    optimizer = optimizers.Adam(learning_rate=0.1)
    train(optimizer)
    store = {}
    optimizer.save_own_variables(store)
    fresh = optimizers.Adam(learning_rate=0.1)
    variables = make_variables()
    fresh.build(variables)
    fresh.load_own_variables(store)
    assert int(fresh.iterations.numpy()) == 3
    np.testing.assert_allclose(fresh.variables[2].numpy(), optimizer.variables[2].numpy())


def test_adam_minimizes_a_quadratic():
    target = torch.tensor([1.0, -2.0, 3.0])
    w = cornu.Variable(np.zeros(3, "float32"), name="w")
    optimizer = optimizers.Adam(learning_rate=0.1)
    for _ in range(300):
        loss = ((w.value - target) ** 2).sum()
        (grad,) = torch.autograd.grad(loss, [w.value])
        optimizer.apply([grad], [w])
    np.testing.assert_allclose(w.numpy(), target.numpy(), atol=1e-2)
