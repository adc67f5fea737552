"""cornu.initializers: sample statistics against the formulas, exact values, names, configs."""
import math
import warnings

import numpy as np
import pytest

import cornu
from cornu import backend, initializers
from cornu.initializers import compute_fans

TRUNC = 0.87962566103423978


def draw(init, shape, dtype=None):
    return backend.convert_to_numpy(init(shape, dtype=dtype))


# ----------------------------------------------------------------- fans

@pytest.mark.parametrize("shape, fans", [
    ((), (1, 1)),
    ((7,), (7, 7)),
    ((30, 40), (30, 40)),
    ((5, 16, 32), (80, 160)),           # Conv1D (width, in, out)
    ((3, 3, 16, 32), (144, 288)),       # Conv2D (rows, cols, in, out)
    ((2, 3, 4, 5, 6), (120, 144)),      # Conv3D
])
def test_compute_fans(shape, fans):
    assert compute_fans(shape) == fans


# ----------------------------------------------------------------- variance scaling

VS_CASES = [
    # (initializer, scale, mode, distribution)
    (initializers.GlorotUniform, 1.0, "fan_avg", "uniform"),
    (initializers.GlorotNormal, 1.0, "fan_avg", "truncated_normal"),
    (initializers.HeUniform, 2.0, "fan_in", "uniform"),
    (initializers.HeNormal, 2.0, "fan_in", "truncated_normal"),
    (initializers.LecunUniform, 1.0, "fan_in", "uniform"),
    (initializers.LecunNormal, 1.0, "fan_in", "truncated_normal"),
]


@pytest.mark.parametrize("cls, scale, mode, distribution", VS_CASES)
def test_presets_are_variance_scaling(cls, scale, mode, distribution):
    init = cls(seed=3)
    assert isinstance(init, initializers.VarianceScaling)
    assert (init.scale, init.mode, init.distribution) == (scale, mode, distribution)
    assert init.get_config() == {"seed": 3, "input_axes": None, "output_axes": None}


def _expected_std(shape, scale, mode):
    fan_in, fan_out = compute_fans(shape)
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    return math.sqrt(scale / max(1.0, n))


def _check_sample(x, std, distribution):
    n = x.size
    assert abs(x.mean()) < 5 * std / math.sqrt(n)
    assert x.std() == pytest.approx(std, rel=0.03)
    if distribution == "uniform":
        limit = math.sqrt(3) * std
        assert np.abs(x).max() <= limit * (1 + 1e-6)
        assert np.abs(x).max() > 0.99 * limit
    elif distribution == "truncated_normal":
        bound = 2 * std / TRUNC  # two stddevs of the normal before truncation
        assert np.abs(x).max() <= bound * (1 + 1e-6)
        assert np.abs(x).max() > 0.99 * bound
    else:
        assert np.abs(x).max() > 3 * std  # an untruncated normal has tails


@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
@pytest.mark.parametrize("distribution", ["uniform", "truncated_normal", "untruncated_normal"])
@pytest.mark.parametrize("shape", [(250, 100), (3, 3, 40, 60)])
def test_variance_scaling_statistics(mode, distribution, shape):
    init = initializers.VarianceScaling(scale=1.7, mode=mode, distribution=distribution, seed=1)
    x = draw(init, shape)
    assert x.shape == shape and x.dtype == np.float32
    _check_sample(x, _expected_std(shape, 1.7, mode), distribution)


@pytest.mark.parametrize("cls, scale, mode, distribution", VS_CASES)
def test_preset_statistics_on_conv_kernel(cls, scale, mode, distribution):
    shape = (3, 3, 32, 64)  # fan_in 288, fan_out 576
    _check_sample(draw(cls(seed=2), shape), _expected_std(shape, scale, mode), distribution)


def test_variance_scaling_arguments():
    with pytest.raises(ValueError, match="scale"):
        initializers.VarianceScaling(scale=0.0)
    with pytest.raises(ValueError, match="mode"):
        initializers.VarianceScaling(mode="fan_sum")
    with pytest.raises(ValueError, match="distribution"):
        initializers.VarianceScaling(distribution="cauchy")
    # Keras 2's "normal" meant the truncated normal.
    assert initializers.VarianceScaling(distribution="Normal").distribution == "truncated_normal"


# ----------------------------------------------------------------- simple random

def test_random_normal_uniform_truncated():
    x = draw(initializers.RandomNormal(mean=1.0, stddev=2.0, seed=4), (200, 200))
    assert x.mean() == pytest.approx(1.0, abs=0.05) and x.std() == pytest.approx(2.0, rel=0.03)
    x = draw(initializers.RandomUniform(minval=-1.0, maxval=3.0, seed=4), (200, 200))
    assert x.min() >= -1.0 and x.max() < 3.0 and x.mean() == pytest.approx(1.0, abs=0.05)
    x = draw(initializers.TruncatedNormal(mean=0.5, stddev=0.1, seed=4), (200, 200))
    assert np.abs(x - 0.5).max() <= 0.2 + 1e-6 and x.mean() == pytest.approx(0.5, abs=0.005)
    assert x.std() == pytest.approx(0.1 * TRUNC, rel=0.03)


def test_keras_defaults():
    assert initializers.RandomNormal().get_config() == {"mean": 0.0, "stddev": 0.05, "seed": None}
    assert initializers.RandomUniform().get_config() == {
        "minval": -0.05, "maxval": 0.05, "seed": None}
    assert initializers.TruncatedNormal().get_config() == {
        "mean": 0.0, "stddev": 0.05, "seed": None}
    assert initializers.VarianceScaling().get_config() == {
        "scale": 1.0, "mode": "fan_in", "distribution": "truncated_normal", "seed": None,
        "input_axes": None, "output_axes": None}
    assert initializers.Orthogonal().get_config() == {"gain": 1.0, "seed": None}
    assert initializers.Identity().get_config() == {"gain": 1.0}
    assert initializers.Constant().get_config() == {"value": 0.0}
    assert initializers.Zeros().get_config() == {}


# ----------------------------------------------------------------- seeds

def test_int_seed_repeats_across_calls_and_instances():
    a = initializers.GlorotUniform(seed=7)
    np.testing.assert_array_equal(draw(a, (5, 6)), draw(a, (5, 6)))
    np.testing.assert_array_equal(draw(a, (5, 6)), draw(initializers.GlorotUniform(seed=7), (5, 6)))
    assert not np.array_equal(draw(a, (5, 6)), draw(initializers.GlorotUniform(seed=8), (5, 6)))


def test_unseeded_follows_keras3_and_set_random_seed():
    # Keras 3: an unseeded initializer gives the same values on every call; two
    # unseeded initializers differ; set_random_seed makes the whole thing repeat.
    a = initializers.RandomNormal()
    np.testing.assert_array_equal(draw(a, (4, 4)), draw(a, (4, 4)))
    assert not np.array_equal(draw(a, (4, 4)), draw(initializers.RandomNormal(), (4, 4)))
    cornu.utils.set_random_seed(123)
    first = [draw(initializers.get("he_normal"), (4, 4)) for _ in range(2)]
    cornu.utils.set_random_seed(123)
    second = [draw(initializers.get("he_normal"), (4, 4)) for _ in range(2)]
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first[0], first[1])


def test_seed_generator_gives_a_reproducible_stream():
    def stream():
        init = initializers.RandomUniform(seed=backend.SeedGenerator(5))
        return [draw(init, (3, 3)) for _ in range(2)]
    a, b = stream()
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(np.stack([a, b]), np.stack(stream()))


def test_bad_seed():
    with pytest.raises(ValueError, match="seed"):
        initializers.RandomNormal(seed="42")


# ----------------------------------------------------------------- orthogonal, identity, constants

@pytest.mark.parametrize("shape", [(40, 40), (60, 20), (20, 60), (3, 3, 4, 8)])
def test_orthogonal(shape):
    q = draw(initializers.Orthogonal(gain=1.5, seed=0), shape).reshape(-1, shape[-1]) / 1.5
    small = q.T @ q if q.shape[0] >= q.shape[1] else q @ q.T
    np.testing.assert_allclose(small, np.eye(len(small)), atol=1e-5)
    with pytest.raises(ValueError, match="two-dimensional"):
        initializers.Orthogonal()((5,))


def test_identity_and_constants():
    np.testing.assert_array_equal(draw(initializers.Identity(gain=2.0), (3, 4)), 2 * np.eye(3, 4))
    with pytest.raises(ValueError, match="2D"):
        initializers.Identity()((2, 2, 2))
    np.testing.assert_array_equal(draw(initializers.Zeros(), (2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(draw(initializers.Ones(), (2, 3), "int32"), np.ones((2, 3)))
    x = draw(initializers.Constant(3.5), (2, 2), "float64")
    assert x.dtype == np.float64 and (x == 3.5).all()
    np.testing.assert_array_equal(draw(initializers.Constant([1.0, 2.0]), (3, 2)),
                                  np.tile([1.0, 2.0], (3, 1)))
    with pytest.raises(ValueError, match="broadcast"):
        initializers.Constant([1.0, 2.0, 3.0])((2, 2))


def test_dtypes_follow_request_and_floatx():
    assert draw(initializers.GlorotNormal(seed=1), (3, 3), "float64").dtype == np.float64
    backend.set_floatx("float64")
    for init in (initializers.Zeros(), initializers.HeUniform(seed=1),
                 initializers.Orthogonal(seed=1), initializers.Identity()):
        assert draw(init, (3, 3)).dtype == np.float64


def test_stft_matches_numpy_rfft():
    frame, bins = 16, 9  # fft length 16
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(frame) / (frame - 1))  # symmetric hann
    x = np.random.default_rng(0).normal(size=frame)
    spectrum = np.fft.rfft(x * window / np.sqrt(np.sum(window ** 2)), n=16)
    real = draw(initializers.STFT("real", "hann", "density"), (frame, 1, bins), "float64")
    imag = draw(initializers.STFT("imag", "hann", "density"), (frame, 1, bins), "float64")
    np.testing.assert_allclose(x @ real[:, 0, :], spectrum.real, atol=1e-10)
    np.testing.assert_allclose(x @ imag[:, 0, :], spectrum.imag, atol=1e-10)


# ----------------------------------------------------------------- names and configs

def test_get_resolves_names_classes_and_objects():
    assert initializers.get(None) is None
    assert isinstance(initializers.get("glorot_uniform"), initializers.GlorotUniform)
    assert isinstance(initializers.get("HeNormal"), initializers.HeNormal)
    for name in ("zeros", "ones", "constant", "random_normal", "random_uniform",
                 "truncated_normal", "variance_scaling", "glorot_normal", "he_uniform",
                 "lecun_normal", "lecun_uniform", "orthogonal", "identity"):
        assert isinstance(initializers.get(name), initializers.Initializer)
    assert isinstance(initializers.get(initializers.Ones), initializers.Ones)
    obj = initializers.Orthogonal(seed=1)
    assert initializers.get(obj) is obj

    def custom(shape, dtype=None):
        return backend.convert_to_tensor(np.full(shape, 7.0), dtype=dtype)
    assert initializers.get(custom) is custom
    assert initializers.glorot_uniform is initializers.GlorotUniform  # Keras 3 alias
    with pytest.raises(ValueError, match="Could not interpret"):
        initializers.get(3)


@pytest.mark.parametrize("old, cls, modern", [
    ("uniform", initializers.RandomUniform, "random_uniform"),
    ("normal", initializers.RandomNormal, "random_normal"),
    ("zero", initializers.Zeros, "zeros"),
    ("one", initializers.Ones, "ones"),
])
def test_legacy_names_warn(old, cls, modern):
    with pytest.warns(DeprecationWarning, match=modern):
        init = initializers.get(old)
    assert type(init) is cls
    with pytest.warns(DeprecationWarning):
        assert getattr(initializers, old) is cls
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        initializers.get(modern)  # modern names do not warn


def test_legacy_uniform_and_normal_keep_keras1_scale():
    with pytest.warns(DeprecationWarning):
        assert initializers.get("uniform").get_config()["maxval"] == 0.05
        assert initializers.get("normal").get_config()["stddev"] == 0.05


def test_unknown_name_suggests_the_closest():
    with pytest.raises(ValueError, match="Did you mean 'glorot_uniform'") as info:
        initializers.get("glorot_unifrom")
    assert "he_normal" in str(info.value)  # lists the valid names


def test_serialize_is_keras3_format():
    assert initializers.serialize(initializers.GlorotUniform()) == {
        "module": "keras.initializers", "class_name": "GlorotUniform",
        "config": {"seed": None, "input_axes": None, "output_axes": None},
        "registered_name": None}
    assert initializers.serialize(initializers.VarianceScaling(2.0, "fan_out", "uniform", 3)) == {
        "module": "keras.initializers", "class_name": "VarianceScaling",
        "config": {"scale": 2.0, "mode": "fan_out", "distribution": "uniform", "seed": 3,
                   "input_axes": None, "output_axes": None},
        "registered_name": None}


@pytest.mark.parametrize("init", [
    initializers.Zeros(), initializers.Ones(), initializers.Constant(0.3),
    initializers.Constant([1.0, 2.0, 3.0, 4.0]), initializers.Identity(gain=0.5),
    initializers.RandomNormal(1.0, 0.2, seed=1), initializers.RandomUniform(-2.0, 2.0, seed=2),
    initializers.TruncatedNormal(0.0, 0.3, seed=3),
    initializers.VarianceScaling(0.5, "fan_avg", "untruncated_normal", seed=4),
    initializers.GlorotNormal(seed=5), initializers.HeUniform(seed=6),
    initializers.LecunNormal(seed=7), initializers.Orthogonal(gain=2.0, seed=8),
    initializers.STFT("imag", "hamming", "spectrum", periodic=True),
])
def test_round_trips(init):
    config = initializers.serialize(init)
    for rebuilt in (initializers.deserialize(config), initializers.get(config), init.clone(),
                    type(init).from_config(init.get_config())):
        assert type(rebuilt) is type(init)
        assert rebuilt.get_config() == init.get_config()
    shape = (4, 1, 3) if isinstance(init, initializers.STFT) else (3, 4)
    np.testing.assert_array_equal(draw(init, shape), draw(initializers.deserialize(config), shape))


def test_deserialize_keras2_configs():
    init = initializers.deserialize(
        {"class_name": "VarianceScaling",
         "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": None}})
    assert isinstance(init, initializers.VarianceScaling) and init.mode == "fan_avg"
    init = initializers.deserialize({"class_name": "GlorotUniform",
                                     "config": {"seed": None, "dtype": "float32"}})
    assert isinstance(init, initializers.GlorotUniform)


def test_custom_objects_and_registration():
    class Sevens(initializers.Initializer):
        def __call__(self, shape, dtype=None):
            return initializers.Constant(7.0)(shape, dtype)
    config = {"module": None, "class_name": "Sevens", "config": {}, "registered_name": None}
    assert type(initializers.deserialize(config, custom_objects={"Sevens": Sevens})) is Sevens
    with cornu.saving.custom_object_scope({"Sevens": Sevens}):
        assert (draw(initializers.get("Sevens"), (2,)) == 7).all()
    with pytest.raises(ValueError, match="Unknown initializer"):
        initializers.deserialize(config)


def test_every_initializer_works_while_shapes_are_inferred():
    with backend.core.symbolic_scope():
        for name in ("zeros", "glorot_uniform", "he_normal", "orthogonal", "identity",
                     "truncated_normal"):
            assert tuple(initializers.get(name)((3, 5)).shape) == (3, 5)


def test_numpy_seed_repeats_unseeded_initial_weights_as_in_keras_2():
    # Keras 2 drew its op seeds from NumPy, so `numpy.random.seed(7)` (the
    # "fix random seed for reproducibility" line of old tutorials) repeats a model
    import numpy as np

    def weights():
        model = cornu.Sequential([cornu.layers.Input((5,)), cornu.layers.Embedding(10, 3),
                                  cornu.layers.LSTM(4), cornu.layers.Dense(2)])
        return [w.numpy() for w in model.weights]

    np.random.seed(7)
    first = weights()
    np.random.seed(7)
    again = weights()
    other = weights()
    assert len(first) == 6
    for a, b, c in zip(first, again, other):
        np.testing.assert_array_equal(a, b)
        if len(np.unique(a)) > 2:  # the biases start as constants (ones and zeros)
            assert not np.array_equal(a, c)


# ----------------------------------------------------------------- input_axes / output_axes
# Keras 3.15.1's values: tests/fixtures/make_initializer_fixtures.py.

import json  # noqa: E402
import os  # noqa: E402

with open(os.path.join(os.path.dirname(__file__), "fixtures", "initializers.json")) as _f:
    AXES_FIXTURE = json.load(_f)
PRESETS = ["GlorotUniform", "GlorotNormal", "HeNormal", "HeUniform", "LecunNormal",
           "LecunUniform"]


@pytest.mark.parametrize("shape, ins, outs, fans", AXES_FIXTURE["fans"])
def test_compute_fans_with_axes_matches_keras(shape, ins, outs, fans):
    assert compute_fans(shape, ins, outs) == tuple(fans)


def test_compute_fans_rejects_an_axis_the_shape_lacks():
    with pytest.raises(ValueError, match=r"axis 3.*\(4, 5\)"):
        compute_fans((4, 5), [0], [3])


@pytest.mark.parametrize("name", PRESETS)
def test_presets_take_axes_and_config_matches_keras(name):
    cls = getattr(initializers, name)
    init = cls(seed=3, input_axes=[0], output_axes=[1, 2])
    assert init.get_config() == AXES_FIXTURE["configs"][name]
    again = initializers.deserialize(initializers.serialize(init))
    assert type(again) is cls and again.get_config() == init.get_config()


def test_variance_scaling_axes_config_matches_keras():
    init = initializers.VarianceScaling(scale=2.0, mode="fan_out", distribution="uniform",
                                        input_axes=[1], output_axes=[0])
    assert init.get_config() == AXES_FIXTURE["configs"]["VarianceScaling"]
    assert initializers.GlorotUniform().get_config() == (
        AXES_FIXTURE["configs"]["GlorotUniform_default"])


@pytest.mark.parametrize("mode, ins, outs, n", [
    ("fan_in", [0, 1], [2], 40 * 30),      # fan_in over the first two axes
    ("fan_out", [0, 1], [2], 20),          # fan_out over the last
    ("fan_in", [2], [0, 1], 20),           # the same shape read the other way round
    ("fan_avg", [0], [1, 2], (40 + 600) / 2),
    ("fan_in", None, None, 30 * 40),       # the default: (*receptive field, in, out)
])
def test_axes_set_the_std_of_a_big_sample(mode, ins, outs, n):
    init = initializers.VarianceScaling(scale=2.0, mode=mode, distribution="untruncated_normal",
                                        seed=5, input_axes=ins, output_axes=outs)
    sample = draw(init, (40, 30, 20))
    np.testing.assert_allclose(sample.std(), math.sqrt(2.0 / n), rtol=0.03)


@pytest.mark.parametrize("name", ["HeNormal", "GlorotUniform"])
def test_preset_std_with_axes_matches_keras(name):
    init = getattr(initializers, name)(seed=1, input_axes=[0, 1], output_axes=[2])
    # different random streams: the same distribution, so stds agree to sampling error
    np.testing.assert_allclose(draw(init, (40, 30, 20)).std(), AXES_FIXTURE["std"][name],
                               rtol=0.03)


def test_axes_in_a_layer_kernel_initializer_survive_saving(tmp_path):
    layer = cornu.layers.Dense(
        4, kernel_initializer=initializers.HeNormal(seed=1, input_axes=[0], output_axes=[1]))
    model = cornu.Sequential([cornu.Input((3,)), layer])
    model.save(str(tmp_path / "m.keras"))
    loaded = cornu.saving.load_model(str(tmp_path / "m.keras"))
    config = loaded.layers[0].kernel_initializer.get_config()
    assert config["input_axes"] == [0] and config["output_axes"] == [1]
