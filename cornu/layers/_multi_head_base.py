"""What MultiHeadAttention and GroupedQueryAttention share.

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
from cornu import backend, constraints, initializers, ops, regularizers
from cornu.layers._einsum_dense import EinsumDense
from cornu.layers._rnn_base import build_sublayer
from cornu.layers.activations import Softmax
from cornu.layers.layer import Layer
from cornu.layers.regularization import Dropout

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
        from cornu.saving.serialization import serialize_value
        config = super().get_config()
        config.pop("flash_attention", None)  # Keras does not save it either
        config.update({k: serialize_value(v) for k, v in {**own, **self._common_config()}.items()})
        return config
