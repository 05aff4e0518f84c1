"""Every benchmark's `--quick` form runs to the end and writes its JSON report.

A smoke test only: the quick forms use small sizes on a shared machine, so no figure is
asserted (each script exits 0 with --quick whatever its targets say; `make bench` runs the
full forms and bench/RESULTS.md records them).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.functional, pytest.mark.slow]

BENCH = Path(__file__).resolve().parents[2] / "bench"
SCRIPTS = [
    "startup",
    "localcloud",
    "completion",
    "sync",
    "netsync",
    "largefile",
    "walls",
    "provision_az",
]


def test_every_benchmark_script_is_smoke_tested() -> None:
    found = {p.stem for p in BENCH.glob("*.py") if not p.stem.startswith("_")}
    helpers = {"azpeer", "lcsyncs", "compare"}  # imported by the scripts / needs a git ref
    owned_elsewhere = {p for p in found if p.startswith("finetune")}
    assert found - helpers - owned_elsewhere == set(SCRIPTS)


@pytest.mark.parametrize("name", SCRIPTS)
def test_the_quick_form_runs_and_writes_its_report(name: str, tmp_path: Path) -> None:
    out = tmp_path / f"{name}.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "ORCHESTRATOR_"))}
    done = subprocess.run(
        [sys.executable, str(BENCH / f"{name}.py"), "--quick", "--out", str(out)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(out.read_text())
    assert isinstance(report, dict) and report
