"""Where Keras's config conventions differ from what cornu's models read and write.

Node indices of nested models. cornu numbers the calls of a layer inside a
functional model from 0. Keras 3 does too inside ``inbound_nodes``, but in
``input_layers`` / ``output_layers`` it counts one more for a nested
``Functional`` (a node it used to create at construction). Keras 2 counts one
more everywhere for a nested model that starts with an ``InputLayer``. These
helpers convert between the two, so cornu's files match Keras's.

Neutral entries. Newer Keras versions add constructor arguments to objects
(``input_axes`` on initializers, ``quantization_config`` on layers...). At their
default values they change nothing, so they are dropped before loading.
"""

# Entries dropped from any nested object config when they hold their default value.
_NEUTRAL_EVERYWHERE = {"input_axes": None, "output_axes": None,
                       "quantization_config": None}


def drop_neutral_entries(config):
    """A copy of ``config`` without Keras entries that are at their no-op default."""
    if isinstance(config, list):
        return [drop_neutral_entries(v) for v in config]
    if not isinstance(config, dict):
        return config
    out = {}
    for key, value in config.items():
        if key in _NEUTRAL_EVERYWHERE and value == _NEUTRAL_EVERYWHERE[key]:
            continue
        out[key] = drop_neutral_entries(value)
    return out


def _is_legacy(layers):
    """Keras 2 writes inbound nodes as lists of ``[name, node, tensor, kwargs]``."""
    return any(isinstance(entry, dict) and entry.get("inbound_nodes") and isinstance(
        entry["inbound_nodes"][0], list) for entry in layers)


def _offset_layers(layers, legacy, resolve):
    """Names of nested layers whose node numbers Keras offsets by one."""
    names = set()
    for entry in layers:
        if not isinstance(entry, dict):
            continue
        name = entry.get("name") or (entry.get("config") or {}).get("name")
        cls = resolve(entry)
        if cls is None:
            continue
        from cornu.models.functional import Functional
        from cornu.models.sequential import Sequential
        if issubclass(cls, Functional):
            names.add(name)
        elif legacy and issubclass(cls, Sequential):
            inner = (entry.get("config") or {}).get("layers")
            if isinstance(inner, list) and inner and isinstance(inner[0], dict) and (
                    inner[0].get("class_name") == "InputLayer"):
                names.add(name)
    return names


def _shift(ref, names, delta):
    if (isinstance(ref, list) and len(ref) >= 3 and isinstance(ref[0], str)
            and isinstance(ref[1], int) and ref[0] in names):
        return [ref[0], max(ref[1] + delta, 0)] + list(ref[2:])
    if isinstance(ref, list):
        return [_shift(r, names, delta) for r in ref]
    if isinstance(ref, dict):
        return {k: _shift(v, names, delta) for k, v in ref.items()}
    return ref


def functional_to_keras(config, model):
    """Keras 3's numbering for a functional config cornu wrote for ``model``."""
    from cornu.models.functional import Functional
    names = {layer.name for layer in model.layers if isinstance(layer, Functional)}
    if not names:
        return config
    config = dict(config)
    for key in ("input_layers", "output_layers"):
        if key in config:
            config[key] = _shift(config[key], names, +1)
    return config


def functional_from_keras(config, resolve):
    """cornu's numbering for a functional config written by Keras 2 or 3 (or cornu).

    ``resolve(entry)`` gives the class a layer entry names, or None."""
    if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
        return config
    legacy = _is_legacy(config["layers"])
    names = _offset_layers(config["layers"], legacy, resolve)
    if not names:
        return config
    config = dict(config)
    for key in ("input_layers", "output_layers"):
        if key in config:
            config[key] = _shift(config[key], names, -1)
    if legacy:
        layers = []
        for entry in config["layers"]:
            if isinstance(entry, dict) and isinstance(entry.get("inbound_nodes"), list):
                entry = dict(entry, inbound_nodes=[_shift(node, names, -1)
                                                   for node in entry["inbound_nodes"]])
            layers.append(entry)
        config["layers"] = layers
    return config
