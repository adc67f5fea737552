"""Answer a program's ``keras`` / ``tensorflow.keras`` / ``tf.keras`` imports with cornu.

``install()`` puts a finder first on ``sys.meta_path``: ``keras.X`` becomes
``cornu.X``, and so do ``tensorflow.keras.X`` and ``tensorflow.python.keras.X``.
Where TensorFlow is installed it still loads, with its ``keras`` attribute
replaced by cornu; where it is not, ``import tensorflow as tf`` gives a small
stand-in whose only content is ``tf.keras``. ``python -m cornu run program.py``
uses this.
"""
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import types

PREFIXES = ("tensorflow.python.keras", "tensorflow.keras", "keras")


class _TensorFlowStandIn(types.ModuleType):
    """``tensorflow`` when TensorFlow is not installed: ``tf.keras`` is cornu."""

    def __getattr__(self, name):
        raise AttributeError(
            f"`tensorflow.{name}` is TensorFlow's own, and TensorFlow is not installed: cornu "
            "answers only `tf.keras`. Install TensorFlow, or use the cornu/keras equivalent "
            "(e.g. `keras.ops`, `keras.utils.set_random_seed`).")


def _tf_data_stand_in():
    """``tf.data`` without TensorFlow: cornu's own datasets, which have tf.data's methods
    (``from_tensor_slices``, ``map``, ``batch``, ``shuffle``, ``prefetch``, ...), and its
    constants, so the input pipelines of Keras tutorials run. Anything else of
    ``tf.data`` says that TensorFlow is not installed."""
    from cornu.utils import _dataset

    class _Data(_TensorFlowStandIn):
        pass
    data = _Data("tensorflow.data")
    data.Dataset = _dataset.Dataset
    data.AUTOTUNE = _dataset.AUTOTUNE
    data.INFINITE_CARDINALITY = _dataset.INFINITE_CARDINALITY
    data.UNKNOWN_CARDINALITY = _dataset.UNKNOWN_CARDINALITY
    data.experimental = types.SimpleNamespace(AUTOTUNE=_dataset.AUTOTUNE)
    return data


class KerasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Map the Keras module names onto ``target`` (default "cornu")."""

    def __init__(self, target="cornu"):
        self.target = target

    def mapped(self, fullname):
        for prefix in PREFIXES:
            if fullname == prefix or fullname.startswith(prefix + "."):
                return self.target + fullname[len(prefix):]
        return None

    def find_spec(self, fullname, path=None, target=None):
        if fullname in ("tensorflow", "tensorflow.python"):
            if fullname == "tensorflow" and _imported_by_a_library():
                return None  # a library probing for TensorFlow: let it see the truth
            return self._tensorflow_spec(fullname, path, target)
        if self.mapped(fullname) is None:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def _tensorflow_spec(self, fullname, path, target):
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:  # the real TensorFlow: load it, then point .keras at cornu
                spec.loader = _PatchKeras(spec.loader, self)
                return spec
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec):
        if spec.name in ("tensorflow", "tensorflow.python"):
            module = _TensorFlowStandIn(spec.name)
            module.__path__ = []
            module.keras = importlib.import_module(self.target)
            if spec.name == "tensorflow":
                module.data = _tf_data_stand_in()
                sys.modules["tensorflow.data"] = module.data
            # TensorBoard imports `tensorflow` when it can; this module of its tells it to
            # use its own TensorFlow-free stub instead of the stand-in.
            sys.modules.setdefault("tensorboard.compat.notf",
                                   types.ModuleType("tensorboard.compat.notf"))
            return module
        module = importlib.import_module(self.mapped(spec.name))
        sys.modules[spec.name] = module
        return module

    def exec_module(self, module):
        pass


class _PatchKeras(importlib.abc.Loader):
    def __init__(self, loader, finder):
        self.loader, self.finder = loader, finder

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        target = importlib.import_module(self.finder.target)
        module.keras = target
        sys.modules[module.__name__ + ".keras"] = target


def _imported_by_a_library():
    """Whether the import statement being served is in an installed package's code."""
    frame = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not (filename.startswith("<frozen") or filename == __file__ or
                os.sep + "importlib" + os.sep in filename):
            break
        frame = frame.f_back
    if frame is None:
        return False
    filename = frame.f_code.co_filename
    return any(part in filename for part in ("site-packages", "dist-packages"))


def install(target="cornu"):
    """Answer Keras imports with ``target`` from now on (modules already imported stay)."""
    for finder in sys.meta_path:
        if isinstance(finder, KerasFinder):
            finder.target = target
            return finder
    finder = KerasFinder(target)
    sys.meta_path.insert(0, finder)
    return finder


def uninstall():
    """Stop answering Keras imports (modules already imported stay in ``sys.modules``)."""
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, KerasFinder)]
