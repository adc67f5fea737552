"""Image filters and resampling on torch tensors (``keras.ops.image``): Sobel edges, SSIM,
elastic deformation, and scale-and-translate resampling with antialiasing kernels.

Kept apart from image.py by concept; ``cornu.ops.image`` exports both.
"""
import math

import torch
import torch.nn.functional as F

from cornu.backend.torch.core import convert_to_tensor
from cornu.backend.torch.image import (
    _FILL_MODES, _SAMPLE_ORDERS, _cast_back, _nchw, _sample, gaussian_blur,
)
from cornu.backend.torch.numpy import _to_float
from cornu.backend.torch.random import normal


def sobel_edges(images, data_format=None):
    """Sobel gradients of each channel (zero padding, same size).

    Args:
        images: ``(N, H, W, C)`` or ``(N, C, H, W)`` (``data_format``).
        data_format: ``"channels_last"`` or ``"channels_first"``; None for the global one.

    Returns:
        The images' shape plus a last axis of 2: ``[dy, dx]``.
    """
    x = convert_to_tensor(images)
    if x.ndim != 4:
        raise ValueError(f"sobel_edges expects a batch of images (rank 4); received shape "
                         f"{tuple(x.shape)}. Add a batch axis with ops.expand_dims(x, 0).")
    x, restore = _nchw(x, data_format)
    c = x.shape[1]
    dx = torch.tensor([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=x.dtype, device=x.device)
    kernels = torch.stack([dx.T, dx]).unsqueeze(1).repeat(c, 1, 1, 1)  # (2C, 1, 3, 3): dy, dx
    edges = F.conv2d(x, kernels, padding=1, groups=c)  # (N, 2C, H, W)
    n, _, h, w = edges.shape
    edges = edges.reshape(n, c, 2, h, w)
    return torch.stack([restore(edges[:, :, 0]), restore(edges[:, :, 1])], -1)


def _gaussian_1d(size, sigma, dtype, device):
    t = torch.arange(size, dtype=dtype, device=device) - (size - 1) / 2.0
    g = torch.exp(-(t * t) / (2.0 * float(sigma) ** 2))
    return g / g.sum()


def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
         data_format=None):
    """Structural similarity of two images (or batches), per image.

    Local means, variances and covariance come from a ``filter_size`` Gaussian window
    (``filter_sigma``) over the valid region; the SSIM map is averaged over space and
    channels.

    Args:
        image1, image2: ``(H, W, C)`` or ``(N, H, W, C)`` (or channels-first).
        max_val: The dynamic range of the pixel values (1.0 for [0, 1] images).
        filter_size, filter_sigma: The Gaussian window.
        k1, k2: The SSIM stabilising constants.
        data_format: ``"channels_last"`` or ``"channels_first"``; None for the global one.

    Returns:
        A scalar for one image, ``(N,)`` for a batch, in image1's dtype.
    """
    a, _ = _nchw(image1, data_format)
    b, _ = _nchw(image2, data_format)
    dtype = a.dtype
    a = _to_float(a)
    b = _to_float(b).to(a.dtype)
    n, c, h, w = a.shape
    g = _gaussian_1d(filter_size, filter_sigma, a.dtype, a.device)
    window = torch.outer(g, g)[None, None].expand(c, 1, filter_size, filter_size)

    def local_mean(t):
        return F.conv2d(t, window, groups=c)

    mu1, mu2 = local_mean(a), local_mean(b)
    var1 = local_mean(a * a) - mu1 * mu1
    var2 = local_mean(b * b) - mu2 * mu2
    cov = local_mean(a * b) - mu1 * mu2
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    ssim_map = ((2 * mu1 * mu2 + c1) * (2 * cov + c2)) / (
        (mu1 * mu1 + mu2 * mu2 + c1) * (var1 + var2 + c2))
    out = ssim_map.mean(dim=(1, 2, 3))  # (N,)
    out = out if convert_to_tensor(image1).ndim == 4 else out[0]
    return out.to(dtype)


def elastic_transform(images, alpha=20.0, sigma=5.0, interpolation="bilinear",
                      fill_mode="reflect", fill_value=0.0, seed=None, data_format=None):
    """Elastic deformation: each pixel reads the input at its position plus a random
    displacement field (normal noise times ``sigma``, Gaussian-blurred with ``sigma``,
    scaled by ``alpha``), one field per image shared by its channels.

    Args:
        images: ``(H, W, C)`` or ``(N, H, W, C)`` (or channels-first).
        alpha: The displacement scale, in pixels per unit of smoothed noise.
        sigma: The noise scale and the blur's standard deviation (kernel ``int(6 sigma) | 1``).
        interpolation: ``"nearest"`` or ``"bilinear"``.
        fill_mode: ``"constant"``, ``"nearest"``, ``"wrap"``, ``"mirror"`` or ``"reflect"``.
        fill_value: The value outside the image for ``"constant"``.
        seed: An int or a ``SeedGenerator``; the same seed gives the same field. (Keras on
            torch draws from the global generator whatever the seed.)
        data_format: ``"channels_last"`` or ``"channels_first"``; None for the global one.

    Returns:
        The deformed images, same shape and dtype.
    """
    if interpolation not in _SAMPLE_ORDERS:
        raise ValueError(f"interpolation must be one of {sorted(_SAMPLE_ORDERS)}; received "
                         f"{interpolation!r}.")
    if fill_mode not in _FILL_MODES:
        raise ValueError(f"fill_mode must be one of {sorted(_FILL_MODES)}; received "
                         f"{fill_mode!r}.")
    x, restore = _nchw(images, data_format)
    dtype = x.dtype
    x = _to_float(x)
    n, c, h, w = x.shape
    sigma, alpha = float(sigma), float(alpha)
    noise = normal((n, 2, h, w), dtype=x.dtype, seed=seed).to(x.device) * sigma
    k = int(6 * sigma) | 1
    field = gaussian_blur(noise, (k, k), (sigma, sigma), data_format="channels_first")
    ys = torch.arange(h, dtype=x.dtype, device=x.device)[:, None] + alpha * field[:, 1]
    xs = torch.arange(w, dtype=x.dtype, device=x.device)[None, :] + alpha * field[:, 0]
    batch = torch.arange(n, device=x.device)[:, None, None]
    out = _sample(x.permute(0, 2, 3, 1), [batch, ys, xs], _SAMPLE_ORDERS[interpolation],
                  fill_mode, fill_value)  # (N, H, W, C)
    return restore(_cast_back(out.permute(0, 3, 1, 2), dtype))


# -------------------------------------------------------------- scale and translate

def _triangle(x):
    return torch.clamp(1 - x.abs(), min=0)


def _keys_cubic(x):  # Keys' cubic, a = -0.5
    x = x.abs()
    near = ((1.5 * x - 2.5) * x) * x + 1.0
    far = ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0
    return torch.where(x >= 2.0, 0.0, torch.where(x >= 1.0, far, near))


def _lanczos(radius):
    def kernel(x):
        x = x.abs()
        safe = torch.where(x > 1e-3, x, torch.ones_like(x))
        y = radius * torch.sin(math.pi * safe) * torch.sin(math.pi * safe / radius) / (
            math.pi ** 2 * safe * safe)
        return torch.where(x > radius, 0.0, torch.where(x > 1e-3, y, 1.0))
    return kernel


_KERNELS = {"linear": _triangle, "bilinear": _triangle, "trilinear": _triangle,
            "triangle": _triangle, "cubic": _keys_cubic, "bicubic": _keys_cubic,
            "tricubic": _keys_cubic, "lanczos3": _lanczos(3.0), "lanczos5": _lanczos(5.0)}


def _resample_matrix(in_size, out_size, scale, shift, kernel, antialias):
    """``(in_size, out_size)`` weights: output sample j reads input pixels i with
    ``kernel((j + 0.5 - shift) / scale - 0.5 - i)``, the kernel widened by 1/scale when
    downsampling with ``antialias``; columns sum to 1, samples off the input are 0."""
    dtype = scale.dtype
    inv = 1.0 / scale
    width = torch.clamp(inv, min=1.0) if antialias else torch.ones_like(inv)
    src = (torch.arange(out_size, dtype=dtype, device=scale.device) + 0.5 - shift) * inv - 0.5
    pixels = torch.arange(in_size, dtype=dtype, device=scale.device)
    weights = kernel((src[None, :] - pixels[:, None]) / width)
    total = weights.sum(0, keepdim=True)
    eps = 1000.0 * torch.finfo(torch.float32).eps
    weights = torch.where(total.abs() > eps, weights / torch.where(total != 0, total, 1.0), 0.0)
    inside = (src >= -0.5) & (src <= in_size - 0.5)
    return torch.where(inside[None, :], weights, 0.0)


def scale_and_translate(images, output_shape, scale, translation, spatial_dims, method,
                        antialias=True):
    """Resample ``images`` to ``output_shape``, mapping output coordinate ``o`` of each
    axis in ``spatial_dims`` to input coordinate ``(o + 0.5 - translation) / scale - 0.5``
    (``jax.image.scale_and_translate``).

    Args:
        images: A tensor of any rank.
        output_shape: The full output shape (axes not in ``spatial_dims`` keep their size).
        scale, translation: One value per spatial dim.
        spatial_dims: The axes to resample.
        method: ``"linear"``/``"bilinear"``/``"trilinear"``/``"triangle"``,
            ``"cubic"``/``"bicubic"``/``"tricubic"``, ``"lanczos3"`` or ``"lanczos5"``.
        antialias: Widen the kernel when downsampling.

    Returns:
        The resampled tensor; int inputs are rounded and clipped to their input range.
    """
    if method not in _KERNELS:
        raise ValueError(f"method must be one of {sorted(_KERNELS)}; received {method!r}.")
    x = convert_to_tensor(images)
    scale = _to_float(scale)
    translation = _to_float(translation).to(scale.dtype)
    out = x.float() if not (x.is_floating_point() or x.is_complex()) else x
    for i, d in enumerate(spatial_dims):
        d = d % x.ndim
        weights = _resample_matrix(x.shape[d], int(output_shape[d]), scale[i], translation[i],
                                   _KERNELS[method], antialias).to(out.dtype)
        out = torch.movedim(torch.tensordot(out, weights, dims=([d], [0])), -1, d)
    if out.dtype != x.dtype:
        out = torch.clamp(torch.round(out), x.min(), x.max()).to(x.dtype)
    return out
