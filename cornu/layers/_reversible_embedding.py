"""ReversibleEmbedding: an Embedding that can also project vectors back to vocabulary
logits (``reverse=True``), as the input and output layers of a language model."""
from cornu import backend, ops
from cornu.layers._embedding import Embedding

__all__ = ["ReversibleEmbedding"]


class ReversibleEmbedding(Embedding):
    """An Embedding whose ``call(inputs, reverse=True)`` maps ``(..., output_dim)``
    vectors to ``(..., input_dim)`` logits.

    The forward direction is ``Embedding``'s. The reverse direction multiplies by the
    transposed embedding matrix (``tie_weights=True``) or by a separate trainable
    ``(output_dim, input_dim)`` matrix ``reverse_embeddings``.

    Args:
        input_dim: the size of the vocabulary.
        output_dim: the size of each vector.
        tie_weights: whether the reverse projection reuses the embedding matrix.
        embeddings_initializer: initializer of the embeddings (and of the reverse
            matrix when untied); default ``'uniform'`` (uniform in [-0.05, 0.05]).
        embeddings_regularizer, embeddings_constraint: penalty and projection of the
            embedding matrix.
        mask_zero: whether index 0 is padding (forward direction only).
        reverse_dtype: a dtype to compute the reverse projection in (e.g.
            ``"float32"`` under mixed precision); None: the inputs' dtype.
        logit_soft_cap: if set, the logits become ``tanh(logits / cap) * cap``.

    Example:
        >>> layer = ReversibleEmbedding(100, 16)
        >>> hidden = layer(np.array([[1, 2, 3]]))          # (1, 3, 16)
        >>> layer(hidden, reverse=True).shape
        torch.Size([1, 3, 100])
    """

    def __init__(self, input_dim, output_dim, tie_weights=True,
                 embeddings_initializer="uniform", embeddings_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, reverse_dtype=None,
                 logit_soft_cap=None, **kwargs):
        super().__init__(input_dim, output_dim, embeddings_initializer=embeddings_initializer,
                         embeddings_regularizer=embeddings_regularizer,
                         embeddings_constraint=embeddings_constraint, mask_zero=mask_zero,
                         **kwargs)
        self.tie_weights = tie_weights
        self.reverse_dtype = None if reverse_dtype is None else backend.standardize_dtype(
            reverse_dtype)
        self.logit_soft_cap = logit_soft_cap

    def build(self, input_shape=None):
        if self.built:
            return
        super().build(input_shape)
        if not self.tie_weights:
            self.reverse_embeddings = self.add_weight(
                shape=(self.output_dim, self.input_dim),
                initializer=self.embeddings_initializer, name="reverse_embeddings",
                trainable=True)

    def call(self, inputs, reverse=False):
        if not reverse:
            return super().call(inputs)
        kernel = ops.transpose(self.embeddings) if self.tie_weights else \
            self.reverse_embeddings                                  # (output_dim, input_dim)
        if self.reverse_dtype is not None:
            inputs = ops.cast(inputs, self.reverse_dtype)
            kernel = ops.cast(kernel, self.reverse_dtype)
        logits = ops.matmul(inputs, kernel)                          # (..., input_dim)
        if self.logit_soft_cap is not None:
            logits = ops.multiply(ops.tanh(ops.divide(logits, self.logit_soft_cap)),
                                  self.logit_soft_cap)
        return logits

    def compute_mask(self, inputs, previous_mask=None):
        # Only the forward direction (integer inputs) makes a mask; logits carry none.
        if not self.mask_zero or inputs is None or "int" not in str(ops.dtype(inputs)):
            return None
        return ops.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape, reverse=False):
        if reverse:
            return tuple(input_shape[:-1]) + (self.input_dim,)
        return tuple(input_shape) + (self.output_dim,)

    def compute_output_spec(self, inputs, reverse=False):
        # A shape-only run of call, so the output dtype follows reverse_dtype.
        return backend.compute_output_spec(self._call_for_spec, inputs, reverse=reverse)

    def get_config(self):
        config = super().get_config()
        if self.lora_rank:  # passed through **kwargs, so not in this signature
            config["lora_rank"] = self.lora_rank
            config["lora_alpha"] = self.lora_alpha
        return config
