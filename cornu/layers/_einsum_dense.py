"""EinsumDense: a dense layer written as an einsum (re-exported by cornu.layers.core)."""
import re

from cornu import activations, constraints, initializers, ops, regularizers
from cornu.layers._lora import LoraMixin
from cornu.layers._sizes import integral_sizes
from cornu.layers.input_spec import InputSpec
from cornu.layers.layer import Layer


class EinsumDense(LoraMixin, Layer):
    """``activation(einsum(equation, inputs, kernel) + bias)`` with a kernel of any rank.

    Args:
        equation: ``"ab,bc->ac"``-style: input, kernel and output subscripts. ``...``
            may stand for leading (``"...b,bc->...c"``) or trailing
            (``"ab...,bc->ac..."``) input axes.
        output_shape: the output's shape without the batch axis (and without the
            axes ``...`` stands for); ``None`` for an axis of unknown size.
        activation: an activation name or function.
        bias_axes: the output subscripts the bias varies along (None: no bias).
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
        kernel_constraint, bias_constraint: as for ``Dense``.
        lora_rank, lora_alpha: enable LoRA with this rank and scale.

    Example:
        >>> layer = EinsumDense("abc,cde->abde", output_shape=(None, 4, 8), bias_axes="de")
        >>> layer(np.ones((2, 5, 16))).shape
        torch.Size([2, 5, 4, 8])
    """

    def __init__(self, equation, output_shape, activation=None, bias_axes=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, lora_rank=None, lora_alpha=None,
                 quantization_config=None, **kwargs):
        if quantization_config is not None:
            raise NotImplementedError("EinsumDense: quantized kernels are not supported; "
                                      "pass quantization_config=None.")
        super().__init__(**kwargs)
        self.equation = equation
        output_shape = integral_sizes(output_shape, "output_shape")
        self.partial_output_shape = (output_shape,) if isinstance(output_shape, int) else (
            tuple(output_shape))
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.lora_rank = lora_rank
        self.lora_alpha = lora_alpha if lora_alpha is not None else lora_rank
        self.quantization_config = None

    def build(self, input_shape):
        kernel_shape, bias_shape, _ = analyze_einsum(
            self.equation, self.bias_axes, input_shape, self.partial_output_shape)
        self.input_spec = InputSpec(ndim=len(input_shape))
        self._kernel = self.add_weight(
            name="kernel", shape=kernel_shape, initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = None if bias_shape is None else self.add_weight(
            name="bias", shape=bias_shape, initializer=self.bias_initializer,
            regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True
        if self.lora_rank:
            self.enable_lora(self.lora_rank, self.lora_alpha)

    @property
    def kernel(self):
        """The kernel (with the LoRA update when enabled)."""
        if not self.built:
            raise AttributeError(f"EinsumDense '{self.name}' must be built before `kernel` "
                                 "can be read.")
        return self._lora_weight()

    def call(self, inputs):
        x = ops.einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            x = ops.add(x, self.bias)
        return x if self.activation is None else self.activation(x)

    def compute_output_shape(self, input_shape):
        return analyze_einsum(self.equation, self.bias_axes, input_shape,
                              self.partial_output_shape)[2]

    def get_config(self):
        config = super().get_config()
        config["output_shape"] = list(self.partial_output_shape)
        return self._lora_config(config)


def analyze_einsum(equation, bias_axes, input_shape, output_shape):
    """``(kernel_shape, bias_shape, full_output_shape)`` for an EinsumDense equation."""
    plain = equation.replace("...", "0")
    for pattern, left in ((r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$", False),
                          (r"0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)$", True),
                          (r"([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0$", False)):
        match = re.match(pattern, plain)
        if match:
            return _analyze(*match.groups(), bias_axes, tuple(input_shape), output_shape, left)
    raise ValueError(
        f"EinsumDense: invalid equation {equation!r}. Equations must be of the form "
        "[X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]....")


def _analyze(input_spec, weight_spec, output_spec, bias_axes, input_shape, output_shape,
             left_elided):
    elided = len(input_shape) - len(input_spec)
    out = [input_shape[0]] + list(output_shape)
    if elided > 0 and left_elided:
        out[1:1] = input_shape[1:elided]          # (batch, *elided, *output_shape)
    elif elided > 0:
        out += input_shape[len(input_shape) - elided:]  # (batch, *output_shape, *elided)
    offset = elided if left_elided else 0
    in_pos = {d: i + offset for i, d in enumerate(input_spec)}
    out_pos = {d: i + offset for i, d in enumerate(output_spec)}
    for d in input_spec:
        if d in out_pos and out[out_pos[d]] is not None and (
                out[out_pos[d]] != input_shape[in_pos[d]]):
            raise ValueError(
                f"EinsumDense: input shape and output shape do not match at shared "
                f"dimension '{d}': input {input_shape[in_pos[d]]}, output {out[out_pos[d]]}.")
    for d in output_spec:
        if d not in input_spec and d not in weight_spec:
            raise ValueError(
                f"EinsumDense: dimension '{d}' of the output spec '{output_spec}' has no "
                f"match in the input spec '{input_spec}' or the weight spec '{weight_spec}'.")
    kernel = []
    for d in weight_spec:
        if d in out_pos:
            kernel.append(out[out_pos[d]])
        elif d in in_pos:
            kernel.append(input_shape[in_pos[d]])
        else:
            raise ValueError(
                f"EinsumDense: weight dimension '{d}' has no match in the input spec "
                f"'{input_spec}' or the output spec '{output_spec}'; the weight must be "
                "fully specified.")
    bias = None
    if bias_axes is not None:
        for d in bias_axes:
            if d not in output_spec:
                raise ValueError(f"EinsumDense: bias dimension '{d}' is not part of the "
                                 f"output spec '{output_spec}'.")
        first = min(output_spec.find(d) for d in bias_axes)
        bias = [out[out_pos[d]] if d in bias_axes else 1 for d in output_spec[first:]]
        if not left_elided:
            bias += [1] * max(elided, 0)
    return tuple(kernel), None if bias is None else tuple(bias), tuple(out)
