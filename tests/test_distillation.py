"""keras.distillation against Keras 3 numbers (fixtures/make_distillation_fixtures.py)."""
import json
import os

import numpy as np
import pytest

import cornu
from cornu import ops
from cornu.distillation import Distiller, DistillationLoss, FeatureDistillation, LogitsDistillation

HERE = os.path.join(os.path.dirname(__file__), "fixtures")
FIX = np.load(os.path.join(HERE, "distillation.npz"))
with open(os.path.join(HERE, "distillation.json")) as f:
    KEYS = json.load(f)["history_keys"]


def close(actual, expected, rtol=1e-5, atol=1e-5):
    np.testing.assert_allclose(ops.convert_to_numpy(actual), expected, rtol=rtol, atol=atol)


T, S, T2, S2 = FIX["t"], FIX["s"], FIX["t2"], FIX["s2"]
LOSS_CASES = {
    "logits_default": lambda: (LogitsDistillation(), T, S),
    "logits_t1": lambda: (LogitsDistillation(temperature=1.0), T, S),
    "logits_kl_instance": lambda: (LogitsDistillation(temperature=4.0, loss=cornu.losses.KLDivergence()), T, S),
    "logits_cce": lambda: (LogitsDistillation(temperature=2.0, loss="categorical_crossentropy"), T, S),
    "logits_cce_logits": lambda: (LogitsDistillation(
        temperature=2.5, loss=cornu.losses.CategoricalCrossentropy(from_logits=True)), T, S),
    "logits_multi": lambda: (LogitsDistillation(loss=["kl_divergence", None]), [T, T2], [S, S2]),
    "logits_multi2": lambda: (LogitsDistillation(loss=[cornu.losses.KLDivergence(), "mse"]), [T, T2], [S, S2]),
    "feature_default": lambda: (FeatureDistillation(), T, S),
    "feature_cos": lambda: (FeatureDistillation(loss="cosine_similarity"), T, S),
    "feature_mae_instance": lambda: (FeatureDistillation(loss=cornu.losses.MeanAbsoluteError()), T, S),
    "feature_multi": lambda: (FeatureDistillation(loss=["mse", "mae"]), [T, T2], [S, S2]),
}


@pytest.mark.parametrize("case", sorted(LOSS_CASES))
def test_distillation_losses_match_keras(case):
    loss, teacher, student = LOSS_CASES[case]()
    value = loss.compute_loss(teacher, student)
    assert tuple(ops.shape(value)) == ()
    close(value, FIX[case])


def test_kl_instance_by_hand():
    # softmax(t / T), softmax(s / T), KL averaged over the batch, times T^2.
    def softmax(z):
        e = np.exp(z - z.max(-1, keepdims=True))
        return e / e.sum(-1, keepdims=True)
    p, q = softmax(T / 4.0), softmax(S / 4.0)
    expected = np.mean(np.sum(p * np.log(p / q), axis=-1)) * 16.0
    close(LogitsDistillation(temperature=4.0, loss=cornu.losses.KLDivergence()).compute_loss(T, S), expected,
          rtol=1e-4)


def test_loss_argument_errors():
    with pytest.raises(ValueError, match="temperature must be positive"):
        LogitsDistillation(temperature=0)
    with pytest.raises(ValueError, match="must be a number"):
        LogitsDistillation(temperature="3")
    with pytest.raises(ValueError, match="at least one non-`None`"):
        FeatureDistillation(loss=[None, None])
    with pytest.raises(ValueError):
        FeatureDistillation(loss="no_such_loss")
    with pytest.raises(ValueError, match="loss structure"):
        FeatureDistillation(loss=["mse", "mae"]).validate_outputs(T, S)
    with pytest.raises(NotImplementedError):
        DistillationLoss().compute_loss(T, S)


def test_loss_configs_round_trip():
    loss = LogitsDistillation(temperature=2.5, loss=[cornu.losses.KLDivergence(), None])
    again = LogitsDistillation.from_config(loss.get_config())
    assert again.temperature == 2.5 and again.loss[1] is None
    close(again.compute_loss([T, T2], [S, S2]), loss.compute_loss([T, T2], [S, S2]))
    feature = FeatureDistillation("mae", teacher_layer_name="a", student_layer_name="b")
    again = FeatureDistillation.from_config(feature.get_config())
    assert (again.teacher_layer_name, again.student_layer_name) == ("a", "b")
    close(again.compute_loss(T, S), np.abs(T - S).mean())


def build(prefix, hidden, weights):
    """The fixture's functional classifier 6 -> hidden -> 5 -> 4 (logits)."""
    inputs = cornu.Input((6,), name=f"{prefix}_in")
    h = cornu.layers.Dense(hidden, activation="relu", name=f"{prefix}_hidden")(inputs)
    f = cornu.layers.Dense(5, activation="tanh", name=f"{prefix}_feat")(h)
    model = cornu.Model(inputs, cornu.layers.Dense(4, name=f"{prefix}_logits")(f), name=prefix)
    model.set_weights(weights)
    return model


def teacher_and_student(case):
    shapes = [(6, 8), (8,), (8, 5), (5,), (5, 4), (4,)]
    flat, teacher_weights, start = FIX[f"{case}_teacher_weights"], [], 0
    for shape in shapes:
        size = int(np.prod(shape))
        teacher_weights.append(flat[start:start + size].reshape(shape))
        start += size
    student_weights = [FIX[f"{case}_student_init_{i}"] for i in range(6)]
    return build("teacher", 8, teacher_weights), build("student", 3, student_weights)


CONFIGS = {
    "logits": lambda: dict(distillation_losses=LogitsDistillation(temperature=2.0,
                                                                  loss=cornu.losses.KLDivergence()),
                           student_loss_weight=0.3),
    "mixed": lambda: dict(distillation_losses=[
        LogitsDistillation(temperature=3.0),
        FeatureDistillation(loss="mse", teacher_layer_name="teacher_feat", student_layer_name="student_feat")],
        distillation_loss_weights=[1.0, 0.5], student_loss_weight=0.6),
}


@pytest.mark.parametrize("case", sorted(CONFIGS))
def test_distiller_trains_like_keras(case):
    teacher, student = teacher_and_student(case)
    distiller = Distiller(teacher, student, **CONFIGS[case]())
    distiller.compile(optimizer=cornu.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
    x, y = FIX["x"], FIX["y"]
    close(distiller.compute_loss(x, y, distiller(x), training=False), FIX[f"{case}_compute_loss"])
    history = distiller.fit(x, y, batch_size=8, epochs=3, verbose=0, shuffle=False)
    assert sorted(history.history) == KEYS[case]
    for key in KEYS[case]:
        close(history.history[key], FIX[f"{case}_history_{key}"], rtol=1e-4, atol=1e-5)
    for i, w in enumerate(student.get_weights()):
        close(w, FIX[f"{case}_student_final_{i}"], rtol=1e-4, atol=1e-5)
    # The teacher is frozen: its weights did not move.
    close(np.concatenate([w.ravel() for w in teacher.get_weights()]), FIX[f"{case}_teacher_after"], atol=0)
    close(distiller.evaluate(x, y, verbose=0), FIX[f"{case}_evaluate"], rtol=1e-4)


def test_distiller_structure():
    teacher, student = teacher_and_student("logits")
    distiller = Distiller(teacher, student, LogitsDistillation())
    assert teacher.trainable is False and not teacher.trainable_weights
    assert {id(v) for v in distiller.trainable_weights} == {id(v) for v in student.trainable_weights}
    close(distiller(FIX["x"]), ops.convert_to_numpy(student(FIX["x"])))
    assert distiller.distillation_loss_weights == [1.0]
    assert distiller.name == "distiller"


def test_distiller_config_round_trip():
    teacher, student = teacher_and_student("mixed")
    distiller = Distiller(teacher, student, **CONFIGS["mixed"]())
    again = Distiller.from_config(distiller.get_config())
    assert again.student_loss_weight == 0.6 and again.distillation_loss_weights == [1.0, 0.5]
    assert [type(loss).__name__ for loss in again.distillation_losses] == ["LogitsDistillation",
                                                                           "FeatureDistillation"]
    assert again.distillation_losses[1].student_layer_name == "student_feat"
    assert [layer.name for layer in again.student.layers] == [layer.name for layer in student.layers]


def test_distiller_errors():
    teacher, student = teacher_and_student("logits")
    with pytest.raises(ValueError, match="between 0.0 and 1.0"):
        Distiller(teacher, student, LogitsDistillation(), student_loss_weight=1.5)
    with pytest.raises(ValueError, match="cannot be `None`"):
        Distiller(teacher, student, None)
    with pytest.raises(ValueError, match="must match"):
        Distiller(teacher, student, [LogitsDistillation()], distillation_loss_weights=[1.0, 2.0])
    with pytest.raises(ValueError, match="In student model"):
        Distiller(teacher, student, FeatureDistillation(teacher_layer_name="teacher_feat",
                                                        student_layer_name="nope"))
    with pytest.raises(ValueError, match="Teacher must be a cornu.Model"):
        Distiller("teacher", student, LogitsDistillation())
    other = cornu.Model(*(lambda i: (i, cornu.layers.Dense(3)(i)))(cornu.Input((6,))))
    with pytest.raises(ValueError, match="output shapes are incompatible"):
        Distiller(teacher, other, LogitsDistillation())
    distiller = Distiller(teacher, student, LogitsDistillation())
    with pytest.raises(ValueError, match="'loss' cannot be `None`"):
        distiller.compile(optimizer="sgd")
    with pytest.raises(ValueError, match="metrics must be a list"):
        distiller.compile(loss="mse", metrics="mae")
