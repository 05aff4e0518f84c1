"""What `destroy` deletes and what it keeps (pure).

The workload (the inference app, or with `--finetune` the fine-tuning job) is deleted. The
shared part - the environment's storage link, the environment, the Log Analytics workspace
and the storage account with the file share that holds the fine-tuned models - is kept
unless `--all`. Deletion order: job, app, environment storage, environment, Log Analytics,
storage account (a share goes with its account). The resource group is never deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from orchestrator.azure.parse import resource_type_of

JOB = "job"
APP = "app"
ENV_STORAGE = "environment storage"
ENVIRONMENT = "environment"
LOG_ANALYTICS = "log analytics workspace"
STORAGE = "storage account"
SHARE = "file share"
ORDER = (JOB, APP, ENV_STORAGE, ENVIRONMENT, LOG_ANALYTICS, STORAGE, SHARE)
ROLE_OF_TYPE = {
    "microsoft.app/jobs": JOB,
    "microsoft.app/containerapps": APP,
    "microsoft.app/managedenvironments/storages": ENV_STORAGE,
    "microsoft.app/managedenvironments": ENVIRONMENT,
    "microsoft.operationalinsights/workspaces": LOG_ANALYTICS,
    "microsoft.storage/storageaccounts": STORAGE,
    "microsoft.storage/storageaccounts/fileservices/shares": SHARE,
}


def type_of(resource_id: str) -> str:
    return resource_type_of(resource_id).lower()


@dataclass(frozen=True)
class Resource:
    role: str
    resource_id: str

    @property
    def name(self) -> str:
        return self.resource_id.rstrip("/").rsplit("/", 1)[-1]

    def describe(self) -> str:
        return f"{self.role} {self.name}"


def classify(resource_ids: Iterable[str]) -> tuple[Resource, ...]:
    """The IDs of the roles `destroy` knows, once each (case-insensitive), in delete order."""
    seen: dict[str, Resource] = {}
    for rid in resource_ids:
        role = ROLE_OF_TYPE.get(type_of(rid))
        if role is not None and rid.lower() not in seen:
            seen[rid.lower()] = Resource(role, rid)
    return tuple(sorted(seen.values(), key=lambda r: (ORDER.index(r.role), r.name.lower())))


@dataclass(frozen=True)
class Scope:
    finetune: bool = False  # the job instead of the app
    everything: bool = False  # --all
    purge: bool = False  # --purge: Log Analytics force-deleted


@dataclass(frozen=True)
class Step:
    resource: Resource
    force: bool = False  # DELETE ?force=true (Log Analytics, --purge)

    def describe(self) -> str:
        tail = " (force: its name can be used again at once)" if self.force else ""
        return self.resource.describe() + tail


@dataclass(frozen=True)
class DestroyPlan:
    delete: tuple[Step, ...]
    keep: tuple[Resource, ...]
    with_account: tuple[Resource, ...] = ()  # shares deleted with their storage account
    confirm_word: str = ""  # what --all asks to type: the storage account's name

    @property
    def empty(self) -> bool:
        return not self.delete

    def lines(self) -> list[str]:
        out = [f"delete {step.describe()}" for step in self.delete]
        out += [f"delete {r.describe()} (with its storage account)" for r in self.with_account]
        out += [f"keep {r.describe()}" for r in self.keep]
        return out

    def as_data(self) -> dict[str, object]:
        return {
            "delete": [
                {"role": s.resource.role, "id": s.resource.resource_id, "force": s.force}
                for s in self.delete
            ],
            "delete_with_account": [
                {"role": r.role, "id": r.resource_id} for r in self.with_account
            ],
            "keep": [{"role": r.role, "id": r.resource_id} for r in self.keep],
        }


def plan(found: Sequence[Resource], scope: Scope) -> DestroyPlan:
    workload = JOB if scope.finetune else APP
    other = APP if scope.finetune else JOB
    delete: list[Step] = []
    keep: list[Resource] = []
    shares: list[Resource] = []
    for resource in found:
        if resource.role == workload:
            delete.append(Step(resource))
        elif resource.role == other:
            keep.append(resource)  # the other side of the workspace is not this command's
        elif resource.role == SHARE:
            (shares if scope.everything else keep).append(resource)
        elif scope.everything:
            delete.append(Step(resource, force=scope.purge and resource.role == LOG_ANALYTICS))
        else:
            keep.append(resource)
    accounts = [s.resource.name for s in delete if s.resource.role == STORAGE]
    return DestroyPlan(tuple(delete), tuple(keep), tuple(shares), accounts[0] if accounts else "")


def share_warning(destroy_plan: DestroyPlan) -> str:
    """--all: what is lost with the storage account."""
    if not destroy_plan.confirm_word:
        return ""
    shares = ", ".join(r.name for r in destroy_plan.with_account) or "its file shares"
    return (
        f"storage account {destroy_plan.confirm_word} holds the file share {shares}: the "
        "fine-tuned models, adapters and datasets on it are deleted with it"
    )
