"""Keras 1/2 optimizer arguments (``lr=``, ``decay=``, ``epsilon=None``...) and the
TypeError for a misspelled one."""
import functools
import inspect
import warnings

# Accepted and ignored: they configured things that no longer exist.
_NO_EFFECT = {
    "schedule_decay": "Nadam's momentum schedule is fixed in Keras 3",
    "jit_compile": "compile the train step with `model.compile(jit_compile=True)` instead",
}
# Keys older configs (Keras 2, TF 2.11+) carry that mean nothing now: dropped silently.
_CONFIG_ONLY = {"jit_compile", "is_legacy_optimizer", "schedule_decay"}


@functools.lru_cache(maxsize=None)
def valid_arguments(cls):
    """Every keyword argument ``cls(...)`` accepts, from the constructors in its MRO."""
    names = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        for p in inspect.signature(init).parameters.values():
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name != "self":
                names.add(p.name)
    return frozenset(names)


def translate(cls, kwargs):
    """Warn for each Keras 2 argument in ``kwargs`` and return their modern values
    (``learning_rate`` from ``lr``, ``decay``); raise a TypeError for anything unknown."""
    out = {}
    for name, value in kwargs.items():
        if name == "lr":
            warnings.warn("`lr` is deprecated in Keras 3; use `learning_rate` instead.",
                          DeprecationWarning, stacklevel=4)
            out["learning_rate"] = value
        elif name == "decay":
            warnings.warn(
                "`decay` is deprecated in Keras 3; use a learning rate schedule instead: "
                "`learning_rate=keras.optimizers.schedules.InverseTimeDecay("
                "learning_rate, decay_steps=1, decay_rate=decay)`.",
                DeprecationWarning, stacklevel=4)
            out["decay"] = value
        elif name in _NO_EFFECT:
            warnings.warn(f"`{name}` has no effect in Keras 3 ({_NO_EFFECT[name]}); remove it.",
                          DeprecationWarning, stacklevel=4)
        else:
            from cornu.layers.layer import unknown_argument_error
            raise unknown_argument_error(f"{cls.__name__}()", name,
                                         valid_arguments(cls) | {"lr", "decay"})
    return out


def translate_config(config):
    """A config with Keras 2 keys rewritten quietly (loading an old file is not the
    user's spelling); returns ``(config, decay)``."""
    config = dict(config)
    if "lr" in config:
        lr = config.pop("lr")
        config.setdefault("learning_rate", lr)
    decay = float(config.pop("decay", 0.0) or 0.0)
    for key in _CONFIG_ONLY:
        config.pop(key, None)
    return config, decay


def default_epsilon(epsilon):
    """Keras 2's ``epsilon=None`` meant the backend's fuzz factor."""
    if epsilon is None:
        from cornu import backend
        return backend.epsilon()
    return epsilon
