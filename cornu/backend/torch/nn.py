"""Neural-network ops on torch tensors (Keras 3 ``keras.ops.nn`` names and signatures)."""
import torch
import torch.nn.functional as F

from cornu.backend.torch.core import convert_to_tensor


def relu(x):
    return torch.relu(convert_to_tensor(x))


def sigmoid(x):
    return torch.sigmoid(convert_to_tensor(x))


def tanh(x):
    return torch.tanh(convert_to_tensor(x))


def softmax(x, axis=-1):
    return torch.softmax(convert_to_tensor(x), dim=axis)


def dense(x, kernel, bias=None):
    """``x @ kernel + bias`` with a Keras-layout kernel of shape (in, out)."""
    x = convert_to_tensor(x)
    if x.ndim == 2:
        return torch.addmm(bias, x, kernel) if bias is not None else torch.mm(x, kernel)
    y = torch.matmul(x, kernel)
    return y if bias is None else y + bias
