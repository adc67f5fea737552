"""Keras 1/2 constructor arguments (``output_dim=``, ``border_mode=``, ``Conv2D(64, 3, 3)``)."""
import warnings

# Keras 1 name -> Keras 3 name, for any layer that takes the Keras 3 name.
RENAMES = {
    "output_dim": "units",
    "init": "kernel_initializer",
    "inner_init": "recurrent_initializer",
    "W_regularizer": "kernel_regularizer",
    "b_regularizer": "bias_regularizer",
    "U_regularizer": "recurrent_regularizer",
    "W_constraint": "kernel_constraint",
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
DROPPED = {"consume_less", "trainable_weights_init"}
_DIM_ORDERING = {"th": "channels_first", "tf": "channels_last"}
# Markers of a Keras 1 call: with them, Conv2D(64, 3, 3) means nb_filter, nb_row, nb_col.
_KERAS1_MARKERS = {"border_mode", "subsample", "init", "dim_ordering", "nb_filter", "nb_row",
                   "nb_col", "W_regularizer", "b_regularizer", "bias"}


def _warn(old, new):
    warnings.warn(f"`{old}` is a Keras 1 argument; use `{new}` instead.",
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
        rows = kwargs.pop("nb_row", None)
        cols = kwargs.pop("nb_col", None)
        if len(args) == 3:
            args, rows, cols = args[:1], args[1], args[2]
        _warn(f"{cls.__name__}(filters, nb_row, nb_col)",
              f"{cls.__name__}(filters, kernel_size=({rows}, {cols}))")
        kwargs["kernel_size"] = (rows, cols)
    for old in list(kwargs):
        if old in valid:
            continue
        if old in DROPPED:
            warnings.warn(f"`{old}` is a Keras 1 argument with no effect now; remove it.",
                          DeprecationWarning, stacklevel=4)
            kwargs.pop(old)
            continue
        new = RENAMES.get(old)
        if new is None or new not in valid:
            raise unknown_argument_error(f"{cls.__name__}()", old, valid)
        value = kwargs.pop(old)
        if old == "dim_ordering":
            value = _DIM_ORDERING.get(value, value)
        if old == "subsample_length" or old == "stride":
            value = value
        _warn(old, new)
        if new in kwargs:
            raise TypeError(f"{cls.__name__}() got both `{old}` (Keras 1) and `{new}`; "
                            f"pass only `{new}`.")
        kwargs[new] = value
    return args, kwargs
