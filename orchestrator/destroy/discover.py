"""Which resources this workspace's provision created: the resource IDs of the latest
succeeded deployment in the group that created what the config names (its
`outputResources`), and the IDs the config itself names. Without such a deployment (the
resources were made by hand), the app's or job's environment is read from the resource.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from orchestrator.azure.deployments import Deployments
from orchestrator.azure.errors import ResourceGroupMissing
from orchestrator.azure.models import DeploymentSnapshot
from orchestrator.azure.teardown import Teardown
from orchestrator.azure.wire import text
from orchestrator.destroy.plan import Resource, classify


@dataclass(frozen=True)
class Known:
    """What the config names ("" for a key that is unset)."""

    subscription: str
    group: str
    workload: str  # the app, or with --finetune the job
    account: str
    share: str
    finetune: bool = False

    @property
    def group_id(self) -> str:
        return f"/subscriptions/{self.subscription}/resourceGroups/{self.group}"

    def ids(self) -> list[str]:
        kind = "jobs" if self.finetune else "containerApps"
        out = []
        if self.workload:
            out.append(f"{self.group_id}/providers/Microsoft.App/{kind}/{self.workload}")
        if self.account:
            account = f"{self.group_id}/providers/Microsoft.Storage/storageAccounts/{self.account}"
            out.append(account)
            if self.share:
                out.append(f"{account}/fileServices/default/shares/{self.share}")
        return out


@dataclass(frozen=True)
class Found:
    resources: tuple[Resource, ...]
    source: str  # "deployment NAME" or "the config"
    group_exists: bool = True


def latest_creator(
    deployments: Sequence[DeploymentSnapshot], known_ids: Sequence[str]
) -> DeploymentSnapshot | None:
    """The latest succeeded deployment whose resources include one the config names."""
    wanted = {rid.lower() for rid in known_ids}
    matching = [
        d
        for d in deployments
        if d.succeeded and wanted & {rid.lower() for rid in d.output_resources}
    ]
    return max(matching, key=lambda d: d.timestamp) if matching else None


def discover(known: Known, deployments: Deployments, teardown: Teardown) -> Found:
    try:
        history = deployments.list_deployments(known.group)
    except ResourceGroupMissing:
        return Found((), "the config", group_exists=False)
    ids = known.ids()
    creator = latest_creator(history, ids)
    if creator is not None:
        return Found(classify([*ids, *creator.output_resources]), f"deployment {creator.name}")
    return Found(classify([*ids, *environment_of(ids, teardown)]), "the config")


def environment_of(ids: Sequence[str], teardown: Teardown) -> list[str]:
    """The environment the config's app or job runs in (none when it is gone)."""
    workload = next((rid for rid in ids if "/providers/microsoft.app/" in rid.lower()), "")
    doc = teardown.read(workload) if workload else None
    if doc is None:
        return []
    env = text(doc, "properties", "environmentId") or text(
        doc, "properties", "managedEnvironmentId"
    )
    return [env] if env else []
