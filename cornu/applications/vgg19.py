"""VGG19: 16 convolutions in 5 blocks, then 3 fully-connected layers."""
from cornu.applications import _vgg, imagenet_utils

# md5 of Keras's weight files: (with the top, without the top).
WEIGHTS_HASHES = ("cbe5617147190e668d6c5d5026f83318", "253f8cb515780f3b799900260a226db6")


def VGG19(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
          pooling=None, classes=1000, classifier_activation="softmax", name="vgg19"):
    return _vgg.vgg((2, 2, 4, 4, 4), name, include_top, weights, input_tensor, input_shape,
                    pooling, classes, classifier_activation, "vgg19", WEIGHTS_HASHES)


VGG19.__doc__ = _vgg.DOC.format(model="VGG19", size="143.7M", count=143667240,
                                module="vgg19")


def preprocess_input(x, data_format=None):
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top=5):
    return imagenet_utils.decode_predictions(preds, top=top)


preprocess_input.__doc__ = imagenet_utils.preprocess_doc("caffe")
decode_predictions.__doc__ = imagenet_utils.decode_predictions.__doc__
