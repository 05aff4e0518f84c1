"""What a compiled template asks of Container Apps' GPU quota (pure): for each managed
environment it deploys, its name, and each GPU workload profile with the most GPUs it can
hold at once.

- a dedicated profile (`NC24-A100`, `NC48-A100`, `NC96-A100`): `maximumCount` nodes x the
  GPUs of one node, counted against the subscription's regional `SubscriptionNCA100Gpus`;
- a serverless GPU profile (`Consumption-GPU-NC8as-T4`, `Consumption-GPU-NC24-A100`): one GPU
  per replica: an app's `scale.maxReplicas` (Azure's default 10), a job's `parallelism`
  (default 1), counted against the environment's quota.

Values are read from the template as far as they are plain (`armexpr.py`): literals,
`parameters('x')` (the final value, else its default), `variables('x')`, `format()`,
`concat()`, `resourceGroup().location`, ... Anything else (`uniqueString(...)`) is
`UNRESOLVED`, and the check says what it could not tell.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from orchestrator.provision.armexpr import UNRESOLVED, Scope, evaluate

ENVIRONMENT_TYPE = "microsoft.app/managedenvironments"
APP_TYPE = "microsoft.app/containerapps"
JOB_TYPE = "microsoft.app/jobs"
DEFAULT_MAX_REPLICAS = 10  # Azure's default when scale.maxReplicas is not set
DEFAULT_PARALLELISM = 1
MAX_DEPTH = 8  # parameters and variables referring to each other


@dataclass(frozen=True)
class GpuType:
    """A GPU workload profile type and the quota items its GPUs count toward."""

    name: str
    serverless: bool
    gpus_per_unit: int  # per replica (serverless) or per node (dedicated)
    family: str  # "T4" | "A100"

    def quota_names(self, *, environment: bool) -> tuple[str, ...]:
        """The usage names, newest model first (matched case-insensitively)."""
        family = "NCA100" if self.family == "A100" else self.family
        if not self.serverless:
            return () if environment else ("SubscriptionNCA100Gpus",)
        if environment:
            return (f"ManagedEnvironmentConsumption{family}Gpus",)
        return (f"SubscriptionConsumption{family}Gpus",)


GPU_TYPES: Mapping[str, GpuType] = {
    t.name.lower(): t
    for t in (
        GpuType("Consumption-GPU-NC8as-T4", True, 1, "T4"),
        GpuType("Consumption-GPU-NC24-A100", True, 1, "A100"),
        GpuType("NC24-A100", False, 1, "A100"),
        GpuType("NC48-A100", False, 2, "A100"),
        GpuType("NC96-A100", False, 4, "A100"),
    )
}


def gpu_type(profile_type: str) -> GpuType | None:
    return GPU_TYPES.get(profile_type.lower())


@dataclass(frozen=True)
class Workload:
    """An app or job on a GPU profile, and the GPUs it can use at once."""

    kind: str  # "app" | "job"
    name: str  # "" when not resolved
    gpus: int | None  # None when not resolved
    because: str  # "maxReplicas 2", "parallelism 1"


@dataclass(frozen=True)
class ProfileNeed:
    """One GPU workload profile of an environment, and what it needs."""

    name: str
    type: str
    gpus: int | None  # the most GPUs at once (None: not resolved)
    because: str
    workloads: tuple[Workload, ...] = ()

    @property
    def gpu(self) -> GpuType:
        found = gpu_type(self.type)
        assert found is not None
        return found


@dataclass(frozen=True)
class EnvironmentNeed:
    name: str  # "" when the template's name cannot be resolved offline
    location: str  # "" when not resolved
    profiles: tuple[ProfileNeed, ...]


@dataclass(frozen=True)
class Values:
    """What template expressions are read against."""

    parameters: Mapping[str, object]  # the final values (ARM form unwrapped)
    group_location: str = ""

    def resolve(self, template: Mapping[str, object], value: object, depth: int = 0) -> object:
        """`value` with its expression read (armexpr.py); UNRESOLVED where it cannot be."""
        if depth > MAX_DEPTH:
            return UNRESOLVED
        if not isinstance(value, str) or not value.startswith("["):
            return value
        if value.startswith("[["):
            return value[1:]
        if not value.endswith("]"):
            return value
        scope = Scope(
            lambda name: self._parameter(template, name, depth),
            lambda name: self._variable(template, name, depth),
            self.group_location,
        )
        return evaluate(value[1:-1], scope)

    def _parameter(self, template: Mapping[str, object], name: str, depth: int) -> object:
        lowered = {k.lower(): v for k, v in self.parameters.items()}
        if name.lower() in lowered and lowered[name.lower()] is not None:
            return lowered[name.lower()]
        declared = template.get("parameters")
        spec = _lower_get(declared, name) if isinstance(declared, Mapping) else None
        if isinstance(spec, Mapping) and "defaultValue" in spec:
            return self.resolve(template, spec["defaultValue"], depth + 1)
        return UNRESOLVED

    def _variable(self, template: Mapping[str, object], name: str, depth: int) -> object:
        declared = template.get("variables")
        if isinstance(declared, Mapping) and name in declared:
            return self.resolve(template, declared[name], depth + 1)
        return UNRESOLVED


def _lower_get(mapping: Mapping[str, object], key: str) -> object:
    for k, v in mapping.items():
        if k.lower() == key.lower():
            return v
    return None


def resources(template: Mapping[str, object]) -> Iterator[tuple[str, Mapping[str, object]]]:
    """(JSON path, resource) of every resource, in a list or a symbolic-name object."""
    found = template.get("resources")
    if isinstance(found, Mapping):
        for key, res in found.items():
            if isinstance(res, Mapping):
                yield f"$.resources.{key}", res
    elif isinstance(found, list):
        for index, res in enumerate(found):
            if isinstance(res, Mapping):
                yield f"$.resources[{index}]", res


def of_type(template: Mapping[str, object], kind: str) -> list[tuple[str, Mapping[str, object]]]:
    return [(p, r) for p, r in resources(template) if str(r.get("type", "")).lower() == kind]


def properties(res: Mapping[str, object]) -> Mapping[str, object]:
    found = res.get("properties")
    return found if isinstance(found, Mapping) else {}


def dig(doc: object, *keys: str) -> object:
    for key in keys:
        doc = doc.get(key) if isinstance(doc, Mapping) else None
    return doc


def environment_of(
    workload: Mapping[str, object], envs: list[tuple[str, Mapping[str, object]]]
) -> Mapping[str, object] | None:
    """The template's environment an app or job runs in (the only one, or the one whose
    name expression its environment ID mentions); None when it is not in the template."""
    props = properties(workload)
    ref = str(props.get("environmentId") or props.get("managedEnvironmentId") or "")
    if len(envs) == 1 and ref:
        return envs[0][1]
    for _path, env in envs:
        name = str(env.get("name", "")).strip("[]")
        if name and name in ref:
            return env
    return None


def _count(values: Values, template: Mapping[str, object], raw: object, default: int) -> int | None:
    if raw is None:
        return default
    value = values.resolve(template, raw)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value)


def _workload(
    values: Values, template: Mapping[str, object], kind: str, res: Mapping[str, object]
) -> Workload:
    name = values.resolve(template, res.get("name"))
    props = properties(res)
    if kind == "app":
        raw = dig(props, "template", "scale", "maxReplicas")
        gpus = _count(values, template, raw, DEFAULT_MAX_REPLICAS)
        label = "maxReplicas"
    else:
        config = props.get("configuration")
        raw = None
        for trigger in ("manualTriggerConfig", "scheduleTriggerConfig", "eventTriggerConfig"):
            raw = raw if raw is not None else dig(config, trigger, "parallelism")
        gpus = _count(values, template, raw, DEFAULT_PARALLELISM)
        label = "parallelism"
    shown = "?" if gpus is None else str(gpus)
    return Workload(kind, name if isinstance(name, str) else "", gpus, f"{label} {shown}")


def environment_needs(template: Mapping[str, object], values: Values) -> list[EnvironmentNeed]:
    """Every environment of the template with at least one GPU profile."""
    envs = of_type(template, ENVIRONMENT_TYPE)
    workloads = [("app", r) for _p, r in of_type(template, APP_TYPE)]
    workloads += [("job", r) for _p, r in of_type(template, JOB_TYPE)]
    needs = []
    for _path, env in envs:
        profiles = []
        for profile in _profiles(env):
            kind = gpu_type(str(values.resolve(template, profile.get("workloadProfileType"))))
            if kind is None:
                continue
            name = str(values.resolve(template, profile.get("name")))
            on_it = tuple(
                _workload(values, template, k, r)
                for k, r in workloads
                if environment_of(r, envs) is env
                and str(values.resolve(template, properties(r).get("workloadProfileName"))) == name
            )
            profiles.append(_profile_need(values, template, profile, name, kind, on_it))
        if profiles:
            env_name = values.resolve(template, env.get("name"))
            location = values.resolve(template, env.get("location"))
            needs.append(
                EnvironmentNeed(
                    env_name if isinstance(env_name, str) else "",
                    location if isinstance(location, str) else "",
                    tuple(profiles),
                )
            )
    return needs


def _profiles(env: Mapping[str, object]) -> list[Mapping[str, object]]:
    found = properties(env).get("workloadProfiles")
    return [p for p in found if isinstance(p, Mapping)] if isinstance(found, list) else []


def _profile_need(
    values: Values,
    template: Mapping[str, object],
    profile: Mapping[str, object],
    name: str,
    kind: GpuType,
    workloads: tuple[Workload, ...],
) -> ProfileNeed:
    if not kind.serverless:
        nodes = _count(values, template, profile.get("maximumCount"), 0)
        gpus = None if nodes is None else nodes * kind.gpus_per_unit
        shown = "?" if nodes is None else str(nodes)
        return ProfileNeed(name, kind.name, gpus, f"maximumCount {shown}", workloads)
    counts = [w.gpus for w in workloads]
    total = None if any(c is None for c in counts) else sum(c or 0 for c in counts)
    because = ", ".join(f"{w.kind} {w.name or '?'}: {w.because}" for w in workloads)
    return ProfileNeed(name, kind.name, total, because or "no app or job on it", workloads)
