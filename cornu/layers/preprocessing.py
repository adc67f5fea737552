"""Preprocessing layers: normalization, image resizing and augmentation,
categorical encoding, hashing, lookups and text vectorization.

The layers live in ``cornu/layers/_preprocessing/``, one concept per module.
"""
from cornu.layers._preprocessing import *  # noqa: F401,F403
from cornu.layers._preprocessing import __all__  # noqa: F401
