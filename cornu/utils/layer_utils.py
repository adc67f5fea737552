"""``keras.utils.layer_utils`` (Keras 2): count_params, print_summary, get_source_inputs."""
from cornu.legacy.modules import warn_module
from cornu.utils.operation_utils import get_source_inputs  # noqa: F401
from cornu.utils.summary_utils import count_params

__all__ = ["count_params", "print_summary", "get_source_inputs"]
warn_module("keras.utils.layer_utils", "keras.utils / model.summary()")


def print_summary(model, line_length=None, positions=None, print_fn=None, **kwargs):
    """``model.summary()``, as Keras 2's ``layer_utils.print_summary(model)``."""
    model.summary(line_length=line_length, positions=positions, print_fn=print_fn, **kwargs)
