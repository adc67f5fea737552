"""cornu.layers: Keras 3's ``keras.layers``, one module per layer family."""
from cornu.layers.layer import Layer, Node  # noqa: F401
from cornu.layers.input_spec import InputSpec  # noqa: F401
from cornu.layers.core import *  # noqa: F401,F403
from cornu.layers.merging import *  # noqa: F401,F403
from cornu.layers.regularization import *  # noqa: F401,F403
from cornu.layers.reshaping import *  # noqa: F401,F403
from cornu.layers.operation import OperationLayer  # noqa: F401
# Each family module lists its public layers (and Keras 1/2 aliases) in __all__.
from cornu.layers.activations import *  # noqa: F401,F403
from cornu.layers.attention import *  # noqa: F401,F403
from cornu.layers.convolutional import *  # noqa: F401,F403
from cornu.layers.normalization import *  # noqa: F401,F403
from cornu.layers.pooling import *  # noqa: F401,F403
from cornu.layers.preprocessing import *  # noqa: F401,F403
from cornu.layers.rnn import *  # noqa: F401,F403
from cornu.layers._adaptive_pooling import *  # noqa: F401,F403
from cornu.layers._reversible_embedding import *  # noqa: F401,F403
from cornu.layers._foreign import *  # noqa: F401,F403


def _all_layer_classes():
    import cornu.layers as module
    from cornu.applications.convnext import LayerScale, StochasticDepth
    classes = {name: obj for name, obj in vars(module).items()
               if isinstance(obj, type) and issubclass(obj, Layer)}
    # Keras's ConvNeXt defines two layers of its own: saved ConvNeXt models name them.
    classes.update(LayerScale=LayerScale, StochasticDepth=StochasticDepth)
    return classes


def serialize(layer):
    """A layer's ``{"module", "class_name", "config", ...}`` description."""
    from cornu.saving.serialization import serialize_keras_object
    return serialize_keras_object(layer)


def deserialize(config, custom_objects=None):
    """Make a layer from ``serialize``'s output (cornu's layers and registered ones only)."""
    from cornu.saving.serialization import deserialize_keras_object
    from cornu import models
    objects = dict(_all_layer_classes())
    objects.update({"Sequential": models.Sequential, "Functional": models.Functional,
                    "Model": models.Model})
    return deserialize_keras_object(config, module_objects=objects,
                                    custom_objects=custom_objects)
