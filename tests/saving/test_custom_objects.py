"""The custom-object registry: ``get_custom_objects``, ``register_keras_serializable``,
``custom_objects=`` and ``custom_object_scope`` all feed the one lookup that loading uses."""
import numpy as np
import pytest

import cornu as keras
from cornu.models.functional import Functional
from cornu.saving import serialization


class Scale(keras.layers.Layer):
    """Multiplies by ``k``; its config comes from the constructor's arguments."""

    def __init__(self, k=2.0, **kwargs):
        super().__init__(**kwargs)
        self.k = k

    def call(self, x):
        return x * self.k


def _scale_model():
    inputs = keras.Input((3,))
    return keras.Model(inputs, Scale(3.0, name="scale")(inputs))


X = np.arange(6, dtype="float32").reshape(2, 3)


@pytest.fixture
def registry():
    objects = keras.saving.get_custom_objects()
    before = dict(objects)
    yield objects
    objects.clear()
    objects.update(before)


def test_get_custom_objects_is_the_registry_loading_consults(registry):
    assert registry is serialization._GLOBAL_CUSTOM_OBJECTS
    assert serialization.get_registered_object("Scale") is None
    registry["Scale"] = Scale
    assert serialization.get_registered_object("Scale") is Scale
    assert keras.saving.get_registered_object("Scale") is Scale


def test_a_model_loads_after_adding_its_class_to_get_custom_objects(tmp_path, registry):
    path = tmp_path / "scale.keras"
    _scale_model().save(path)
    with pytest.raises(ValueError, match="Unknown class 'Scale'.*custom_objects"):
        keras.models.load_model(path)
    registry["Scale"] = Scale
    loaded = keras.models.load_model(path)
    assert type(loaded.get_layer("scale")) is Scale and loaded.get_layer("scale").k == 3.0
    np.testing.assert_allclose(loaded.predict(X, verbose=0), 3.0 * X)


def test_register_keras_serializable_fills_the_same_registry(registry):
    @keras.saving.register_keras_serializable(package="test_custom_objects")
    class Registered(Scale):
        pass

    assert registry["test_custom_objects>Registered"] is Registered
    assert keras.saving.get_registered_name(Registered) == "test_custom_objects>Registered"
    # Registering the name again replaces the class, as Keras does (a re-run cell).
    again = keras.saving.register_keras_serializable(package="test_custom_objects")(
        type("Registered", (Scale,), {}))
    assert registry["test_custom_objects>Registered"] is again
    with pytest.raises(ValueError, match="get_config"):
        keras.saving.register_keras_serializable()(type("Plain", (), {}))


def test_custom_objects_argument_and_scope_reach_nested_layers():
    config = _scale_model().get_config()
    for revive in (
            lambda: keras.Model.from_config(config, custom_objects={"Scale": Scale}),
            lambda: Functional.from_config(config, custom_objects={"Scale": Scale})):
        model = revive()
        np.testing.assert_allclose(model.predict(X, verbose=0), 3.0 * X)
    with keras.saving.custom_object_scope({"Scale": Scale}):
        model = keras.Model.from_config(config)
    np.testing.assert_allclose(model.predict(X, verbose=0), 3.0 * X)
    with pytest.raises(ValueError, match="Unknown class 'Scale'"):
        keras.Model.from_config(config)


def test_custom_objects_argument_wins_over_the_registry(tmp_path, registry):
    class Doubled(Scale):
        def call(self, x):
            return x * self.k * 2

    path = tmp_path / "scale.keras"
    _scale_model().save(path)
    registry["Scale"] = Scale
    loaded = keras.models.load_model(path, custom_objects={"Scale": Doubled})
    np.testing.assert_allclose(loaded.predict(X, verbose=0), 6.0 * X)


@keras.saving.register_keras_serializable(package="test_custom_objects")
class TaggedModel(keras.Model):
    """A registered Model subclass that is built as ``TaggedModel(inputs, outputs)``."""

    def predict_step(self, data):
        return super().predict_step(data) + 100.0


def test_a_registered_functional_subclass_loads_as_its_class(tmp_path):
    inputs = keras.Input((3,))
    model = TaggedModel(inputs, keras.layers.Dense(2)(inputs))
    entry = keras.saving.serialize_keras_object(model)
    # As Keras writes it: the class's own name, and the registered one.
    assert entry["class_name"] == "TaggedModel"
    assert entry["registered_name"] == "test_custom_objects>TaggedModel"
    path = tmp_path / "tagged.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, TaggedModel) and isinstance(loaded, Functional)
    expected = keras.ops.convert_to_numpy(model(X)) + 100.0
    np.testing.assert_allclose(loaded.predict(X, verbose=0), expected, rtol=1e-6)
