"""The CLI run in a fresh interpreter, saying which modules it imported: how the tests of
lazy imports tell that a command imports only what it uses."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

RUN_AND_LIST_MODULES = (
    "import json, sys\n"
    "from orchestrator.cli import main\n"
    "rc = main(sys.argv[1:])\n"
    "print('RESULT', rc, json.dumps(sorted(sys.modules)))\n"
)


@dataclass(frozen=True)
class FreshRun:
    code: int
    modules: frozenset[str]  # every module imported by the end of the run
    stdout: str  # what the command printed (the RESULT line included)
    stderr: str

    def ours(self) -> set[str]:
        """The `orchestrator.*` modules imported."""
        return {name for name in self.modules if name.startswith("orchestrator.")}


def run_fresh(
    args: Sequence[str], *, cwd: Path, env: Mapping[str, str], timeout: float = 120
) -> FreshRun:
    """`orchestrator ARGS` through `orchestrator.cli.main` in a new interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", RUN_AND_LIST_MODULES, *args],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    said = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert said, done.stdout + done.stderr
    _, code, modules = said[-1].split(" ", 2)
    return FreshRun(int(code), frozenset(json.loads(modules)), done.stdout, done.stderr)
