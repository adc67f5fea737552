"""Keras 1/2 constructor arguments (``output_dim=``, ``border_mode=``, ``Conv2D(64, 3, 3)``)."""
import warnings

# Keras 1 name -> Keras 3 name, for any layer that takes the Keras 3 name.
RENAMES = {
    "output_dim": "units",
    "init": ("kernel_initializer", "embeddings_initializer", "alpha_initializer"),
    "inner_init": "recurrent_initializer",
    "W_regularizer": ("kernel_regularizer", "embeddings_regularizer"),
    "b_regularizer": "bias_regularizer",
    "U_regularizer": "recurrent_regularizer",
    "W_constraint": ("kernel_constraint", "embeddings_constraint"),
    "beta_init": "beta_initializer",
    "gamma_init": "gamma_initializer",
    "sigma": "stddev",
    # TF 2.3/2.4 preprocessing layers
    "bins": "bin_boundaries",
    "max_values": "max_tokens",
    "mask_value": "mask_token",
    "oov_value": "oov_token",
    "max_tokens": "num_tokens",
    "p": "rate",
    "length": "size",
    "b_constraint": "bias_constraint",
    "U_constraint": "recurrent_constraint",
    "bias": "use_bias",
    "border_mode": "padding",
    "subsample": "strides",
    "subsample_length": "strides",
    "stride": "strides",
    "dim_ordering": "data_format",
    "nb_filter": "filters",
    "filter_length": "kernel_size",
    "pool_length": "pool_size",
    "dropout_W": "dropout",
    "dropout_U": "recurrent_dropout",
    "inner_activation": "recurrent_activation",
    "forget_bias_init": "unit_forget_bias",
    "input_dtype": "dtype",
    "atrous_rate": "dilation_rate",
    "depth_multiplier": "depth_multiplier",
}
# Keras 1 arguments that no longer mean anything: dropped with a warning.
# (Each applies only where the layer has no argument of that name.)
DROPPED = {"consume_less", "trainable_weights_init", "output_shape", "implementation",
           "time_major", "mode", "dropout"}
_DIM_ORDERING = {"th": "channels_first", "tf": "channels_last", "default": None}
# Markers of a Keras 1 call: with them, Conv2D(64, 3, 3) means nb_filter, nb_row, nb_col.
_KERAS1_MARKERS = {"border_mode", "subsample", "init", "dim_ordering", "nb_filter", "nb_row",
                   "nb_col", "W_regularizer", "b_regularizer", "bias"}


def _warn(old, new):
    warnings.warn(f"`{old}` is a Keras 1 spelling; use `{new}` instead.",
                  DeprecationWarning, stacklevel=4)


def translate(cls, args, kwargs, valid):
    """Rewrite Keras 1/2 arguments of ``cls(*args, **kwargs)`` to Keras 3 ones, warning for
    each; raise a TypeError naming the closest valid argument for anything unknown."""
    from cornu.layers.layer import unknown_argument_error
    kwargs = dict(kwargs)
    keras1 = bool(_KERAS1_MARKERS & set(kwargs))
    if "nb_row" in kwargs or "nb_col" in kwargs or (
            keras1 and len(args) == 3 and all(isinstance(a, int) for a in args)
            and "kernel_size" in valid):
        args, kwargs = _keras1_kernel(cls, args, kwargs)
    passes_on = _user_init_takes_kwargs(cls)
    for old in list(kwargs):
        if old in valid:
            continue
        candidates = RENAMES.get(old, ())
        candidates = (candidates,) if isinstance(candidates, str) else candidates
        if passes_on and not any(c in valid for c in candidates):
            # A user's own __init__(..., **kwargs) may consume it (PixelCNN's
            # `PixelConvLayer(mask_type, **kwargs)` hands them to a Conv2D it makes);
            # if it reaches Layer.__init__ unconsumed, that raises the same error.
            continue
        if old in DROPPED:
            warnings.warn(f"`{old}` is a Keras 1 argument with no effect now; remove it.",
                          DeprecationWarning, stacklevel=4)
            kwargs.pop(old)
            continue
        candidates = RENAMES.get(old, ())
        candidates = (candidates,) if isinstance(candidates, str) else candidates
        new = next((c for c in candidates if c in valid), None)  # the one this layer takes
        if new is None:
            raise unknown_argument_error(f"{cls.__name__}()", old, valid)
        value = kwargs.pop(old)
        if old == "dim_ordering":
            value = _DIM_ORDERING.get(value)
        _warn(old, new)
        if new in kwargs or new in _positional_names(cls, len(args)):
            raise TypeError(f"{cls.__name__}() got both `{old}` (Keras 1) and `{new}`; "
                            f"pass only `{new}`.")
        kwargs[new] = value
    return args, kwargs


def _user_init_takes_kwargs(cls):
    """Whether a constructor written outside cornu takes ``**kwargs``."""
    import inspect
    for klass in cls.__mro__:
        if klass.__module__.split(".")[0] == "cornu":
            return False  # cornu's classes (and the engine's below them) come after
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        params = inspect.signature(init).parameters.values()
        if any(p.kind is p.VAR_KEYWORD for p in params):
            return True
    return False


def _positional_names(cls, count):
    """The names of the first ``count`` constructor parameters (bound by position)."""
    import inspect
    params = [n for n, p in inspect.signature(cls.__init__).parameters.items()
              if n != "self" and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return params[:count]


def keras1_positional_kernel(cls, args, kwargs):
    """``Conv2D(64, 3, 3)`` as Keras 1 (and Keras 2's legacy layer) read it: filters,
    kernel rows, kernel columns — not ``strides=3``."""
    if len(args) == 3 and all(isinstance(a, int) and not isinstance(a, bool) for a in args) \
            and "strides" not in kwargs and "kernel_size" not in kwargs:
        return _keras1_kernel(cls, args, dict(kwargs))
    return args, kwargs


def _keras1_kernel(cls, args, kwargs):
    rows = kwargs.pop("nb_row", None)
    cols = kwargs.pop("nb_col", None)
    if len(args) == 3:
        args, rows, cols = args[:1], args[1], args[2]
    _warn(f"{cls.__name__}(filters, nb_row, nb_col)",
          f"{cls.__name__}(filters, kernel_size=({rows}, {cols}))")
    kwargs["kernel_size"] = (rows, cols)
    return args, kwargs
