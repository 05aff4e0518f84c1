"""Helpers for the provision-side functional tests: a workspace copied from the repo, the CLI
run as a subprocess against the test's localcloud, and SDK clients to look at the result.

Nothing is patched: the CLI finds localcloud through LOCALCLOUD_STATE_DIR and
`python -m localcloud status --json`, exactly as a user's shell would.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from localcloud_fixture import LocalCloudHandle, sdk_kwargs

REPO = Path(__file__).resolve().parents[3]
CONFIG_KEYS = (
    "SUBSCRIPTION_ID",
    "RESOURCE_GROUP_NAME",
    "STORAGE_ACCOUNT_NAME",
    "FILE_SHARE_NAME",
    "ACA_APP_NAME",
    "ACA_APP_ENDPOINT",
)


def make_workspace(root: Path) -> Path:
    """A workspace like the AI Toolkit's, with localcloud-friendly parameters as the default."""
    shutil.copytree(REPO / "infra", root / "infra")
    shutil.copytree(REPO / "inference", root / "inference")
    shutil.rmtree(root / "infra" / ".orchestrator", ignore_errors=True)
    provision = root / "infra" / "provision"
    shutil.copyfile(
        provision / "inference.localcloud.parameters.json", provision / "inference.parameters.json"
    )
    config = {"NOTE": "kept by provision"} | {key: None for key in CONFIG_KEYS}
    (root / "infra" / "inference.config.json").write_text(json.dumps(config, indent=2) + "\n")
    return root


def cli_env(lc: LocalCloudHandle, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "ORCHESTRATOR_"))}
    env.update({"LOCALCLOUD_STATE_DIR": str(lc.state_dir), "ORCHESTRATOR_CLOUD": "local"})
    env.update(extra)
    return env


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def json(self) -> Any:
        return json.loads(self.stdout)


def orchestrator_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "orchestrator", *args]


def run_cli(
    workspace: Path, lc: LocalCloudHandle, *args: str, timeout: float = 120, **env: str
) -> Ran:
    done = subprocess.run(
        orchestrator_argv(*args),
        cwd=workspace,
        env=cli_env(lc, **env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Ran(done.returncode, done.stdout, done.stderr)


def interruptible() -> None:
    """In a child before it runs the CLI: Ctrl-C (SIGINT) does what it does in a shell. A test
    run started in the background (`make test &`, some CI runners) has SIGINT ignored, and an
    ignored SIGINT is inherited: the CLI would never see the Ctrl-C these tests send."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_cli(workspace: Path, lc: LocalCloudHandle, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        orchestrator_argv(*args),
        cwd=workspace,
        env=cli_env(lc),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=interruptible,
    )


def config_text(workspace: Path) -> str:
    return (workspace / "infra" / "inference.config.json").read_text()


def config(workspace: Path) -> dict[str, Any]:
    return json.loads(config_text(workspace))  # type: ignore[no-any-return]


def deployments_client(lc: LocalCloudHandle) -> Any:
    from azure.mgmt.resource.deployments import DeploymentsMgmtClient

    return DeploymentsMgmtClient(lc.credential(), lc.subscription_id, **sdk_kwargs(lc))


def list_deployments(lc: LocalCloudHandle, group: str) -> list[dict[str, Any]]:
    client = deployments_client(lc)
    return [d.as_dict() for d in client.deployments.list_by_resource_group(group)]


def wait_for_deployment(lc: LocalCloudHandle, group: str, timeout: float = 30) -> dict[str, Any]:
    """The first deployment that appears in `group`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = list_deployments(lc, group)
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no deployment appeared in {group}")


def wait_until_done(lc: LocalCloudHandle, group: str, name: str, timeout: float = 60) -> str:
    client = deployments_client(lc)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = str(
            client.deployments.get(group, name).as_dict()["properties"]["provisioningState"]
        )
        if state.lower() in ("succeeded", "failed", "canceled"):
            return state
        time.sleep(0.2)
    raise AssertionError(f"{name} still running")


def requests_log(lc: LocalCloudHandle) -> list[dict[str, Any]]:
    return list(lc.admin("GET", "requests").json())


def add_fault(lc: LocalCloudHandle, **rule: Any) -> None:
    response = lc.admin("POST", "faults", json=rule)
    assert response.status_code < 300, response.text


def set_settings(lc: LocalCloudHandle, doc: dict[str, Any]) -> None:
    response = lc.admin("POST", "settings", json=doc)
    assert response.status_code < 300, response.text


def reset(lc: LocalCloudHandle) -> None:
    lc.admin("POST", "reset")


WRITE_METHODS = ("PUT", "PATCH", "DELETE")
READ_ONLY_POSTS = ("calculatetemplatehash", "/validate", "/whatif", "/oauth2/", "/token")


def is_write(entry: dict[str, Any]) -> bool:
    """A request that changes something (POST actions count, except read-only ones)."""
    method = str(entry["method"]).upper()
    path = str(entry["path"]).lower()
    if method in WRITE_METHODS:
        return True
    return method == "POST" and not any(part in path for part in READ_ONLY_POSTS)


def group_requests(log: Sequence[dict[str, Any]], group: str) -> list[dict[str, Any]]:
    return [e for e in log if f"/resourcegroups/{group.lower()}" in str(e["path"]).lower()]
