"""``keras.preprocessing.text`` (Keras 2): Tokenizer and the word-splitting helpers."""
from cornu.legacy.text import (  # noqa: F401
    Tokenizer, hashing_trick, one_hot, text_to_word_sequence, tokenizer_from_json)
from cornu.utils.text_dataset_utils import text_dataset_from_directory  # noqa: F401

__all__ = ["Tokenizer", "text_to_word_sequence", "one_hot", "hashing_trick",
           "tokenizer_from_json", "text_dataset_from_directory"]
