"""cornu.applications: Keras's ImageNet models, with their preprocessing and decoding.

``cornu.applications.ResNet50(weights=None)`` builds the model; ``weights="imagenet"``
downloads Keras's published weights once (into ``$CORNU_HOME/models``). Each family
has its module, as in Keras: ``resnet50``, ``resnet``, ``resnet_v2``, ``vgg16``,
``vgg19``, ``mobilenet``, ``mobilenet_v2``, and ``imagenet_utils``. Everything is
imported on first use, so ``import cornu.applications`` costs nothing.
"""
import importlib

_MODULES = {"imagenet_utils", "mobilenet", "mobilenet_v2", "resnet", "resnet50", "resnet_v2",
            "vgg16", "vgg19"}
_MODELS = {
    "ResNet50": "resnet", "ResNet101": "resnet", "ResNet152": "resnet",
    "ResNet50V2": "resnet_v2", "ResNet101V2": "resnet_v2", "ResNet152V2": "resnet_v2",
    "VGG16": "vgg16", "VGG19": "vgg19",
    "MobileNet": "mobilenet", "MobileNetV2": "mobilenet_v2",
}

__all__ = sorted(_MODULES | set(_MODELS))


def __getattr__(name):
    if name in _MODULES:
        value = importlib.import_module(f"cornu.applications.{name}")
    elif name in _MODELS:
        value = getattr(importlib.import_module(f"cornu.applications.{_MODELS[name]}"), name)
    else:
        raise AttributeError(f"module 'cornu.applications' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | _MODULES | set(_MODELS))
