"""Backend configuration: cornu.config and the Keras 2 module cornu.backend (K)."""
import json
import os
import subprocess
import sys

import pytest

import cornu
from cornu import backend as K


def test_defaults_and_setters():
    assert cornu.config.backend() == "torch"
    assert cornu.config.image_data_format() == "channels_last"
    assert cornu.config.floatx() == "float32"
    assert cornu.config.epsilon() == pytest.approx(1e-7)
    K.set_image_data_format("channels_first")
    assert cornu.config.image_data_format() == "channels_first"
    cornu.config.set_epsilon(1e-5)
    assert K.epsilon() == 1e-5
    cornu.config.set_epsilon(1e-7)


def test_bad_values_name_the_choices():
    with pytest.raises(ValueError, match="channels_last"):
        K.set_image_data_format("nhwc")
    with pytest.raises(ValueError, match="float32"):
        cornu.config.set_floatx("float8")


def _run(code, env):
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)


def test_backend_from_environment_and_config_file(tmp_path):
    env = dict(os.environ, CORNU_HOME=str(tmp_path))
    env.pop("CORNU_BACKEND", None)
    (tmp_path / "cornu.json").write_text(json.dumps(
        {"backend": "torch", "image_data_format": "channels_first", "epsilon": 1e-4}))
    out = _run("import cornu; print(cornu.config.image_data_format(), cornu.config.epsilon())",
               env)
    assert out.stdout.split() == ["channels_first", "0.0001"], out.stderr
    env["CORNU_BACKEND"] = "theano"
    out = _run("import cornu", env)
    assert out.returncode != 0 and "theano" in out.stderr and "torch" in out.stderr


def test_device_choice():
    assert cornu.config.get_device() == "cpu"
    with K.device_scope("cpu"):
        v = cornu.Variable(K.convert_to_tensor([1.0, 2.0]))
    assert str(v.value.device) == "cpu"
    with pytest.raises(RuntimeError):
        cornu.config.set_device("nonsense")


def test_set_random_seed_repeats_draws():
    import numpy as np
    cornu.utils.set_random_seed(3)
    a = K.convert_to_numpy(K.random.normal((4,)))
    b = np.random.rand()
    cornu.utils.set_random_seed(3)
    assert np.array_equal(a, K.convert_to_numpy(K.random.normal((4,))))
    assert np.random.rand() == b


def test_gamma_beta_binomial_follow_their_seed_and_distribution():
    import numpy as np
    draws = {
        "gamma": lambda seed: K.random.gamma((20000,), 3.0, seed=seed),
        "beta": lambda seed: K.random.beta((20000,), 2.0, 5.0, seed=seed),
        "binomial": lambda seed: K.random.binomial((20000,), 10, 0.3, seed=seed),
    }
    moments = {"gamma": (3.0, 3.0), "beta": (2 / 7, 10 / (49 * 8)), "binomial": (3.0, 2.1)}
    for name, draw in draws.items():
        a, b, c = (K.convert_to_numpy(draw(s)) for s in (4, 4, 5))
        assert np.array_equal(a, b), name
        assert not np.array_equal(a, c), name
        mean, var = moments[name]
        np.testing.assert_allclose([a.mean(), a.var()], [mean, var], rtol=0.05, err_msg=name)
    stream = K.SeedGenerator(9)
    first, second = (K.convert_to_numpy(K.random.beta((4,), 1.0, 1.0, seed=stream))
                     for _ in range(2))
    assert not np.array_equal(first, second)
    again = K.SeedGenerator(9)
    np.testing.assert_array_equal(first, K.convert_to_numpy(K.random.beta((4,), 1.0, 1.0,
                                                                          seed=again)))
