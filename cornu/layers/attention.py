"""Attention layers: Attention (Luong), AdditiveAttention (Bahdanau),
MultiHeadAttention and GroupedQueryAttention (in their own private modules)."""
from cornu import backend, ops
from cornu.layers._grouped_query_attention import GroupedQueryAttention
from cornu.layers._multi_head_attention import MultiHeadAttention
from cornu.layers.layer import Layer

__all__ = ["Attention", "AdditiveAttention", "MultiHeadAttention", "GroupedQueryAttention",
           "GroupQueryAttention"]

# Keras 3 exports GroupedQueryAttention as keras.layers.GroupQueryAttention.
GroupQueryAttention = GroupedQueryAttention


class Attention(Layer):
    """Dot-product attention, a.k.a. Luong-style attention.

    Called on ``[query, value]`` or ``[query, value, key]`` (``key`` defaults to
    ``value``): scores ``query . key`` of shape (batch, Tq, Tv) become a softmax
    distribution over the value steps, which mixes ``value`` into an output of
    shape (batch, Tq, dim).

    Args:
        use_scale: learn a scalar that scales the scores.
        score_mode: ``"dot"`` (``query . key``) or ``"concat"``
            (``sum(tanh(query + key))``).
        dropout: the dropout rate on the attention distribution.
        seed: the seed of that dropout.

    Call arguments:
        inputs: ``[query (B, Tq, dim), value (B, Tv, dim)(, key (B, Tv, dim))]``.
        mask: ``[query_mask (B, Tq), value_mask (B, Tv)]``: outputs are zero where the
            query mask is False; values where the value mask is False are ignored.
            By default the inputs' Keras masks.
        return_attention_scores: also return the (B, Tq, Tv) distribution.
        training: whether dropout is active.
        use_causal_mask: stop position ``i`` from attending to positions after ``i``.

    Example:
        >>> Attention()([np.ones((2, 3, 4)), np.ones((2, 5, 4))]).shape
        torch.Size([2, 3, 4])
    """

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError(f"{type(self).__name__}: `score_mode` must be one of "
                             f"{{'dot', 'concat'}}; received score_mode={score_mode!r}.")
        self.use_scale = use_scale
        self.score_mode = score_mode
        self.dropout = dropout
        self.seed = seed
        # Without a seed the global generator serves (cornu.utils.set_random_seed).
        self.seed_generator = backend.SeedGenerator(seed) if (
            seed is not None and dropout > 0) else None
        self.supports_masking = True

    def build(self, input_shape):
        self._validate_inputs(input_shape, shapes=True)
        self.scale = None
        self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(
                name="concat_score_weight", shape=(), initializer="ones")
        self.built = True

    def _calculate_scores(self, query, key):
        """(B, Tq, Tv) scores of query (B, Tq, dim) against key (B, Tv, dim)."""
        if self.score_mode == "dot":
            scores = ops.matmul(query, ops.swapaxes(key, -2, -1))
            return scores if self.scale is None else ops.multiply(scores, self.scale)
        # (B, Tq, 1, dim) + (B, 1, Tv, dim) -> (B, Tq, Tv, dim)
        pairs = ops.expand_dims(query, -2) + ops.expand_dims(key, -3)
        if self.scale is not None:
            pairs = ops.multiply(self.scale, pairs)
        return ops.multiply(self.concat_score_weight, ops.sum(ops.tanh(pairs), axis=-1))

    def _apply_scores(self, scores, value, scores_mask=None, training=False):
        """``(softmax(scores) @ value, softmax(scores))``; where ``scores_mask``
        ((B, Tv), (B, 1, Tv) or (B, Tq, Tv)) is False the scores drop by 1e9 first."""
        if scores_mask is not None:
            if len(scores_mask.shape) == 2:
                scores_mask = ops.expand_dims(scores_mask, -2)
            big = 65504.0 if backend.standardize_dtype(scores.dtype) == "float16" else 1.0e9
            scores = ops.where(scores_mask, scores, scores - big)
        weights = ops.softmax(scores, axis=-1)
        if training and self.dropout > 0:
            weights = backend.random.dropout(weights, self.dropout, seed=self.seed_generator)
        return ops.matmul(weights, value), weights

    @staticmethod
    def _calculate_score_mask(scores, value_mask, use_causal_mask):
        if not use_causal_mask:
            return value_mask
        tq, tv = ops.shape(scores)[-2], ops.shape(scores)[-1]
        # (1, Tq, Tv): True where the value step is not after the query step.
        causal = ops.greater_equal(ops.reshape(ops.arange(tq), (1, tq, 1)),
                                   ops.reshape(ops.arange(tv), (1, 1, tv)))
        if value_mask is None:
            return causal
        return ops.logical_and(ops.expand_dims(value_mask, -2), causal)

    def call(self, inputs, mask=None, training=None, return_attention_scores=False,
             use_causal_mask=False):
        self._validate_inputs(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask = mask[0] if mask else None
        value_mask = mask[1] if mask else None
        scores = self._calculate_scores(query, key)
        scores_mask = self._calculate_score_mask(
            scores, None if value_mask is None else ops.cast(value_mask, "bool"),
            use_causal_mask)
        output, weights = self._apply_scores(scores, value, scores_mask, training)
        if query_mask is not None:
            output = ops.where(ops.expand_dims(ops.cast(query_mask, "bool"), -1), output, 0.0)
        return (output, weights) if return_attention_scores else output

    def compute_mask(self, inputs, mask=None):
        self._validate_inputs(inputs, mask)
        if mask is None or mask[0] is None:
            return None
        return ops.convert_to_tensor(mask[0])

    def _validate_inputs(self, inputs, mask=None, shapes=False):
        """Inputs must be ``[query, value(, key)]`` with matching sizes; masks a list."""
        where = f"{type(self).__name__} layer '{self.name}'"
        is_single = (not isinstance(inputs, (list, tuple))) or (
            shapes and not all(isinstance(s, (list, tuple)) for s in inputs))
        if is_single:
            raise ValueError(f"{where} must be called on a list of inputs, namely "
                             f"[query, value] or [query, value, key]. Received: {inputs}.")
        if not 2 <= len(inputs) <= 3:
            raise ValueError(f"{where} accepts a list of 2 or 3 inputs, namely "
                             "[query, value] or [query, value, key]. Received a list of "
                             f"{len(inputs)}.")
        if mask is not None and (not isinstance(mask, (list, tuple)) or
                                 not 2 <= len(mask) <= 3):
            raise ValueError(f"{where}: `mask` must be a list [query_mask, value_mask]; "
                             f"received mask={mask}.")
        if shapes:
            query, value = inputs[0], inputs[1]
            key = inputs[2] if len(inputs) > 2 else value
            for what, a, b in (("the feature size (last axis) of query and key",
                                query[-1], key[-1]),
                               ("the number of steps (axis -2) of value and key",
                                value[-2], key[-2])):
                if a is not None and b is not None and a != b:
                    raise ValueError(f"{where} requires {what} to match; received "
                                     f"input shapes {[tuple(s) for s in inputs]}.")


class AdditiveAttention(Attention):
    """Additive attention, a.k.a. Bahdanau-style attention.

    As ``Attention``, with scores ``sum(scale * tanh(query + key), axis=-1)``, where
    ``scale`` is a learned vector of the feature size (with ``use_scale``).

    Args:
        use_scale: learn the per-feature ``scale``.
        dropout: the dropout rate on the attention distribution.
        seed: (keyword) the seed of that dropout.

    Example:
        >>> AdditiveAttention()([np.ones((2, 3, 4)), np.ones((2, 5, 4))]).shape
        torch.Size([2, 3, 4])
    """

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape):
        self._validate_inputs(input_shape, shapes=True)
        self.scale = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(input_shape[0][-1],),
                                         initializer="glorot_uniform")
        self.built = True

    def _calculate_scores(self, query, key):
        # (B, Tq, 1, dim) + (B, 1, Tv, dim) -> (B, Tq, Tv, dim) -> (B, Tq, Tv)
        pairs = ops.tanh(ops.expand_dims(query, -2) + ops.expand_dims(key, -3))
        if self.use_scale:
            pairs = ops.multiply(self.scale, pairs)
        return ops.sum(pairs, axis=-1)

    def get_config(self):
        config = super().get_config()
        config["seed"] = self.seed  # passed through **kwargs, so not recorded by default
        config.pop("score_mode", None)
        return config
