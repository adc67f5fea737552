"""What each workload is: its kind, default step counts, layers it needs, and its targets.

Kept free of heavy imports: the driver reads it without importing torch.
"""
from dataclasses import dataclass, field

FIT = "fit"          # time per training step; ratio = torch time / cornu time (higher is better)
LATENCY = "latency"  # time per call; ratio = cornu time / torch time (lower is better)


@dataclass(frozen=True)
class Spec:
    """One workload.

    Args:
        name: the workload's name on the command line.
        kind: ``FIT`` or ``LATENCY``.
        steps: timed steps (fit) or timed calls (latency) in one process.
        warmup: steps or calls run before timing.
        batch: batch size (fit workloads).
        layers: the ``keras.layers`` names the workload needs; a missing one is reported
            as "n/a (missing: ...)" instead of failing the run.
        targets: measure name -> target time ratio (a floor for FIT, a ceiling for LATENCY).
    """
    name: str
    kind: str
    steps: int
    warmup: int
    batch: int = 0
    layers: tuple = ()
    targets: dict = field(default_factory=dict)


RSS_TARGET = 1.1  # peak RSS of cornu / peak RSS of the torch reference, at most

SPECS = {s.name: s for s in [
    Spec("mlp", FIT, steps=100, warmup=10, batch=128, layers=("Dense", "Dropout"),
         targets={"step": 1.0}),
    Spec("cnn", FIT, steps=20, warmup=3, batch=128,
         layers=("Conv2D", "MaxPooling2D", "Flatten", "Dropout", "Dense"),
         targets={"step": 1.0}),
    Spec("lstm", FIT, steps=10, warmup=2, batch=64, layers=("Embedding", "LSTM", "Dense"),
         targets={"step": 1.0}),
    Spec("tiny", FIT, steps=300, warmup=30, batch=32, layers=("Dense",),
         targets={"step": 0.8}),
    Spec("predict1", LATENCY, steps=2000, warmup=200, layers=("Dense", "Dropout"),
         targets={"model(x)": 1.5, "predict": 3.0}),
    Spec("layer_call", LATENCY, steps=3000, warmup=300, layers=("Dense",),
         targets={"linear": 1.5, "relu": 1.5}),
    Spec("import", LATENCY, steps=1, warmup=0, targets={"import": 1.2}),
    # keras.applications at 224x224 (weights=None): predict_on_batch latency at batch 1 and
    # 32, and training steps of batch 32. The torch reference is torchvision's model of the
    # same architecture; without torchvision those rows say "n/a (missing: torchvision)".
    Spec("resnet50", LATENCY, steps=5, warmup=1, layers=("Conv2D", "BatchNormalization"),
         targets={"batch1": 1.2, "batch32": 1.1}),
    Spec("effnetb0", LATENCY, steps=5, warmup=1, layers=("DepthwiseConv2D", "Normalization"),
         targets={"batch1": 1.3, "batch32": 1.1}),
    Spec("resnet50_fit", FIT, steps=2, warmup=1, batch=32,
         layers=("Conv2D", "BatchNormalization"), targets={"step": 0.9}),
    Spec("effnetb0_fit", FIT, steps=2, warmup=1, batch=32,
         layers=("DepthwiseConv2D", "Normalization"), targets={"step": 0.9}),
]}

# Workloads where ``compile(jit_compile=True)`` changes what is measured.
JIT_WORKLOADS = ("mlp", "cnn", "lstm", "tiny")
