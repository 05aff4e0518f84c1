"""Container Apps quota on the wire (decisions in quota.py):

    GET /subscriptions/{sub}/providers/Microsoft.App/locations/{loc}/usages
    GET .../resourceGroups/{rg}/providers/Microsoft.App/managedEnvironments/{env}/usages
    GET /subscriptions/{sub}/providers/Microsoft.App/locations/{loc}
        /availableManagedEnvironmentsWorkloadProfileTypes

A managed environment PUT (or a template deploying one) is checked as Azure checks it:
`MaxNumberOfRegionalEnvironmentsInSubExceeded` and `MaxRegionalQuotaExceeded` at validation
(a deployment fails its preflight), `WorkloadProfilePropertyNotSupported` and
`WorkloadProfileInvalidType` when the PUT arrives.

Admin (not Azure), `/_localcloud/quota`:
    GET                     {"limits", "current", "offerings"} as set
    POST {"limits"?: {scope: {item: n}}, "current"?: {scope: {item: n}},
          "offerings"?: {region: [profile type, ...]}}      merged by scope; null removes one
    scope: "*", a region (`westus3`), or an environment's name or resource ID.
    POST /_localcloud/reset puts the defaults back.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Any, Protocol

from aiohttp import web

from localcloud.arm.errors import not_found
from localcloud.arm.responses import json_response, require_api_version
from localcloud.cloud import LocalCloud
from localcloud.ids import ResourceId
from localcloud.providers.common import Problem
from localcloud.providers.containerapps.environments import ENVIRONMENT_TYPE, EnvironmentProvider
from localcloud.providers.containerapps.quota import (
    BY_NAME,
    CORE_ITEMS,
    ENVIRONMENT_NAMES,
    REGIONAL_NAMES,
    QuotaConfig,
    Workload,
    environment_usage,
    offering_problems,
    profile_type,
    property_problems,
    region,
    regional_problems,
    regional_usage,
    usage_items,
)

RESOURCE = "resource"
UNLIMITED = 1 << 30
APP_TYPE = "microsoft.app/containerapps"
JOB_TYPE = "microsoft.app/jobs"
SUB = "/subscriptions/{sub}/providers/microsoft.app/locations/{loc}"
ENV = "/subscriptions/{sub}/resourcegroups/{rg}/providers/microsoft.app/managedenvironments/{env}"
PROFILE_TYPES_TYPE = "Microsoft.App/availableManagedEnvironmentsWorkloadProfileTypes"

Handler = Callable[[web.Request, Mapping[str, str]], Awaitable[web.StreamResponse]]


class ActiveReplicas(Protocol):
    def active_replicas(self, job_key: str) -> int: ...


class QuotaError(ValueError):
    """A bad admin body (400 with the message)."""


def merge_config(config: QuotaConfig, doc: Any) -> QuotaConfig:
    """`config` with a POST /_localcloud/quota body merged in (pure)."""
    if not isinstance(doc, dict) or set(doc) - {"limits", "current", "offerings"}:
        raise QuotaError("the body must be an object with 'limits', 'current' or 'offerings'")
    limits, current = dict(config.limits), dict(config.current)
    for target, name in ((limits, "limits"), (current, "current")):
        for scope, items in (doc.get(name) or {}).items():
            if items is None:
                target.pop(scope, None)
            elif isinstance(items, dict) and all(_is_number(v) for v in items.values()):
                target[scope] = {**target.get(scope, {}), **items}
            else:
                raise QuotaError(f"{name}['{scope}'] must map usage names to numbers")
    offerings = dict(config.offerings)
    for scope, types in (doc.get("offerings") or {}).items():
        if types is None:
            offerings.pop(scope, None)
            continue
        unknown = [t for t in types or () if str(t).lower() not in BY_NAME]
        if not isinstance(types, list) or unknown:
            raise QuotaError(f"offerings['{scope}'] must list known profile types ({unknown})")
        offerings[scope] = tuple(BY_NAME[str(t).lower()].name for t in types)
    return replace(config, limits=limits, current=current, offerings=offerings)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0


class Quota:
    """The quota configuration and the usage computed from what localcloud holds."""

    def __init__(self, cloud: LocalCloud, executions: ActiveReplicas) -> None:
        self.cloud = cloud
        self.executions = executions
        self.config = QuotaConfig()

    # -- usage --------------------------------------------------------------------------
    def environments_in(self, location: str, excluding: str = "") -> list[dict[str, Any]]:
        return [
            d
            for d in self._all(ENVIRONMENT_TYPE.lower())
            if region(str(d.get("location", ""))) == region(location)
            and str(d["id"]).lower() != excluding.lower()
        ]

    def regional(
        self, location: str, excluding: str = ""
    ) -> tuple[dict[str, float], dict[str, float]]:
        """(usage, limits) of the subscription in a region."""
        scopes = (region(location),)
        usage = regional_usage(self.environments_in(location, excluding))
        usage = {k: v + self.config.extra(k, scopes) for k, v in usage.items()}
        return usage, {k: self.config.limit(k, scopes) for k in REGIONAL_NAMES}

    def environment(self, env: Mapping[str, Any]) -> tuple[dict[str, float], dict[str, float]]:
        scopes = (
            str(env["id"]).lower(),
            str(env.get("name", "")),
            region(str(env.get("location", ""))),
        )
        usage = environment_usage(self._workloads(env))
        usage = {k: v + self.config.extra(k, scopes) for k, v in usage.items()}
        return usage, {k: self.config.limit(k, scopes) for k in ENVIRONMENT_NAMES}

    def free_replicas(self, job: Mapping[str, Any]) -> int:
        """How many more replicas of `job` its environment's quota admits now (the GPUs and
        cores of its workload profile); a job without a known environment is not limited."""
        props = job.get("properties") or {}
        env_id = props.get("environmentId") or props.get("managedEnvironmentId")
        env = self.cloud.store.get(RESOURCE, ResourceId.parse(str(env_id)).key) if env_id else None
        kind = profile_type(env, props.get("workloadProfileName")) if env else None
        if env is None or kind is None:
            return UNLIMITED
        usage, limits = self.environment(env)
        needs = {kind.gpu_quota: float(kind.gpus), CORE_ITEMS.get(kind.category, ""): _cpu(props)}
        free = [
            int((limits[item] - usage[item]) // amount)
            for item, amount in needs.items()
            if item in limits and amount > 0
        ]
        return max(0, min(free)) if free else UNLIMITED

    def _workloads(self, env: Mapping[str, Any]) -> list[Workload]:
        env_id = str(env["id"]).lower()
        return [
            Workload(
                env_id,
                profile_type(env, (doc.get("properties") or {}).get("workloadProfileName")),
                self._replicas(kind, doc),
                _cpu(doc.get("properties") or {}),
            )
            for kind in (APP_TYPE, JOB_TYPE)
            for doc in self._all(kind)
            if _environment_of(doc).lower() == env_id
        ]

    def _replicas(self, kind: str, doc: Mapping[str, Any]) -> int:
        if kind == JOB_TYPE:
            return self.executions.active_replicas(ResourceId.parse(str(doc["id"])).key)
        revisions = self.cloud.runtime.revisions(str(doc["id"]))
        return sum(1 for r in revisions if _flat(r).get("runningState") == "Running")

    def _all(self, full_type: str) -> list[dict[str, Any]]:
        prefix = f"/subscriptions/{self.cloud.identity.subscription_id}/"
        return [
            d
            for d in self.cloud.store.list(RESOURCE, prefix)
            if str(d.get("type", "")).lower() == full_type
        ]

    # -- checks -------------------------------------------------------------------------
    def validation_problems(self, rid: ResourceId, body: Mapping[str, Any]) -> list[Problem]:
        location = str(body.get("location") or "")
        if not location:
            return []
        existing = self.cloud.store.get(RESOURCE, rid.key)
        used, limits = self.regional(location, excluding=rid.id)
        return regional_problems(rid.subscription, location, body, existing is None, used, limits)

    def admission_problems(self, body: Mapping[str, Any]) -> list[Problem]:
        location = str(body.get("location") or "")
        return [
            *property_problems(body),
            *offering_problems(body, self.config.offering(location)),
        ]


def _environment_of(doc: Mapping[str, Any]) -> str:
    props = doc.get("properties") or {}
    return str(props.get("environmentId") or props.get("managedEnvironmentId") or "")


def _cpu(props: Mapping[str, Any]) -> float:
    containers = (props.get("template") or {}).get("containers") or []
    total = 0.0
    for c in containers:
        try:
            total += float(((c or {}).get("resources") or {}).get("cpu") or 0.5)
        except (TypeError, ValueError):
            total += 0.5
    return total


def _flat(revision: Mapping[str, Any]) -> Mapping[str, Any]:
    props = revision.get("properties")
    return props if isinstance(props, Mapping) else revision


class QuotaCheckedEnvironmentProvider(EnvironmentProvider):
    """Managed environments with Azure's quota and workload-profile checks."""

    def __init__(self, cloud: LocalCloud, quota: Quota) -> None:
        super().__init__(cloud)
        self.quota = quota

    def preflight(self, rid: ResourceId, body: dict[str, Any]) -> list[Problem]:
        return [*super().preflight(rid, body), *self.quota.validation_problems(rid, body)]

    def admission(self, rid: ResourceId, body: dict[str, Any]) -> list[Problem]:
        return [*super().admission(rid, body), *self.quota.admission_problems(body)]


def profile_type_doc(subscription: str, location: str, name: str) -> dict[str, Any]:
    kind = BY_NAME[name.lower()]
    return {
        "location": location,
        "properties": {
            "displayName": kind.display,
            "category": kind.category,
            "applicability": "LocationDefault" if kind.name == "Consumption" else "Custom",
            "cores": kind.cores,
            "memoryGiB": kind.memory_gib,
            "gpus": kind.gpus,
        },
        "id": f"/subscriptions/{subscription}/providers/{PROFILE_TYPES_TYPE}/{kind.name}",
        "name": kind.name,
        "type": PROFILE_TYPES_TYPE,
    }


class QuotaRoutes:
    def __init__(self, quota: Quota) -> None:
        self.quota = quota

    async def regional(self, request: web.Request, match: Mapping[str, str]) -> web.Response:
        require_api_version(request)
        usage, limits = self.quota.regional(match["loc"])
        return json_response(
            {"value": usage_items(REGIONAL_NAMES, usage, limits), "nextLink": None}
        )

    async def environment(self, request: web.Request, match: Mapping[str, str]) -> web.Response:
        require_api_version(request)
        rid = ResourceId(
            match["sub"], match["rg"], "Microsoft.App", ("managedEnvironments",), (match["env"],)
        )
        env = self.quota.cloud.store.get(RESOURCE, rid.key)
        if env is None:
            raise not_found("resource", f"{ENVIRONMENT_TYPE}/{match['env']}")
        usage, limits = self.quota.environment(env)
        return json_response(
            {"value": usage_items(ENVIRONMENT_NAMES, usage, limits), "nextLink": None}
        )

    async def profile_types(self, request: web.Request, match: Mapping[str, str]) -> web.Response:
        require_api_version(request)
        offered = self.quota.config.offering(match["loc"])
        docs = [profile_type_doc(match["sub"], match["loc"], name) for name in offered]
        return json_response({"value": docs, "nextLink": None})


class QuotaAdmin:
    def __init__(self, quota: Quota) -> None:
        self.quota = quota

    async def handle(self, method: str, request: web.Request) -> web.Response:
        if method == "POST":
            try:
                self.quota.config = merge_config(
                    self.quota.config, json.loads(await request.read())
                )
            except (ValueError, UnicodeDecodeError) as err:
                return web.json_response(
                    {"error": {"code": "InvalidAdminRequest", "message": str(err)}}, status=400
                )
        elif method != "GET":
            return web.json_response(
                {"error": {"code": "MethodNotAllowed", "message": method}}, status=405
            )
        config = self.quota.config
        return web.json_response(
            {
                "limits": config.limits,
                "current": config.current,
                "offerings": {k: list(v) for k, v in config.offerings.items()},
            }
        )

    def reset(self) -> None:
        self.quota.config = QuotaConfig()


def install(cloud: LocalCloud, executions: ActiveReplicas) -> QuotaAdmin:
    """Register the usage routes and the quota-checked environment provider."""
    quota = Quota(cloud, executions)
    routes = QuotaRoutes(quota)
    table: list[tuple[str, Handler]] = [
        (SUB + "/usages", routes.regional),
        (ENV + "/usages", routes.environment),
        (SUB + "/availablemanagedenvironmentsworkloadprofiletypes", routes.profile_types),
    ]
    for pattern, handler in table:
        cloud.arm.add("GET", pattern, handler, first=True)
    cloud.providers.register(QuotaCheckedEnvironmentProvider(cloud, quota))
    return QuotaAdmin(quota)
