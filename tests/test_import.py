"""`import cornu` stays cheap: nothing heavy is imported until it is used (STYLE.md)."""
import subprocess
import sys

HEAVY = ["torch._dynamo", "jax", "tensorflow", "keras", "h5py", "pydot", "PIL", "tensorboard",
         "scipy", "cornu.saving.keras_archive", "cornu.applications", "cornu.datasets.mnist"]


def test_import_cornu_leaves_heavy_modules_unloaded():
    # Measured against what `import torch` alone loads (torch itself may import pydot).
    code = ("import sys, torch; before = set(sys.modules); import cornu, cornu.datasets; "
            f"print([m for m in {HEAVY!r} if m in sys.modules and m not in before])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]", out.stdout


def test_building_a_model_does_not_import_the_compiler():
    code = ("import sys, numpy as np, cornu as keras\n"
            "m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])\n"
            "m.compile(optimizer='adam', loss='mse')\n"
            "m.fit(np.ones((8, 4)), np.ones((8, 2)), verbose=0)\n"
            "print('torch._dynamo' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_import_leaves_the_collector_on_with_the_import_objects_frozen():
    # gc is paused during the import and the engine's objects are frozen afterwards
    code = ("import gc; import cornu; "
            "print(gc.isenabled(), gc.get_freeze_count() > 100000, len(gc.get_objects()) < 10000)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.stdout.split() == ["True", "True", "True"], out.stderr
