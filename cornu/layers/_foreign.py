"""Layers that wrap another framework's computation: TFSMLayer (a TensorFlow
SavedModel), JaxLayer and FlaxLayer (JAX functions and Flax modules).

cornu runs on PyTorch and has neither TensorFlow nor a JAX backend, so these keep
Keras's constructor signatures (a program that names them fails at the line that
makes them) and raise, at construction, an error that says what to do instead.
"""
from cornu.layers.layer import Layer

__all__ = ["TFSMLayer", "JaxLayer", "FlaxLayer"]


class TFSMLayer(Layer):
    """Keras's layer for reloading a TensorFlow SavedModel for inference; it needs
    TensorFlow, so cornu raises ``NotImplementedError`` (the error Keras raises on
    a non-TensorFlow backend), with the alternatives.

    Args (Keras's): filepath, call_endpoint="serve", call_training_endpoint=None,
        trainable=True, name=None, dtype=None.
    """

    def __init__(self, filepath, call_endpoint="serve", call_training_endpoint=None,
                 trainable=True, name=None, dtype=None):
        raise NotImplementedError(
            f"TFSMLayer(filepath={filepath!r}, call_endpoint={call_endpoint!r}) reloads a "
            "TensorFlow SavedModel, which only TensorFlow can execute; cornu runs on "
            "PyTorch and cannot run it. Instead, save the original model in the Keras "
            "format (`model.save('model.keras')`) and load it with "
            "`cornu.saving.load_model('model.keras')`, or rebuild the model in code and "
            "load its weights with `model.load_weights('model.weights.h5')`.")


class JaxLayer(Layer):
    """Keras's layer that wraps a JAX function ``call_fn(params, [state], inputs, ...)``;
    it needs the JAX backend, which cornu does not have yet, so construction raises
    ``ValueError`` (the error Keras raises on the torch backend), with the
    alternatives.

    Args (Keras's): call_fn, init_fn=None, params=None, state=None, seed=None,
        native_serialization_platforms=None, **kwargs.
    """

    def __init__(self, call_fn, init_fn=None, params=None, state=None, seed=None,
                 native_serialization_platforms=None, **kwargs):
        raise ValueError(_jax_message(
            f"JaxLayer(call_fn={_describe(call_fn)})", "a JAX function"))


class FlaxLayer(JaxLayer):
    """Keras's layer that wraps a Flax ``linen.Module``; like ``JaxLayer`` it needs the
    JAX backend, so construction raises ``ValueError`` with the alternatives.

    Args (Keras's): module, method=None, variables=None, **kwargs.
    """

    def __init__(self, module, method=None, variables=None, **kwargs):
        raise ValueError(_jax_message(
            f"FlaxLayer(module={_describe(module)})", "a Flax module"))


def _describe(obj):
    return getattr(obj, "__name__", None) or type(obj).__name__


def _jax_message(what, kind):
    return (
        f"{what} wraps {kind}, which only the JAX backend can run; cornu runs on PyTorch "
        "and has no JAX backend, so it cannot be used here. Instead, write the "
        "computation as a torch.nn.Module and wrap it with "
        "`cornu.layers.TorchModuleWrapper(module)`, or write a `cornu.layers.Layer` subclass that "
        "creates its weights with `add_weight` in `build` and computes with `cornu.ops` "
        "in `call`.")
