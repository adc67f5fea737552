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
# DenseNet, Inception, Xception, NASNet.
_MODULES |= {"densenet", "inception_resnet_v2", "inception_v3", "nasnet", "xception"}
_MODELS.update({
    "DenseNet121": "densenet", "DenseNet169": "densenet", "DenseNet201": "densenet",
    "InceptionV3": "inception_v3", "InceptionResNetV2": "inception_resnet_v2",
    "Xception": "xception", "NASNetMobile": "nasnet", "NASNetLarge": "nasnet",
})
# EfficientNet, EfficientNetV2, ConvNeXt, MobileNetV3.
_MODULES |= {"convnext", "efficientnet", "efficientnet_v2", "mobilenet_v3"}
_MODELS.update({f"EfficientNetB{i}": "efficientnet" for i in range(8)})
_MODELS.update({f"EfficientNetV2{v}": "efficientnet_v2"
                for v in ("B0", "B1", "B2", "B3", "S", "M", "L")})
_MODELS.update({f"ConvNeXt{v}": "convnext" for v in ("Tiny", "Small", "Base", "Large", "XLarge")})
_MODELS.update({"MobileNetV3Small": "mobilenet_v3", "MobileNetV3Large": "mobilenet_v3"})

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
