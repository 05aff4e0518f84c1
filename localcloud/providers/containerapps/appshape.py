"""Pure decisions for container apps and jobs: template checks, write-only secrets, the
computed properties of a GET, and live status from the runtime's revisions. No I/O."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from localcloud.ids import ResourceId
from localcloud.providers.common import Problem

COMPUTED_KEYS = (
    "latestRevisionName",
    "latestReadyRevisionName",
    "latestRevisionFqdn",
    "runningStatus",
    "eventStreamEndpoint",
)


def environment_id(props: Mapping[str, Any]) -> str | None:
    value = props.get("environmentId") or props.get("managedEnvironmentId")
    return str(value) if value else None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, Sequence) and not isinstance(value, str) else []


def containers(props: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    template = _mapping(props.get("template"))
    found = _list(template.get("containers")) + _list(template.get("initContainers"))
    return [c for c in found if isinstance(c, Mapping)]


def secret_names(props: Mapping[str, Any]) -> set[str]:
    config = _mapping(props.get("configuration"))
    return {str(_mapping(s).get("name", "")).lower() for s in _list(config.get("secrets"))}


def template_problems(props: Mapping[str, Any], kind: str) -> list[Problem]:
    """Checks Azure makes on the body alone (safe at preflight)."""
    problems: list[Problem] = []
    if environment_id(props) is None:
        problems.append(
            Problem(
                400,
                "ManagedEnvironmentIdRequired",
                f"The {kind} must set properties.environmentId to its managed environment.",
                "properties.environmentId",
            )
        )
    if not _list(_mapping(props.get("template")).get("containers")):
        problems.append(
            Problem(
                400,
                "ContainerAppInvalidTemplate",
                f"The {kind} template must define at least one container.",
                "properties.template.containers",
            )
        )
    volumes = {str(_mapping(v).get("name", "")) for v in _list(_template(props).get("volumes"))}
    secrets = secret_names(props)
    for container in containers(props):
        cname = str(container.get("name", ""))
        for mount in _list(container.get("volumeMounts")):
            volume = str(_mapping(mount).get("volumeName", ""))
            if volume not in volumes:
                problems.append(
                    Problem(
                        400,
                        "ContainerAppVolumeMountInvalid",
                        f"Container '{cname}' mounts volume '{volume}', which the template "
                        "does not define in template.volumes.",
                        "properties.template.containers",
                    )
                )
        for env in _list(container.get("env")):
            ref = _mapping(env).get("secretRef")
            if ref is not None and str(ref).lower() not in secrets:
                problems.append(
                    Problem(
                        400,
                        "ContainerAppSecretRefNotFound",
                        f"Container '{cname}' refers to secret '{ref}', which is not defined "
                        "in configuration.secrets.",
                        "properties.template.containers",
                    )
                )
    return problems


def _template(props: Mapping[str, Any]) -> Mapping[str, Any]:
    return _mapping(props.get("template"))


def environment_problems(
    props: Mapping[str, Any],
    env_doc: Mapping[str, Any] | None,
    storage_names: set[str],
    kind: str,
) -> list[Problem]:
    """Checks against the managed environment: it exists, and so do the workload profile
    and the environment storages the volumes name."""
    env_id = environment_id(props)
    if env_id is None:
        return []
    if env_doc is None:
        return [
            Problem(
                404,
                "ManagedEnvironmentNotFound",
                f"The managed environment '{env_id}' of this {kind} was not found.",
                "properties.environmentId",
            )
        ]
    problems: list[Problem] = []
    profile = props.get("workloadProfileName")
    env_props = _mapping(env_doc.get("properties"))
    profiles = {
        str(_mapping(p).get("name", "")).lower() for p in _list(env_props.get("workloadProfiles"))
    }
    if profile and str(profile).lower() not in profiles:
        problems.append(
            Problem(
                400,
                "ManagedEnvironmentWorkloadProfileNotFound",
                f"Workload profile '{profile}' does not exist in managed environment "
                f"'{env_doc.get('name')}' (it has: {', '.join(sorted(profiles)) or 'none'}).",
                "properties.workloadProfileName",
            )
        )
    for volume in _list(_template(props).get("volumes")):
        v = _mapping(volume)
        storage = v.get("storageName")
        if v.get("storageType") in ("AzureFile", "NfsAzureFile") and (
            not storage or str(storage).lower() not in storage_names
        ):
            problems.append(
                Problem(
                    400,
                    "ManagedEnvironmentStorageNotFound",
                    f"Volume '{v.get('name')}' uses storage '{storage}', which is not defined in "
                    f"managed environment '{env_doc.get('name')}'.",
                    "properties.template.volumes",
                )
            )
    return problems


def split_secrets(
    props: Mapping[str, Any], previous: Sequence[Mapping[str, Any]]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Properties with secret values removed, and the secrets with their values (a secret sent
    without a value keeps the value it had)."""
    config = _mapping(props.get("configuration"))
    if "secrets" not in config:
        return dict(props), []
    known = {str(s.get("name", "")).lower(): s for s in previous}
    full: list[dict[str, Any]] = []
    for secret in _list(config.get("secrets")):
        entry = dict(_mapping(secret))
        if entry.get("value") is None and not entry.get("keyVaultUrl"):
            old = known.get(str(entry.get("name", "")).lower(), {})
            if old.get("value") is not None:
                entry["value"] = old["value"]
        full.append(entry)
    redacted = [{k: v for k, v in s.items() if k != "value"} for s in full]
    return {**props, "configuration": {**config, "secrets": redacted}}, full


def with_secrets(props: Mapping[str, Any], secrets: list[dict[str, Any]]) -> dict[str, Any]:
    config = _mapping(props.get("configuration"))
    if not secrets:
        return dict(props)
    return {**props, "configuration": {**config, "secrets": secrets}}


def template_suffix(props: Mapping[str, Any]) -> str:
    template = _template(props)
    suffix = template.get("revisionSuffix")
    if suffix:
        return str(suffix)
    canonical = json.dumps(template, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:7]


def event_stream(base_url: str, rid: ResourceId, collection: str) -> str:
    return (
        f"{base_url}/logstream/subscriptions/{rid.subscription}/resourceGroups/"
        f"{rid.resource_group}/{collection}/{rid.name}/eventstream"
    )


# What Azure fills in on a container app (Azure/azure-dev recording
# Test_CLI_Up_Down_ContainerApp.yaml, GET containerApps/web, api-version 2025-01-01).
CONFIGURATION_DEFAULTS: dict[str, Any] = {
    "secrets": None,
    "activeRevisionsMode": "Single",
    "ingress": None,
    "registries": None,
    "dapr": None,
    "runtime": None,
    "maxInactiveRevisions": 100,
    "service": None,
    "identitySettings": [],
}
INGRESS_DEFAULTS: dict[str, Any] = {
    "external": False,
    "targetPort": 80,
    "exposedPort": 0,
    "transport": "Auto",
    "traffic": [{"weight": 100, "latestRevision": True}],
    "customDomains": None,
    "allowInsecure": False,
    "ipSecurityRestrictions": None,
    "corsPolicy": None,
    "clientCertificateMode": "Ignore",
    "stickySessions": {"affinity": "none"},
    "additionalPortMappings": None,
}
TRANSPORTS = {"auto": "Auto", "http": "Http", "http2": "Http2", "tcp": "Tcp"}
TEMPLATE_DEFAULTS: dict[str, Any] = {
    "revisionSuffix": "",
    "terminationGracePeriodSeconds": None,
    "initContainers": None,
    "volumes": None,
    "serviceBinds": None,
}
SCALE_DEFAULTS: dict[str, Any] = {
    "minReplicas": None,
    "maxReplicas": 10,
    "cooldownPeriod": 300,
    "pollingInterval": 30,
    "rules": None,
}


def container_with_defaults(container: Any) -> Any:
    """A template container with the resources Azure fills in (0.5 CPU, 1Gi, 2Gi disk)."""
    if not isinstance(container, Mapping):
        return container
    resources = {"cpu": 0.5, "memory": "1Gi", "ephemeralStorage": "2Gi"}
    return {**container, "resources": {**resources, **_mapping(container.get("resources"))}}


def app_properties(
    rid: ResourceId,
    requested: Mapping[str, Any],
    env_doc: Mapping[str, Any] | None,
    computed: Mapping[str, Any],
    base_url: str,
) -> dict[str, Any]:
    """A container app's properties as a GET shows them, given the runtime's computed fields
    (any missing computed field gets Azure's naming)."""
    env_props = _mapping((env_doc or {}).get("properties"))
    domain = str(env_props.get("defaultDomain") or "localcloud.internal")
    revision = str(
        computed.get("latestRevisionName") or f"{rid.name}--{template_suffix(requested)}"
    )
    config = {**CONFIGURATION_DEFAULTS, **_mapping(requested.get("configuration"))}
    if isinstance(config.get("ingress"), Mapping):
        ingress = {**INGRESS_DEFAULTS, **config["ingress"]}
        ingress["fqdn"] = str(computed.get("fqdn") or f"{rid.name}.{domain}")
        # the enum as Azure spells it back, whatever the request's case (az sends `auto`)
        transport = str(ingress.get("transport") or "Auto")
        ingress["transport"] = TRANSPORTS.get(transport.lower(), transport)
        config["ingress"] = ingress
    template = _mapping(requested.get("template"))
    scale = {**SCALE_DEFAULTS, **_mapping(template.get("scale"))}
    env_id = environment_id(requested)
    return {
        "workloadProfileName": None,
        "delegatedIdentities": [],
        **requested,
        "template": {
            **TEMPLATE_DEFAULTS,
            **template,
            "containers": [container_with_defaults(c) for c in _list(template.get("containers"))],
            "scale": scale,
        },
        "configuration": config,
        "managedEnvironmentId": env_id,
        "environmentId": env_id,
        "latestRevisionName": revision,
        "latestReadyRevisionName": computed.get("latestReadyRevisionName") or revision,
        "latestRevisionFqdn": computed.get("latestRevisionFqdn") or f"{revision}.{domain}",
        "runningStatus": computed.get("runningStatus") or "Running",
        "eventStreamEndpoint": computed.get("eventStreamEndpoint")
        or event_stream(base_url, rid, "containerApps"),
        "outboundIpAddresses": ["127.0.0.1"],
        "customDomainVerificationId": str(
            _mapping(env_props.get("customDomainConfiguration")).get("customDomainVerificationId")
            or ""
        ),
        "provisioningState": "Succeeded",
    }


def flat_revision(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A runtime revision as `{name, <properties...>}`, whether it came ARM-shaped or flat."""
    props = raw.get("properties")
    base = dict(props) if isinstance(props, Mapping) else dict(raw)
    base["name"] = str(raw.get("name", base.get("name", "")))
    return base


def is_ready(revision: Mapping[str, Any]) -> bool:
    return revision.get("runningState") == "Running" and revision.get("healthState") in (
        None,
        "Healthy",
    )


def live_status(revisions: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """`runningStatus` / `latestReadyRevisionName` from the runtime's current revisions;
    empty when the runtime says nothing (the stored values stand)."""
    flat = [flat_revision(r) for r in revisions]
    out: dict[str, Any] = {}
    ready = [r for r in flat if is_ready(r)]
    if ready:
        newest = max(ready, key=lambda r: str(r.get("createdTime") or ""))
        out["latestReadyRevisionName"] = newest["name"]
    states = {str(r.get("runningState", "")) for r in flat if r.get("active", True)}
    if "Running" in states:
        out["runningStatus"] = "Running"
    elif states & {"Processing", "Provisioning", "Activating"}:
        out["runningStatus"] = "Progressing"
    elif states and states <= {"Stopped", "Deprovisioned"}:
        out["runningStatus"] = "Stopped"
    return out
