"""pad_sequences against Keras's documented behaviour."""
import numpy as np
import pytest

from cornu.preprocessing import sequence
from cornu.utils import pad_sequences


def test_defaults_pre_padding_int32():
    out = pad_sequences([[1], [2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(out, [[0, 0, 1], [0, 2, 3], [4, 5, 6]])
    assert out.dtype == np.int32


def test_post_padding_and_truncating():
    seqs = [[1, 2, 3, 4], [5]]
    np.testing.assert_array_equal(pad_sequences(seqs, maxlen=2), [[3, 4], [0, 5]])
    np.testing.assert_array_equal(
        pad_sequences(seqs, maxlen=2, padding="post", truncating="post"), [[1, 2], [5, 0]])
    np.testing.assert_array_equal(pad_sequences(seqs, maxlen=3, value=-1),
                                  [[2, 3, 4], [-1, -1, 5]])


def test_float_dtype_vectors_and_empty():
    out = pad_sequences([np.ones((2, 3)), [], np.ones((1, 3))], dtype="float32", value=0.5)
    assert out.shape == (3, 2, 3) and out.dtype == np.float32
    assert (out[1] == 0.5).all() and (out[2, 0] == 0.5).all() and (out[2, 1] == 1).all()


def test_object_array_of_lists_and_maxlen_zero():
    seqs = np.empty(2, dtype=object)
    seqs[0], seqs[1] = [1, 2], [3]
    np.testing.assert_array_equal(pad_sequences(seqs), [[1, 2], [0, 3]])
    assert pad_sequences([[1, 2]], maxlen=0).shape == (1, 0)
    assert pad_sequences([]).shape == (0, 0)


def test_strings():
    out = pad_sequences([["a", "b"], ["c"]], dtype=object, value="")
    assert out.tolist() == [["a", "b"], ["", "c"]]
    with pytest.raises(ValueError, match="dtype"):
        pad_sequences([["a"]], value="x")


def test_errors():
    with pytest.raises(ValueError, match="padding"):
        pad_sequences([[1]], padding="middle")
    with pytest.raises(ValueError, match="truncating"):
        pad_sequences([[1]], truncating="middle")
    with pytest.raises(ValueError, match="non-sequence"):
        pad_sequences([1, 2])


def test_keras2_module_path():
    assert sequence.pad_sequences is pad_sequences
