"""The results table: medians per (workload, implementation), ratios to torch, targets."""
import statistics

from bench.specs import FIT, RSS_TARGET, SPECS

DASH = "-"


def fmt_time(seconds):
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} us"


def summarize(runs):
    """Medians over one (workload, implementation)'s runs, or why it has none."""
    for run in runs:
        if "missing" in run:
            return {"failure": f"n/a (missing: {', '.join(run['missing'])})"}
    for run in runs:
        if "error" in run:
            return {"failure": f"error: {run['error']}"}
    if not runs:
        return {"failure": "not run"}
    times = {m: statistics.median(r["times"][m] for r in runs) for m in runs[0]["times"]}
    return {"times": times, "rss_kb": statistics.median(r["rss_kb"] for r in runs)}


def time_ratio(kind, seconds, torch_seconds):
    """Throughput ratio (torch / impl) for fit, latency ratio (impl / torch) otherwise."""
    return torch_seconds / seconds if kind == FIT else seconds / torch_seconds


def _short(text, width=48):
    return text if len(text) <= width else text[:width - 3] + "..."


def _impl_cells(kind, measure, summary, torch_summary, with_rss=True):
    """[time, ratio(, rss ratio)] cells of one implementation on one row."""
    if "failure" in summary:
        cells = [_short(summary["failure"]), DASH]
        return cells + [DASH] if with_rss else cells
    seconds = summary["times"].get(measure)
    if seconds is None:
        return [DASH] * (3 if with_rss else 2)
    cells = [fmt_time(seconds), DASH]
    rss = DASH
    if "failure" not in torch_summary and measure in torch_summary["times"]:
        cells[1] = f"{time_ratio(kind, seconds, torch_summary['times'][measure]):.2f}x"
        rss = f"{summary['rss_kb'] / torch_summary['rss_kb']:.2f}x"
    return cells + [rss] if with_rss else cells


def build_rows(workloads, summaries, extra_impls, judge=True):
    """Header and rows. ``summaries[(workload, impl)]``; ``extra_impls`` are the columns
    after cornu and torch (``cornu-jit``, ``keras-torch``, ...); ``judge=False`` leaves
    the "met" column empty (smoke runs make no timing claims)."""
    header = ["workload", "kind", "cornu", "torch", "cornu vs torch", "RSS vs torch",
              "target", "met"]
    for impl in extra_impls:
        header += [impl, f"{impl} vs torch"] + ([] if impl == "cornu-jit" else [
            f"{impl} RSS"])
    rows = []
    for workload in workloads:
        spec = SPECS[workload]
        torch_summary = summaries[(workload, "torch")]
        for measure, target in spec.targets.items():
            label = workload if measure in ("step", workload) else f"{workload} {measure}"
            kind = "fit/step" if spec.kind == FIT else "latency"
            cornu_cells = _impl_cells(spec.kind, measure, summaries[(workload, "cornu")],
                                      torch_summary)
            torch_cells = _impl_cells(spec.kind, measure, torch_summary, torch_summary)
            sign = ">=" if spec.kind == FIT else "<="
            row = [label, kind, cornu_cells[0], torch_cells[0], cornu_cells[1], cornu_cells[2],
                   f"{sign} {target}x, RSS <= {RSS_TARGET}x",
                   _met(spec.kind, target, cornu_cells) if judge else DASH]
            for impl in extra_impls:
                summary = summaries.get((workload, impl))
                with_rss = impl != "cornu-jit"
                if summary is None:
                    row += [DASH] * (3 if with_rss else 2)
                else:
                    row += _impl_cells(spec.kind, measure, summary, torch_summary, with_rss)
            rows.append(row)
    return header, rows


def _met(kind, target, cells):
    if cells[1] == DASH:
        return DASH
    ratio, rss = float(cells[1][:-1]), float(cells[2][:-1])
    missed = []
    if (ratio < target) if kind == FIT else (ratio > target):
        missed.append("time")
    if rss > RSS_TARGET:
        missed.append("RSS")
    return "yes" if not missed else f"no ({', '.join(missed)})"


def render(header, rows, markdown=False):
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    fmt = lambda row: "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip()  # noqa: E731
    return "\n".join([fmt(header), fmt(["-" * w for w in widths])] + [fmt(r) for r in rows])
