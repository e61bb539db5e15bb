"""Every benchmark runs, tiny, in the suite: a bench that breaks fails here, not in the README.

Nothing here is timed or compared with a target: the scripts print figures, this only checks
that each one runs to the end, exits 0, and labels its figures ([measured], [computed],
[counted]) so the README can keep the two kinds apart.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import need

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"

# script -> the tiny arguments; every script with a __main__ must be listed (checked below)
TINY = {
    "client.py": ["--tiny"],  # with python-amazon-sp-api from the test extra: the side-by-side figure too
    "faults.py": ["--cells", "3"],
    "footer.py": ["--requests", "20"],
    "inventory.py": ["120"],
    "load.py": ["--workers", "1", "--users", "2", "--rounds", "1", "--seconds", "60", "--think", "0.01", "--fresh", "1"],
    "orders.py": ["60", "--timeout", "120"],
    "products.py": ["--products", "120", "--events", "3", "--wall-events", "2", "--gap", "0.05"],
    "products_page.py": ["--products", "120", "--renders", "2"],
}
LABELS = ("[measured]", "[computed]", "[counted]")


def _scripts() -> set[str]:
    return {p.name for p in BENCH.glob("*.py") if '__name__ == "__main__"' in p.read_text(encoding="utf-8")}


def test_every_bench_script_has_a_tiny_run():
    assert _scripts() == set(TINY), "add the new bench script to TINY with tiny arguments"


@pytest.mark.parametrize("script", sorted(TINY))
def test_bench_runs_tiny(script, tmp_path):
    if script == "load.py":  # CI installs the bench extra: a missing gunicorn fails there
        need(bool(shutil.which("gunicorn", path=str(Path(sys.executable).parent))),
             "gunicorn is not installed (pip install -e '.[bench]')")
    env = dict(os.environ, PYTHONPATH=str(ROOT), TMPDIR=str(tmp_path))
    result = subprocess.run([sys.executable, str(BENCH / script), *TINY[script]], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    if script != "faults.py":  # the fault matrix prints a table of outcomes, not figures
        assert any(label in result.stdout for label in LABELS), result.stdout[-2000:]
