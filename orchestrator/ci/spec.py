"""The workflow `orchestrator ci github` writes, as plain data (pure).

Two jobs: `deploy` (on a push to the branch that changes `infra/`, `inference/`, `setup/` or
the workflow itself, or run by hand) runs `orchestrator provision` then `orchestrator deploy`;
with `--finetune`, `finetune` (run by hand only) runs `orchestrator finetune run --wait`.
Each job: the GitHub environment (its protection rules, and the OIDC subject
`repo:OWNER/REPO:environment:ENV`), `id-token: write` and `contents: read` only, its own
concurrency group (a second run queues, none is cancelled), and a `timeout-minutes` that
covers the commands' own timeouts - for fine-tuning the job's replicaTimeout plus the sync and
the log tail.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from orchestrator import __version__

PACKAGE = f"aca-inference-orchestrator=={__version__}"
PYTHON = "3.12"
SETUP_MINUTES = 10  # check out, set up Python, install the tool, sign in
FINETUNE_SLACK_MINUTES = 30  # upload the training inputs, wait for a GPU, drain the logs
GITHUB_HOSTED_LIMIT_MINUTES = 360  # GitHub-hosted runners stop any job after 6 hours
GITHUB_HOSTED_PREFIXES = ("ubuntu-", "windows-", "macos-")
DEFAULT_REPLICA_TIMEOUT = 21600  # the Phi Silica templates' `timeout` (the larger family)
# What provision (infra/) and deploy (its default sources) read from the workspace.
DEPLOYED_FOLDERS = ("infra", "inference", "setup")


@dataclass(frozen=True)
class ActionPin:
    """An action pinned to the full commit SHA its release tag points to."""

    repository: str
    sha: str
    tag: str

    @property
    def uses(self) -> str:
        return f"{self.repository}@{self.sha}"


# The commit each tag points to in the action's own repository (`git rev-parse TAG^{commit}`;
# https://github.com/actions/checkout/releases/tag/v4.4.0,
# https://github.com/actions/setup-python/releases/tag/v5.6.0,
# https://github.com/Azure/login/releases/tag/v2.3.1).
CHECKOUT = ActionPin("actions/checkout", "11d5960a326750d5838078e36cf38b85af677262", "v4.4.0")
SETUP_PYTHON = ActionPin(
    "actions/setup-python", "a26af69be951a213d495a4c3e4e4022e16d87065", "v5.6.0"
)
AZURE_LOGIN = ActionPin("azure/login", "7184910d9eb2b1c5e48f7073824a90609bb9b6d6", "v2.3.1")


@dataclass(frozen=True)
class WorkflowSpec:
    name: str  # the file is .github/workflows/<name>.yml
    branch: str  # pushes to it provision and deploy
    environment: str  # "" = none (then the OIDC subject names the branch)
    finetune: bool
    working_directory: str  # the workspace inside the repository ("" = its root)
    provision_timeout: int  # seconds, passed to `orchestrator provision --timeout`
    deploy_timeout: int  # seconds, passed to `orchestrator deploy --timeout`
    replica_timeout: int  # seconds: the fine-tuning job's replicaTimeout
    package: str = PACKAGE
    python: str = PYTHON
    runs_on: str = "ubuntu-latest"

    @property
    def filename(self) -> str:
        return f"{self.name}.yml"

    @property
    def trigger_paths(self) -> tuple[str, ...]:
        """A push deploys only when what provision or deploy reads changed (or this file)."""
        prefix = f"{self.working_directory}/" if self.working_directory else ""
        watched = tuple(f"{prefix}{folder}/**" for folder in DEPLOYED_FOLDERS)
        return (*watched, f".github/workflows/{self.filename}")

    @property
    def deploy_minutes(self) -> int:
        waits = self.provision_timeout + self.deploy_timeout
        return math.ceil(waits / 60) + SETUP_MINUTES

    @property
    def finetune_minutes(self) -> int:
        return math.ceil(self.replica_timeout / 60) + FINETUNE_SLACK_MINUTES + SETUP_MINUTES

    @property
    def provision_command(self) -> str:
        return f"orchestrator provision --yes --timeout {self.provision_timeout}"

    @property
    def deploy_command(self) -> str:
        return f"orchestrator deploy --timeout {self.deploy_timeout}"

    @property
    def finetune_command(self) -> str:
        return "orchestrator finetune run --wait"

    def concurrency_group(self, job: str) -> str:
        return "-".join(part for part in (self.name, job, self.environment or self.branch) if part)

    @property
    def github_hosted(self) -> bool:
        return self.runs_on.startswith(GITHUB_HOSTED_PREFIXES)

    def warnings(self) -> list[str]:
        longest = self.finetune_minutes if self.finetune else self.deploy_minutes
        if longest <= GITHUB_HOSTED_LIMIT_MINUTES or not self.github_hosted:
            return []
        return [
            f"a job may take {longest} minutes, but GitHub-hosted runners stop jobs after "
            f"{GITHUB_HOSTED_LIMIT_MINUTES}: use a self-hosted runner (`--runs-on LABEL`) or a "
            "shorter `timeout` parameter for the fine-tuning job"
        ]


def replica_timeout_of(parameters: Mapping[str, Any]) -> int | None:
    """The fine-tuning job's `timeout` (its replicaTimeout) from a deploymentParameters
    document, when it is a positive integer."""
    entry = (parameters.get("parameters") or {}).get("timeout")
    value = entry.get("value") if isinstance(entry, Mapping) else None
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None
