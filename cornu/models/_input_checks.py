"""Checks of the data a model is called on against its ``Input`` shapes.

Kept apart from the model classes so the call path pays one function call; each
check raises a ValueError that names the input, the expected shape and the shape
received, as Keras does ("expected shape=(None, 2), found shape=(8, 3)").
"""


def _shape(x):
    return tuple(None if d is None else int(d) for d in x.shape)


def check_input_shape(model, spec, x, index, key=None):
    """Refuse ``x`` when a dimension it has differs from the one the model input
    ``spec`` (a KerasTensor) fixes; the batch axis and unknown dimensions match
    anything. Inputs of another rank are left to the rank adjustment."""
    shape, expected = getattr(x, "shape", None), spec.shape
    if shape is None or len(shape) != len(expected):
        return
    for got, want in zip(tuple(shape)[1:], tuple(expected)[1:]):
        if got is not None and want is not None and int(got) != want:
            layer = getattr(spec, "_keras_history", None)
            name = layer[0].name if layer else spec.name
            where = f" (key {key!r})" if key is not None else ""
            raise ValueError(
                f"Input {index} with name '{name}'{where} of model '{model.name}' is "
                f"incompatible with the model: expected shape={tuple(expected)}, found "
                f"shape={_shape(x)}. Check that each input gets the array meant for it.")


def check_sequential_input(model, x, spec):
    """Refuse data a Sequential model (whose input is ``spec``) cannot take: a dict, a
    list of several inputs, or an array of the wrong shape."""
    if isinstance(x, dict):
        raise ValueError(
            f"Sequential model '{model.name}' takes a single input of shape "
            f"{tuple(spec.shape)}; received a dict with keys {sorted(x, key=str)}. Pass "
            "the array itself, or build a functional `Model` with named `Input`s to feed "
            "a dict.")
    if isinstance(x, (list, tuple)):
        if len(x) == 1:
            x = x[0]
        else:
            shapes = [tuple(getattr(v, "shape", ())) for v in x]
            detail = f" of shapes {shapes}" if any(shapes) else ""
            raise ValueError(
                f"Sequential model '{model.name}' takes a single input of shape "
                f"{tuple(spec.shape)}; received a list of {len(x)} inputs{detail}. If "
                "they are the rows of one array, pass `np.array(x)`.")
    check_input_shape(model, spec, x, 0)
    return x
