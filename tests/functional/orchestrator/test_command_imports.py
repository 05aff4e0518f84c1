"""What a command imports is what it uses: a `deploy` that lists the share and uploads a
changed file, and a no-change `provision`, run in fresh interpreters against localcloud,
import neither `concurrent.futures` nor `logging` (their threads are `orchestrator.threads`,
their SDK loggers are silenced without importing `logging`), nor our modules that hold only
what a failed request, a deployment or fine-tuning needs: ARM error trees (`errortree`, and
for deploy the deployment records `models` and their reader `parse`), the in-flight record
(`inflight`), the reuse of fine-tuning's resources (`provision.reuse`) and, for a deploy
that does not restart, the restart step (`deploy.rollout`)."""

from __future__ import annotations

from pathlib import Path

from deploy_support import provision
from fresh_support import run_fresh
from localcloud_fixture import LocalCloudHandle
from provision_support import cli_env

UNUSED_BY_BOTH = ("concurrent.futures", "logging", "orchestrator.azure.errortree")
UNUSED_BY_DEPLOY = (
    *UNUSED_BY_BOTH,
    "orchestrator.azure.models",
    "orchestrator.azure.parse",
    "orchestrator.deploy.rollout",
)
UNUSED_BY_PROVISION = (
    *UNUSED_BY_BOTH,
    "orchestrator.provision.inflight",
    "orchestrator.provision.reuse",
)


def run_in_fresh_interpreter(
    ws: Path, lc: LocalCloudHandle, unused: tuple[str, ...], *args: str
) -> str:
    """`RESULT <exit code> <the modules of unused that the command imported>`."""
    ran = run_fresh([*args, "-w", str(ws)], cwd=ws, env=cli_env(lc))
    return f"RESULT {ran.code} {[m for m in unused if m in ran.modules]}"


def test_deploy_and_a_no_change_provision_import_only_what_they_use(
    tmp_path: Path, localcloud: LocalCloudHandle
) -> None:
    provisioned = provision(tmp_path / "ws", localcloud)
    ws = provisioned.workspace
    deploy = ("deploy", "--no-restart")
    (ws / "inference" / "extra.txt").write_text("a file to upload\n")
    assert run_in_fresh_interpreter(ws, localcloud, UNUSED_BY_DEPLOY, *deploy) == "RESULT 0 []"
    (ws / "inference" / "extra.txt").write_text("changed\n")
    assert run_in_fresh_interpreter(ws, localcloud, UNUSED_BY_DEPLOY, *deploy) == "RESULT 0 []"
    group = provisioned.config["RESOURCE_GROUP_NAME"]
    no_change = ("provision", "-g", group)
    assert run_in_fresh_interpreter(ws, localcloud, UNUSED_BY_PROVISION, *no_change) == (
        "RESULT 0 []"
    )
