"""cornu.datasets: datasets in Keras's ``load_data()`` form.

``digits`` ships inside cornu; the others download once through
``cornu.utils.get_file`` (into ``~/.cornu/datasets``) and are imported on first use.
"""
import importlib

from cornu.datasets import digits  # noqa: F401

_LAZY = {"mnist", "fashion_mnist", "cifar10", "cifar100", "imdb", "reuters", "boston_housing",
         "california_housing"}


def __getattr__(name):
    if name in _LAZY:
        module = importlib.import_module(f"cornu.datasets.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'cornu.datasets' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _LAZY)
