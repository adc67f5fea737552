"""The benchmark harness runs end to end: ``python -m bench --smoke`` prints its table.

No timing is checked; a smoke run uses two steps and one process per figure.
"""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKLOADS = ["tiny", "layer_call", "import", "mlp"]


def test_smoke_run_prints_a_row_per_workload():
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--workloads", ",".join(WORKLOADS)],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("workload"))
    assert "cornu vs torch" in lines[header] and "RSS vs torch" in lines[header]
    rows = [line.split()[0] for line in lines[header + 2:] if line.strip()
            and not line.startswith(("-", "keras"))]
    for workload in WORKLOADS:
        assert workload in rows, (workload, proc.stdout)
    # Every implementation ran: no row reports a failed process.
    assert "error:" not in proc.stdout, proc.stdout


def test_markdown_table_and_missing_layers_do_not_crash(tmp_path):
    from bench import report
    from bench.specs import SPECS
    summaries = {("cnn", "cornu"): report.summarize([{"missing": ["Conv2D"], "rss_kb": 1}]),
                 ("cnn", "torch"): report.summarize([{"times": {"step": 0.01}, "rss_kb": 100}])}
    header, rows = report.build_rows(["cnn"], summaries, [])
    table = report.render(header, rows, markdown=True)
    assert table.startswith("| workload |")
    assert "n/a (missing: Conv2D)" in table
    assert SPECS["cnn"].targets
