"""Timing helpers shared by the Keras-API workloads and the torch reference.

``profiler`` is set by ``python -m bench.run --profile``: then only the timed
regions are profiled, not model building or warm-up.
"""
import statistics
import time

profiler = None  # a cProfile.Profile while profiling


def _start():
    if profiler is not None:
        profiler.enable()
    return time.perf_counter()


def _stop(t0):
    elapsed = time.perf_counter() - t0
    if profiler is not None:
        profiler.disable()
    return elapsed


def time_once(fn):
    """Seconds taken by one call of ``fn`` (which must wait for its own results)."""
    t0 = _start()
    fn()
    return _stop(t0)


def time_calls(fn, calls, warmup, sync, chunks=5):
    """Median over ``chunks`` runs of the mean seconds per call; each call is synced."""
    for _ in range(warmup):
        sync(fn())
    per_chunk = max(1, calls // chunks)
    samples = []
    for _ in range(min(chunks, calls) or 1):
        t0 = _start()
        for _ in range(per_chunk):
            sync(fn())
        samples.append(_stop(t0) / per_chunk)
    return statistics.median(samples)
