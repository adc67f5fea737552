"""cornu.random: shapes, dtypes, seeding and the statistics of each distribution."""
import numpy as np
import pytest

import cornu
from cornu import random


def _np(x):
    return cornu.ops.convert_to_numpy(x)


def test_issue_reproducer_normal_with_int_seed():
    import cornu as keras
    x = keras.random.normal((2, 3), seed=1)
    assert tuple(x.shape) == (2, 3) and cornu.backend.dtype_name(x) == "float32"


@pytest.mark.parametrize("fn", [
    lambda s: random.normal((4, 5), seed=s),
    lambda s: random.uniform((4, 5), seed=s),
    lambda s: random.truncated_normal((4, 5), seed=s),
    lambda s: random.randint((4, 5), 0, 100, seed=s),
    lambda s: random.categorical(np.zeros((3, 10), "float32"), 6, seed=s),
    lambda s: random.dropout(np.ones((4, 5), "float32"), 0.5, seed=s),
    lambda s: random.shuffle(np.arange(20), seed=s),
    lambda s: random.gamma((4, 5), 2.0, seed=s),
    lambda s: random.binomial((4, 5), 10, 0.5, seed=s),
    lambda s: random.beta((4, 5), 2.0, 3.0, seed=s),
])
def test_int_seed_repeats_and_seed_generator_advances(fn):
    np.testing.assert_array_equal(_np(fn(7)), _np(fn(7)))
    gen = random.SeedGenerator(7)
    first, second = _np(fn(gen)), _np(fn(gen))
    assert not np.array_equal(first, second)
    # a new generator with the same seed replays the same stream
    gen2 = random.SeedGenerator(7)
    np.testing.assert_array_equal(_np(fn(gen2)), first)
    np.testing.assert_array_equal(_np(fn(gen2)), second)


def test_seed_none_follows_set_random_seed():
    cornu.utils.set_random_seed(3)
    a = _np(random.normal((5,)))
    cornu.utils.set_random_seed(3)
    np.testing.assert_array_equal(_np(random.normal((5,))), a)


def test_normal_statistics_and_dtype():
    x = _np(random.normal((100_000,), mean=2.0, stddev=3.0, seed=1))
    assert abs(x.mean() - 2.0) < 0.05 and abs(x.std() - 3.0) < 0.05
    assert _np(random.normal((2,), dtype="float64", seed=1)).dtype == np.float64


def test_uniform_bounds_and_mean():
    x = _np(random.uniform((100_000,), minval=-2.0, maxval=5.0, seed=1))
    assert x.min() >= -2.0 and x.max() < 5.0
    assert abs(x.mean() - 1.5) < 0.05


def test_truncated_normal_within_two_stddev():
    x = _np(random.truncated_normal((100_000,), mean=1.0, stddev=0.5, seed=2))
    assert x.min() >= 0.0 and x.max() <= 2.0
    # the standard normal truncated to [-2, 2] has std ~0.8796
    assert abs(x.std() / 0.5 - 0.8796) < 0.01


def test_randint_range_and_dtype():
    x = _np(random.randint((50_000,), 3, 9, seed=1))
    assert x.dtype == np.int32 and x.min() == 3 and x.max() == 8
    counts = np.bincount(x - 3) / x.size
    np.testing.assert_allclose(counts, np.full(6, 1 / 6), atol=0.01)
    assert _np(random.randint((2,), 0, 5, dtype="int64", seed=1)).dtype == np.int64


def test_categorical_frequencies_follow_logits():
    probs = np.array([[0.1, 0.2, 0.7], [0.5, 0.5, 0.0]], "float32")
    logits = np.log(np.maximum(probs, 1e-12))
    draws = _np(random.categorical(logits, 50_000, seed=1))
    assert draws.shape == (2, 50_000) and draws.dtype == np.int32
    for row in range(2):
        freq = np.bincount(draws[row], minlength=3) / 50_000
        np.testing.assert_allclose(freq, probs[row], atol=0.01)


def test_shuffle_is_a_permutation_along_the_axis():
    x = np.arange(12).reshape(3, 4)
    rows = _np(random.shuffle(x, seed=1))
    assert sorted(map(tuple, rows)) == sorted(map(tuple, x))
    cols = _np(random.shuffle(x, axis=1, seed=1))
    np.testing.assert_array_equal(np.sort(cols, axis=1), x)
    np.testing.assert_array_equal(cols[:, np.argsort(cols[0])], x)  # same permutation


def test_dropout_fraction_and_scaling():
    x = _np(random.dropout(np.ones((200_000,), "float32"), 0.3, seed=1))
    assert abs((x == 0).mean() - 0.3) < 0.01
    np.testing.assert_allclose(np.unique(x), [0.0, 1 / 0.7], rtol=1e-6)
    # noise_shape broadcasts one mask over the unspecified axis
    y = _np(random.dropout(np.ones((4, 1000), "float32"), 0.5, noise_shape=(1, 1000), seed=1))
    assert (y == y[0]).all()
    np.testing.assert_array_equal(_np(random.dropout(np.ones(3, "float32"), 0.0)), np.ones(3))


def test_gamma_beta_binomial_means():
    g = _np(random.gamma((100_000,), 3.0, seed=1))
    assert abs(g.mean() - 3.0) < 0.05 and abs(g.var() - 3.0) < 0.1 and g.min() > 0
    b = _np(random.beta((100_000,), 2.0, 6.0, seed=1))
    assert abs(b.mean() - 0.25) < 0.005 and b.min() >= 0 and b.max() <= 1
    n = _np(random.binomial((100_000,), 20, 0.3, seed=1))
    assert abs(n.mean() - 6.0) < 0.05 and n.min() >= 0 and n.max() <= 20
    np.testing.assert_array_equal(n, np.round(n))


def test_bad_arguments_say_what_was_expected():
    with pytest.raises(ValueError, match="seed"):
        random.normal((2,), seed="abc")
    with pytest.raises(ValueError, match="floating point"):
        random.uniform((2,), dtype="int32")
    with pytest.raises(ValueError, match="integer"):
        random.randint((2,), 0, 5, dtype="float32")
    with pytest.raises(ValueError, match="2-D"):
        random.categorical(np.zeros(3, "float32"), 2)
    with pytest.raises(ValueError, match="rate"):
        random.dropout(np.ones(3, "float32"), 1.5)


def test_seed_generator_is_the_backend_class():
    assert random.SeedGenerator is cornu.backend.SeedGenerator
    layer = cornu.layers.Dropout(0.5, seed=1)
    assert isinstance(layer.seed_generator, random.SeedGenerator)


def test_dropout_in_a_functional_model_draws_a_new_mask_per_call():
    inputs = cornu.Input((1000,))
    outputs = random.dropout(inputs, 0.5, seed=random.SeedGenerator(1))
    assert outputs.shape == (None, 1000)
    model = cornu.Model(inputs, outputs)
    x = np.ones((2, 1000), "float32")
    a, b = _np(model(x)), _np(model(x))
    assert abs((a == 0).mean() - 0.5) < 0.05 and not np.array_equal(a, b)
    np.testing.assert_allclose(np.unique(a), [0.0, 2.0])


def test_shuffle_and_categorical_on_keras_tensors():
    inputs = cornu.Input((5,))
    shuffled = random.shuffle(inputs, axis=1, seed=3)
    samples = random.categorical(inputs, 4, seed=3)
    assert shuffled.shape == (None, 5) and samples.shape == (None, 4)
    model = cornu.Model(inputs, [shuffled, samples])
    x = np.arange(10, dtype="float32").reshape(2, 5)
    out_shuffled, out_samples = (_np(t) for t in model(x))
    np.testing.assert_array_equal(np.sort(out_shuffled, axis=1), x)
    assert out_samples.shape == (2, 4) and out_samples.min() >= 0 and out_samples.max() < 5
