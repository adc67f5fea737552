"""Test set-up: one torch thread (two busy cores make the pool erratic), fresh names."""
import os

os.environ.setdefault("CORNU_BACKEND", "torch")
os.environ.setdefault("CORNU_DEVICE", "cpu")

import pytest  # noqa: E402
import torch  # noqa: E402  (tests may use torch as an independent reference)

import cornu  # noqa: E402,F401
from cornu import backend  # noqa: E402

torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _fresh_session():
    """Each test starts with automatic names at zero and the default config."""
    backend.clear_session()
    backend.set_image_data_format("channels_last")
    backend.set_floatx("float32")
    yield
