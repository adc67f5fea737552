"""activations layers (being written)."""
__all__ = []
