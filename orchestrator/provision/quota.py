"""The GPU quota and region decision (pure): what a deployment needs (`gpuneeds`) against
what Azure reports (the region's workload profile types and usages, the environment's
usages), as findings - enough, not enough, or unknown - and the one message a shortfall
gives.

Quota items (learn.microsoft.com/azure/container-apps/quotas, "GPU quotas"): dedicated A100
GPUs count toward the subscription's `SubscriptionNCA100Gpus` in the region; serverless GPUs
toward the environment's `ManagedEnvironmentConsumptionNCA100Gpus` / `…T4Gpus` (an older
model: the subscription's `SubscriptionConsumptionNCA100Gpus` / `…T4Gpus` in the region). A
new environment needs one `ManagedEnvironmentCount`. Names match case-insensitively.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from orchestrator.azure.quota import ExistingEnvironment, Usage
from orchestrator.provision.gpuneeds import EnvironmentNeed, ProfileNeed

ENVIRONMENT_COUNT = "ManagedEnvironmentCount"
QUOTA_DOC = "https://learn.microsoft.com/azure/container-apps/quotas"

# gpu-serverless-overview.md (06/02/2025) and workload-profiles-overview.md: advisory; the
# region's own list (availableManagedEnvironmentsWorkloadProfileTypes) decides.
A100_AND_T4 = (
    "australiaeast",
    "brazilsouth",
    "eastus",
    "italynorth",
    "swedencentral",
    "westus",
    "westus3",
)
T4_ONLY = (
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
DEDICATED_A100 = ("westus3", "northeurope")


@dataclass(frozen=True)
class Unknown:
    """Azure did not say (the reason is shown)."""

    reason: str


@dataclass(frozen=True)
class RegionFacts:
    location: str
    offered: tuple[str, ...] | Unknown
    usages: tuple[Usage, ...] | Unknown


@dataclass(frozen=True)
class EnvFacts:
    """The environment as ARM has it: `existing` None when it is new."""

    existing: ExistingEnvironment | Unknown | None
    usages: tuple[Usage, ...] | Unknown
    in_use: Mapping[str, int] = field(default_factory=dict)  # profile (lower) → our replicas


@dataclass(frozen=True)
class Finding:
    verdict: str  # "ok" | "short" | "unknown"
    subject: str  # what was checked: "NC24-A100 GPUs (environment aienv1, profile GPU)"
    needed: str = ""
    available: str = ""
    quota: str = ""  # the usage item, or "region" for the offering
    profile_type: str = ""

    def text(self) -> str:
        if self.verdict == "unknown":
            return f"{self.subject}: cannot tell ({self.available})"
        if self.quota == "region":
            return f"{self.subject}: {self.available}"
        return f"{self.subject}: needs {self.needed}, available {self.available}"

    def as_data(self) -> dict[str, object]:
        return {
            "verdict": self.verdict,
            "subject": self.subject,
            "needed": self.needed or None,
            "available": self.available or None,
            "quota": self.quota or None,
            "profile_type": self.profile_type or None,
        }


@dataclass(frozen=True)
class RegionOption:
    """A candidate region: does it offer the type, and how many GPUs are free there."""

    location: str
    offers: bool
    free: float | None = None  # None: the region's usages do not say


def find_usage(usages: Sequence[Usage], names: Sequence[str]) -> Usage | None:
    wanted = [n.lower() for n in names]
    for name in wanted:
        for usage in usages:
            if usage.name.lower() == name:
                return usage
    return None


def _count(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def _gpus(n: float) -> str:
    return f"{_count(n)} GPU{'s' if n != 1 else ''}"


def _compare(subject: str, need: float, usage: Usage, profile_type: str) -> Finding:
    verdict = "ok" if usage.free >= need else "short"
    available = f"{_count(max(usage.free, 0))} of {_count(usage.limit)} ({usage.name})"
    return Finding(verdict, subject, _gpus(need), available, usage.name, profile_type)


def offering(location: str, profile: ProfileNeed, offered: tuple[str, ...] | Unknown) -> Finding:
    subject = f"workload profile type {profile.type} in {location}"
    if isinstance(offered, Unknown):
        return Finding("unknown", subject, available=offered.reason, profile_type=profile.type)
    if any(t.lower() == profile.type.lower() for t in offered):
        return Finding("ok", subject, available="offered", quota="region")
    return Finding(
        "short", subject, "offered", f"{location} does not offer it", "region", profile.type
    )


def decide(need: EnvironmentNeed, region: RegionFacts, env: EnvFacts) -> list[Finding]:
    """Every finding for one environment of the template."""
    findings = [offering(region.location, p, region.offered) for p in need.profiles]
    if env.existing is None:
        findings.append(_environment_count(need, region))
    for profile in need.profiles:
        findings.append(_profile(need, profile, region, env))
    return findings


def _environment_count(need: EnvironmentNeed, region: RegionFacts) -> Finding:
    subject = f"a new environment {need.name or ''} in {region.location}".replace("  ", " ")
    if isinstance(region.usages, Unknown):
        return Finding("unknown", subject, available=region.usages.reason)
    usage = find_usage(region.usages, (ENVIRONMENT_COUNT,))
    if usage is None:
        return Finding("unknown", subject, available=f"{ENVIRONMENT_COUNT} not reported")
    verdict = "ok" if usage.free >= 1 else "short"
    available = f"{_count(max(usage.free, 0))} of {_count(usage.limit)} ({usage.name})"
    return Finding(verdict, subject, "1 environment", available, usage.name)


def _profile(
    need: EnvironmentNeed, profile: ProfileNeed, region: RegionFacts, env: EnvFacts
) -> Finding:
    name = need.name
    if not name and isinstance(env.existing, ExistingEnvironment):
        name = env.existing.name  # the group's only environment, which the deployment reuses
    where = f"environment {name or '(name set at deployment)'}, profile {profile.name}"
    subject = f"{profile.type} GPUs ({where}; {profile.because})"
    if profile.gpus is None:
        return Finding("unknown", subject, available="the count is not plain in the template")
    if profile.gpu.serverless:
        return _serverless(subject, profile, profile.gpus, region, env)
    return _dedicated(subject, profile, profile.gpus, region, env)


def _dedicated(
    subject: str, profile: ProfileNeed, gpus: int, region: RegionFacts, env: EnvFacts
) -> Finding:
    """Regional: what the environment's profile already holds is counted in the usage."""
    held = 0
    if isinstance(env.existing, ExistingEnvironment):
        for existing in env.existing.profiles:
            if existing.name.lower() == profile.name.lower() and (
                existing.type.lower() == profile.type.lower()
            ):
                held = existing.maximum * profile.gpu.gpus_per_unit
    if isinstance(region.usages, Unknown):
        return Finding("unknown", subject, available=region.usages.reason)
    names = profile.gpu.quota_names(environment=False)
    usage = find_usage(region.usages, names)
    if usage is None:
        return Finding("unknown", subject, available=f"{names[0]} not reported")
    found = _compare(subject, max(gpus - held, 0), usage, profile.type)
    if held:
        found = replace(found, needed=f"{found.needed} beyond the {_count(held)} its profile holds")
    if found.verdict == "short" and isinstance(env.existing, Unknown):
        # the environment may exist and hold some of them already: not a reason to stop
        available = f"{found.available}; its environment may hold some ({env.existing.reason})"
        return Finding("unknown", subject, found.needed, available, usage.name, profile.type)
    return found


def _serverless(
    subject: str, profile: ProfileNeed, gpus: int, region: RegionFacts, env: EnvFacts
) -> Finding:
    """The environment's item when it exists; the subscription's older item otherwise."""
    reasons = []
    if isinstance(env.usages, Unknown):
        reasons.append(env.usages.reason)
    else:
        usage = find_usage(env.usages, profile.gpu.quota_names(environment=True))
        held = env.in_use.get(profile.name.lower(), 0)
        if usage is not None and held:
            subject = subject[:-1] + f"; {_gpus(held)} already in use by its apps)"
            return _compare(subject, max(gpus - held, 0), usage, profile.type)
        if usage is not None:
            return _compare(subject, gpus, usage, profile.type)
        reasons.append(f"{profile.gpu.quota_names(environment=True)[0]} not reported")
    if not isinstance(region.usages, Unknown):
        usage = find_usage(region.usages, profile.gpu.quota_names(environment=False))
        if usage is not None:
            return _compare(subject, gpus, usage, profile.type)
    return Finding("unknown", subject, _gpus(gpus), "; ".join(reasons), "", profile.type)


# --- candidate regions -------------------------------------------------------------------------


def candidate_regions(profile_type: str) -> tuple[str, ...]:
    lowered = profile_type.lower()
    if lowered == "consumption-gpu-nc8as-t4":
        return A100_AND_T4 + T4_ONLY
    if lowered == "consumption-gpu-nc24-a100":
        return A100_AND_T4
    return DEDICATED_A100


def region_option(
    location: str, profile: ProfileNeed, offered: tuple[str, ...] | Unknown, usages: object
) -> RegionOption:
    """Whether `location` offers the profile type, and the subscription's free GPUs there
    (dedicated, or the older serverless model; None when the usages do not say)."""
    offers = isinstance(offered, tuple) and any(t.lower() == profile.type.lower() for t in offered)
    if isinstance(offered, Unknown):
        offers = location in candidate_regions(profile.type)
    free = None
    if isinstance(usages, tuple):
        usage = find_usage(usages, profile.gpu.quota_names(environment=False))
        free = usage.free if usage is not None else None
    return RegionOption(location, offers, free)


def render_options(options: Sequence[RegionOption]) -> str:
    shown = []
    for option in options:
        if option.offers:
            room = "" if option.free is None else f" ({_gpus(max(option.free, 0))} free)"
            shown.append(option.location + room)
    return ", ".join(shown) or "none of the regions checked"


# --- the message ---------------------------------------------------------------------------


def request_hint(subscription: str, location: str, findings: Sequence[Finding]) -> str:
    """How to get more: the Quota Management System for subscription items, the
    environment's Quota page for environment items, another region otherwise."""
    names = sorted({f.quota for f in findings if f.quota and f.quota != "region"})
    parts = []
    env_items = [n for n in names if n.lower().startswith("managedenvironmentconsumption")]
    sub_items = [n for n in names if n not in env_items]
    if sub_items:
        parts.append(
            f"request {', '.join(sub_items)} in the Azure portal (Quotas → Azure Container Apps, "
            f"region {location}; the Quota Management System, scope /subscriptions/{subscription}"
            f"/providers/Microsoft.App/locations/{location})"
        )
    if env_items:
        parts.append(
            f"request {', '.join(env_items)} on the environment's Quota page in the Azure portal "
            '(or a support request, quota type "Managed Environment Consumption … Gpus")'
        )
    if any(f.quota == "region" for f in findings):
        parts.append("choose a region that offers the profile type (--location)")
    parts.append(f"see {QUOTA_DOC}; --skip-quota-check deploys anyway")
    return "; ".join(parts)


def short_lines(findings: Sequence[Finding], options: Sequence[RegionOption]) -> list[str]:
    lines = [f.text() for f in findings if f.verdict == "short"]
    if options:
        types = sorted({f.profile_type for f in findings if f.profile_type})
        lines.append(f"regions that offer {', '.join(types)}: {render_options(options)}")
    return lines
