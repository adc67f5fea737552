"""Embedding: integer indices to dense vectors (re-exported by cornu.layers.core)."""
from cornu import constraints, initializers, ops, regularizers
from cornu.layers._lora import LoraMixin
from cornu.layers._sizes import integral
from cornu.layers.layer import Layer, warn_deprecated


_INDEX_DTYPES = frozenset({"int32", "int64"})


def _positive_int(layer, name, value):
    value = integral(value, name)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{layer}: `{name}` must be a positive integer. Received: "
                         f"{name}={value!r} (of type {type(value).__name__}).")
    return value


class Embedding(LoraMixin, Layer):
    """Turns non-negative integers (indices) into dense vectors of fixed size:
    ``[[4], [20]] -> [[0.25, 0.1], [0.6, -0.2]]``.

    Args:
        input_dim: the size of the vocabulary (largest index + 1).
        output_dim: the size of each vector.
        embeddings_initializer: initializer of the ``(input_dim, output_dim)`` matrix
            (default ``'uniform'``: uniform in [-0.05, 0.05]).
        embeddings_regularizer, embeddings_constraint: penalty and projection of it.
        mask_zero: whether index 0 is padding; the output then carries a mask that
            is False where the input is 0 (``input_dim`` should count index 0).
        weights: an initial ``(input_dim, output_dim)`` matrix (or a list holding it).
        lora_rank, lora_alpha: enable LoRA with this rank and scale (see ``enable_lora``).

    Keras 2's ``input_length=N`` still sets the input shape to ``(None, N)``.

    Example:
        >>> layer = Embedding(1000, 64)
        >>> layer(np.array([[1, 2, 3]])).shape
        torch.Size([1, 3, 64])
    """

    _lora_base = "_embeddings"
    _lora_prefix = "lora_embeddings"
    _lora_constraint = "embeddings_constraint"
    _lora_regularizer = "embeddings_regularizer"

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 weights=None, lora_rank=None, lora_alpha=None, quantization_config=None,
                 **kwargs):
        input_dim = _positive_int("Embedding", "input_dim", input_dim)
        output_dim = _positive_int("Embedding", "output_dim", output_dim)
        if quantization_config is not None:
            raise NotImplementedError("Embedding: quantized embeddings are not supported; "
                                      "pass quantization_config=None.")
        if kwargs.get("input_length") is not None:
            warn_deprecated("Embedding(input_length=N)", "cornu.Input(shape=(N,))", 4)
        super().__init__(**kwargs)
        self.input_dim = input_dim
        self.output_dim = output_dim
        if embeddings_initializer == "uniform":  # Keras 3's default: RandomUniform(-.05, .05)
            embeddings_initializer = initializers.RandomUniform()
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero
        self.autocast = False
        self.lora_rank = lora_rank
        self.lora_alpha = lora_alpha if lora_alpha is not None else lora_rank
        self.quantization_config = None
        if weights is not None:
            self.build()
            if not (isinstance(weights, list) and len(weights) == 1):
                weights = [weights]
            self.set_weights(weights)

    def build(self, input_shape=None):
        if self.built:
            return
        self._embeddings = self.add_weight(
            shape=(self.input_dim, self.output_dim), initializer=self.embeddings_initializer,
            regularizer=self.embeddings_regularizer, constraint=self.embeddings_constraint,
            name="embeddings")
        self.built = True
        if self.lora_rank:
            self.enable_lora(self.lora_rank, self.lora_alpha)

    @property
    def embeddings(self):
        """The ``(input_dim, output_dim)`` matrix (with the LoRA update when enabled)."""
        if not self.built:
            raise AttributeError(f"Embedding '{self.name}' must be built before "
                                 "`embeddings` can be read.")
        return self._lora_weight()

    def call(self, inputs):
        if ops.dtype(inputs) not in _INDEX_DTYPES:
            inputs = ops.cast(inputs, "int32")
        return ops.take(self.embeddings, inputs, axis=0)   # (..., ) -> (..., output_dim)

    def compute_mask(self, inputs, previous_mask=None):
        if not self.mask_zero:
            return None
        return ops.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        config = super().get_config()
        config.pop("weights", None)
        return self._lora_config(config)
