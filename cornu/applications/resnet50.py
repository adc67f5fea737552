"""``keras.applications.resnet50``: ResNet50 with its preprocessing and decoding."""
from cornu.applications.resnet import ResNet50, decode_predictions, preprocess_input  # noqa: F401

__all__ = ["ResNet50", "decode_predictions", "preprocess_input"]
