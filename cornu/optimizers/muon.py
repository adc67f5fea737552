"""Muon (``keras.optimizers.Muon``)."""
import re

from cornu import ops
from cornu.optimizers.optimizer import Optimizer


class Muon(Optimizer):
    """Muon: momentum SGD whose step is orthogonalised by Newton-Schulz iterations,
    with AdamW for the variables Muon does not suit.

    A 2D variable takes the Muon step: ``m = momentum * m + g``; the direction
    ``d = g + momentum * m`` (Nesterov) or ``d = m`` is replaced by an approximation of
    ``U V^T`` from its SVD (``ns_steps`` quintic Newton-Schulz iterations with
    coefficients ``muon_a, muon_b, muon_c``), and ``w -= lr * d`` scaled by
    ``sqrt(max(rows, cols)) * rms_rate`` (Moonlight's rule; not scaled when ``rms_rate``
    is None). Every other variable takes Keras's AdamW step with the learning rate
    ``lr * adam_lr_ratio``: those that are not 2D, those whose path contains
    "embedding" (when ``exclude_embeddings``) and those whose path matches a regular
    expression of ``exclude_layers``. Weight decay is ``weight_decay`` for Muon
    variables and ``adam_weight_decay`` for AdamW ones (either None: none).

    Args:
        learning_rate: Float, schedule or callable. Defaults to 0.001.
        adam_beta_1: Float. AdamW's first-moment decay. Defaults to 0.9.
        adam_beta_2: Float. AdamW's second-moment decay. Defaults to 0.999.
        adam_weight_decay: Float or None. Weight decay of the AdamW variables.
            Defaults to 0.004.
        epsilon: Float. AdamW's epsilon. Defaults to 1e-7.
        weight_decay: Float or None. Weight decay of the Muon variables. Defaults to 0.004.
        exclude_layers: List of regular expressions; variables whose path matches one
            use AdamW (typically the output layer's name).
        exclude_embeddings: Boolean. Variables with "embedding" in their path use AdamW.
            Defaults to True.
        muon_a, muon_b, muon_c: Floats. The Newton-Schulz coefficients.
        adam_lr_ratio: Float. AdamW's learning rate is ``learning_rate * adam_lr_ratio``.
            Defaults to 1.
        momentum: Float. Muon's momentum. Defaults to 0.95.
        ns_steps: Int. Newton-Schulz iterations. Defaults to 5.
        nesterov: Boolean. Nesterov momentum. Defaults to True.
        rms_rate: Float or None. Scale of the Muon step (see above). Defaults to 0.2.
        **kwargs: The base optimizer arguments (`clipnorm`, `use_ema`, ...).

    Example:

    ```python
    optimizer = cornu.optimizers.Muon(learning_rate=0.02, exclude_layers=["output"])
    ```
    """

    _hyperparameters = ("adam_beta_1", "adam_beta_2", "epsilon", "exclude_layers", "muon_a",
                        "muon_b", "muon_c", "adam_lr_ratio", "momentum", "ns_steps",
                        "nesterov", "exclude_embeddings", "adam_weight_decay", "rms_rate")

    def __init__(self, learning_rate=0.001, adam_beta_1=0.9, adam_beta_2=0.999,
                 adam_weight_decay=0.004, epsilon=1e-7, weight_decay=0.004, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, exclude_layers=None,
                 exclude_embeddings=True, muon_a=3.4445, muon_b=-4.7750, muon_c=2.0315,
                 adam_lr_ratio=1, momentum=0.95, ns_steps=5, nesterov=True, rms_rate=0.2,
                 **kwargs):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
            clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
            ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.adam_beta_1 = adam_beta_1
        self.adam_beta_2 = adam_beta_2
        self.epsilon = epsilon
        self.muon_a = muon_a
        self.muon_b = muon_b
        self.muon_c = muon_c
        self.adam_lr_ratio = adam_lr_ratio
        self.momentum = momentum
        self.ns_steps = ns_steps
        self.nesterov = nesterov
        self.exclude_embeddings = exclude_embeddings
        self.exclude_layers = list(exclude_layers or [])
        self.adam_weight_decay = adam_weight_decay
        self.rms_rate = rms_rate

    def _should_use_adamw(self, variable):
        """True for the variables that take the AdamW step (see the class docstring)."""
        if len(variable.shape) != 2:
            return True
        path = getattr(variable, "path", None) or variable.name
        if self.exclude_embeddings and "embedding" in path.lower():
            return True
        return any(re.search(pattern, path) for pattern in self.exclude_layers)

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        # Keras's order: each variable's momentum, then its velocity if it uses AdamW.
        self.momentums, self.adam_velocities, self._uses_adamw = [], [], []
        for var in var_list:
            adamw = self._should_use_adamw(var)
            self._uses_adamw.append(adamw)
            self.momentums.append(self.add_variable_from_reference(var, "momentum"))
            self.adam_velocities.append(
                self.add_variable_from_reference(var, "velocity") if adamw else None)

    def _apply_weight_decay(self, lr):
        decays = (self.adam_weight_decay, self.weight_decay)
        if decays == (None, None):
            return
        built = self._trainable_variables
        positions = self._positions if self._positions is not None else range(len(built))
        groups = {}
        for i, w in zip(positions, self._pick(built)):
            if not self._use_weight_decay(built[i]):
                continue
            decay = decays[0] if self._uses_adamw[i] else decays[1]
            if decay is not None:
                groups.setdefault(decay, []).append(w)
        for decay, params in groups.items():
            self._K.mul_(params, 1.0 - decay * lr)

    def _update_step(self, grads, lr):
        built = self._trainable_variables
        positions = self._positions if self._positions is not None else range(len(built))
        params = self._pick(built)
        momentums, velocities = self._pick(self.momentums), self._pick(self.adam_velocities)
        adam = ([], [], [], [])
        muon_w, muon_m, new_w, new_m = [], [], [], []
        for i, w, g, m, v in zip(positions, params, grads, momentums, velocities):
            if self._uses_adamw[i]:
                for group, x in zip(adam, (w, g, m, v)):
                    group.append(x)
                continue
            m_new = m * self.momentum + g
            direction = g + self.momentum * m_new if self.nesterov else m_new
            update = lr * self.zeropower_via_newtonschulz5(direction, self.ns_steps)
            if self.rms_rate is not None:  # Moonlight's scale, so Adam's lr and decay suit
                update = update * (max(w.shape[0], w.shape[1]) ** 0.5 * self.rms_rate)
            muon_w.append(w)
            muon_m.append(m)
            new_w.append(w - update)
            new_m.append(m_new)
        if muon_w:
            self._K.copy_(muon_m, new_m)
            self._K.copy_(muon_w, new_w)
        if adam[0]:
            f = self._scalar  # rounded as Keras rounds them (see ``_scalar``)
            t, one = f(self._local_step), f(1)
            alpha = float(f(lr * self.adam_lr_ratio) * (one - f(self.adam_beta_2) ** t) ** 0.5
                          / (one - f(self.adam_beta_1) ** t))
            self._K.adam_(*adam, None, alpha, self.adam_beta_1, self.adam_beta_2, self.epsilon)

    def zeropower_via_newtonschulz5(self, x, steps):
        """``x`` mapped close to the orthogonal factor ``U V^T`` of its SVD by ``steps``
        quintic Newton-Schulz iterations (``a x + (b A + c A^2) x``, ``A = x x^T``).

        Args:
            x: A tensor of rank >= 2 (the last two axes are the matrix).
            steps: Int. The number of iterations.

        Returns:
            A tensor of the shape of ``x``.
        """
        shape = tuple(x.shape)
        if len(shape) < 2:
            raise ValueError("Expected gradient or momentum to have at least 2 dimensions. "
                             f"Received: shape={shape}")
        a, b, c = self.muon_a, self.muon_b, self.muon_c
        tall = shape[-2] > shape[-1]
        if tall:  # iterate on the wide form: the Gram matrix is the smaller one
            x = ops.swapaxes(x, -1, -2)
        # the Frobenius norm bounds the spectral norm: scaled to at most 1
        x = x / (ops.sqrt(ops.sum(ops.square(x), axis=(-2, -1), keepdims=True)) + 1e-7)
        for _ in range(steps):
            gram = ops.matmul(x, ops.swapaxes(x, -1, -2))             # (rows, rows)
            x = a * x + ops.matmul(b * gram + ops.matmul(c * gram, gram), x)
        return ops.swapaxes(x, -1, -2) if tall else x
