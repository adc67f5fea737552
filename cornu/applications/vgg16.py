"""VGG16: 13 convolutions in 5 blocks, then 3 fully-connected layers."""
from cornu.applications import _vgg, imagenet_utils

# md5 of Keras's weight files: (with the top, without the top).
WEIGHTS_HASHES = ("64373286793e3c8b2b4e3219cbf3544b", "6d6bbae143d832006294945121d1f1fc")


def VGG16(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
          pooling=None, classes=1000, classifier_activation="softmax", name="vgg16"):
    return _vgg.vgg((2, 2, 3, 3, 3), name, include_top, weights, input_tensor, input_shape,
                    pooling, classes, classifier_activation, "vgg16", WEIGHTS_HASHES)


VGG16.__doc__ = _vgg.DOC.format(model="VGG16", size="138.4M", count=138357544,
                                module="vgg16")


def preprocess_input(x, data_format=None):
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top=5):
    return imagenet_utils.decode_predictions(preds, top=top)


preprocess_input.__doc__ = imagenet_utils.preprocess_doc("caffe")
decode_predictions.__doc__ = imagenet_utils.decode_predictions.__doc__
