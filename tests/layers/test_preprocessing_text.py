"""Hashing, lookups and TextVectorization: the hashes against TensorFlow's values,
the vocabulary API, symbolic string inputs, saving, and argument errors.
(Keras's outputs for the same layers are checked in test_preprocessing.py.)"""
import numpy as np
import pytest

import cornu
from cornu import backend, layers
from cornu.backend.common.keras_tensor import KerasTensor
from cornu.layers._preprocessing import _hash
from tests.layers.harness import check_layer

# tf.strings.to_hash_bucket_fast / _strong (key [1, 2]) with 2**63 - 1 buckets, for the
# bytes (7 i + n) % 256, i < n: every FarmHash length branch and SipHash tail.
BIG = 2**63 - 1
FAST = {0: 1936946117179621456, 1: 5161771770385946686, 3: 4662423180930907492,
        4: 4685977051251400297, 7: 8010051901585887497, 8: 3403648104430010921,
        9: 6666536159313721943, 16: 663651183927826905, 17: 7736696382783243920,
        31: 2801713092741292787, 32: 3992320350721670009, 33: 3233698670931835598,
        63: 5814893019130172778, 64: 1859692024977922285, 65: 444801980686921533,
        127: 5926385096735868780, 128: 6615484076916436426, 129: 5067021833811671751,
        200: 202520530910294351}
STRONG = {0: 443797209252341628, 1: 4365220300980176642, 3: 9177327969436154572,
          4: 7628984649193752657, 7: 7011804085460567613, 8: 5185305702700180449,
          9: 9116725433550540724, 16: 6359786192688210134, 17: 3283781455520671934,
          31: 3110257496423842244, 32: 7510143916510895004, 33: 4978822108739176007,
          63: 5743738529458096423, 64: 7409952894465765187, 65: 6934704322802341331,
          127: 8756603524118225084, 128: 7198687326864886272, 129: 6522327540171573629,
          200: 497539462450961283}


def _data(n):
    return bytes((7 * i + n) % 256 for i in range(n))


def _np(x):
    return x if isinstance(x, np.ndarray) else backend.convert_to_numpy(x)


@pytest.mark.parametrize("n", sorted(FAST))
def test_hashes_match_tensorflow(n):
    assert _hash.fingerprint64(_data(n)) % BIG == FAST[n]
    assert _hash.siphash64(1, 2, _data(n)) % BIG == STRONG[n]


def test_hashing_docstring_examples():
    words = [["A"], ["B"], ["C"], ["D"], ["E"]]
    assert _np(layers.Hashing(num_bins=3, salt=133)(words)).ravel().tolist() == [0, 0, 2, 1, 0]
    assert _np(layers.Hashing(num_bins=3)(words)).ravel().tolist() == [1, 0, 1, 1, 2]


def test_hashing_harness():
    out = check_layer(layers.Hashing, {"num_bins": 5, "mask_value": 0}, input_shape=(3, 2),
                      input_dtype="int64", train=False)
    assert out.dtype == np.int64 and out.min() >= 0 and out.max() < 5
    check_layer(layers.Hashing, {"num_bins": 4, "output_mode": "multi_hot", "salt": 3},
                input_shape=(3, 2), input_dtype="int64", expected_output_shape=(3, 4),
                train=False)


def test_hashing_inputs_of_every_kind_agree():
    layer = layers.Hashing(num_bins=97)
    expected = _np(layer(np.array(["a", "bc", "12"])))
    for x in (["a", "bc", "12"], np.array([b"a", b"bc", b"12"]),
              np.array(["a", "bc", "12"], dtype=object)):
        np.testing.assert_array_equal(_np(layer(x)), expected)
    # Integers hash as their decimal strings, as tf.as_string writes them.
    assert _np(layer(np.array([12])))[0] == expected[2]
    assert _np(layer(backend.convert_to_tensor(np.array([12]))))[0] == expected[2]


def test_hashed_crossing_harness():
    check_layer(layers.HashedCrossing, {"num_bins": 6}, input_shape=[(4,), (4,)],
                input_dtype="int64", expected_output_shape=(4,), train=False)
    check_layer(layers.HashedCrossing, {"num_bins": 6, "output_mode": "one_hot"},
                input_shape=[(4, 1), (4, 1)], input_dtype="int64",
                expected_output_shape=(4, 6), train=False)


def test_hashed_crossing_errors():
    layer = layers.HashedCrossing(4, name="cross")
    with pytest.raises(ValueError, match="cross.*at least two"):
        layer([np.array([1, 2])])
    with pytest.raises(ValueError, match="same shape"):
        layer([np.array([1, 2]), np.array([1, 2, 3])])
    with pytest.raises(ValueError, match="integers or strings"):
        layer([np.array([1.5]), np.array([2])])
    with pytest.raises(ValueError, match="output_mode"):
        layers.HashedCrossing(4, output_mode="count")


# ------------------------------------------------------------------ lookups

def test_integer_lookup_harness():
    check_layer(layers.IntegerLookup, {"vocabulary": [1, 3, 5, 7]}, input_shape=(3, 4),
                input_dtype="int64",
                reference=lambda x, w: np.select([x == 1, x == 3, x == 5, x == 7],
                                                 [1, 2, 3, 4], 0), train=False)
    check_layer(layers.IntegerLookup, {"vocabulary": [1, 3], "output_mode": "multi_hot"},
                input_shape=(3, 4), input_dtype="int64", expected_output_shape=(3, 3),
                train=False)


def test_string_lookup_round_trip_and_vocabulary_api():
    layer = layers.StringLookup(mask_token="", num_oov_indices=2)
    layer.adapt(iter([np.array([["b", "a"], ["a", "c"]]), [["a", "b"]]]))
    assert layer.get_vocabulary() == ["", "[UNK]", "[UNK]", "a", "b", "c"]
    assert layer.get_vocabulary(include_special_tokens=False) == ["a", "b", "c"]
    assert layer.vocabulary_size() == 6
    ids = _np(layer([["c", "a", ""], ["zz", "b", "a"]]))
    assert ids[0].tolist() == [5, 3, 0] and ids[1, 0] in (1, 2)
    inverse = layers.StringLookup(vocabulary=layer.get_vocabulary(), mask_token="",
                                  num_oov_indices=2, invert=True)
    assert inverse(np.array([5, 3, 0, 1])).tolist() == ["c", "a", "", "[UNK]"]
    layer.set_vocabulary(["x", "y"])
    assert _np(layer(["y", "x"])).tolist() == [4, 3]


def test_lookup_vocabulary_file_and_assets(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("red\ngreen\nblue\n", encoding="utf-8")
    layer = layers.StringLookup(vocabulary=str(path))
    assert layer.get_vocabulary() == ["[UNK]", "red", "green", "blue"]
    adapted = layers.IntegerLookup()
    adapted.adapt(np.array([5, 5, 9, 2, 2, 2]))
    adapted.save_assets(str(tmp_path))
    clone = layers.IntegerLookup()
    clone.load_assets(str(tmp_path))
    assert clone.get_vocabulary() == adapted.get_vocabulary() == [-1, 2, 5, 9]


def test_lookup_tf_idf_state_saves():
    layer = layers.StringLookup(output_mode="tf_idf")
    layer.adapt([["a", "b"], ["a", "a"], ["c", "a"]])
    store = {}
    layer.save_own_variables(store)
    clone = layers.StringLookup.from_config(layer.get_config())
    clone.set_vocabulary(layer.get_vocabulary(), idf_weights=store["idf_weights"])
    np.testing.assert_allclose(_np(clone([["a", "c", "zz"]])), _np(layer([["a", "c", "zz"]])))


def test_lookup_config_round_trip_and_symbolic():
    layer = layers.StringLookup(vocabulary=["a", "b"], output_mode="count", name="sl")
    config = layer.get_config()
    assert config["vocabulary"] == ["a", "b"] and config["vocabulary_size"] == 3
    assert "vocabulary_dtype" not in config and config["encoding"] == "utf-8"
    assert layers.StringLookup.from_config(config).get_config() == config
    again = layers.deserialize(layers.serialize(layer))
    assert again.get_config() == config
    out = layer(cornu.Input(shape=(4,), dtype="string"))
    assert isinstance(out, KerasTensor) and out.shape == (None, 3) and out.dtype == "float32"
    ids = layers.StringLookup(vocabulary=["a"])(cornu.Input(shape=(2,), dtype="string"))
    assert ids.shape == (None, 2) and ids.dtype == "int64"
    config = layers.IntegerLookup(vocabulary=[np.int64(4)], mask_token=0).get_config()
    assert config["vocabulary"] == [4] and config["mask_token"] == 0


def test_lookup_errors():
    with pytest.raises(ValueError, match="repeated"):
        layers.StringLookup(vocabulary=["a", "b", "a"])
    with pytest.raises(ValueError, match="mask token"):
        layers.StringLookup(vocabulary=["a", ""], mask_token="")
    with pytest.raises(ValueError, match="max_tokens"):
        layers.StringLookup(vocabulary=["a", "b", "c"], max_tokens=3)
    with pytest.raises(ValueError, match="idf_weights"):
        layers.StringLookup(vocabulary=["a"], output_mode="tf_idf")
    with pytest.raises(ValueError, match="invert=True"):
        layers.StringLookup(invert=True, output_mode="count")
    with pytest.raises(ValueError, match="sparse=True"):
        layers.StringLookup(sparse=True, output_mode="count")
    with pytest.raises(ValueError, match="output_mode"):
        layers.IntegerLookup(output_mode="bits")
    layer = layers.StringLookup(vocabulary=["a"], num_oov_indices=0, name="strict")
    with pytest.raises(ValueError, match="strict.*out-of-vocabulary.*'z'"):
        layer(["a", "z"])
    with pytest.raises(ValueError, match="cannot adapt"):
        layer.adapt(["a"])
    with pytest.raises(ValueError, match="expects strings"):
        layers.StringLookup(vocabulary=["a"])(np.array([1.5]))
    with pytest.raises(RuntimeError, match="before calling"):
        layers.IntegerLookup(output_mode="multi_hot")(np.array([1]))


# ------------------------------------------------------------------ TextVectorization

def test_text_vectorization_docstring_example():
    layer = layers.TextVectorization(output_sequence_length=4)
    layer.adapt(["The cat sat.", "the dog sat"])
    assert layer.get_vocabulary() == ["", "[UNK]", "the", "sat", "dog", "cat"]
    assert _np(layer(["the cat", "a dog sat"])).tolist() == [[2, 5, 0, 0], [1, 4, 3, 0]]


def test_text_vectorization_callables_and_adapt_batches():
    def standardize(x):
        return np.char.replace(np.asarray(x, dtype=str), "-", " ")

    def split(x):
        return [s.split(" ") for s in x]
    layer = layers.TextVectorization(standardize=standardize, split=split)
    layer.adapt(iter([np.array(["x-y", "y"]), (np.array(["y-z"]), None)]))
    assert layer.get_vocabulary() == ["", "[UNK]", "y", "z", "x"]
    assert _np(layer(np.array([["x-z"], ["q"]]))).tolist() == [[4, 3], [1, 0]]


def test_text_vectorization_bytes_and_tensors_of_shape_batch_1():
    layer = layers.TextVectorization(vocabulary=["hi", "there"])
    out = _np(layer(np.array([[b"Hi there!"], [b"hi"]])))
    assert out.tolist() == [[2, 3], [2, 0]]
    assert _np(layer(np.array([[""]]))).shape == (1, 0)


def test_text_vectorization_config_round_trip():
    layer = layers.TextVectorization(max_tokens=10, ngrams=(1, 2), output_mode="tf_idf",
                                     vocabulary=["a", "b"], idf_weights=[0.5, 0.25],
                                     name="tv")
    config = layer.get_config()
    assert config["ngrams"] == [1, 2] and config["vocabulary_size"] == 3
    clone = layers.TextVectorization.from_config(config)
    assert clone.get_config() == config
    np.testing.assert_allclose(_np(clone(["a b c"])), _np(layer(["a b c"])))
    again = layers.deserialize(layers.serialize(layer))
    assert again.get_config() == config


@pytest.mark.parametrize("kwargs", [
    {}, {"output_mode": "tf_idf", "max_tokens": 12, "pad_to_max_tokens": True},
    {"ngrams": 2, "output_mode": "count", "standardize": "lower"}])
def test_adapted_vocabulary_travels_in_the_config(kwargs):
    # cornu's archives have no assets folder: the config carries what adapt learned.
    texts = ["The cat sat.", "the dog sat on the cat", "a bird"]
    layer = layers.TextVectorization(**kwargs)
    layer.adapt(texts)
    config = layer.get_config()
    clone = layers.TextVectorization.from_config(config)
    assert clone.get_config() == config
    assert clone.get_vocabulary() == layer.get_vocabulary()
    np.testing.assert_allclose(_np(clone(texts + ["new words"])),
                               _np(layer(texts + ["new words"])), rtol=1e-6)
    lookup = layers.IntegerLookup(mask_token=0, num_oov_indices=2)
    lookup.adapt(np.array([[4, 4, 0], [7, 1, 1]]))
    clone = layers.IntegerLookup.from_config(lookup.get_config())
    assert clone.get_vocabulary() == lookup.get_vocabulary() == [0, -1, -1, 4, 1, 7]


def test_text_vectorization_symbolic_shapes():
    strings = cornu.Input(shape=(1,), dtype="string")
    ids = layers.TextVectorization(output_sequence_length=7, vocabulary=["a"])(strings)
    assert ids.shape == (None, 7) and ids.dtype == "int64"
    vectors = layers.TextVectorization(output_mode="multi_hot", max_tokens=9,
                                       pad_to_max_tokens=True)(strings)
    assert vectors.shape == (None, 9) and vectors.dtype == "float32"


def test_text_vectorization_errors():
    with pytest.raises(ValueError, match="standardize"):
        layers.TextVectorization(standardize="upper")
    with pytest.raises(ValueError, match="split"):
        layers.TextVectorization(split="comma")
    with pytest.raises(ValueError, match="ngrams"):
        layers.TextVectorization(ngrams="2")
    with pytest.raises(ValueError, match="output_sequence_length"):
        layers.TextVectorization(output_mode="count", output_sequence_length=3)
    with pytest.raises(ValueError, match="ragged=True"):
        layers.TextVectorization(ragged=True)
    layer = layers.TextVectorization(vocabulary=["a"], name="tv")
    with pytest.raises(ValueError, match="tv.*rank 1 or a last axis of size 1"):
        layer(np.array([["a", "b"]]))
    with pytest.raises(ValueError, match="tv.*expects strings"):
        layer(np.array([1, 2]))
    with pytest.raises(ValueError, match="one_hot"):
        layers.TextVectorization(vocabulary=["a"], output_mode="one_hot")(["a a"])
