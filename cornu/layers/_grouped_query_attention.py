"""GroupedQueryAttention: fewer key/value heads than query heads, each shared by a group."""
import math

from cornu import ops
from cornu.layers._multi_head_base import MultiHeadAttentionBase, fused_attention
from cornu.layers._sizes import integral


class GroupedQueryAttention(MultiHeadAttentionBase):
    """Grouped-query attention (Ainslie et al., 2023): ``num_query_heads`` query heads
    share ``num_key_value_heads`` key and value heads, ``num_query_heads //
    num_key_value_heads`` query heads per key/value head. With as many key/value
    heads as query heads it is multi-head attention; with one, multi-query attention.

    Args:
        head_dim: the size of each head.
        num_query_heads: the number of query heads.
        num_key_value_heads: the number of key and value heads (divides
            ``num_query_heads``).
        dropout: the dropout rate on the attention probabilities.
        use_bias: whether the projections have biases.
        sliding_window: if set, a query position attends only to key positions
            fewer than ``sliding_window`` steps away.
        flash_attention: accepted for Keras compatibility; torch picks its kernel.
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
        activity_regularizer, kernel_constraint, bias_constraint: for the projections.
        use_gate: gate the attention output with a sigmoid projection of the query.
        seed: the seed of the attention dropout.

    Call arguments:
        query: ``(B, T, dim)``; value: ``(B, S, dim)``; key: ``(B, S, dim)``
            (default ``value``).
        attention_mask: boolean ``(B, T, S)``, True where a query may attend to a key.
        return_attention_scores: also return the ``(B, num_query_heads, T, S)``
            probabilities.
        training: whether dropout is active.
        use_causal_mask: stop position ``t`` from attending to positions after ``t``.

    Example:
        >>> layer = GroupedQueryAttention(head_dim=4, num_query_heads=4, num_key_value_heads=2)
        >>> layer(np.ones((1, 8, 16)), np.ones((1, 4, 16))).shape
        torch.Size([1, 8, 16])
    """

    def __init__(self, head_dim, num_query_heads, num_key_value_heads, dropout=0.0,
                 use_bias=True, sliding_window=None, flash_attention=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, use_gate=False, seed=None,
                 **kwargs):
        head_dim, num_query_heads, num_key_value_heads = (
            integral(head_dim, "head_dim"), integral(num_query_heads, "num_query_heads"),
            integral(num_key_value_heads, "num_key_value_heads"))
        for arg, value in (("head_dim", head_dim), ("num_query_heads", num_query_heads),
                           ("num_key_value_heads", num_key_value_heads)):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"GroupedQueryAttention: `{arg}` must be a positive "
                                 f"integer; received {arg}={value!r}.")
        if num_query_heads % num_key_value_heads != 0:
            raise ValueError(
                "GroupedQueryAttention: `num_query_heads` must be divisible by "
                f"`num_key_value_heads`; received num_query_heads={num_query_heads}, "
                f"num_key_value_heads={num_key_value_heads}.")
        super().__init__(**kwargs)
        self.head_dim = head_dim
        self.num_query_heads = num_query_heads
        self.num_key_value_heads = num_key_value_heads
        self.num_repeats = num_query_heads // num_key_value_heads
        self._init_common(dropout, use_bias, use_gate, sliding_window, flash_attention,
                          kernel_initializer, bias_initializer, kernel_regularizer,
                          bias_regularizer, activity_regularizer, kernel_constraint,
                          bias_constraint, seed)
        # Keras applies the activity regularizer to the projections and to the output.
        self.activity_regularizer = self._activity_regularizer
        self._inverse_sqrt_head_dim = 1.0 / math.sqrt(float(head_dim))
        self._return_attention_scores = False

    def build(self, query_shape, value_shape, key_shape=None):
        """Build the query, key, (gate,) value and output projections."""
        key_shape = value_shape if key_shape is None else key_shape
        for arg, shape in (("query", query_shape), ("value", value_shape), ("key", key_shape)):
            if len(shape) != 3:
                raise ValueError(
                    f"GroupedQueryAttention '{self.name}' expects `{arg}` of rank 3 "
                    f"(batch, sequence, features); received {arg} shape {tuple(shape)}.")
        self._record_build_shapes(query_shape, value_shape, None if key_shape is value_shape
                                  else key_shape)
        self.feature_dim = query_shape[-1]
        q_heads = (None, self.num_query_heads, self.head_dim)
        kv_heads = (None, self.num_key_value_heads, self.head_dim)
        # b: batch, q: query length, k: key length, m: features, u: query heads,
        # v: key/value heads, h: head size.
        self._query_dense = self._dense("bqm,muh->bquh", q_heads, "uh", "query", query_shape)
        self._key_dense = self._dense("bkm,mvh->bkvh", kv_heads, "vh", "key", key_shape)
        if self.use_gate:
            self._gate_dense = self._dense("bqm,muh->bquh", q_heads, "uh", "gate",
                                           query_shape, "sigmoid")
        self._value_dense = self._dense("bkm,mvh->bkvh", kv_heads, "vh", "value", value_shape)
        self._make_softmax_and_dropout(-1)
        self._dot_product_equation = "bquh,bkuh->buqk"
        self._combine_equation = "buqk,bkuh->bquh"
        self._output_dense = self._dense("bquh,uhm->bqm", (None, self.feature_dim), "m",
                                         "attention_output",
                                         (None, None, self.num_query_heads, self.head_dim))
        self.built = True

    def _softmax_axes(self):
        return (-1,)

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        self._return_attention_scores = return_attention_scores
        query, value, key = self._convert_inputs(query, value, key)
        query_mask, value_mask, key_mask = self._keras_masks(query, value, key, query_mask,
                                                             value_mask, key_mask)
        if key is None:
            key = value
        causal_only = self._causal_only(use_causal_mask, (query_mask, value_mask, key_mask),
                                        attention_mask,
                                        GroupedQueryAttention._compute_attention)
        if not causal_only:
            attention_mask = self._compute_attention_mask(
                query, value, query_mask=query_mask, value_mask=value_mask,
                key_mask=key_mask, attention_mask=attention_mask,
                use_causal_mask=use_causal_mask)
        gate = self._gate_dense(query) if self.use_gate else None
        query = self._query_dense(query)  # (B, T, query heads, head_dim)
        # (B, S, key/value heads, head_dim) -> (B, S, query heads, head_dim)
        key = ops.repeat(self._key_dense(key), self.num_repeats, axis=2)
        value = ops.repeat(self._value_dense(value), self.num_repeats, axis=2)
        extra = {"use_causal_mask": True} if causal_only else {}
        output, scores = self._compute_attention(query, key, value,
                                                 attention_mask=attention_mask,
                                                 training=training, **extra)
        if gate is not None:
            output = ops.multiply(output, gate)
        output = self._output_dense(output)  # (B, T, features)
        return (output, scores) if return_attention_scores else output

    def _compute_attention(self, query, key, value, attention_mask=None, training=None,
                           use_causal_mask=False):
        """Attention over projected (B, T, heads, head_dim) tensors:
        ``(output (B, T, heads, head_dim), probabilities (B, heads, T, S) or None)``."""
        self._check_flash(self._return_attention_scores)
        if not (self.dropout > 0.0 or self._return_attention_scores or len(query.shape) != 4):
            return fused_attention(query, key, value, attention_mask,
                                   use_causal_mask and attention_mask is None,
                                   self._inverse_sqrt_head_dim, self._flash_attention), None
        if use_causal_mask:
            causal = self._compute_causal_mask(query, value)
            attention_mask = causal if attention_mask is None else ops.logical_and(
                ops.cast(attention_mask, "bool"), causal)
        query = ops.multiply(query, self._inverse_sqrt_head_dim)
        scores = ops.einsum(self._dot_product_equation, query, key)  # (B, heads, T, S)
        scores = self._masked_softmax(scores, attention_mask)
        dropped = self._dropout_layer(scores, training=training) if self.dropout > 0 else scores
        return ops.einsum(self._combine_equation, dropped, value), scores

    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        """The output shape (the query's) for these input shapes (Keras's signature)."""
        key_shape = value_shape if key_shape is None else key_shape
        if query_shape[-1] != value_shape[-1]:
            raise ValueError(
                f"GroupedQueryAttention '{self.name}': the last dimension of `query_shape` "
                f"and `value_shape` must be equal; received query_shape={query_shape}, "
                f"value_shape={value_shape}.")
        if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError(
                f"GroupedQueryAttention '{self.name}': all dimensions of `value` and `key`, "
                f"except the last one, must be equal; received value_shape={value_shape} "
                f"and key_shape={key_shape}.")
        return tuple(query_shape)

    def compute_output_spec(self, query, value, key=None, **kwargs):
        # Keras checks the shapes on symbolic calls only (eager calls may differ).
        self.compute_output_shape(query.shape, value.shape,
                                  None if key is None else key.shape)
        return super().compute_output_spec(query, value, key, **kwargs)

    def get_config(self):
        return self._config_with({
            "head_dim": self.head_dim, "num_query_heads": self.num_query_heads,
            "num_key_value_heads": self.num_key_value_heads})
