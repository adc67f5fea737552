"""Fused optimizer updates for the torch backend.

Each optimizer step is a handful of ``torch._foreach_*`` kernels over lists of
tensors (the Parameters behind the Variables, and their slots): no Python loop
over variables, no host sync. The formulas are Keras 3's (``cornu/optimizers``
says which); every scalar (learning rate, bias corrections) arrives as a Python
float worked out on the host by the caller. The callers hold ``update_scope()``
(``torch.no_grad``) around a whole step, so in-place updates of leaf
Parameters are allowed.
"""
import sys

import torch

update_scope = torch.no_grad


# ----------------------------------------------------------------- plumbing

def raw_list(variables):
    """The tensors behind ``variables`` (None stays None), cached by the caller."""
    return [None if v is None else v._value for v in variables]


def item(tensor):
    """A Python number from a host (CPU) scalar tensor: no device sync."""
    return tensor.item()


def fill_(tensor, value):
    tensor.fill_(value)


def add_scalar_(tensor, value):
    tensor.add_(value)


def as_tensors(values, like):
    """Gradients as torch tensors of the dtype of their variables' tensors ``like``
    (numpy arrays, Variables and other dtypes are converted)."""
    from cornu.backend.torch.core import convert_to_tensor
    return [v if isinstance(v, torch.Tensor) and v.dtype == p.dtype
            else convert_to_tensor(v, dtype=p.dtype) for v, p in zip(values, like)]


# ----------------------------------------------------------------- gradient transforms

def divide(grads, divisor):
    return torch._foreach_div(grads, divisor)


def clip_by_norm(grads, clipnorm):
    """Each gradient times ``clipnorm / max(norm(g), clipnorm)`` (Keras ``clipnorm``)."""
    factors = torch._foreach_norm(grads)
    torch._foreach_clamp_min_(factors, clipnorm)
    torch._foreach_reciprocal_(factors)
    torch._foreach_mul_(factors, clipnorm)
    return torch._foreach_mul(grads, factors)


def clip_by_global_norm(grads, clipnorm):
    """All gradients times ``clipnorm * min(1 / global_norm, 1 / clipnorm)``; NaN if the
    global norm is not finite (Keras ``global_clipnorm``)."""
    total = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))
    scale = torch.clamp_max(total.reciprocal(), 1.0 / clipnorm) * clipnorm + (total - total)
    return torch._foreach_mul(grads, scale)


def clip_by_value(grads, clipvalue):
    out = torch._foreach_clamp_min(grads, -clipvalue)
    torch._foreach_clamp_max_(out, clipvalue)
    return out


def mean_with(grads, accumulators, steps):
    """``(g + accumulated) / steps`` for gradient accumulation."""
    out = torch._foreach_add(grads, accumulators)
    torch._foreach_div_(out, steps)
    return out


def all_finite(grads):
    """True when no gradient holds an inf or NaN. One host sync (LossScaleOptimizer)."""
    found = torch.zeros(1, device=grads[0].device)
    probe = [g for g in grads if g.is_floating_point()]
    if probe:
        torch._amp_foreach_non_finite_check_and_unscale_(
            probe, found, torch.ones(1, device=found.device))
    return not found.item()


# ----------------------------------------------------------------- list updates

def add_(dst, src):
    torch._foreach_add_(dst, src)


def mul_(tensors, factor):
    torch._foreach_mul_(tensors, factor)


def copy_(dst, src):
    torch._foreach_copy_(dst, src)


def zero_(tensors):
    torch._foreach_zero_(tensors)


def swap_(a, b):
    saved = [t.clone() for t in a]
    torch._foreach_copy_(a, b)
    torch._foreach_copy_(b, saved)


def moving_average_(averages, values, momentum):
    """``average = momentum * average + (1 - momentum) * value`` (EMA of the weights)."""
    if momentum == 0:
        torch._foreach_copy_(averages, values)
        return
    torch._foreach_mul_(averages, momentum)
    torch._foreach_add_(averages, values, alpha=1.0 - momentum)


# ----------------------------------------------------------------- optimizers

def sgd_(params, grads, momentums, lr, momentum, nesterov):
    if momentums is None:
        torch._foreach_add_(params, grads, alpha=-lr)
        return
    torch._foreach_mul_(momentums, momentum)                    # m = m * mu - g * lr
    torch._foreach_add_(momentums, grads, alpha=-lr)
    if nesterov:                                                 # w += m * mu - g * lr
        torch._foreach_add_(params, momentums, alpha=momentum)
        torch._foreach_add_(params, grads, alpha=-lr)
    else:                                                        # w += m
        torch._foreach_add_(params, momentums)


def adam_(params, grads, m, v, v_hat, alpha, beta_1, beta_2, epsilon):
    """Keras Adam with ``alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)`` precomputed
    (a Python float, or a 0-d tensor when the update is compiled)."""
    torch._foreach_lerp_(m, grads, 1.0 - beta_1)                 # m += (g - m) * (1 - b1)
    torch._foreach_mul_(v, beta_2)                               # v += (g^2 - v) * (1 - b2)
    torch._foreach_addcmul_(v, grads, grads, 1.0 - beta_2)
    if v_hat is not None:
        torch._foreach_maximum_(v_hat, v)
        v = v_hat
    denom = torch._foreach_sqrt(v)
    torch._foreach_add_(denom, epsilon)
    if isinstance(alpha, torch.Tensor):                          # a 0-d tensor (compiled)
        step = torch._foreach_div(m, denom)
        torch._foreach_mul_(step, alpha)
        torch._foreach_sub_(params, step)
    else:
        torch._foreach_addcdiv_(params, m, denom, -alpha)        # w -= alpha * m / (sqrt(v) + eps)


def adamax_(params, grads, m, u, step_size, beta_1, beta_2, epsilon):
    """Keras Adamax with ``step_size = lr / (1 - beta_1^t)`` precomputed."""
    torch._foreach_lerp_(m, grads, 1.0 - beta_1)
    torch._foreach_mul_(u, beta_2)                               # u = max(b2 * u, |g|)
    torch._foreach_maximum_(u, torch._foreach_abs(grads))
    denom = torch._foreach_add(u, epsilon)
    torch._foreach_addcdiv_(params, m, denom, -step_size)


def nadam_(params, grads, m, v, lr, beta_1, beta_2, epsilon, m_coef, g_coef, v_coef):
    """Keras Nadam: ``m_hat = m_coef * m + g_coef * g``, ``v_hat = v * v_coef``."""
    torch._foreach_lerp_(m, grads, 1.0 - beta_1)
    torch._foreach_mul_(v, beta_2)
    torch._foreach_addcmul_(v, grads, grads, 1.0 - beta_2)
    m_hat = torch._foreach_mul(m, m_coef)
    torch._foreach_add_(m_hat, grads, alpha=g_coef)
    denom = torch._foreach_mul(v, v_coef)
    torch._foreach_sqrt_(denom)
    torch._foreach_add_(denom, epsilon)
    torch._foreach_addcdiv_(params, m_hat, denom, -lr)


def rmsprop_(params, grads, velocities, momentums, average_grads, lr, rho, momentum, epsilon):
    torch._foreach_mul_(velocities, rho)                         # v = rho * v + (1 - rho) * g^2
    torch._foreach_addcmul_(velocities, grads, grads, 1.0 - rho)
    if average_grads is not None:                                # centered
        torch._foreach_mul_(average_grads, rho)
        torch._foreach_add_(average_grads, grads, alpha=1.0 - rho)
        denom = torch._foreach_addcmul(velocities, average_grads, average_grads, -1.0)
        torch._foreach_add_(denom, epsilon)
    else:
        denom = torch._foreach_add(velocities, epsilon)
    torch._foreach_sqrt_(denom)
    if momentums is not None:                                    # m = mu * m + lr * g / denom
        torch._foreach_mul_(momentums, momentum)
        torch._foreach_addcdiv_(momentums, grads, denom, lr)
        torch._foreach_sub_(params, momentums)
    else:
        torch._foreach_addcdiv_(params, grads, denom, -lr)


def adagrad_(params, grads, accumulators, lr, epsilon):
    torch._foreach_addcmul_(accumulators, grads, grads)
    denom = torch._foreach_add(accumulators, epsilon)
    torch._foreach_sqrt_(denom)
    torch._foreach_addcdiv_(params, grads, denom, -lr)


def adadelta_(params, grads, accumulated_grads, accumulated_deltas, lr, rho, epsilon):
    torch._foreach_mul_(accumulated_grads, rho)
    torch._foreach_addcmul_(accumulated_grads, grads, grads, 1.0 - rho)
    # delta = -sqrt(acc_delta + eps) * g / sqrt(acc_grad + eps)
    delta = torch._foreach_add(accumulated_deltas, epsilon)
    torch._foreach_sqrt_(delta)
    torch._foreach_mul_(delta, grads)
    denom = torch._foreach_add(accumulated_grads, epsilon)
    torch._foreach_sqrt_(denom)
    torch._foreach_div_(delta, denom)
    torch._foreach_neg_(delta)
    torch._foreach_mul_(accumulated_deltas, rho)
    torch._foreach_addcmul_(accumulated_deltas, delta, delta, 1.0 - rho)
    torch._foreach_add_(params, delta, alpha=lr)


def lion_(params, grads, momentums, lr, beta_1, beta_2):
    update = torch._foreach_mul(momentums, beta_1)               # sign(m * b1 + g * (1 - b1))
    torch._foreach_add_(update, grads, alpha=1.0 - beta_1)
    torch._foreach_sign_(update)
    torch._foreach_add_(params, update, alpha=-lr)
    torch._foreach_mul_(momentums, beta_2)
    torch._foreach_add_(momentums, grads, alpha=1.0 - beta_2)


def ftrl_(params, grads, accumulators, linears, lr, lr_power, l1, l2, l2_shrinkage):
    """Keras Ftrl; ``l2`` already includes ``beta / (2 * lr)``."""
    if l2_shrinkage:
        grad_to_use = torch._foreach_add(grads, params, alpha=2.0 * l2_shrinkage)
    else:
        grad_to_use = grads
    new_accum = torch._foreach_addcmul(accumulators, grads, grads)
    new_power = torch._foreach_pow(new_accum, -lr_power)
    sigma = torch._foreach_sub(new_power, torch._foreach_pow(accumulators, -lr_power))
    torch._foreach_div_(sigma, lr)
    torch._foreach_add_(linears, grad_to_use)                    # linear += g' - sigma * w
    torch._foreach_sub_(linears, torch._foreach_mul(sigma, params))
    quadratic = torch._foreach_div(new_power, lr)
    torch._foreach_add_(quadratic, 2.0 * l2)
    new_params = torch._foreach_clamp_min(linears, -l1)          # (clip(linear) - linear) / quad
    torch._foreach_clamp_max_(new_params, l1)
    torch._foreach_sub_(new_params, linears)
    torch._foreach_div_(new_params, quadratic)
    torch._foreach_copy_(params, new_params)
    torch._foreach_copy_(accumulators, new_accum)


def _rms(x):
    return x.square().mean().sqrt()


def adafactor_(params, grads, rs, cs, vs, rho_t, step, beta_2_decay, epsilon_1, epsilon_2,
               clip_threshold):
    """Keras Adafactor. The factored second moments differ in shape per variable, so
    this one loops; ``rho_t = min(lr, 1 / sqrt(step))``."""
    beta_2_t = 1.0 - step ** beta_2_decay
    for p, g, r, c, v in zip(params, grads, rs, cs, vs):
        alpha_t = _rms(p).clamp_min(epsilon_2) * rho_t
        regulated = g.square().add_(epsilon_1)
        if p.ndim >= 2:
            r.mul_(beta_2_t).add_(regulated.mean(dim=-1), alpha=1.0 - beta_2_t)   # p.shape[:-1]
            c.mul_(beta_2_t).add_(regulated.mean(dim=-2), alpha=1.0 - beta_2_t)   # [:-2] + [-1:]
            v.copy_((r / r.mean(dim=-1, keepdim=True)).unsqueeze(-1) * c.unsqueeze(-2))
        else:
            v.mul_(beta_2_t).add_(regulated, alpha=1.0 - beta_2_t)
        u = g / v.sqrt()
        u = u / torch.clamp_min(_rms(u) / clip_threshold, 1.0)
        p.sub_(alpha_t * u)


# ----------------------------------------------------------------- compiled updates

class CompiledKernels:
    """This module's kernels, with Adam's update compiled by ``torch.compile`` (for
    ``jit_compile=True``): one fused loop per tensor instead of six ``_foreach`` passes.

    The step's scalar (``alpha``, which the bias correction changes every step) goes in
    as a 0-d tensor, so the compiled update does not recompile; the other kernels are
    this module's own."""

    def __init__(self):
        self._adam = torch.compile(adam_, dynamic=False)
        self._alpha = None

    def __getattr__(self, name):
        return getattr(sys.modules[__name__], name)

    def adam_(self, params, grads, m, v, v_hat, alpha, beta_1, beta_2, epsilon):
        if self._alpha is None or self._alpha.device != params[0].device:
            self._alpha = torch.zeros((), device=params[0].device)
        self._alpha.fill_(alpha)
        self._adam(params, grads, m, v, v_hat, self._alpha, beta_1, beta_2, epsilon)
