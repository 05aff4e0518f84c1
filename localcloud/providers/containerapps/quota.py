"""Container Apps quota as pure decisions: the workload profile types, what each region offers,
the limits of a subscription and an environment, their usage, and the checks a managed
environment must pass (no I/O; the caller gives the stored documents).

Defaults (tests change them through `/_localcloud/quota`):
- regional: `ManagedEnvironmentCount` and `SubscriptionNCA100Gpus` (dedicated A100 GPUs) 100 -
  deliberately above Azure's defaults (15 environments per region, quotas.md; a dedicated A100
  limit of 1 was seen in microsoft/foundry-dev-tools#467) because these count every
  environment a long-lived localcloud holds, and one shared by many tests must not refuse
  the next by accident; set Azure's values with the admin API to mimic a new subscription;
- per environment: `ManagedEnvironmentConsumptionCores` 100, `...GeneralPurposeCores` 100,
  `...MemoryOptimizedCores` 50 (quotas.md), `ManagedEnvironmentConsumptionNCA100Gpus` 2 and
  `ManagedEnvironmentConsumptionT4Gpus` 2 (serverless GPUs "enabled by default" for
  pay-as-you-go; the number is assumed);
- offerings: every region offers the CPU and dedicated GPU types; the serverless GPU types
  follow gpu-serverless-overview.md (A100 and T4, or T4 only, by region).

Usage: environments per region; dedicated A100 GPUs = the sum of `maximumCount` x GPUs per
node of the region's NC*-A100 profiles; serverless GPUs = one per running replica of an app
or a job execution on a Consumption-GPU profile; cores = the containers' `resources.cpu` of
running replicas, by profile category. Admin `current` values are added on top.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from localcloud.providers.common import Problem


@dataclass(frozen=True)
class ProfileType:
    name: str
    display: str
    category: str
    cores: int
    memory_gib: int
    gpus: int = 0
    gpu_quota: str = ""  # the usage item its GPUs count toward
    serverless: bool = False


PROFILE_TYPES: tuple[ProfileType, ...] = (
    ProfileType("Consumption", "Consumption", "Consumption", 4, 8, serverless=True),
    *(
        ProfileType(f"D{n}", f"Dedicated-D{n}", "General purpose D-series", n, 4 * n)
        for n in (4, 8, 16, 32)
    ),
    *(
        ProfileType(f"E{n}", f"Dedicated-E{n}", "Memory optimized E-series", n, 8 * n)
        for n in (4, 8, 16, 32)
    ),
    *(
        ProfileType(
            f"NC{24 * g}-A100",
            f"Dedicated-NC{24 * g}-A100",
            "GPU NC A100 v4-series",
            24 * g,
            220 * g,
            g,
            "SubscriptionNCA100Gpus",
        )
        for g in (1, 2, 4)
    ),
    ProfileType(
        "Consumption-GPU-NC24-A100",
        "Consumption-GPU-NC24-A100",
        "Consumption GPU",
        24,
        220,
        1,
        "ManagedEnvironmentConsumptionNCA100Gpus",
        serverless=True,
    ),
    ProfileType(
        "Consumption-GPU-NC8as-T4",
        "Consumption-GPU-NC8as-T4",
        "Consumption GPU",
        8,
        56,
        1,
        "ManagedEnvironmentConsumptionT4Gpus",
        serverless=True,
    ),
)
BY_NAME = {p.name.lower(): p for p in PROFILE_TYPES}

A100_T4_REGIONS = (
    "australiaeast",
    "brazilsouth",
    "eastus",
    "italynorth",
    "swedencentral",
    "westus",
    "westus3",
)
T4_REGIONS = (
    "centralindia",
    "francecentral",
    "japaneast",
    "northcentralus",
    "southcentralus",
    "southeastasia",
    "southindia",
    "westeurope",
    "westus2",
)

REGIONAL_NAMES = {
    "ManagedEnvironmentCount": "Managed Environment Count",
    "SubscriptionNCA100Gpus": "Subscription NCA 100 GPUs",
}
ENVIRONMENT_NAMES = {
    "ManagedEnvironmentConsumptionCores": "Managed Environment Consumption Cores",
    "ManagedEnvironmentGeneralPurposeCores": "Managed Environment General Purpose Cores",
    "ManagedEnvironmentMemoryOptimizedCores": "Managed Environment Memory Optimized Cores",
    "ManagedEnvironmentConsumptionNCA100Gpus": "Managed Environment Consumption NCA100 GPUs",
    "ManagedEnvironmentConsumptionT4Gpus": "Managed Environment Consumption T4 GPUs",
}
DEFAULT_LIMITS: dict[str, float] = {
    "ManagedEnvironmentCount": 100,
    "SubscriptionNCA100Gpus": 100,
    "ManagedEnvironmentConsumptionCores": 100,
    "ManagedEnvironmentGeneralPurposeCores": 100,
    "ManagedEnvironmentMemoryOptimizedCores": 50,
    "ManagedEnvironmentConsumptionNCA100Gpus": 2,
    "ManagedEnvironmentConsumptionT4Gpus": 2,
}
CORE_ITEMS = {
    "Consumption": "ManagedEnvironmentConsumptionCores",
    "General purpose D-series": "ManagedEnvironmentGeneralPurposeCores",
    "Memory optimized E-series": "ManagedEnvironmentMemoryOptimizedCores",
}


def region(location: str) -> str:
    """`West US 3` -> `westus3`."""
    return location.replace(" ", "").lower()


def default_offering(location: str) -> tuple[str, ...]:
    loc = region(location)
    serverless = {"Consumption-GPU-NC24-A100", "Consumption-GPU-NC8as-T4"}
    if loc in T4_REGIONS:
        serverless = {"Consumption-GPU-NC8as-T4"}
    elif loc not in A100_T4_REGIONS:
        serverless = set()
    return tuple(
        p.name
        for p in PROFILE_TYPES
        if not p.name.startswith("Consumption-GPU") or p.name in serverless
    )


@dataclass(frozen=True)
class QuotaConfig:
    """What the admin API set: limits and extra usage by scope ("*", a region, or an
    environment's resource ID / name), and each region's offering."""

    limits: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    current: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    offerings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def limit(self, item: str, scopes: Iterable[str]) -> float:
        return _pick(self.limits, item, scopes, DEFAULT_LIMITS.get(item, 0))

    def extra(self, item: str, scopes: Iterable[str]) -> float:
        return _pick(self.current, item, scopes, 0)

    def offering(self, location: str) -> tuple[str, ...]:
        for key, types in self.offerings.items():
            if region(key) == region(location):
                return types
        return self.offerings.get("*") or default_offering(location)


def _pick(
    table: Mapping[str, Mapping[str, float]], item: str, scopes: Iterable[str], default: float
) -> float:
    lowered = {k.lower(): v for k, v in table.items()}
    for scope in (*scopes, "*"):
        values = {k.lower(): v for k, v in (lowered.get(scope.lower()) or {}).items()}
        if item.lower() in values:
            return float(values[item.lower()])
    return float(default)


# -- the documents quota reads ---------------------------------------------------------------
def profiles_of(env: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = (env.get("properties") or {}).get("workloadProfiles") or []
    return [p for p in found if isinstance(p, Mapping)]


def profile_type(env: Mapping[str, Any], profile_name: str | None) -> ProfileType | None:
    """The type behind an app's or job's `workloadProfileName` (none: Consumption)."""
    wanted = (profile_name or "Consumption").lower()
    for profile in profiles_of(env):
        if str(profile.get("name", "")).lower() == wanted:
            return BY_NAME.get(str(profile.get("workloadProfileType", "")).lower())
    return BY_NAME["consumption"] if wanted == "consumption" else None


def dedicated_gpus(env: Mapping[str, Any]) -> float:
    total = 0.0
    for profile in profiles_of(env):
        kind = BY_NAME.get(str(profile.get("workloadProfileType", "")).lower())
        if kind is not None and kind.gpu_quota == "SubscriptionNCA100Gpus":
            total += float(profile.get("maximumCount") or 0) * kind.gpus
    return total


@dataclass(frozen=True)
class Workload:
    """A running app or job execution: its profile type, replicas and cores per replica."""

    environment_id: str
    profile: ProfileType | None
    replicas: int
    cpu: float


def environment_usage(workloads: Iterable[Workload]) -> dict[str, float]:
    usage = dict.fromkeys(ENVIRONMENT_NAMES, 0.0)
    for w in workloads:
        if w.profile is None or w.replicas <= 0:
            continue
        if w.profile.gpu_quota in usage:
            usage[w.profile.gpu_quota] += w.profile.gpus * w.replicas
        core_item = CORE_ITEMS.get(w.profile.category)
        if core_item is not None:
            usage[core_item] += w.cpu * w.replicas
    return usage


def regional_usage(envs_in_region: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    envs = list(envs_in_region)
    return {
        "ManagedEnvironmentCount": float(len(envs)),
        "SubscriptionNCA100Gpus": sum(dedicated_gpus(e) for e in envs),
    }


def usage_items(
    names: Mapping[str, str], usage: Mapping[str, float], limits: Mapping[str, float]
) -> list[dict[str, Any]]:
    """The `value` of a usages answer (Usages.json: name, currentValue, limit, unit)."""
    return [
        {
            "unit": "Count",
            "name": {"value": item, "localizedValue": localized},
            "currentValue": _number(usage.get(item, 0.0)),
            "limit": _number(limits.get(item, 0.0)),
        }
        for item, localized in names.items()
    ]


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


# -- checks of a managed environment ---------------------------------------------------------
def property_problems(env_body: Mapping[str, Any]) -> list[Problem]:
    """Min/max node counts on a serverless (Consumption*) profile (terraform-provider-azurerm
    #31763, #31961)."""
    problems = []
    for profile in profiles_of(env_body):
        kind = BY_NAME.get(str(profile.get("workloadProfileType", "")).lower())
        if kind is None or not kind.serverless:
            continue
        for prop, label in (("minimumCount", "MinimumCount"), ("maximumCount", "MaximumCount")):
            if profile.get(prop) is not None:
                problems.append(
                    Problem(
                        400,
                        "WorkloadProfilePropertyNotSupported",
                        f"Workload Profile property '{label}' is not supported for "
                        f"{kind.name.replace('-', '_')}",
                        "properties.workloadProfiles",
                    )
                )
                break
    return problems


def offering_problems(env_body: Mapping[str, Any], offered: Iterable[str]) -> list[Problem]:
    """A profile type the region does not offer (`WorkloadProfileInvalidType`,
    Azure/azure-cli#30526)."""
    allowed = {t.lower() for t in offered}
    return [
        Problem(
            400,
            "WorkloadProfileInvalidType",
            f"Workload profile type '{kind.upper().replace('-', '_')}' is invalid.",
            "properties.workloadProfiles",
        )
        for kind in (str(p.get("workloadProfileType", "")) for p in profiles_of(env_body))
        if kind.lower() not in allowed
    ]


def regional_problems(
    subscription: str,
    location: str,
    env_body: Mapping[str, Any],
    is_new: bool,
    used: Mapping[str, float],
    limits: Mapping[str, float],
) -> list[Problem]:
    """Environment count and dedicated A100 GPUs in the region. `used` excludes this
    environment (its current document, when it exists)."""
    problems = []
    count_limit = limits["ManagedEnvironmentCount"]
    if is_new and used["ManagedEnvironmentCount"] + 1 > count_limit:
        problems.append(
            Problem(
                400,
                "MaxNumberOfRegionalEnvironmentsInSubExceeded",
                f"The subscription '{subscription}' cannot have more than "
                f"{_number(count_limit)} environments in {location}.",
            )
        )
    gpu_limit = limits["SubscriptionNCA100Gpus"]
    wanted = dedicated_gpus(env_body)
    if wanted and used["SubscriptionNCA100Gpus"] + wanted > gpu_limit:
        problems.append(
            Problem(
                400,
                "MaxRegionalQuotaExceeded",
                "Regional max quota limit threshold hit. The subscription "
                f"'{subscription}' cannot have more than {_number(gpu_limit)} "
                f"SubscriptionNCA100Gpus in region {location}.",
            )
        )
    return problems
