"""keras.utils names: session and KerasTensor helpers, (x, y, sample_weight) packing,
split_dataset, Config, the object registry re-exports and Keras 2's legacy configs."""
import json

import numpy as np
import pytest

import cornu
from cornu import utils


def test_clear_session_resets_layer_names():
    assert cornu.layers.Dense(1).name == "dense"
    assert cornu.layers.Dense(1).name == "dense_1"
    utils.clear_session()
    assert cornu.layers.Dense(1).name == "dense"


def test_is_keras_tensor_and_get_source_inputs():
    a, b = cornu.Input((3,)), cornu.Input((3,))
    c = cornu.layers.Add()([a, cornu.layers.Dense(3)(b)])
    assert utils.is_keras_tensor(c) and not utils.is_keras_tensor(np.ones(3))
    sources = utils.get_source_inputs(c)
    assert len(sources) == 2 and sources[0] is a and sources[1] is b
    assert utils.get_source_inputs(a)[0] is a


def test_standardize_dtype():
    assert utils.standardize_dtype("float") == "float32"
    assert utils.standardize_dtype(np.int64) == "int64"
    assert utils.standardize_dtype(np.dtype("float16")) == "float16"
    with pytest.raises(ValueError, match="Unknown dtype"):
        utils.standardize_dtype("float7")


def test_pack_and_unpack_x_y_sample_weight():
    x, y, w = np.ones(2), np.zeros(2), np.full(2, 0.5)
    assert utils.pack_x_y_sample_weight(x) is x
    assert utils.pack_x_y_sample_weight((x, x)) == ((x, x),)  # a tuple x is not (x, y)
    assert utils.pack_x_y_sample_weight(x, y) == (x, y)
    assert utils.pack_x_y_sample_weight(x, y, w) == (x, y, w)
    assert utils.unpack_x_y_sample_weight((x, y, w)) == (x, y, w)
    assert utils.unpack_x_y_sample_weight((x, y)) == (x, y, None)
    assert utils.unpack_x_y_sample_weight(x) == (x, None, None)


def test_interactive_logging_names_are_the_config_functions():
    assert utils.enable_interactive_logging is cornu.config.enable_interactive_logging
    utils.disable_interactive_logging()
    assert not utils.is_interactive_logging_enabled()
    utils.enable_interactive_logging()
    assert utils.is_interactive_logging_enabled()


def test_split_dataset_fractions_ints_and_order():
    x, y = np.arange(20).reshape(10, 2), np.arange(10)
    left, right = utils.split_dataset(x, left_size=0.8)
    assert (len(left), len(right)) == (8, 2)
    np.testing.assert_array_equal(left[0], [0, 1])  # unshuffled: the first samples
    np.testing.assert_array_equal(right.as_arrays(), x[8:])
    left, right = utils.split_dataset((x, y), right_size=3)
    assert (len(left), len(right)) == (7, 3)
    xi, yi = right[0]
    np.testing.assert_array_equal(xi, [14, 15])
    assert int(yi) == 7
    left, right = utils.split_dataset({"a": x, "b": y}, left_size=2, right_size=0.5)
    assert (len(left), len(right)) == (2, 5)
    assert int(right[-1]["b"]) == 6


def test_split_dataset_shuffle_is_seeded_and_partitions():
    y = np.arange(100)
    left, right = utils.split_dataset(y, left_size=0.3, shuffle=True, seed=4)
    again, _ = utils.split_dataset(y, left_size=0.3, shuffle=True, seed=4)
    np.testing.assert_array_equal(left.as_arrays(), again.as_arrays())
    both = np.concatenate([left.as_arrays(), right.as_arrays()])
    assert not np.array_equal(both, y) and sorted(both) == list(y)


def test_split_dataset_of_a_map_style_dataset():
    class Squares:
        def __len__(self):
            return 6

        def __getitem__(self, i):
            return i * i
    left, right = utils.split_dataset(Squares(), left_size=4)
    assert list(left) == [0, 1, 4, 9] and list(right) == [16, 25]
    with pytest.raises(TypeError, match="map-style"):
        left.as_arrays()


def test_split_dataset_errors():
    x = np.arange(10)
    with pytest.raises(ValueError, match="At least one"):
        utils.split_dataset(x)
    with pytest.raises(ValueError, match=r"\(0, 1\)"):
        utils.split_dataset(x, left_size=1.5)
    with pytest.raises(ValueError, match="at most 1"):
        utils.split_dataset(x, left_size=0.6, right_size=0.6)
    with pytest.raises(ValueError, match="empty"):
        utils.split_dataset(x, left_size=0.01)
    with pytest.raises(ValueError, match="same number of samples"):
        utils.split_dataset((x, np.arange(3)), left_size=0.5)
    with pytest.raises(TypeError, match="int, a float"):
        utils.split_dataset(x, left_size="half")


def test_config_attribute_and_item_access_freeze_and_json():
    config = utils.Config(learning_rate=0.1, momentum=0.9)
    config.seed = 123
    config["use_ema"] = True
    assert config["seed"] == 123 and config.learning_rate == 0.1 and config.use_ema
    assert "momentum" in config and len(config) == 4
    assert list(config) == sorted(["learning_rate", "momentum", "seed", "use_ema"])
    assert json.loads(config.to_json()) == {"learning_rate": 0.1, "momentum": 0.9,
                                            "seed": 123, "use_ema": True}
    assert config.as_dict() == dict(config.items()) and config.get("nope", 5) == 5
    with pytest.raises(AttributeError, match="Did you mean 'momentum'"):
        config.momentun
    config.freeze()
    assert config.frozen
    for mutate in (lambda: setattr(config, "seed", 1), lambda: config.update(seed=1),
                   lambda: config.pop("seed"), lambda: config.__setitem__("seed", 1),
                   lambda: config.__delitem__("seed")):
        with pytest.raises(ValueError, match="frozen"):
            mutate()
    config.unfreeze()
    config.seed = 1
    assert config.seed == 1


def test_registry_names_are_the_saving_objects():
    for name in ("register_keras_serializable", "custom_object_scope", "CustomObjectScope",
                 "get_custom_objects", "serialize_keras_object", "deserialize_keras_object",
                 "get_registered_name", "get_registered_object"):
        assert getattr(utils, name) is getattr(cornu.saving, name), name


def test_get_custom_objects_is_the_live_registry():
    class Doubling(cornu.layers.Layer):
        def call(self, x):
            return x * 2
    registry = cornu.saving.get_custom_objects()
    registry["Doubling"] = Doubling
    try:
        layer = cornu.saving.deserialize_keras_object(
            {"class_name": "Doubling", "config": {"name": "d"}})
        assert isinstance(layer, Doubling) and layer.name == "d"
        assert cornu.saving.get_registered_object("Doubling") is Doubling
    finally:
        del registry["Doubling"]

    @utils.register_keras_serializable(package="TestNames")
    def triple(x):
        return 3 * x
    try:
        assert registry["TestNames>triple"] is triple
        assert utils.get_registered_name(triple) == "TestNames>triple"
    finally:
        del registry["TestNames>triple"]


def test_legacy_serialize_writes_keras2_configs():
    from cornu.legacy import saving as legacy_saving
    assert utils.legacy.serialize_keras_object is legacy_saving.serialize_keras_object
    assert cornu.legacy.saving is legacy_saving
    assert legacy_saving.serialize_keras_object(cornu.regularizers.L2(0.1)) == {
        "class_name": "L2", "config": {"l2": pytest.approx(0.1)}}
    assert legacy_saving.serialize_keras_object(cornu.activations.relu) == "relu"
    assert legacy_saving.serialize_keras_object(None) is None
    config = legacy_saving.serialize_keras_object(cornu.layers.Dense(3, name="d"))
    assert set(config) == {"class_name", "config"} and config["class_name"] == "Dense"
    assert config["config"]["units"] == 3


def test_legacy_deserialize_reads_keras2_configs():
    from cornu.legacy import saving as legacy_saving
    dense = utils.legacy.deserialize_keras_object(
        {"class_name": "Dense", "config": {"units": 3}},
        module_objects={"Dense": cornu.layers.Dense})
    assert isinstance(dense, cornu.layers.Dense) and dense.units == 3
    reg = legacy_saving.deserialize_keras_object("L2",
                                                 module_objects={"L2": cornu.regularizers.L2})
    assert isinstance(reg, cornu.regularizers.L2)  # a class name gives an instance
    relu = legacy_saving.deserialize_keras_object("relu", custom_objects={"relu": np.abs})
    assert relu is np.abs
    with pytest.raises(ValueError, match="Unknown activation: 'nope'"):
        legacy_saving.deserialize_keras_object("nope", printable_module_name="activation")
    with pytest.raises(ValueError, match="class_name"):
        legacy_saving.deserialize_keras_object({"config": {}})
