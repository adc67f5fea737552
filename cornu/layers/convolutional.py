"""convolutional layers (being written)."""
__all__ = []
