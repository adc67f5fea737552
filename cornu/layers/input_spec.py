"""InputSpec: what a layer accepts, checked on every call so errors name the layer."""


class InputSpec:
    """The rank, dtype and fixed axis sizes a layer's input must have."""

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None,
                 axes=None, allow_last_axis_squeeze=False, name=None, optional=False):
        self.dtype = dtype
        self.shape = None if shape is None else tuple(shape)
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = {int(k): v for k, v in (axes or {}).items()}
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.name = name
        self.optional = optional

    def __repr__(self):
        parts = [f"{k}={v}" for k, v in (("dtype", self.dtype), ("shape", self.shape),
                 ("ndim", self.ndim), ("max_ndim", self.max_ndim),
                 ("min_ndim", self.min_ndim), ("axes", self.axes or None)) if v is not None]
        return f"InputSpec({', '.join(parts)})"

    def get_config(self):
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim,
                "max_ndim": self.max_ndim, "min_ndim": self.min_ndim, "axes": self.axes}


def _fail(layer, index, what, shape):
    raise ValueError(
        f"Input {index} of layer '{layer.name}' ({type(layer).__name__}) is incompatible "
        f"with the layer: expected {what}, but received input with shape {shape}. "
        "Check the shape of the data or of the previous layer's output.")


def check(layer, spec, x, index=0):
    """Raise a ValueError naming ``layer`` when tensor ``x`` does not fit ``spec``."""
    if x is None or not hasattr(x, "shape"):
        return
    shape = tuple(x.shape)
    ndim = len(shape)
    if spec.ndim is not None and ndim != spec.ndim and not (
            spec.allow_last_axis_squeeze and abs(ndim - spec.ndim) == 1):
        _fail(layer, index, f"ndim={spec.ndim}", shape)
    if spec.max_ndim is not None and ndim > spec.max_ndim:
        _fail(layer, index, f"at most {spec.max_ndim} dimensions", shape)
    if spec.min_ndim is not None and ndim < spec.min_ndim:
        _fail(layer, index, f"at least {spec.min_ndim} dimensions (min_ndim={spec.min_ndim})",
              shape)
    for axis, value in spec.axes.items():
        if value is None:
            continue
        try:
            got = shape[axis]
        except IndexError:
            _fail(layer, index, f"an axis {axis}", shape)
        if got is not None and got != value:
            _fail(layer, index, f"axis {axis} of input shape to have value {value}", shape)
    if spec.shape is not None:
        for want, got in zip(spec.shape, shape):
            if want is not None and got is not None and want != got:
                _fail(layer, index, f"shape {spec.shape}", shape)
