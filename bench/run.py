"""One measurement in this (fresh) process; prints one JSON line.

    python -m bench.run WORKLOAD IMPL [--steps N] [--warmup N] [--threads N] [--profile FILE]

IMPL is ``cornu``, ``cornu-jit`` (``compile(jit_compile=True)``), ``torch`` (the
hand-written reference) or ``keras`` (real Keras 3, its backend from
``KERAS_BACKEND``; run this module with the interpreter that has it). The line
holds ``times`` (seconds per step or call, by measure), ``rss_kb`` (peak RSS of
this process), and ``missing`` or ``error`` when the workload could not run.
Only the standard library is imported up front, so ``import`` measures a cold import.
"""
import argparse
import json
import os
import resource
import sys
import time

IMPLS = ("cornu", "cornu-jit", "torch", "keras")


def _time_import(impl):
    module = {"cornu": "cornu", "torch": "torch", "keras": "keras"}[impl]
    t0 = time.perf_counter()
    __import__(module)
    return {"times": {"import": time.perf_counter() - t0}}


def _torch_sync(device):
    import torch
    if str(device).startswith("cuda"):
        return lambda _value: torch.cuda.synchronize()
    return lambda _value: None


def _jax_sync(value):
    if value is not None:
        import jax
        jax.block_until_ready(value)


def _measure(args):
    backend = os.environ.get("KERAS_BACKEND", "torch") if args.impl == "keras" else "torch"
    device = None
    if backend == "torch":
        import torch
        torch.set_num_threads(args.threads)
        device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    sync = _torch_sync(device) if backend == "torch" else _jax_sync
    if args.impl == "torch":
        from bench import torch_ref
        return torch_ref.run(args.workload, args.steps, args.warmup, sync, device)
    if args.impl == "keras":
        import keras
    else:
        if args.device:
            os.environ["CORNU_DEVICE"] = args.device
        import cornu as keras
    from bench import workloads
    return workloads.run(keras, args.workload, args.steps, args.warmup, sync,
                         jit=args.impl == "cornu-jit")


def main(argv=None):
    from bench.specs import SPECS
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workload", choices=sorted(SPECS))
    parser.add_argument("impl", choices=IMPLS)
    parser.add_argument("--steps", type=int, help="timed steps or calls (default: the spec's)")
    parser.add_argument("--warmup", type=int, help="warm-up steps or calls")
    parser.add_argument("--threads", type=int, default=os.cpu_count(),
                        help="torch.set_num_threads (default: the machine's cores)")
    parser.add_argument("--device", help="cpu, cuda, ... (default: cuda when present)")
    parser.add_argument("--profile", metavar="FILE",
                        help="cProfile the timed region; write the top functions to FILE")
    args = parser.parse_args(argv)
    spec = SPECS[args.workload]
    args.steps = spec.steps if args.steps is None else args.steps
    args.warmup = spec.warmup if args.warmup is None else args.warmup
    result = {"workload": args.workload, "impl": args.impl,
              "backend": os.environ.get("KERAS_BACKEND") if args.impl == "keras" else None}
    profiler = None
    if args.profile:
        import cProfile
        from bench import timing
        profiler = timing.profiler = cProfile.Profile()
    try:
        if args.workload == "import":
            result.update(_time_import(args.impl.replace("-jit", "")))
        else:
            result.update(_measure(args))
    except Exception as exc:  # reported in the table, not raised: one failure must not end a run
        message = " ".join(str(exc).split())
        result["error"] = f"{type(exc).__name__}: {message}"[:500]
    result["rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if profiler is not None:
        _write_profile(profiler, args.profile)
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


def _write_profile(profiler, path):
    import io
    import pstats
    out = io.StringIO()
    for key in ("cumulative", "tottime"):
        out.write(f"--- sorted by {key}\n")
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(key).print_stats(30)
    with open(path, "w") as f:
        f.write(out.getvalue())


if __name__ == "__main__":
    main()
