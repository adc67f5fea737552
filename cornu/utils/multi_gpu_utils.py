"""``keras.utils.multi_gpu_utils`` (Keras 2.0-2.3): ``multi_gpu_model`` was removed in
Keras 2.4; cornu says what replaced it."""
from cornu.legacy.modules import warn_module

__all__ = ["multi_gpu_model"]


def multi_gpu_model(model, gpus=None, cpu_merge=True, cpu_relocation=False):
    """Keras 2's data-parallel replica of ``model``: removed; see the error."""
    raise RuntimeError(
        "multi_gpu_model() was removed in Keras 2.4. Train the model itself: on one GPU "
        "cornu uses it directly (CORNU_DEVICE=cuda); for several, launch the program with "
        "`torchrun` and use keras.distribution.DataParallel, or torch's "
        "DistributedDataParallel on the model (a cornu model is a torch.nn.Module).")


warn_module("keras.utils.multi_gpu_utils", "keras.distribution")
