"""pad_sequences: a list of sequences as one array of equal-length rows."""
import numpy as np


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre",
                  value=0.0):
    """Pad (and truncate) sequences to a common length ``maxlen``.

    Args:
        sequences: a list of sequences (lists or arrays; their items may be vectors).
        maxlen: the length of the rows (default: the longest sequence).
        dtype: the dtype of the result (Keras's default "int32").
        padding: "pre" or "post": pad before or after each sequence.
        truncating: "pre" or "post": cut longer sequences at the start or the end.
        value: the padding value (a string is allowed for string or object dtypes).

    Returns:
        An array of shape ``(len(sequences), maxlen) + item_shape``.

    Example:
        >>> pad_sequences([[1], [2, 3], [4, 5, 6]])
        array([[0, 0, 1],
               [0, 2, 3],
               [4, 5, 6]], dtype=int32)
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError(f"`sequences` must be a list of sequences; received a "
                         f"{type(sequences).__name__}.")
    if padding not in ("pre", "post"):
        raise ValueError(f'padding must be "pre" or "post"; received padding={padding!r}.')
    if truncating not in ("pre", "post"):
        raise ValueError(f'truncating must be "pre" or "post"; received '
                         f"truncating={truncating!r}.")
    lengths, item_shape = [], None
    for s in sequences:
        try:
            lengths.append(len(s))
        except TypeError:
            raise ValueError(f"`sequences` must be a list of sequences; found the "
                             f"non-sequence {s!r}.") from None
        if item_shape is None and len(s):
            item_shape = np.asarray(s).shape[1:]
    item_shape = item_shape or ()
    if maxlen is None:
        maxlen = max(lengths) if lengths else 0
    is_text = np.issubdtype(np.dtype(dtype), np.str_) or np.dtype(dtype) == object
    if isinstance(value, str) and not is_text:
        raise ValueError(f"`dtype` {dtype} is not compatible with the string padding "
                         f"value={value!r}; use dtype=object for string sequences.")
    out = np.full((len(lengths), maxlen) + item_shape, value, dtype=dtype)
    if maxlen == 0:
        return out
    for i, s in enumerate(sequences):
        if not lengths[i]:
            continue
        kept = s[-maxlen:] if truncating == "pre" else s[:maxlen]
        kept = np.asarray(kept, dtype=dtype)
        if kept.shape[1:] != item_shape:
            raise ValueError(f"The items of sequence {i} have shape {kept.shape[1:]}, but "
                             f"those of the first sequence have shape {item_shape}.")
        if padding == "post":
            out[i, :len(kept)] = kept
        else:
            out[i, maxlen - len(kept):] = kept
    return out
