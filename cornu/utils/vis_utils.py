"""``keras.utils.vis_utils`` (Keras 2): plot_model and model_to_dot, now in cornu.utils."""
from cornu.legacy.modules import warn_module
from cornu.utils.model_visualization import model_to_dot, plot_model

__all__ = ["plot_model", "model_to_dot"]
warn_module("keras.utils.vis_utils", "keras.utils")
