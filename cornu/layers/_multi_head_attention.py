"""MultiHeadAttention, and the machinery it shares with GroupedQueryAttention.

Both project query, key and value with EinsumDense sublayers (Keras 3's weight
layout, names and order), build one boolean attention mask from the inputs'
Keras masks, ``attention_mask``, the causal mask and the sliding window, then
attend. As in Keras, the fused kernel (``ops.dot_product_attention``) serves
3D inputs when neither attention scores nor dropout are asked for; the explicit
einsum + softmax path serves the rest. The two agree except on a query row
with nothing to attend to: the fused kernel averages all values there (Keras
adds a large negative bias, so the row's softmax is uniform), the explicit path
gives zeros (Keras's masked Softmax); cornu follows Keras on each path.
"""
import math
import string

from cornu import backend, constraints, initializers, ops, regularizers
from cornu.layers._einsum_dense import EinsumDense
from cornu.layers._rnn_base import build_sublayer
from cornu.layers.activations import Softmax
from cornu.layers.layer import Layer
from cornu.layers.regularization import Dropout
from cornu.saving.serialization import serialize_value

_Tensor = backend.Tensor


def _shape(x):
    return None if x is None else tuple(x.shape)


def _large_negative_bias(dtype):
    # Keras's torch backend turns a boolean mask into this additive bias.
    return -0.7 * (65500.0 if dtype == "float16" else 3.38953e38)


def fused_attention(query, key, value, mask, is_causal, scale, flash_attention):
    """``ops.dot_product_attention`` on (B, T, N, H) tensors, with a boolean ``mask``
    broadcastable to (B, N, T, S) applied as Keras applies it: as an additive bias."""
    bias = None
    if mask is not None:
        while len(mask.shape) < 4:  # (B, T, S) -> (B, 1, T, S): broadcast over heads
            mask = ops.expand_dims(mask, -3)
        bias = ops.where(ops.cast(mask, "bool"), 0.0,
                         _large_negative_bias(backend.standardize_dtype(query.dtype)))
    return ops.dot_product_attention(query, key, value, bias=bias, scale=scale,
                                     is_causal=is_causal, flash_attention=flash_attention)


class MultiHeadAttentionBase(Layer):
    """What MultiHeadAttention and GroupedQueryAttention share: calls on
    (query, value, key), building from all three shapes, masks, shapes, configs."""

    def _init_common(self, dropout, use_bias, use_gate, sliding_window, flash_attention,
                     kernel_initializer, bias_initializer, kernel_regularizer,
                     bias_regularizer, activity_regularizer, kernel_constraint,
                     bias_constraint, seed):
        name = type(self).__name__
        if sliding_window is not None and (
                not isinstance(sliding_window, int) or sliding_window <= 0):
            raise ValueError(f"{name}: `sliding_window` must be None or a positive integer; "
                             f"received sliding_window={sliding_window!r}.")
        if flash_attention and dropout > 0.0:
            raise ValueError(f"{name}: dropout is not supported when flash attention is "
                             f"enabled; set dropout=0.0 (received dropout={dropout}) or "
                             "flash_attention=None.")
        self.supports_masking = True
        self.dropout = dropout
        self.use_bias = use_bias
        self.use_gate = use_gate
        self.sliding_window = sliding_window
        self._flash_attention = flash_attention or None
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self._activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        self._build_shapes = None

    # ------------------------------------------------------------ calling and building

    def __call__(self, *args, **kwargs):
        # query / value / key given by keyword become positional, so that building
        # and the graph see all three.
        if kwargs and len(args) < 3 and ("query" in kwargs or "value" in kwargs or
                                         "key" in kwargs):
            args = list(args)
            for i, name in enumerate(("query", "value", "key")):
                if len(args) == i and name in kwargs:
                    args.append(kwargs.pop(name))
            args = tuple(args)
        return super().__call__(*args, **kwargs)

    def _build_once(self, args):
        # The base builds from the first argument's shape; Keras builds from all three.
        if len(args) < 2 or args[1] is None:
            raise TypeError(f"{type(self).__name__} '{self.name}' must be called with a "
                            "`query` and a `value` tensor (and optionally `key`).")
        self.build(_shape(args[0]), _shape(args[1]), _shape(args[2]) if len(args) > 2 else None)
        self.built = True
        if self._initial_weights is not None:
            weights, self._initial_weights = self._initial_weights, None
            self.set_weights(weights)

    def _record_build_shapes(self, query_shape, value_shape, key_shape):
        shapes = {"query_shape": tuple(query_shape), "value_shape": tuple(value_shape)}
        if key_shape is not None:
            shapes["key_shape"] = tuple(key_shape)
        self._build_shapes = shapes

    def _sublayer_kwargs(self):
        # A fresh initializer per sublayer, so seeded initializers do not repeat values.
        def clone(init):
            return type(init).from_config(init.get_config())
        return dict(kernel_initializer=clone(self.kernel_initializer),
                    bias_initializer=clone(self.bias_initializer),
                    kernel_regularizer=self.kernel_regularizer,
                    bias_regularizer=self.bias_regularizer,
                    activity_regularizer=self._activity_regularizer,
                    kernel_constraint=self.kernel_constraint,
                    bias_constraint=self.bias_constraint, dtype=self.dtype_name)

    def _dense(self, equation, output_shape, bias_axes, name, input_shape, activation=None):
        layer = EinsumDense(equation, output_shape=output_shape,
                            bias_axes=bias_axes if self.use_bias else None,
                            activation=activation, name=name, **self._sublayer_kwargs())
        build_sublayer(layer, tuple(input_shape), self.name)
        return layer

    def _make_softmax_and_dropout(self, axis):
        self._softmax = Softmax(axis=axis, dtype=self.dtype_name)
        self._dropout_layer = Dropout(rate=self.dropout, seed=self.seed, dtype=self.dtype_name)

    def _convert_inputs(self, query, value, key):
        if value.__class__ is not _Tensor:
            value = self._convert_input(value)
        if key is not None and key.__class__ is not _Tensor:
            key = self._convert_input(key)
        return query, value, key

    # ------------------------------------------------------------ masks

    @staticmethod
    def _keras_masks(query, value, key, query_mask, value_mask, key_mask):
        """The (query, value, key) masks: the arguments, or else the Keras masks the
        tensors carry (as Keras 3's ``Layer.__call__`` fills in ``<name>_mask``)."""
        if query_mask is None:
            query_mask = getattr(query, "_keras_mask", None)
        if value_mask is None:
            value_mask = getattr(value, "_keras_mask", None)
        if key_mask is None and key is not None:
            key_mask = getattr(key, "_keras_mask", None)
        return query_mask, value_mask, key_mask

    def _compute_attention_mask(self, query, value, query_mask=None, value_mask=None,
                                key_mask=None, attention_mask=None, use_causal_mask=False):
        """One boolean mask of shape (B, T, S) (or broadcastable to it) from the query
        mask (B, T, 1), the value and key masks (B, 1, S), the causal and sliding-window
        masks (1, T, S) and ``attention_mask``, combined with AND."""
        auto = None

        def merge(a, b):
            return b if a is None else ops.logical_and(a, b)
        if query_mask is not None:
            auto = ops.expand_dims(ops.cast(query_mask, "bool"), -1)
        for mask in (value_mask, key_mask):
            if mask is not None:
                auto = merge(auto, ops.expand_dims(ops.cast(mask, "bool"), -2))
        if use_causal_mask:
            auto = merge(auto, self._compute_causal_mask(query, value))
        if self.sliding_window is not None:
            auto = merge(auto, self._compute_sliding_window_mask(query, value))
        if attention_mask is not None:
            attention_mask = ops.cast(attention_mask, "bool")
        if auto is not None:
            attention_mask = merge(attention_mask, auto)
        return attention_mask

    @staticmethod
    def _positions(query, value):
        t = ops.shape(query)[1]
        s = t if value is None else ops.shape(value)[1]
        return ops.reshape(ops.arange(t), (1, t, 1)), ops.reshape(ops.arange(s), (1, 1, s))

    def _compute_causal_mask(self, query, value=None):
        """(1, T, S), True where key position ``s <= t``: no attending to the future."""
        rows, cols = self._positions(query, value)
        return ops.greater_equal(rows, cols)

    def _compute_sliding_window_mask(self, query, value=None):
        """(1, T, S), True where ``|t - s| < sliding_window``."""
        rows, cols = self._positions(query, value)
        return ops.less(ops.abs(rows - cols), self.sliding_window)

    def _causal_only(self, use_causal_mask, masks, attention_mask, base_method):
        # Causal masking alone goes to the fused kernel's is_causal, as in Keras; not
        # when a subclass overrides _compute_attention (it would see no mask).
        return (use_causal_mask and attention_mask is None and all(m is None for m in masks)
                and self.sliding_window is None
                and type(self)._compute_attention is base_method)

    def _masked_softmax(self, attention_scores, attention_mask=None):
        if attention_mask is not None:
            # Insert the missing axes (heads first) before the query/key attention axes.
            axis = -len(self._softmax_axes()) * 2 - 1
            for _ in range(len(attention_scores.shape) - len(attention_mask.shape)):
                attention_mask = ops.expand_dims(attention_mask, axis)
        return self._softmax(attention_scores, mask=attention_mask)

    def _check_flash(self, return_attention_scores):
        if self._flash_attention and return_attention_scores:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': returning attention scores is not "
                "supported when flash attention is enabled; pass flash_attention=None.")

    # ------------------------------------------------------------ shapes and configs

    def compute_output_spec(self, *args, **kwargs):
        # A shape-only run of `call` (the base would use compute_output_shape on the
        # first argument alone).
        return backend.compute_output_spec(self._call_for_spec, *args, **kwargs)

    def get_build_config(self):
        """Keras 3's ``{"shapes_dict": {"query_shape": ..., "value_shape": ...}}``."""
        if self._build_shapes is None:
            return None
        return {"shapes_dict": {k: list(v) for k, v in self._build_shapes.items()}}

    def build_from_config(self, config):
        config = config or {}
        if self.built:
            return
        if "shapes_dict" in config:
            self.build(**{k: None if v is None else tuple(v)
                          for k, v in config["shapes_dict"].items()})
            self.built = True
        elif config.get("input_shape") is not None:
            self.build(*[tuple(s) for s in config["input_shape"]])
            self.built = True

    def _common_config(self):
        return {
            "dropout": self.dropout, "use_bias": self.use_bias, "use_gate": self.use_gate,
            "sliding_window": self.sliding_window,
            "kernel_initializer": self.kernel_initializer,
            "bias_initializer": self.bias_initializer,
            "kernel_regularizer": self.kernel_regularizer,
            "bias_regularizer": self.bias_regularizer,
            "activity_regularizer": self._activity_regularizer,
            "kernel_constraint": self.kernel_constraint,
            "bias_constraint": self.bias_constraint, "seed": self.seed,
        }

    def _config_with(self, own):
        config = super().get_config()
        config.pop("flash_attention", None)  # Keras does not save it either
        config.update({k: serialize_value(v) for k, v in {**own, **self._common_config()}.items()})
        return config


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
