"""python -m bench: run every (workload, implementation) in fresh processes, print the table.

Each figure is the median of ``--repeats`` runs, interleaved (cornu, torch,
cornu, torch, ...), each in its own process after warm-up. Fit rows compare
throughput (torch time / cornu time: higher is better), latency rows compare
latency (cornu time / torch time: lower is better); RSS is the child's peak RSS
over the torch reference's. Real Keras 3 runs only in ``--keras-python``.
"""
import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import time

from bench import report
from bench.specs import JIT_WORKLOADS, SPECS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workloads", default=",".join(SPECS),
                        help=f"comma-separated, from {','.join(SPECS)} (default: all)")
    parser.add_argument("--repeats", type=int, default=3, help="processes per figure")
    parser.add_argument("--steps", type=int, help="timed steps/calls for every workload "
                        "(default: each workload's own)")
    parser.add_argument("--threads", type=int, default=os.cpu_count(),
                        help="torch threads for every implementation (default: the cores)")
    parser.add_argument("--device", help="cpu or cuda (default: cuda when present)")
    parser.add_argument("--smoke", action="store_true",
                        help="2 steps, 1 repeat: checks that everything runs; no timing claims")
    parser.add_argument("--jit", action="store_true",
                        help="also run cornu with compile(jit_compile=True)")
    parser.add_argument("--keras-python", metavar="PATH",
                        help="an interpreter with real Keras 3 installed")
    parser.add_argument("--keras-backends", default="torch",
                        help="KERAS_BACKEND values to run Keras 3 with (default: torch)")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--save", metavar="FILE", help="also write every process's result "
                        "(JSON) to FILE")
    parser.add_argument("--load", metavar="FILE", help="print the table of a --save'd run "
                        "instead of running")
    parser.add_argument("--timeout", type=float, help="seconds per process (default 600; "
                        "120 with --smoke)")
    args = parser.parse_args(argv)
    args.workloads = [w.strip() for w in args.workloads.split(",") if w.strip()]
    unknown = [w for w in args.workloads if w not in SPECS]
    if unknown:
        parser.error(f"unknown workload(s) {unknown}; choose from {list(SPECS)}")
    if args.smoke:
        args.repeats, args.steps = 1, 2
    args.timeout = args.timeout or (120 if args.smoke else 600)
    return args


def child_env(threads):
    """The same threading environment for every implementation."""
    env = dict(os.environ)
    env.update(OMP_WAIT_POLICY="PASSIVE", OMP_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads), CORNU_BACKEND="torch",
               PYTHONPATH=os.pathsep.join(p for p in (ROOT, env.get("PYTHONPATH")) if p))
    return env


def run_child(python, workload, impl, args, env):
    """One ``python -m bench.run`` process; its JSON result (or the error it died with)."""
    cmd = [python, "-m", "bench.run", workload, impl, "--threads", str(args.threads)]
    if args.steps is not None:
        cmd += ["--steps", str(args.steps)]
    if args.smoke:
        cmd += ["--warmup", "1"]
    if args.device:
        cmd += ["--device", args.device]
    try:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {args.timeout:.0f} s"}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                pass
    tail = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
    return {"error": f"process failed: {tail}"}


def keras_impls(args, notes):
    """[(label, python, env)] for each Keras backend that imports in ``--keras-python``."""
    out = []
    if not args.keras_python:
        return out
    for backend in [b.strip() for b in args.keras_backends.split(",") if b.strip()]:
        env = child_env(args.threads)
        env["KERAS_BACKEND"] = backend
        probe = subprocess.run([args.keras_python, "-c", "import keras; print(keras.__version__)"],
                               env=env, cwd=ROOT, capture_output=True, text=True)
        if probe.returncode != 0:
            reason = (probe.stderr.strip().splitlines() or ["import failed"])[-1]
            notes.append(f"keras-{backend} skipped: `import keras` failed in "
                         f"{args.keras_python}: {reason}")
            continue
        notes.append(f"keras-{backend}: Keras {probe.stdout.strip()} in {args.keras_python}")
        out.append((f"keras-{backend}", args.keras_python, env))
    return out


def plan(args, keras):
    """The runs, in order: per workload, repeat after repeat, one of each implementation."""
    base_env = child_env(args.threads)
    impls = [("cornu", sys.executable, base_env, "cornu"),
             ("torch", sys.executable, base_env, "torch")]
    if args.jit:
        impls.append(("cornu-jit", sys.executable, base_env, "cornu-jit"))
    impls += [(label, python, env, "keras") for label, python, env in keras]
    runs = []
    for workload in args.workloads:
        for _ in range(args.repeats):
            for label, python, env, impl in impls:
                if impl == "cornu-jit" and workload not in JIT_WORKLOADS:
                    continue
                runs.append((workload, label, python, impl, env))
    return runs


def main(argv=None):
    args = parse_args(argv)
    if args.load:
        with open(args.load) as f:
            saved = json.load(f)
        return _print(args, saved["results"], saved["extra"], saved["notes"], saved["preamble"])
    notes = []
    keras = keras_impls(args, notes)
    runs = plan(args, keras)
    results = []
    started = time.perf_counter()

    def one(index_run):
        index, (workload, label, python, impl, env) = index_run
        result = run_child(python, workload, impl, args, env)
        shown = result.get("error") or result.get("missing") or {
            k: report.fmt_time(v) for k, v in result.get("times", {}).items()}
        print(f"[{index + 1}/{len(runs)}] {workload} {label}: {shown}", file=sys.stderr,
              flush=True)
        return dict(result, workload=workload, impl=label)

    # Timed runs go one at a time; a smoke run claims no timings, so it may overlap two.
    workers = 2 if args.smoke else 1
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(one, enumerate(runs)))
    extra = (["cornu-jit"] if args.jit else []) + [label for label, _, _ in keras]
    preamble = _preamble(args, time.perf_counter() - started)
    if args.save:
        with open(args.save, "w") as f:
            json.dump({"results": results, "extra": extra, "notes": notes,
                       "preamble": preamble}, f, indent=1)
    _print(args, results, extra, notes, preamble)


def _print(args, results, extra, notes, preamble):
    grouped = {}
    for result in results:
        grouped.setdefault((result["workload"], result["impl"]), []).append(result)
    summaries = {key: report.summarize(value) for key, value in grouped.items()}
    workloads = [w for w in SPECS if any(key[0] == w for key in grouped)]
    for workload in workloads:
        summaries.setdefault((workload, "torch"), {"failure": "not run"})
        summaries.setdefault((workload, "cornu"), {"failure": "not run"})
    header, rows = report.build_rows(workloads, summaries, extra, judge=not args.smoke)
    notes = list(notes)
    for (workload, label), summary in sorted(summaries.items()):
        if summary.get("failure", "").startswith("error"):
            notes.append(f"{workload} {label}: {summary['failure']}")
    print(preamble)
    print()
    print(report.render(header, rows, markdown=args.markdown))
    if notes:
        print()
        print("\n".join(("- " if args.markdown else "") + n for n in notes))


def _preamble(args, seconds):
    if args.smoke:
        return (f"SMOKE RUN ({args.steps} steps, 1 repeat, {seconds:.0f} s): checks that every "
                "workload runs; the figures are not timings.")
    return (f"Medians of {args.repeats} interleaved runs, each a fresh process "
            f"({args.threads} torch threads, OMP_WAIT_POLICY=PASSIVE; {seconds:.0f} s in all). "
            "'vs torch': on fit rows a throughput ratio, torch time / time (higher is better); "
            "on latency rows a latency ratio, time / torch time (lower is better). "
            "'RSS': peak RSS / the torch reference's peak RSS.")


if __name__ == "__main__":
    main()
