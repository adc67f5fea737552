"""The seed programs (../shared/acceptance), unmodified, print CORPUS-OK on cornu.

Each runs in its own interpreter through the acceptance runner, which answers their
`keras` imports with cornu. Skipped where the shared folder is not beside the clone.
"""
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
ACCEPTANCE = ROOT.parent / "shared" / "acceptance"
SEEDS = sorted(p.name for p in ACCEPTANCE.glob("seed*.py")) if ACCEPTANCE.is_dir() else []


@pytest.mark.skipif(not SEEDS, reason="../shared/acceptance is not beside this checkout")
@pytest.mark.parametrize("seed", SEEDS)
def test_seed_program_prints_corpus_ok(seed, tmp_path):
    env = dict(os.environ, CORNU_HOME=str(tmp_path), PYTHONPATH=str(ROOT),
               OMP_WAIT_POLICY="PASSIVE")
    out = subprocess.run([sys.executable, str(ACCEPTANCE / "run.py"), str(ACCEPTANCE / seed)],
                         capture_output=True, text=True, env=env, timeout=600, cwd=tmp_path)
    tail = (out.stdout + out.stderr)[-3000:]
    assert out.returncode == 0, tail
    assert "CORPUS-OK" in out.stdout.splitlines()[-1], tail
