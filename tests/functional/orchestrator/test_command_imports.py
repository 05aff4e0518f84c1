"""What a command imports is what it uses: a `deploy` that lists the share and uploads a
changed file, and a no-change `provision`, run in fresh interpreters against localcloud,
import neither `concurrent.futures` nor `logging` (their threads are `orchestrator.threads`,
their SDK loggers are silenced without importing `logging`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from deploy_support import provision
from localcloud_fixture import LocalCloudHandle
from provision_support import cli_env

UNUSED = ("concurrent.futures", "logging")
RUN_AND_LIST_UNUSED_IMPORTS = (
    "import sys\n"
    "from orchestrator.cli import main\n"
    "rc = main(sys.argv[1:])\n"
    f"print('RESULT', rc, sorted(m for m in {UNUSED!r} if m in sys.modules))\n"
)


def run_in_fresh_interpreter(ws: Path, lc: LocalCloudHandle, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", RUN_AND_LIST_UNUSED_IMPORTS, *args, "-w", str(ws)],
        cwd=ws,
        env=cli_env(lc),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    results = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert results, done.stdout + done.stderr
    return results[-1]


def test_deploy_and_a_no_change_provision_import_no_executor_and_no_logging(
    tmp_path: Path, localcloud: LocalCloudHandle
) -> None:
    provisioned = provision(tmp_path / "ws", localcloud)
    ws = provisioned.workspace
    (ws / "inference" / "extra.txt").write_text("a file to upload\n")
    assert run_in_fresh_interpreter(ws, localcloud, "deploy", "--no-restart") == "RESULT 0 []"
    (ws / "inference" / "extra.txt").write_text("changed\n")
    assert run_in_fresh_interpreter(ws, localcloud, "deploy", "--no-restart") == "RESULT 0 []"
    group = provisioned.config["RESOURCE_GROUP_NAME"]
    assert run_in_fresh_interpreter(ws, localcloud, "provision", "-g", group) == "RESULT 0 []"
