"""Random ops. ``seed`` is None (the global generator, set by
``cornu.utils.set_random_seed``), an int (the same numbers each call) or a
``SeedGenerator`` (a seeded stream: different numbers each call, reproducible).
"""
import random as _py_random

import numpy as np
import torch

from cornu.backend.torch.core import _scope, get_device, to_torch_dtype, convert_to_tensor


class SeedGenerator:
    """A reproducible stream of random numbers, advanced by each op that uses it."""

    def __init__(self, seed=None, name=None):
        self.name = name or "seed_generator"
        if seed is None:
            seed = int(np.random.randint(0, 2**31 - 1))  # Keras 2 drew op seeds from NumPy
        self._initial_seed = int(seed)
        self._generators = {}

    def generator(self, device):
        key = str(device)
        g = self._generators.get(key)
        if g is None:
            g = torch.Generator(device=device)
            g.manual_seed(self._initial_seed)
            self._generators[key] = g
        return g

    def get_config(self):
        return {"seed": self._initial_seed}


def set_seed(seed):
    _py_random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _generator(seed, device):
    if seed is None or device == "meta":
        return None
    if isinstance(seed, SeedGenerator):
        return seed.generator(device)
    g = torch.Generator(device=device)
    g.manual_seed(int(seed))
    return g


def _shape(shape):
    return tuple(int(d) for d in shape)


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    device = get_device()
    x = torch.empty(_shape(shape), dtype=to_torch_dtype(dtype), device=device)
    if device == "meta":
        return x
    return x.normal_(mean, stddev, generator=_generator(seed, device))


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    device = get_device()
    x = torch.empty(_shape(shape), dtype=to_torch_dtype(dtype), device=device)
    if device == "meta":
        return x
    return x.uniform_(minval, maxval, generator=_generator(seed, device))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal values redrawn until within two standard deviations of the mean."""
    device = get_device()
    x = torch.empty(_shape(shape), dtype=to_torch_dtype(dtype), device=device)
    if device == "meta":
        return x
    g = _generator(seed, device)
    x.normal_(0.0, 1.0, generator=g)
    bad = x.abs() > 2
    while bool(bad.any()):
        x[bad] = torch.empty(int(bad.sum()), dtype=x.dtype, device=device).normal_(generator=g)
        bad = x.abs() > 2
    return x * stddev + mean


def randint(shape, minval, maxval, dtype="int32", seed=None):
    device = get_device()
    if device == "meta":
        return torch.empty(_shape(shape), dtype=to_torch_dtype(dtype), device=device)
    return torch.randint(int(minval), int(maxval), _shape(shape), dtype=to_torch_dtype(dtype),
                         device=device, generator=_generator(seed, device))


def categorical(logits, num_samples, dtype="int32", seed=None):
    logits = convert_to_tensor(logits)
    probs = torch.softmax(logits, dim=-1)
    out = torch.multinomial(probs, int(num_samples), replacement=True,
                            generator=_generator(seed, logits.device.type))
    return out.to(to_torch_dtype(dtype))


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zero a fraction ``rate`` of entries and scale the rest by 1 / (1 - rate)."""
    inputs = convert_to_tensor(inputs)
    if seed is None and noise_shape is None:
        return torch.nn.functional.dropout(inputs, p=float(rate), training=True)
    if _scope.symbolic:
        return inputs
    shape = inputs.shape if noise_shape is None else tuple(
        inputs.shape[i] if d is None else d for i, d in enumerate(noise_shape))
    keep = torch.empty(shape, device=inputs.device).uniform_(
        generator=_generator(seed, inputs.device.type)) >= rate
    return inputs * keep.to(inputs.dtype) / (1.0 - rate)


def shuffle(x, axis=0, seed=None):
    x = convert_to_tensor(x)
    perm = torch.randperm(x.shape[axis], generator=_generator(seed, "cpu")).to(x.device)
    return torch.index_select(x, axis, perm)


def _parameter(value, shape, device):
    """A float32 tensor of ``shape`` from a number or a broadcastable array."""
    return torch.as_tensor(value, dtype=torch.float32, device=device).expand(shape).contiguous()


def gamma(shape, alpha, dtype=None, seed=None):
    """Gamma(alpha, 1) draws; ``seed`` as for the other random ops."""
    device, shape = get_device(), _shape(shape)
    if device == "meta":
        return torch.empty(shape, dtype=to_torch_dtype(dtype), device=device)
    draws = torch._standard_gamma(_parameter(alpha, shape, device),
                                  generator=_generator(seed, device))
    return draws.to(to_torch_dtype(dtype))


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Binomial(counts, probabilities) draws; ``seed`` as for the other random ops."""
    device, shape = get_device(), _shape(shape)
    if device == "meta":
        return torch.empty(shape, dtype=to_torch_dtype(dtype), device=device)
    draws = torch.binomial(_parameter(counts, shape, device),
                           _parameter(probabilities, shape, device),
                           generator=_generator(seed, device))
    return draws.to(to_torch_dtype(dtype))


def beta(shape, alpha, beta, dtype=None, seed=None):
    """Beta(alpha, beta) draws, as ``X / (X + Y)`` with X ~ Gamma(alpha), Y ~ Gamma(beta)
    from one generator; ``seed`` as for the other random ops."""
    device, shape = get_device(), _shape(shape)
    if device == "meta":
        return torch.empty(shape, dtype=to_torch_dtype(dtype), device=device)
    generator = _generator(seed, device)
    x = torch._standard_gamma(_parameter(alpha, shape, device), generator=generator)
    y = torch._standard_gamma(_parameter(beta, shape, device), generator=generator)
    return (x / (x + y)).to(to_torch_dtype(dtype))


def get_rng_state():
    """The global random states (Python, NumPy, torch) as plain arrays, for checkpoints."""
    version, internal, gauss = _py_random.getstate()
    keys_name, keys, pos, has_gauss, cached = np.random.get_state()
    return {
        "python": np.asarray(internal, dtype=np.uint64),
        "python_meta": np.asarray([version, 0 if gauss is None else 1], dtype=np.int64),
        "python_gauss": np.asarray([0.0 if gauss is None else gauss], dtype=np.float64),
        "numpy_keys": np.asarray(keys, dtype=np.uint32),
        "numpy_meta": np.asarray([pos, has_gauss], dtype=np.int64),
        "numpy_cached": np.asarray([cached], dtype=np.float64),
        "torch": torch.get_rng_state().numpy().copy(),
    }


def set_rng_state(state):
    """Restore what ``get_rng_state`` returned."""
    version, has_gauss = (int(v) for v in state["python_meta"])
    gauss = float(state["python_gauss"][0]) if has_gauss else None
    _py_random.setstate((version, tuple(int(v) for v in state["python"]), gauss))
    pos, np_has_gauss = (int(v) for v in state["numpy_meta"])
    np.random.set_state(("MT19937", state["numpy_keys"], pos, np_has_gauss,
                         float(state["numpy_cached"][0])))
    torch.set_rng_state(torch.from_numpy(np.asarray(state["torch"], dtype=np.uint8)))
