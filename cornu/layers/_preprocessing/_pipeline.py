"""Pipeline (preprocessing layers applied in order) and MaxNumBoundingBoxes (pads or
truncates the boxes of each image to a fixed number, so they batch)."""
from cornu import ops
from cornu.layers._preprocessing._image import ImageLayer
from cornu.layers.layer import Layer

__all__ = ["Pipeline", "MaxNumBoundingBoxes"]


class Pipeline(Layer):
    """Applies a sequence of preprocessing layers in order; unlike ``Sequential`` it
    is a single layer, so it can sit inside a ``tf.data``-style map or a model.

    ``training`` (default True, as in Keras: a pipeline usually augments) is passed to
    every layer that takes it, and each layer's output mask to the next one. Inputs
    may be dicts (``{"images": ..., "labels": ...}``) for layers that take them.

    Args:
        layers: a list of layers.
        name: the layer's name.

    Example:
        >>> pipeline = Pipeline([RandomFlip(), RandomRotation(0.2)])
        >>> pipeline(np.ones((2, 8, 8, 3))).shape
        torch.Size([2, 8, 8, 3])
    """

    def __init__(self, layers, name=None):
        super().__init__(name=name)
        if not isinstance(layers, (list, tuple)) or not all(
                isinstance(layer, Layer) for layer in layers):
            raise ValueError(
                f"Pipeline '{self.name}': `layers` must be a list of layers; received "
                f"layers={layers!r}.")
        self._pipeline_layers = list(layers)
        self.built = True

    @property
    def layers(self):
        """The layers, in the order they are applied."""
        return self._pipeline_layers

    def _convert_input(self, x):
        # Dicts and strings go to the first layer as they are; it converts them.
        if isinstance(x, (dict, list, tuple)):
            return x
        return super()._convert_input(x)

    def call(self, inputs, training=True, mask=None):
        outputs = inputs
        for layer in self._pipeline_layers:
            kwargs = {}
            if layer._call_has_mask and mask is not None:
                kwargs["mask"] = mask
            if layer._call_has_training and training is not None:
                kwargs["training"] = training
            outputs = layer(inputs, **kwargs)
            mask = getattr(outputs, "_keras_mask", None)
            inputs = outputs
        return outputs

    def get_config(self):
        from cornu.layers import serialize
        return {"layers": [serialize(layer) for layer in self._pipeline_layers],
                "name": self.name}

    @classmethod
    def from_config(cls, config):
        from cornu.layers import deserialize
        layers = config.get("layers")
        if not isinstance(layers, (list, tuple)):
            raise ValueError(
                "`Pipeline` config must contain a `layers` key mapping to a list of "
                f"serialized layers. Received config with layers={layers!r}.")
        return cls(layers=[deserialize(layer) for layer in layers], name=config.get("name"))


class MaxNumBoundingBoxes(ImageLayer):
    """Gives every image exactly ``max_number`` bounding boxes: extra boxes are dropped
    and missing ones padded with ``fill_value`` (boxes and labels alike).

    Inputs are dicts ``{"images": ..., "bounding_boxes": {"boxes": (B, N, 4),
    "labels": (B, N)}}`` (or one unbatched image with ``(N, 4)`` / ``(N,)``); images and
    any other entries pass through unchanged, as do plain image tensors.

    Args:
        max_number: the number of boxes per image in the output.
        fill_value: the value of padded boxes and labels (default -1).
        bounding_box_format: the boxes' format (e.g. ``"xyxy"``); required, as in
            Keras, when the inputs hold bounding boxes (the padding does not depend
            on it).
        data_format: the images' layout.

    Example:
        >>> layer = MaxNumBoundingBoxes(3, bounding_box_format="xyxy")
        >>> out = layer({"images": np.zeros((2, 8, 8, 3)), "bounding_boxes": {
        ...     "boxes": np.zeros((2, 1, 4)), "labels": np.zeros((2, 1))}})
        >>> out["bounding_boxes"]["boxes"].shape
        torch.Size([2, 3, 4])
    """

    def __init__(self, max_number, fill_value=-1, bounding_box_format=None, data_format=None,
                 **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.max_number = int(max_number)
        self.fill_value = int(fill_value)
        self.bounding_box_format = bounding_box_format
        if self.max_number <= 0:
            raise ValueError(f"MaxNumBoundingBoxes '{self.name}': `max_number` must be a "
                             f"positive integer; received max_number={max_number!r}.")

    def call(self, inputs, training=True):
        if not isinstance(inputs, dict):
            return self._tensor(inputs)
        outputs = dict(inputs)
        if "bounding_boxes" in inputs:
            if self.bounding_box_format is None:
                raise ValueError(
                    "You passed an input with a 'bounding_boxes' key, but you didn't "
                    "specify a bounding box format. Pass a `bounding_box_format` argument "
                    f"to your MaxNumBoundingBoxes layer '{self.name}', e.g. "
                    "`bounding_box_format='xyxy'`.")
            outputs["bounding_boxes"] = self._pad_boxes(inputs["bounding_boxes"])
        return outputs

    def _pad_boxes(self, bounding_boxes):
        extra = set(bounding_boxes) - {"boxes", "labels"}
        if extra:
            raise KeyError(f"MaxNumBoundingBoxes '{self.name}': there are unsupported keys "
                           f"in `bounding_boxes`: {sorted(extra)}. Only `boxes` and "
                           "`labels` are supported.")
        out = dict(bounding_boxes)
        out["boxes"] = self._fit(bounding_boxes["boxes"], 2)    # (B, max_number, 4)
        out["labels"] = self._fit(bounding_boxes["labels"], 1)  # (B, max_number)
        return out

    def _fit(self, x, item_rank):
        """Truncate or pad the box axis (the one before the ``item_rank - 1`` last)."""
        x = ops.convert_to_tensor(x)
        axis = len(x.shape) - item_rank
        if axis not in (0, 1):
            raise ValueError(
                f"MaxNumBoundingBoxes '{self.name}': expected boxes of shape (batch, N, 4) "
                f"or (N, 4) and labels of shape (batch, N) or (N,); received shape "
                f"{tuple(x.shape)}.")
        x = x[:, :self.max_number] if axis == 1 else x[:self.max_number]
        missing = self.max_number - x.shape[axis]
        if missing > 0:
            pad = [[0, 0]] * len(x.shape)
            pad[axis] = [0, missing]
            x = ops.pad(x, pad, constant_values=self.fill_value)
        return x

    def get_config(self):
        config = super().get_config()
        if self.bounding_box_format is None:
            config.pop("bounding_box_format", None)
        return config
