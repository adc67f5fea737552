"""``keras.utils.Config``: a dict of named settings with attribute access."""
import difflib
import json


class Config:
    """A dict-like container of named values (hyperparameters, run settings).

    Values are set and read as attributes or as dict items; ``freeze()`` makes
    the config read-only; ``to_json()`` writes it as JSON.

    Args:
        **kwargs: the initial entries.

    Example:

    >>> config = cornu.utils.Config(learning_rate=0.1, momentum=0.9)
    >>> config.seed = 123
    >>> config["seed"], config.learning_rate
    (123, 0.1)
    >>> config.freeze()
    >>> config.momentum = 0.5
    Traceback (most recent call last):
    ...
    ValueError: Cannot mutate attribute(s) because the config is frozen.
    """

    def __init__(self, **kwargs):
        object.__setattr__(self, "_config", dict(kwargs))
        object.__setattr__(self, "_frozen", False)

    @property
    def frozen(self):
        """True once ``freeze()`` was called (and not undone by ``unfreeze()``)."""
        return self._frozen

    def freeze(self):
        """Refuse any later change (setting, updating, popping or deleting an entry)."""
        object.__setattr__(self, "_frozen", True)

    def unfreeze(self):
        """Allow changes again."""
        object.__setattr__(self, "_frozen", False)

    def _raise_if_frozen(self):
        if self._frozen:
            raise ValueError("Cannot mutate attribute(s) because the config is frozen. "
                             "Call `unfreeze()` first to change it.")

    def as_dict(self):
        """A shallow copy of the entries as a plain dict."""
        return dict(self._config)

    def to_json(self):
        """The entries as a JSON string (they must be JSON-serializable)."""
        return json.dumps(self._config)

    def keys(self):
        """The entry names."""
        return self._config.keys()

    def values(self):
        """The entry values."""
        return self._config.values()

    def items(self):
        """The ``(name, value)`` pairs."""
        return self._config.items()

    def get(self, keyname, value=None):
        """The entry ``keyname``, or ``value`` when there is none."""
        return self._config.get(keyname, value)

    def pop(self, *args):
        """Remove an entry and return it, as ``dict.pop``."""
        self._raise_if_frozen()
        return self._config.pop(*args)

    def update(self, *args, **kwargs):
        """Add or replace entries, as ``dict.update``."""
        self._raise_if_frozen()
        self._config.update(*args, **kwargs)

    def __setattr__(self, name, value):
        if hasattr(type(self), name):  # the class's own names are not entries
            raise AttributeError(f"{name!r} is a method or property of Config; store the "
                                 f"value as an item instead: config[{name!r}] = ...")
        self._raise_if_frozen()
        self._config[name] = value

    def __getattr__(self, name):
        # Only called when normal lookup fails, i.e. for the entries.
        config = self.__dict__.get("_config", {})
        if name in config:
            return config[name]
        message = f"Unknown attribute: {name!r}."
        close = difflib.get_close_matches(name, [str(k) for k in config], n=1, cutoff=0.7)
        if close:
            message += f" Did you mean {close[0]!r}?"
        raise AttributeError(message)

    def __setitem__(self, key, item):
        self._raise_if_frozen()
        self._config[key] = item

    def __getitem__(self, key):
        return self._config[key]

    def __delitem__(self, key):
        self._raise_if_frozen()
        del self._config[key]

    def __contains__(self, item):
        return item in self._config

    def __iter__(self):
        return iter(sorted(self._config))

    def __len__(self):
        return len(self._config)

    def __repr__(self):
        return f"<Config {self._config}>"
