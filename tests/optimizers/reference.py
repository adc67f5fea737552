"""Independent numpy versions of Keras 3's optimizer formulas (float64), used as the
reference the fused kernels are checked against.

Each ``update(w, g, state, t, lr, **hyper)`` returns the new weight of one variable
after step ``t`` (1-based) and keeps the optimizer slots in ``state``. The bias
corrections of Adam and Nadam are worked out in float32, as Keras works them out
(``1 - 0.999 ** t`` loses digits in float32 that show in the update).
"""
import numpy as np

f32 = np.float32


def sgd(w, g, s, t, lr, momentum=0.0, nesterov=False):
    if momentum == 0:
        return w - lr * g
    s["m"] = s.get("m", 0.0) * momentum - lr * g
    return w + s["m"] * momentum - lr * g if nesterov else w + s["m"]


def adam(w, g, s, t, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False):
    s["m"] = s.get("m", 0.0) + (g - s.get("m", 0.0)) * (1 - beta_1)
    s["v"] = s.get("v", 0.0) + (g * g - s.get("v", 0.0)) * (1 - beta_2)
    v = s["v"]
    if amsgrad:
        v = s["v_hat"] = np.maximum(s.get("v_hat", 0.0), s["v"])
    alpha = f32(lr) * np.sqrt(1 - f32(beta_2) ** f32(t)) / (1 - f32(beta_1) ** f32(t))
    return w - alpha * s["m"] / (np.sqrt(v) + epsilon)


def adamax(w, g, s, t, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    s["m"] = s.get("m", 0.0) + (g - s.get("m", 0.0)) * (1 - beta_1)
    s["u"] = np.maximum(beta_2 * s.get("u", 0.0), np.abs(g))
    return w - lr * s["m"] / ((1 - beta_1 ** t) * (s["u"] + epsilon))


def nadam(w, g, s, t, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    b1, t = f32(beta_1), f32(t)
    u_t = b1 * (1 - f32(0.5) * f32(0.96) ** t)
    u_t1 = b1 * (1 - f32(0.5) * f32(0.96) ** (t + 1))
    s["prod"] = s.get("prod", f32(1.0)) * u_t
    prod_1 = s["prod"] * u_t1
    s["m"] = s.get("m", 0.0) + (g - s.get("m", 0.0)) * (1 - beta_1)
    s["v"] = s.get("v", 0.0) + (g * g - s.get("v", 0.0)) * (1 - beta_2)
    m_hat = u_t1 * s["m"] / (1 - prod_1) + (1 - u_t) * g / (1 - s["prod"])
    v_hat = s["v"] / (1 - f32(beta_2) ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + epsilon)


def rmsprop(w, g, s, t, lr, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
    s["v"] = rho * s.get("v", 0.0) + (1 - rho) * g * g
    if centered:
        s["a"] = rho * s.get("a", 0.0) + (1 - rho) * g
        denom = s["v"] - s["a"] ** 2 + epsilon
    else:
        denom = s["v"] + epsilon
    increment = lr * g / np.sqrt(denom)
    if momentum > 0:
        s["m"] = momentum * s.get("m", 0.0) + increment
        return w - s["m"]
    return w - increment


def adagrad(w, g, s, t, lr, initial_accumulator_value=0.1, epsilon=1e-7):
    s["acc"] = s.get("acc", initial_accumulator_value) + g * g
    return w - lr * g / np.sqrt(s["acc"] + epsilon)


def adadelta(w, g, s, t, lr, rho=0.95, epsilon=1e-7):
    s["eg"] = rho * s.get("eg", 0.0) + (1 - rho) * g * g
    delta = -np.sqrt(s.get("ed", 0.0) + epsilon) * g / np.sqrt(s["eg"] + epsilon)
    s["ed"] = rho * s.get("ed", 0.0) + (1 - rho) * delta * delta
    return w + lr * delta


def _rms(x):
    return np.sqrt(np.mean(np.square(x)))


def adafactor(w, g, s, t, lr, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3,
              clip_threshold=1.0, relative_step=True):
    if relative_step:
        lr = min(lr, 1 / np.sqrt(t))
    rho_t = min(lr, 1 / np.sqrt(t))
    alpha_t = max(epsilon_2, _rms(w)) * rho_t
    rg = g * g + epsilon_1
    b2 = 1 - t ** beta_2_decay
    if w.ndim >= 2:
        s["r"] = b2 * s.get("r", 0.0) + (1 - b2) * rg.mean(axis=-1)
        s["c"] = b2 * s.get("c", 0.0) + (1 - b2) * rg.mean(axis=-2)
        v = (s["r"] / s["r"].mean(axis=-1, keepdims=True))[..., None] * s["c"][..., None, :]
    else:
        v = s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * rg
    u = g / np.sqrt(v)
    u = u / max(1.0, _rms(u) / clip_threshold)
    return w - alpha_t * u


def lion(w, g, s, t, lr, beta_1=0.9, beta_2=0.99):
    m = s.get("m", 0.0)
    w = w - lr * np.sign(m * beta_1 + g * (1 - beta_1))
    s["m"] = m * beta_2 + g * (1 - beta_2)
    return w


def ftrl(w, g, s, t, lr, learning_rate_power=-0.5, initial_accumulator_value=0.1,
         l1_regularization_strength=0.0, l2_regularization_strength=0.0,
         l2_shrinkage_regularization_strength=0.0, beta=0.0):
    p = -learning_rate_power
    acc = s.get("acc", np.full_like(w, initial_accumulator_value))
    l2 = l2_regularization_strength + beta / (2 * lr)
    g_use = g + 2 * l2_shrinkage_regularization_strength * w
    new_acc = acc + g * g
    s["lin"] = s.get("lin", 0.0) + g_use - (new_acc ** p - acc ** p) / lr * w
    quadratic = new_acc ** p / lr + 2 * l2
    l1 = l1_regularization_strength
    s["acc"] = new_acc
    return (np.clip(s["lin"], -l1, l1) - s["lin"]) / quadratic


def run(update, weights, grad_steps, lr=0.01, hyper=None, lr_at=None, clipnorm=None,
        clipvalue=None, global_clipnorm=None, weight_decay=None, decay_mask=None,
        use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
        accumulation_steps=None, loss_scale_factor=None):
    """Keras's ``apply`` pipeline around ``update``; returns (weights, ema averages)."""
    hyper = hyper or {}
    ws = [np.array(w, dtype=np.float64) for w in weights]
    states = [{} for _ in ws]
    accs = [np.zeros_like(w) for w in ws]
    avgs = [np.zeros_like(w) for w in ws]
    decay_mask = decay_mask or [True] * len(ws)

    def update_all(gs, iterations, lr_now):
        if clipnorm:
            gs = [g * clipnorm / max(np.linalg.norm(g), clipnorm) for g in gs]
        elif global_clipnorm:
            norm = np.sqrt(sum(np.sum(g * g) for g in gs))
            gs = [g * global_clipnorm * min(1 / norm, 1 / global_clipnorm) for g in gs]
        elif clipvalue:
            gs = [np.clip(g, -clipvalue, clipvalue) for g in gs]
        if weight_decay is not None:
            for i, w in enumerate(ws):
                if decay_mask[i]:
                    ws[i] = w - w * weight_decay * lr_now
        for i, g in enumerate(gs):
            ws[i] = update(ws[i], g, states[i], iterations + 1, lr_now, **hyper)

    for k, gs in enumerate(grad_steps):
        gs = [np.array(g, dtype=np.float64) for g in gs]
        if loss_scale_factor:
            gs = [g / loss_scale_factor for g in gs]
        lr_now = lr_at(k) if lr_at else lr
        if accumulation_steps:
            iterations = k // accumulation_steps
            if (k + 1) % accumulation_steps == 0:
                update_all([(g + a) / accumulation_steps for g, a in zip(gs, accs)],
                           iterations, lr_now)
                accs = [np.zeros_like(a) for a in accs]
            else:
                accs = [a + g for a, g in zip(accs, gs)]
        else:
            iterations = k
            update_all(gs, iterations, lr_now)
        if use_ema:
            m = ema_momentum if iterations != 0 else 0.0
            avgs = [m * a + (1 - m) * w for a, w in zip(avgs, ws)]
            if ema_overwrite_frequency and (iterations + 1) % ema_overwrite_frequency == 0:
                ws = [a.copy() for a in avgs]
    return ws, avgs
