"""Container Apps quota as Azure reports it (read only):

    GET /subscriptions/{sub}/providers/Microsoft.App/locations/{loc}/usages
    GET …/resourceGroups/{rg}/providers/Microsoft.App/managedEnvironments/{env}/usages
    GET /subscriptions/{sub}/providers/Microsoft.App/locations/{loc}
        /availableManagedEnvironmentsWorkloadProfileTypes
    GET …/managedEnvironments/{env}               (does it exist; its workload profiles)

Lists follow nextLink. A usage item's count is read from `currentValue` or, where Azure has
sent it so (the az CLI's table reads it), `usage`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from orchestrator.azure.errors import NotFound
from orchestrator.azure.rest import ArmRest
from orchestrator.azure.wire import JsonObject, at, objects, text

USAGES_API = "2025-07-01"
PROFILE_TYPES_API = "2025-07-01"
ENVIRONMENT_API = "2025-07-01"


@dataclass(frozen=True)
class Usage:
    """One quota item: its API name, the portal's name, what is used and the limit."""

    name: str
    display: str
    current: float
    limit: float

    @property
    def free(self) -> float:
        return self.limit - self.current


@dataclass(frozen=True)
class EnvProfile:
    """A workload profile of an existing environment."""

    name: str
    type: str
    maximum: int = 0


@dataclass(frozen=True)
class ExistingEnvironment:
    id: str
    name: str
    location: str
    profiles: tuple[EnvProfile, ...]


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def usage_from_wire(doc: Mapping[str, object]) -> Usage | None:
    """A usage item ({name: {value, localizedValue}, currentValue | usage, limit}); None when
    it has no name or no numbers."""
    name = text(doc, "name", "value") or text(doc, "name")
    current = _number(doc.get("currentValue"))
    if current is None:
        current = _number(doc.get("usage"))
    limit = _number(doc.get("limit"))
    if not name or current is None or limit is None:
        return None
    return Usage(name, text(doc, "name", "localizedValue") or name, current, limit)


def environment_from_wire(doc: JsonObject) -> ExistingEnvironment:
    profiles = tuple(
        EnvProfile(
            text(p, "name"),
            text(p, "workloadProfileType"),
            int(_number(p.get("maximumCount")) or 0),
        )
        for p in objects(at(doc, "properties", "workloadProfiles"))
    )
    return ExistingEnvironment(text(doc, "id"), text(doc, "name"), text(doc, "location"), profiles)


class QuotaReader:
    """The quota reads of one subscription."""

    def __init__(self, rest: ArmRest, subscription: str) -> None:
        self._rest = rest
        self._sub = f"/subscriptions/{subscription}"

    def _location(self, location: str) -> str:
        return f"{self._sub}/providers/Microsoft.App/locations/{location}"

    def _usages(self, path: str, doing: str) -> tuple[Usage, ...]:
        found = (usage_from_wire(item) for item in self._rest.items(path, USAGES_API, doing))
        return tuple(u for u in found if u is not None)

    def region_usages(self, location: str) -> tuple[Usage, ...]:
        path = f"{self._location(location)}/usages"
        return self._usages(path, f"reading Container Apps usages in {location}")

    def environment_usages(self, group: str, env: str) -> tuple[Usage, ...]:
        path = f"{self._env(group, env)}/usages"
        return self._usages(path, f"reading the usages of environment {env}")

    def profile_types(self, location: str) -> tuple[str, ...]:
        """The workload profile types the region offers (their `name`s)."""
        path = f"{self._location(location)}/availableManagedEnvironmentsWorkloadProfileTypes"
        doing = f"reading the workload profile types of {location}"
        names = []
        for item in self._rest.items(path, PROFILE_TYPES_API, doing):
            names.append(text(item, "name") or text(item, "properties", "name"))
        return tuple(n for n in names if n)

    def environment(self, group: str, env: str) -> ExistingEnvironment | None:
        """The environment, or None when it does not exist."""
        try:
            doc = self._rest.get(self._env(group, env), ENVIRONMENT_API, f"reading {env}")
        except NotFound:
            return None
        return environment_from_wire(doc)

    def running_replicas(self, group: str, app: str) -> int:
        """Replicas of the app's active revisions now (0 when the app does not exist): the
        GPUs of a serverless profile it holds."""
        base = f"{self._sub}/resourceGroups/{group}/providers/Microsoft.App/containerApps/{app}"
        doing = f"listing the replicas of {app}"
        try:
            revisions = list(self._rest.items(f"{base}/revisions", ENVIRONMENT_API, doing))
        except NotFound:
            return 0
        count = 0
        for revision in revisions:
            if at(revision, "properties", "active") is True:
                path = f"{base}/revisions/{text(revision, 'name')}/replicas"
                count += sum(1 for _ in self._rest.items(path, ENVIRONMENT_API, doing))
        return count

    def environments(self, group: str) -> tuple[ExistingEnvironment, ...]:
        """The managed environments of a resource group (none when the group is missing)."""
        path = f"{self._sub}/resourceGroups/{group}/providers/Microsoft.App/managedEnvironments"
        try:
            found = list(
                self._rest.items(path, ENVIRONMENT_API, f"listing environments in {group}")
            )
        except NotFound:
            return ()
        return tuple(environment_from_wire(doc) for doc in found)

    def _env(self, group: str, env: str) -> str:
        return (
            f"{self._sub}/resourceGroups/{group}/providers/Microsoft.App/managedEnvironments/{env}"
        )
