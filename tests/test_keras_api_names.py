"""Every public name of Keras 3 exists in cornu at the same path.

The listing comes from the oracle script `fixtures/make_keras_api_names.py` (real
Keras 3.15.1). A few namespaces are delivered by issues of their own and are listed
in PENDING with the issue that delivers them; the second test fails as soon as one of
them is complete, so that the list only shrinks.
"""
import importlib
import pathlib
import types

import cornu

LISTING = pathlib.Path(__file__).with_name("fixtures") / "keras_api_names.txt"

# Namespaces (prefixes of dotted paths) whose names arrive with their own issues.
PENDING = {
    "keras.mixed_precision": "#14 (mixed precision and quantization)",
    "keras.dtype_policies": "#14",
    "keras.quantizers": "#14",
    "keras.DTypePolicy": "#14",
    "keras.FloatDTypePolicy": "#14",
    "keras.Quantizer": "#14",
    "keras.distribution": "#12 (keras.distribution)",
}


def keras_names():
    lines = LISTING.read_text().splitlines()
    assert lines[0].startswith("# keras 3."), lines[0]
    return [n for n in lines[1:] if n]


def resolve(path):
    """The cornu object at the Keras path ``keras.a.b`` (``a/`` for a module), or None."""
    parts = path.rstrip("/").split(".")[1:]
    obj = cornu
    for i, part in enumerate(parts):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            try:
                obj = importlib.import_module("cornu." + ".".join(parts[:i + 1]))
            except ImportError:
                return None
    if path.endswith("/") and not isinstance(obj, types.ModuleType):
        return None
    return obj


def pending(path):
    return next((issue for prefix, issue in PENDING.items() if path.startswith(prefix)), None)


def test_every_keras_name_exists_in_cornu():
    names = keras_names()
    assert len(names) > 1400
    missing = [n for n in names if pending(n) is None and resolve(n) is None]
    assert not missing, f"{len(missing)} Keras names missing from cornu:\n" + "\n".join(missing)


def test_pending_namespaces_are_still_pending():
    names = keras_names()
    for prefix, issue in PENDING.items():
        under = [n for n in names if n.startswith(prefix)]
        assert under, f"{prefix} matches no Keras name: drop it from PENDING"
        if all(resolve(n) is not None for n in under):
            raise AssertionError(
                f"every Keras name under {prefix} now exists in cornu ({issue}): "
                "remove it from PENDING so that the first test covers it")
