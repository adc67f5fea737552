"""Adaptive pooling: average or max pooling whose windows are chosen so that the
output has a fixed spatial size, whatever the input's.

Output position ``i`` of a dimension of length ``L`` pooled to ``n`` covers the input
slice ``[floor(i * L / n), ceil((i + 1) * L / n))``: the windows overlap by one when
``L`` is not a multiple of ``n`` (PyTorch's rule, which Keras 3 follows on every
backend). The ops call torch's own adaptive pooling kernels.
"""
from cornu import backend, ops
from cornu.layers._sizes import integral_sizes
from cornu.layers.input_spec import InputSpec
from cornu.layers.layer import Layer

__all__ = [
    "AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D", "AdaptiveAveragePooling3D",
    "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D",
]

_DIM_NAMES = {1: "length", 2: "(height, width)", 3: "(depth, height, width)"}


class BaseAdaptivePooling(Layer):
    """Shared by the six public classes; ``rank`` and ``pool_mode`` come from them.

    Args:
        output_size: an int (the same size for every spatial dimension) or a tuple of
            ``rank`` ints: the spatial size of the output.
        data_format: ``"channels_last"`` (default: ``image_data_format()``) or
            ``"channels_first"``.
    """

    rank = None
    pool_mode = None

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.output_size = self._output_size(output_size)
        self.data_format = backend.standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.built = True
        self._op = ops.adaptive_max_pool if self.pool_mode == "max" else \
            ops.adaptive_average_pool

    def _output_size(self, value):
        value = integral_sizes(value, "output_size")
        items = (value,) * self.rank if isinstance(value, int) else value
        if not isinstance(items, (tuple, list)) or len(items) != self.rank or not all(
                isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in items):
            raise TypeError(
                f"{type(self).__name__} layer '{self.name}': `output_size` must be a "
                f"positive int or a {_DIM_NAMES[self.rank]} tuple of {self.rank} positive "
                f"int(s); received output_size={value!r} (of type {type(value).__name__}).")
        return tuple(items)

    def call(self, inputs):
        return self._op(inputs, self.output_size, self.data_format)

    def compute_output_shape(self, input_shape):
        if self.data_format == "channels_last":
            return (input_shape[0], *self.output_size, input_shape[-1])
        return (input_shape[0], input_shape[1], *self.output_size)


def _make(name, rank, mode, doc):
    cls = type(name, (BaseAdaptivePooling,), {"rank": rank, "pool_mode": mode, "__doc__": doc,
                                               "__module__": __name__})
    cls.__qualname__ = name
    return cls


def _doc(mode, rank):
    dims = {1: "steps", 2: "height, width", 3: "depth, height, width"}[rank]
    return (
        f"Adaptive {mode} pooling over {rank}-D spatial data: the window sizes and "
        f"strides are chosen so the output has ``output_size``.\n\n"
        f"Args:\n"
        f"    output_size: an int or a tuple of {rank} int(s) ({dims}).\n"
        f"    data_format: ``\"channels_last\"`` (``(batch, {dims}, channels)``, the "
        f"default) or ``\"channels_first\"`` (``(batch, channels, {dims})``).\n\n"
        f"Example:\n"
        f"    >>> layer = Adaptive{mode.capitalize()}Pooling{rank}D(output_size=2)\n"
        f"    >>> layer(np.ones((1,{' 5,' * rank} 3))).shape\n"
        f"    torch.Size([1,{' 2,' * rank} 3])\n")


AdaptiveAveragePooling1D = _make("AdaptiveAveragePooling1D", 1, "average", _doc("average", 1))
AdaptiveAveragePooling2D = _make("AdaptiveAveragePooling2D", 2, "average", _doc("average", 2))
AdaptiveAveragePooling3D = _make("AdaptiveAveragePooling3D", 3, "average", _doc("average", 3))
AdaptiveMaxPooling1D = _make("AdaptiveMaxPooling1D", 1, "max", _doc("max", 1))
AdaptiveMaxPooling2D = _make("AdaptiveMaxPooling2D", 2, "max", _doc("max", 2))
AdaptiveMaxPooling3D = _make("AdaptiveMaxPooling3D", 3, "max", _doc("max", 3))
