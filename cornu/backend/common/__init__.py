"""Backend-neutral pieces: symbolic tensors, dtype names, global naming state."""
