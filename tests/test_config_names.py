"""keras.config's switches (logging, traceback filtering, flash attention, fit limits,
backend, dtype policy) and keras.backend's get_uid / is_float_dtype / is_int_dtype."""
import logging
import warnings

import numpy as np
import pytest

import cornu
from cornu import config


@pytest.fixture(autouse=True)
def _restore_config():
    yield
    config.enable_interactive_logging()
    config.enable_traceback_filtering()
    config.enable_flash_attention()
    config.set_max_epochs(None)
    config.set_max_steps_per_epoch(None)
    config.set_dtype_policy(config.floatx())


def test_traceback_filtering_switch():
    assert config.is_traceback_filtering_enabled() is True
    config.disable_traceback_filtering()
    assert config.is_traceback_filtering_enabled() is False
    config.enable_traceback_filtering()
    assert config.is_traceback_filtering_enabled() is True


def test_flash_attention_switch_is_none_false_none_as_in_keras():
    assert config.is_flash_attention_enabled() is None
    config.disable_flash_attention()
    assert config.is_flash_attention_enabled() is False
    config.enable_flash_attention()
    assert config.is_flash_attention_enabled() is None


def test_nnx_is_off():
    assert config.is_nnx_enabled() is False


def test_interactive_logging_sends_progress_lines_to_logging(capsys, caplog):
    assert config.is_interactive_logging_enabled() is True
    assert cornu.utils.is_interactive_logging_enabled is config.is_interactive_logging_enabled
    bar = cornu.utils.Progbar(3, verbose=1)
    bar.update(3, [("loss", 0.5)])
    assert "3/3" in capsys.readouterr().out

    config.disable_interactive_logging()
    assert cornu.utils.is_interactive_logging_enabled() is False
    with caplog.at_level(logging.INFO, logger="cornu"):
        bar = cornu.utils.Progbar(3, verbose=1)
        bar.update(3, [("loss", 0.5)])
    assert capsys.readouterr().out == ""
    assert any("3/3" in r.getMessage() and "loss: 0.5" in r.getMessage()
               for r in caplog.records)
    cornu.utils.enable_interactive_logging()
    assert config.is_interactive_logging_enabled() is True


def _small_model():
    model = cornu.Sequential([cornu.Input((4,)), cornu.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_max_epochs_and_steps_cap_fit_evaluate_predict():
    assert config.max_epochs() is None and config.max_steps_per_epoch() is None
    config.set_max_epochs(2)
    config.set_max_steps_per_epoch(3)
    assert config.max_epochs() == 2 and config.max_steps_per_epoch() == 3
    model = _small_model()
    x, y = np.ones((100, 4), "float32"), np.ones((100, 1), "float32")
    batches = []

    class Count(cornu.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            batches.append(batch)

    with pytest.warns(UserWarning) as record:
        history = model.fit(x, y, batch_size=10, epochs=5, verbose=0, callbacks=[Count()])
    messages = " ".join(str(w.message) for w in record)
    assert "Limiting epochs to 2" in messages and "steps_per_epoch to 3" in messages
    assert len(history.history["loss"]) == 2
    assert batches == [0, 1, 2, 0, 1, 2]
    with pytest.warns(UserWarning, match="steps_per_epoch to 3"):
        assert model.predict(x, batch_size=10, verbose=0).shape == (30, 1)


def test_no_cap_and_no_warning_under_the_limit():
    config.set_max_epochs(10)
    model = _small_model()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = model.fit(np.ones((8, 4), "float32"), np.ones((8, 1), "float32"),
                            epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3


def test_bad_limits_are_refused():
    with pytest.raises(ValueError, match="positive integer"):
        config.set_max_epochs(0)
    with pytest.raises(ValueError, match="positive integer"):
        config.set_max_steps_per_epoch("3")


def test_set_backend_accepts_the_current_one_and_names_the_env_var_otherwise():
    config.set_backend("torch")
    assert config.backend() == "torch"
    with pytest.raises(ValueError, match="CORNU_BACKEND=jax"):
        config.set_backend("jax")


def test_dtype_policy_names():
    assert config.dtype_policy().name == "float32"
    config.set_dtype_policy("mixed_float16")
    policy = config.dtype_policy()
    assert (policy.name, policy.compute_dtype, policy.variable_dtype) == (
        "mixed_float16", "float16", "float32")
    config.set_dtype_policy("bfloat16")
    assert (config.dtype_policy().compute_dtype, config.dtype_policy().variable_dtype) == (
        "bfloat16", "bfloat16")
    assert config.floatx() == "float32"  # as in Keras, the policy does not change floatx
    with pytest.raises(ValueError, match="mixed_float16"):
        config.set_dtype_policy("float8")
    with pytest.raises(ValueError, match="name of a dtype policy"):
        config.set_dtype_policy(3)


def test_get_uid_counts_per_prefix_and_shares_layer_names():
    assert cornu.backend.get_uid("x") == 1
    assert cornu.backend.get_uid("x") == 2
    assert cornu.backend.get_uid() == 1
    assert cornu.layers.Dense(1).name == "dense"
    assert cornu.backend.get_uid("dense") == 2
    assert cornu.layers.Dense(1).name == "dense_2"
    cornu.utils.clear_session()
    assert cornu.backend.get_uid("x") == 1


def test_is_float_and_is_int_dtype():
    assert cornu.backend.is_float_dtype("bfloat16") and cornu.backend.is_float_dtype(float)
    assert cornu.backend.is_float_dtype(np.float64)
    assert not cornu.backend.is_float_dtype("int32")
    assert cornu.backend.is_int_dtype("uint8") and cornu.backend.is_int_dtype(np.int32)
    assert cornu.backend.is_int_dtype(int)
    assert not cornu.backend.is_int_dtype("bool") and not cornu.backend.is_int_dtype("float16")
