"""FeatureSpace: encodings checked against numpy, crosses, dict output, and a model
built on its symbolic features."""
import numpy as np
import pytest

import cornu
from cornu.utils import FeatureSpace

DATA = {"age": np.array([20.0, 40.0, 30.0, 50.0]),
        "city": np.array(["Paris", "Lima", "Paris", "Oslo"]),
        "rooms": np.array([1, 2, 1, 3]),
        "tag": ["a", "b", "c", "a"]}


def value(x):
    return cornu.backend.convert_to_numpy(x)


def test_concat_encoding_matches_numpy():
    space = FeatureSpace({"age": "float_normalized", "city": "string_categorical",
                          "rooms": "integer_categorical"})
    space.adapt(DATA)
    out = value(space(DATA))
    age = (DATA["age"] - DATA["age"].mean()) / DATA["age"].std()
    # features in sorted order: age (1), city (OOV + 3 words), rooms (OOV + 3 values)
    assert out.shape == (4, 1 + 4 + 4)
    np.testing.assert_allclose(out[:, 0], age, rtol=1e-5)
    for name, block in (("city", out[:, 1:5]), ("rooms", out[:, 5:9])):
        vocabulary = space.preprocessors[name].get_vocabulary()
        expected = [vocabulary.index(v) for v in DATA[name].tolist()]
        np.testing.assert_array_equal(block, np.eye(4)[expected])


def test_one_sample_of_scalars_and_unseen_values():
    space = FeatureSpace({"city": "string_categorical", "age": "float"})
    space.adapt(DATA)
    one = value(space({"city": "Rome", "age": 33.0}))
    assert one.shape == (5,)
    assert one[0] == 33.0 and one[1] == 1.0  # age first (sorted); Rome is out of vocabulary


def test_hashed_discretized_crosses_and_dict_output():
    space = FeatureSpace(
        {"tag": "string_hashed", "age": "float_discretized", "rooms": "integer_categorical"},
        crosses=[("tag", "rooms")], crossing_dim=8, hashing_dim=4, num_discretization_bins=3,
        output_mode="dict")
    space.adapt(DATA)
    out = space(DATA)
    assert set(out) == {"tag", "age", "rooms", "tag_X_rooms"}
    assert value(out["tag"]).shape == (4, 4) and value(out["age"]).shape == (4, 3)
    assert value(out["tag_X_rooms"]).shape == (4, 8)
    for v in out.values():
        np.testing.assert_array_equal(value(v).sum(axis=1), 1)  # one hot each
    # the same tag always hashes to the same bin
    tags = value(out["tag"]).argmax(axis=1)
    assert tags[0] == tags[3]


def test_model_on_encoded_features_trains():
    space = FeatureSpace({"age": "float_normalized", "city": "string_categorical"})
    space.adapt([{"age": DATA["age"][:2], "city": DATA["city"][:2]},
                 ({"age": DATA["age"][2:], "city": DATA["city"][2:]}, np.zeros(2))])
    inputs = space.get_inputs()
    assert set(inputs) == {"age", "city"}
    encoded = space.get_encoded_features()
    assert tuple(encoded.shape) == (None, 1 + 4)
    model = cornu.Model(inputs, cornu.layers.Dense(1)(encoded))
    model.compile("adam", "mse")
    x = {"age": DATA["age"][:, None], "city": DATA["city"][:, None]}
    model.fit(x, np.ones((4, 1)), epochs=2, verbose=0)
    direct = value(model.layers[-1](space(DATA)))
    np.testing.assert_allclose(model.predict(x, verbose=0), direct, rtol=1e-5, atol=1e-6)


def test_specs_config_and_errors():
    spec = FeatureSpace.float_rescaled(scale=2.0, offset=1.0)
    space = FeatureSpace({"age": spec, "city": FeatureSpace.string_categorical(
        max_tokens=3, output_mode="int")}, output_mode="dict")
    space.adapt(DATA)
    out = space(DATA)
    np.testing.assert_allclose(value(out["age"])[:, 0], DATA["age"] * 2 + 1)
    assert value(out["city"]).shape == (4, 1)
    again = FeatureSpace.from_config(space.get_config())
    assert set(again.features) == {"age", "city"} and again.output_mode == "dict"
    with pytest.raises(ValueError, match="adapt"):
        FeatureSpace({"city": "string_categorical"})({"city": ["x"]})
    with pytest.raises(ValueError, match="Invalid feature type"):
        FeatureSpace({"x": "floaty"})
    with pytest.raises(ValueError, match="unknown features"):
        FeatureSpace({"x": "float"}, crosses=[("x", "y")])
    with pytest.raises(ValueError, match="has not been encoded"):
        bad = FeatureSpace({"c": FeatureSpace.string_categorical(output_mode="int")})
        bad.adapt({"c": ["a", "b"]})
    with pytest.raises(ValueError, match="missing"):
        space({"age": DATA["age"]})
