"""Blocks and patches of images on torch tensors (``keras.ops.nn``): depth_to_space,
space_to_depth, and the im2col pair unfold / fold.

Kept apart from nn.py by concept; ``cornu.ops.nn`` exports both.
"""
import torch.nn.functional as F

from cornu.backend.config import standardize_data_format as _data_format
from cornu.backend.torch.core import convert_to_tensor
from cornu.backend.torch.nn import _tuple


def _image_4d(x, op):
    x = convert_to_tensor(x)
    if x.ndim != 4:
        raise ValueError(f"{op} expects a 4D input (batch, height, width, channels or "
                         f"channels-first); received shape {tuple(x.shape)}.")
    return x


def depth_to_space(x, block_size, data_format="channels_last"):
    """Move channel blocks into ``block_size x block_size`` spatial blocks (pixel shuffle).

    Args:
        x: ``(N, H, W, C * b * b)`` (channels_last) or ``(N, C * b * b, H, W)``.
        block_size: ``b``, an int >= 2.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Returns:
        ``(N, H * b, W * b, C)`` or ``(N, C, H * b, W * b)``. As in Keras on torch, the
        channels are read in TensorFlow's order ``(bh, bw, C)`` for channels_last and in
        ``torch.nn.functional.pixel_shuffle``'s order ``(C, bh, bw)`` for channels_first.
    """
    x, b = _image_4d(x, "depth_to_space"), int(block_size)
    if _data_format(data_format) == "channels_first":
        return F.pixel_shuffle(x, b)
    n, h, w, c = x.shape
    x = x.reshape(n, h, w, b, b, c // (b * b)).permute(0, 1, 3, 2, 4, 5)  # (N, H, bh, W, bw, C)
    return x.reshape(n, h * b, w * b, c // (b * b))


def space_to_depth(x, block_size, data_format="channels_last"):
    """Move ``block_size x block_size`` spatial blocks into channels (``depth_to_space``'s
    inverse, with the same channel orders).

    Args:
        x: ``(N, H * b, W * b, C)`` (channels_last) or ``(N, C, H * b, W * b)``.
        block_size: ``b``, an int >= 2.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Returns:
        ``(N, H, W, C * b * b)`` or ``(N, C * b * b, H, W)``.
    """
    x, b = _image_4d(x, "space_to_depth"), int(block_size)
    if _data_format(data_format) == "channels_first":
        return F.pixel_unshuffle(x, b)
    n, h, w, c = x.shape
    x = x.reshape(n, h // b, b, w // b, b, c).permute(0, 1, 3, 2, 4, 5)  # (N, H, W, bh, bw, C)
    return x.reshape(n, h // b, w // b, c * b * b)


def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding ``kernel_size`` blocks of channels-first images (im2col).

    Args:
        x: ``(N, C, H, W)``, channels first whatever ``image_data_format()`` says.
        kernel_size, dilation, padding, stride: ints or pairs of ints.

    Returns:
        ``(N, C * kh * kw, L)``, ``L`` the number of blocks.
    """
    x = _image_4d(x, "unfold")
    return F.unfold(x, _tuple(kernel_size, 2, "kernel_size"), dilation=_tuple(dilation, 2,
                    "dilation"), padding=_tuple(padding, 2, "padding"),
                    stride=_tuple(stride, 2, "stride"))


def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sum sliding blocks back into channels-first images (col2im, ``unfold``'s adjoint).

    Args:
        x: ``(N, C * kh * kw, L)``.
        output_size: ``(H, W)`` of the images (an int for square ones).
        kernel_size, dilation, padding, stride: ints or pairs of ints, as given to unfold.

    Returns:
        ``(N, C, H, W)``.
    """
    x = convert_to_tensor(x)
    if x.ndim != 3:
        raise ValueError(f"fold expects a 3D input (batch, C * kh * kw, blocks); received "
                         f"shape {tuple(x.shape)}.")
    return F.fold(x, _tuple(output_size, 2, "output_size"),
                  _tuple(kernel_size, 2, "kernel_size"), dilation=_tuple(dilation, 2,
                  "dilation"), padding=_tuple(padding, 2, "padding"),
                  stride=_tuple(stride, 2, "stride"))
