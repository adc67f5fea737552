"""The PyTorch backend. The only place (with the other backends) that imports torch."""
from cornu.backend.torch import core, data, fused, fused_losses, logits, random, numpy, nn  # noqa: F401
from cornu.backend.torch import math, linalg, image  # noqa: F401
from cornu.backend.torch.core import (  # noqa: F401
    IS_THREAD_SAFE, Tensor, Variable, cast, compute_output_spec, convert_to_numpy,
    convert_to_tensor, device_scope, dtype_name, get_device, in_symbolic_scope, is_tensor,
    set_device, shape, stop_gradient, symbolic_scope, to_torch_dtype,
)
from cornu.backend.torch.random import SeedGenerator  # noqa: F401
from cornu.backend.torch.layer_base import LayerBase  # noqa: F401

NAME = "torch"
