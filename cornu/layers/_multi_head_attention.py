"""MultiHeadAttention (the shared machinery is in _multi_head_base.py)."""
import math
import string

from cornu import ops
from cornu.layers._multi_head_base import MultiHeadAttentionBase, fused_attention
from cornu.layers._sizes import integral, integral_sizes


class MultiHeadAttention(MultiHeadAttentionBase):
    """Multi-head attention ("Attention is all you need", Vaswani et al., 2017).

    Projects ``query``, ``key`` and ``value`` into ``num_heads`` heads, takes the
    scaled dot product of query and key heads, softmaxes it into attention
    probabilities, mixes the value heads with them and projects the concatenated
    heads back to the query's feature size (or ``output_shape``).

    Args:
        num_heads: the number of attention heads.
        key_dim: the size of each query and key head.
        value_dim: the size of each value head (default ``key_dim``).
        dropout: the dropout rate on the attention probabilities.
        use_bias: whether the projections have biases.
        output_shape: the output's shape besides the batch and sequence axes
            (default: the query's last axis).
        attention_axes: the axes attention runs over (default: all but batch,
            heads and features).
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
        return_attention_scores: also return the ``(B, num_heads, T, S)`` probabilities.
        training: whether dropout is active.
        use_causal_mask: stop position ``t`` from attending to positions after ``t``.
        Keras masks on the inputs (e.g. from ``Embedding(mask_zero=True)``) are used.

    Example:
        >>> layer = MultiHeadAttention(num_heads=2, key_dim=2)
        >>> layer(np.ones((1, 8, 16)), np.ones((1, 4, 16))).shape
        torch.Size([1, 8, 16])
    """

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, sliding_window=None,
                 flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 use_gate=False, seed=None, **kwargs):
        num_heads, key_dim, value_dim = (integral(num_heads, "num_heads"),
                                         integral(key_dim, "key_dim"),
                                         integral(value_dim, "value_dim"))
        output_shape = integral_sizes(output_shape, "output_shape")
        for arg, value, optional in (("num_heads", num_heads, False),
                                     ("key_dim", key_dim, False),
                                     ("value_dim", value_dim, True)):
            if not (optional and value is None) and (
                    not isinstance(value, int) or isinstance(value, bool) or value <= 0):
                raise ValueError(
                    f"MultiHeadAttention: `{arg}` must be a positive integer"
                    f"{' or None' if optional else ''}; received {arg}={value!r}.")
        if output_shape:
            if isinstance(output_shape, int):
                output_shape = (output_shape,)
            try:
                output_shape = tuple(output_shape)
            except TypeError:
                raise ValueError(
                    "MultiHeadAttention: `output_shape` must be an int, a tuple or a list; "
                    f"received output_shape={output_shape!r}.") from None
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes is not None and not isinstance(attention_axes, (list, tuple)):
            raise ValueError("MultiHeadAttention: `attention_axes` must be an int, a list or "
                             f"a tuple; received attention_axes={attention_axes!r}.")
        super().__init__(**kwargs)
        self.num_heads = num_heads
        self.key_dim = key_dim
        self.value_dim = value_dim if value_dim else key_dim
        self._output_shape = output_shape or None
        self.attention_axes = None if attention_axes is None else tuple(attention_axes)
        self._init_common(dropout, use_bias, use_gate, sliding_window, flash_attention,
                          kernel_initializer, bias_initializer, kernel_regularizer,
                          bias_regularizer, activity_regularizer, kernel_constraint,
                          bias_constraint, seed)
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(key_dim))

    # Keras 3 keeps the projections in private attributes and exposes them read-only
    # under these public names (under which its weights files store them).
    _query_dense = property(lambda self: self.query_dense)
    _key_dense = property(lambda self: self.key_dense)
    _value_dense = property(lambda self: self.value_dense)
    _output_dense = property(lambda self: self.output_dense)

    def build(self, query_shape, value_shape, key_shape=None):
        """Build the query, key, (gate,) value and output projections."""
        key_shape = value_shape if key_shape is None else key_shape
        if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError(
                f"MultiHeadAttention '{self.name}': all dimensions of `value` and `key`, "
                f"except the last one, must be equal; received value_shape={value_shape} "
                f"and key_shape={key_shape}.")
        for arg, shape in (("query", query_shape), ("value", value_shape)):
            if len(shape) < 3:
                raise ValueError(
                    f"MultiHeadAttention '{self.name}' expects `{arg}` of rank 3 or more "
                    f"(batch, sequence..., features); received {arg} shape {tuple(shape)}.")
        self._record_build_shapes(query_shape, value_shape, None if key_shape is value_shape
                                  else key_shape)
        heads_k, heads_v = [self.num_heads, self.key_dim], [self.num_heads, self.value_dim]
        equation, bias_axes, rank = _projection_equation(len(query_shape) - 1, 1, 2)
        self.query_dense = self._dense(equation, _partial_shape(rank - 1, heads_k), bias_axes,
                                       "query", query_shape)
        equation, bias_axes, rank = _projection_equation(len(key_shape) - 1, 1, 2)
        self.key_dense = self._dense(equation, _partial_shape(rank - 1, heads_k), bias_axes,
                                     "key", key_shape)
        if self.use_gate:
            equation, bias_axes, rank = _projection_equation(len(query_shape) - 1, 1, 2)
            self._gate_dense = self._dense(equation, _partial_shape(rank - 1, heads_v),
                                           bias_axes, "gate", query_shape, "sigmoid")
        equation, bias_axes, rank = _projection_equation(len(value_shape) - 1, 1, 2)
        self.value_dense = self._dense(equation, _partial_shape(rank - 1, heads_v), bias_axes,
                                       "value", value_shape)
        self._build_attention(rank)
        out_shape = list(self._output_shape or [query_shape[-1]])
        equation, bias_axes, rank = _projection_equation(len(query_shape) - 1, 2,
                                                         len(out_shape))
        dense_in = list(self.query_dense.compute_output_shape(tuple(query_shape)))
        dense_in[-1] = self.value_dim
        self.output_dense = self._dense(equation, _partial_shape(rank - 1, out_shape),
                                        bias_axes, "attention_output", dense_in)
        self.built = True

    def _build_attention(self, rank):
        """The einsum equations and softmax axes for projected tensors of ``rank``."""
        if self.attention_axes is None:
            self.attention_axes = tuple(range(1, rank - 2))
        else:
            self.attention_axes = tuple(a if a >= 0 else rank - 1 + a
                                        for a in self.attention_axes)
        self._dot_product_equation, self._combine_equation, scores_rank = (
            _attention_equations(rank, self.attention_axes))
        n = len(self.attention_axes)
        self._make_softmax_and_dropout(tuple(range(scores_rank - n, scores_rank)))

    def _softmax_axes(self):
        return self.attention_axes

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        query, value, key = self._convert_inputs(query, value, key)
        # As in Keras 3: the query's mask is the one it carries (an explicit query_mask
        # is ignored), and the inputs' masks are consumed here: removed from the input
        # tensors (later layers given them see no mask), set on the output.
        _, value_mask, key_mask = self._keras_masks(query, value, key, None, value_mask,
                                                    key_mask)
        query_mask = getattr(query, "_keras_mask", None)
        for x in (query, value, key):
            if getattr(x, "_keras_mask", None) is not None:
                x._keras_mask = None
        if key is None:
            key = value
        causal_only = self._causal_only(use_causal_mask, (query_mask, value_mask, key_mask),
                                        attention_mask, MultiHeadAttention._compute_attention)
        if not causal_only:
            attention_mask = self._compute_attention_mask(
                query, value, query_mask=query_mask, value_mask=value_mask,
                key_mask=key_mask, attention_mask=attention_mask,
                use_causal_mask=use_causal_mask)
        gate = self._gate_dense(query) if self.use_gate else None
        query = self.query_dense(query)  # (B, T, N, key_dim)
        key = self.key_dense(key)  # (B, S, N, key_dim)
        value = self.value_dense(value)  # (B, S, N, value_dim)
        extra = {"use_causal_mask": True} if causal_only else {}
        output, scores = self._compute_attention(query, key, value, attention_mask, training,
                                                 return_attention_scores, **extra)
        if gate is not None:
            output = ops.multiply(output, gate)
        output = self.output_dense(output)
        if query_mask is not None:
            output._keras_mask = query_mask
        return (output, scores) if return_attention_scores else output

    def _compute_attention(self, query, key, value, attention_mask=None, training=None,
                           return_attention_scores=False, use_causal_mask=False):
        """Attention over projected (B, T, N, key_dim) / (B, S, N, ...) heads:
        ``(output (B, T, N, value_dim), probabilities (B, N, T, S) or None)``."""
        self._check_flash(return_attention_scores)
        if not (self.dropout > 0.0 or return_attention_scores or len(query.shape) != 4):
            return fused_attention(query, key, value, attention_mask,
                                   use_causal_mask and attention_mask is None,
                                   self._inverse_sqrt_key_dim, self._flash_attention), None
        if use_causal_mask:
            causal = self._compute_causal_mask(query, value)
            attention_mask = causal if attention_mask is None else ops.logical_and(
                ops.cast(attention_mask, "bool"), causal)
        query = ops.multiply(query, self._inverse_sqrt_key_dim)
        scores = ops.einsum(self._dot_product_equation, key, query)
        scores = self._masked_softmax(scores, attention_mask)
        dropped = self._dropout_layer(scores, training=training) if self.dropout > 0 else scores
        return ops.einsum(self._combine_equation, dropped, value), scores

    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        """The output shape for these input shapes (Keras's signature)."""
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(
                f"MultiHeadAttention '{self.name}': all dimensions of `value` and `key`, "
                f"except the last one, must be equal; received value_shape={value_shape} "
                f"and key_shape={key_shape}.")
        return query_shape[:-1] + self._output_shape if self._output_shape else query_shape

    def get_config(self):
        return self._config_with({
            "num_heads": self.num_heads, "key_dim": self.key_dim,
            "value_dim": self.value_dim, "output_shape": self._output_shape,
            "attention_axes": self.attention_axes})


def _attention_equations(rank, attention_axes):
    """The query-key and probabilities-value einsums for projected tensors of ``rank``
    (batch, <other axes>, <attention axes>, heads, channels).

    Key ``(<batch axes>, <key attention axes>, channels)`` with query ``(<batch axes>,
    <query attention axes>, channels)`` gives scores ``(<batch axes incl. heads>,
    <query attention axes>, <key attention axes>)``; scores with value give the output
    in the query's layout. Returns ``(dot_product, combine, scores_rank)``.
    """
    letters = string.ascii_lowercase
    target = letters[:rank]
    batch_axes = [i for i in range(rank - 1) if i not in attention_axes]
    source = list(target)
    for n, axis in enumerate(attention_axes):
        source[axis] = letters[rank + n]
    source = "".join(source)
    product = ("".join(target[i] for i in batch_axes)
               + "".join(target[i] for i in attention_axes)
               + "".join(source[i] for i in attention_axes))
    return f"{source},{target}->{product}", f"{product},{source}->{target}", len(product)


def _projection_equation(free_dims, bound_dims, output_dims):
    """An EinsumDense equation keeping ``free_dims`` input axes, contracting
    ``bound_dims`` and adding ``output_dims``: ``(equation, bias_axes, output_rank)``."""
    letters = string.ascii_lowercase
    free = letters[:free_dims]
    bound = letters[free_dims:free_dims + bound_dims]
    out = letters[free_dims + bound_dims:free_dims + bound_dims + output_dims]
    return f"{free}{bound},{bound}{out}->{free}{out}", out, free_dims + output_dims


def _partial_shape(rank, last_dims):
    """An EinsumDense output_shape of ``rank`` axes ending with ``last_dims``."""
    return [None] * (rank - len(last_dims)) + list(last_dims)
