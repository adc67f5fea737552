"""keras.distillation: train a small student model from a large teacher model."""
from cornu.distillation.distillation_loss import (  # noqa: F401
    DistillationLoss, FeatureDistillation, LogitsDistillation)
from cornu.distillation.distiller import Distiller  # noqa: F401
