"""cornu.initializers: Keras 3's ``keras.initializers``.

An initializer is called as ``initializer(shape, dtype=None)`` and returns a
tensor of that shape and dtype (None means floatx). ``get`` turns a name
(``"glorot_uniform"``), a config dict or an object into an initializer.
"""
from cornu.initializers._lookup import Catalog, snake_case
from cornu.initializers.constant_initializers import STFT, Constant, Identity, Ones, Zeros
from cornu.initializers.initializer import Initializer
from cornu.initializers.random_initializers import (
    GlorotNormal, GlorotUniform, HeNormal, HeUniform, LecunNormal, LecunUniform, Orthogonal,
    RandomInitializer, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling,
    compute_fans,
)

# Keras 3's second names for two classes.
IdentityInitializer = Identity
OrthogonalInitializer = Orthogonal
STFTInitializer = STFT

_CLASSES = (Initializer, Zeros, Ones, Constant, Identity, STFT, RandomNormal, RandomUniform,
            TruncatedNormal, VarianceScaling, GlorotNormal, GlorotUniform, HeNormal, HeUniform,
            LecunNormal, LecunUniform, Orthogonal)
_OBJECTS = {cls.__name__: cls for cls in _CLASSES}
_OBJECTS.update({snake_case(cls.__name__): cls for cls in _CLASSES})
_OBJECTS.update(IdentityInitializer=Identity, OrthogonalInitializer=Orthogonal,
                STFTInitializer=STFT)

# Keras 3 exports the snake_case names as aliases of the classes
# (``keras.initializers.glorot_uniform(seed=1)``).
globals().update({name: cls for name, cls in _OBJECTS.items() if name.islower()})

_LEGACY = {
    "uniform": (RandomUniform, "'random_uniform'"),
    "normal": (RandomNormal, "'random_normal'"),
    "zero": (Zeros, "'zeros'"),
    "one": (Ones, "'ones'"),
}
_CATALOG = Catalog("initializer", _OBJECTS, _LEGACY)


def get(identifier):
    """An initializer from None, a name, a config dict, a class, or a callable.

    Example:

    >>> cornu.initializers.get("glorot_uniform")
    GlorotUniform(seed=None)
    """
    return _CATALOG.get(identifier)


def serialize(initializer):
    """Keras 3's config of ``initializer``:
    ``{"module": "keras.initializers", "class_name": ..., "config": ...,
    "registered_name": None}``."""
    return _CATALOG.serialize(initializer)


def deserialize(config, custom_objects=None):
    """An initializer from a name or from ``serialize``'s output."""
    return _CATALOG.deserialize(config, custom_objects)


def __getattr__(name):
    # Keras 1/2 module attributes: ``keras.initializers.normal(stddev=0.1)``.
    if name in _LEGACY:
        return _CATALOG.resolve(name)
    raise AttributeError(f"module 'cornu.initializers' has no attribute {name!r}")


def _register_with_the_backend():
    from cornu.backend.common import global_state
    global_state.initializer_from_name = get


_register_with_the_backend()
