"""Reproducibility."""


def set_random_seed(seed):
    """Seed Python's ``random``, NumPy and the backend, so that runs repeat exactly."""
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValueError(f"set_random_seed expects an integer seed; received {seed!r}.")
    from cornu import backend
    backend.random.set_seed(seed)
