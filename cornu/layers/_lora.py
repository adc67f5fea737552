"""LoRA (low-rank adaptation) for layers with one main weight matrix.

``enable_lora(rank)`` freezes the main weight ``W`` (shape ``(..., out)``) and adds
two trainable factors ``A (..., rank)`` and ``B (rank, out)``; the layer then uses
``W + (lora_alpha / rank) * A @ B``. ``B`` starts at zero, so the output is
unchanged until training moves it (Hu et al., 2021).
"""
from cornu import initializers, ops


class LoraMixin:
    """Adds ``enable_lora`` to a layer whose main weight is ``self.<_lora_base>``."""

    _lora_base = "_kernel"         # attribute holding the main weight
    _lora_prefix = "lora_kernel"   # names of the factors: <prefix>_a, <prefix>_b
    _lora_constraint = "kernel_constraint"
    _lora_regularizer = "kernel_regularizer"
    lora_enabled = False

    def enable_lora(self, rank, lora_alpha=None, a_initializer="he_uniform",
                    b_initializer="zeros"):
        """Freeze the main weight and train a rank-``rank`` update of it instead."""
        name = type(self).__name__
        if getattr(self, self._lora_constraint, None) is not None:
            raise ValueError(
                f"{name} '{self.name}': LoRA is incompatible with "
                f"`{self._lora_constraint}`; remove that argument to enable LoRA.")
        if not self.built:
            raise ValueError(f"{name} '{self.name}': cannot enable LoRA on a layer that "
                             "isn't built yet. Call it on data (or `build`) first.")
        if self.lora_enabled:
            raise ValueError(f"{name} '{self.name}': LoRA is already enabled; it can only "
                             "be enabled once per layer.")
        base = getattr(self, self._lora_base)
        regularizer = getattr(self, self._lora_regularizer, None)
        a = self.add_weight(name=f"{self._lora_prefix}_a", shape=base.shape[:-1] + (rank,),
                            initializer=initializers.get(a_initializer), regularizer=regularizer)
        b = self.add_weight(name=f"{self._lora_prefix}_b", shape=(rank, base.shape[-1]),
                            initializer=initializers.get(b_initializer), regularizer=regularizer)
        setattr(self, f"{self._lora_prefix}_a", a)
        setattr(self, f"{self._lora_prefix}_b", b)
        base.trainable = False
        self.lora_enabled = True
        self.lora_rank = rank
        self.lora_alpha = lora_alpha if lora_alpha is not None else rank

    def _lora_weight(self):
        """The main weight as the layer uses it: with the LoRA update when enabled."""
        base = getattr(self, self._lora_base)
        if not self.lora_enabled:
            return base
        a = getattr(self, f"{self._lora_prefix}_a")
        b = getattr(self, f"{self._lora_prefix}_b")
        return ops.add(base, (self.lora_alpha / self.lora_rank) * ops.matmul(a, b))

    def _lora_config(self, config):
        """Keras writes lora_rank / lora_alpha only when LoRA was asked for."""
        if not config.get("lora_rank"):
            config.pop("lora_rank", None)
            config.pop("lora_alpha", None)
        else:
            config["lora_alpha"] = self.lora_alpha
        if config.get("quantization_config", 0) is None:
            config.pop("quantization_config")
        return config
