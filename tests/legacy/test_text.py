"""Keras 2's Tokenizer and text helpers (cornu.preprocessing.text)."""
import numpy as np
import pytest

from cornu.preprocessing import text

TEXTS = ["The cat sat on the mat.", "The dog ate my homework!", "cat and dog"]


def _tokenizer(**kwargs):
    with pytest.warns(DeprecationWarning, match="Tokenizer"):
        return text.Tokenizer(**kwargs)


def test_text_to_word_sequence():
    assert text.text_to_word_sequence("Hello, World!  hi\tyou") == ["hello", "world", "hi", "you"]
    assert text.text_to_word_sequence("A-B", filters="", lower=False, split="-") == ["A", "B"]


def test_vocabulary_order_and_sequences():
    t = _tokenizer()
    t.fit_on_texts(TEXTS)
    # by frequency (the: 3, cat: 2, dog: 2), ties in first-seen order
    assert list(t.word_index)[:3] == ["the", "cat", "dog"]
    assert t.word_index["the"] == 1 and t.document_count == 3
    assert t.word_counts["cat"] == 2 and t.word_docs["the"] == 2
    assert t.texts_to_sequences(["the cat and a bird"]) == [[1, 2, t.word_index["and"]]]
    assert t.sequences_to_texts([[1, 2]]) == ["the cat"]


def test_num_words_and_oov_token():
    t = _tokenizer(num_words=3, oov_token="<OOV>")
    t.fit_on_texts(TEXTS)
    assert t.word_index["<OOV>"] == 1 and t.word_index["the"] == 2
    assert t.texts_to_sequences(["the cat zebra"]) == [[2, 1, 1]]  # cat (3) >= num_words


@pytest.mark.parametrize("mode", ["binary", "count", "freq", "tfidf"])
def test_texts_to_matrix(mode):
    t = _tokenizer()
    t.fit_on_texts(TEXTS)
    m = t.texts_to_matrix(["the the cat"], mode=mode)
    assert m.shape == (1, len(t.word_index) + 1)
    the, cat = t.word_index["the"], t.word_index["cat"]
    expected = {"binary": (1, 1), "count": (2, 1), "freq": (2 / 3, 1 / 3)}
    if mode in expected:
        np.testing.assert_allclose(m[0, [the, cat]], expected[mode])
    else:
        idf = np.log(1 + 3 / (1 + t.index_docs[the]))
        np.testing.assert_allclose(m[0, the], (1 + np.log(2)) * idf)


def test_json_round_trip_and_char_level():
    t = _tokenizer(num_words=10)
    t.fit_on_texts(TEXTS)
    back = text.tokenizer_from_json(t.to_json())
    assert back.word_index == t.word_index and back.num_words == 10
    assert back.texts_to_sequences(TEXTS) == t.texts_to_sequences(TEXTS)
    c = _tokenizer(char_level=True)
    c.fit_on_texts(["aab"])
    assert c.word_index == {"a": 1, "b": 2}


def test_hashing_and_one_hot():
    out = text.hashing_trick("a b a", 10, hash_function="md5")
    assert len(out) == 3 and out[0] == out[2] and all(1 <= i < 10 for i in out)
    assert all(1 <= i < 5 for i in text.one_hot("x y z", 5))


def test_errors():
    with pytest.raises(ValueError, match="num_words"):
        _tokenizer().texts_to_matrix(["a"])
    with pytest.raises(TypeError, match="unexpected"):
        text.Tokenizer(num_word=3)


def test_keras1_nb_words():
    with pytest.warns(DeprecationWarning) as record:
        t = text.Tokenizer(nb_words=5)
    assert t.num_words == 5 and any("num_words" in str(w.message) for w in record)
