"""Probabilities that remember the logits they came from.

``sigmoid`` and ``softmax`` here tag their output with its input, and the
cross-entropies use those logits when they are given such an output with
``from_logits=False``. That is Keras 2's behaviour (and Keras 3's on TensorFlow):
a saturated ``Dense(1, activation="sigmoid")`` still gets a gradient, where
clipping the probability to ``[epsilon, 1 - epsilon]`` gives it none and the
model stays stuck at one class.

Only the activations a layer is given (``activation="sigmoid"``) are tagged, not
every ``ops.sigmoid``: the tag keeps the logits alive as long as the output.
"""
import torch

_TAG = "_keras_logits"


def _remember(probs, logits, axis):
    setattr(probs, _TAG, (logits, axis))
    return probs


def sigmoid(x):
    """``torch.sigmoid(x)``, remembering ``x``."""
    return _remember(torch.sigmoid(x), x, None)


def softmax(x, axis=-1):
    """``torch.softmax(x, axis)``, remembering ``x`` and ``axis``."""
    return _remember(torch.softmax(x, axis), x, axis)


def logits_of(probs, axis=None):
    """The logits ``probs`` was computed from (over ``axis`` for a softmax), or None.

    None as well when ``probs`` has been changed in place since."""
    tagged = getattr(probs, _TAG, None) if isinstance(probs, torch.Tensor) else None
    if tagged is None:
        return None
    logits, tagged_axis = tagged
    if (tagged_axis is None) != (axis is None) or (
            axis is not None and tagged_axis % probs.ndim != axis % probs.ndim):
        return None  # a sigmoid asked for as a softmax, or a softmax over another axis
    if not torch.compiler.is_compiling() and probs._version != 0:
        return None
    return logits
