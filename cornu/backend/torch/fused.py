"""Fused kernels for the hottest layers: one engine call where the ops would take several.

``dense`` is ``activation(x @ kernel + bias)`` as a single ``addmm`` (plus the
activation), which is what a hand-written ``nn.Linear`` costs.
"""
import torch

from cornu.backend.torch.core import Variable, convert_to_tensor

_NATIVE = {
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "softmax": lambda x: torch.softmax(x, dim=-1),
}


def native_activation(fn):
    """The torch function for one of cornu's own activations, with default arguments
    (None for the identity); ``fn`` itself for anything else."""
    name = getattr(fn, "__name__", None)
    module = getattr(fn, "__module__", "") or ""
    if not module.startswith("cornu.activations"):
        return fn
    if name == "linear":
        return None
    return _NATIVE.get(name, fn)


def dense(x, kernel, bias=None, activation=None):
    """``activation(x @ kernel + bias)`` with a Keras-layout kernel (in, out)."""
    if x.__class__ is not torch.Tensor:
        x = convert_to_tensor(x)
    k = kernel.value if kernel.__class__ is Variable else kernel
    if bias is not None:
        b = bias.value if bias.__class__ is Variable else bias
        if x.ndim == 2:
            y = torch.addmm(b, x, k)           # (B, in) @ (in, out) + (out,)
        else:
            y = torch.matmul(x, k) + b         # (..., in) @ (in, out)
    else:
        y = torch.matmul(x, k)
    return y if activation is None else activation(y)
