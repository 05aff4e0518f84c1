"""What a container app asks to run, read from its stored document (pure, no I/O).

`AppSpec.parse(app_doc)` turns the ARM document into frozen data; `plan_revision` decides
whether an apply creates a new revision and what it is called.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from localcloud.ids import ResourceId

ProbeKind = Literal["Startup", "Liveness", "Readiness"]
SUFFIX_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class ProbeSpec:
    """One container probe, in Azure's (unscaled) seconds."""

    kind: ProbeKind
    path: str | None  # None: a TCP connect probe
    initial_delay: float = 0.0
    period: float = 10.0
    timeout: float = 1.0
    failure_threshold: int = 3
    success_threshold: int = 1
    headers: tuple[tuple[str, str], ...] = ()

    @staticmethod
    def parse(doc: Mapping[str, Any]) -> ProbeSpec:
        http = doc.get("httpGet") or {}
        kind = str(doc.get("type") or "Liveness").capitalize()
        if kind not in ("Startup", "Liveness", "Readiness"):
            kind = "Liveness"
        headers = tuple(
            (str(h.get("name", "")), str(h.get("value", ""))) for h in http.get("httpHeaders") or ()
        )
        return ProbeSpec(
            kind=kind,  # type: ignore[arg-type]
            path=str(http.get("path") or "/") if http else None,
            initial_delay=float(doc.get("initialDelaySeconds") or 0),
            period=float(doc.get("periodSeconds") or 10),
            timeout=float(doc.get("timeoutSeconds") or 1),
            failure_threshold=int(doc.get("failureThreshold") or 3),
            success_threshold=int(doc.get("successThreshold") or 1),
            headers=headers,
        )


@dataclass(frozen=True)
class VolumeMount:
    volume_name: str
    mount_path: str
    sub_path: str = ""


@dataclass(frozen=True)
class Volume:
    name: str
    storage_type: str  # AzureFile | EmptyDir | Secret | NfsAzureFile
    storage_name: str


@dataclass(frozen=True)
class ContainerSpec:
    name: str
    image: str
    command: tuple[str, ...]
    args: tuple[str, ...]
    env: tuple[tuple[str, str], ...]
    probes: tuple[ProbeSpec, ...]
    volume_mounts: tuple[VolumeMount, ...]

    def probe(self, kind: ProbeKind) -> ProbeSpec | None:
        return next((p for p in self.probes if p.kind == kind), None)


@dataclass(frozen=True)
class AppSpec:
    rid: ResourceId
    environment_id: str
    single_mode: bool
    ingress: bool
    target_port: int
    revision_suffix: str
    template: Mapping[str, Any]
    containers: tuple[ContainerSpec, ...]
    volumes: tuple[Volume, ...]

    @property
    def key(self) -> str:
        return self.rid.key

    @property
    def name(self) -> str:
        return self.rid.name

    @staticmethod
    def parse(app: Mapping[str, Any]) -> AppSpec:
        props = app.get("properties") or {}
        config = props.get("configuration") or {}
        template = props.get("template") or {}
        ingress = config.get("ingress")
        secrets = {
            str(s.get("name", "")).lower(): str(s.get("value", ""))
            for s in config.get("secrets") or ()
        }
        return AppSpec(
            rid=ResourceId.parse(str(app["id"])),
            environment_id=str(
                props.get("managedEnvironmentId") or props.get("environmentId") or ""
            ),
            single_mode=str(config.get("activeRevisionsMode") or "Single").lower() != "multiple",
            ingress=bool(ingress),
            target_port=int((ingress or {}).get("targetPort") or 80),
            revision_suffix=str(template.get("revisionSuffix") or ""),
            template=template,
            containers=tuple(_container(c, secrets) for c in template.get("containers") or ()),
            volumes=tuple(
                Volume(
                    name=str(v.get("name", "")),
                    storage_type=str(v.get("storageType") or "EmptyDir"),
                    storage_name=str(v.get("storageName") or ""),
                )
                for v in template.get("volumes") or ()
            ),
        )


def _container(doc: Mapping[str, Any], secrets: Mapping[str, str]) -> ContainerSpec:
    env: list[tuple[str, str]] = []
    for item in doc.get("env") or ():
        if "value" in item:
            env.append((str(item["name"]), str(item["value"])))
        elif item.get("secretRef") is not None:
            env.append((str(item["name"]), secrets.get(str(item["secretRef"]).lower(), "")))
    return ContainerSpec(
        name=str(doc.get("name") or "main"),
        image=str(doc.get("image") or ""),
        command=tuple(str(c) for c in doc.get("command") or ()),
        args=tuple(str(a) for a in doc.get("args") or ()),
        env=tuple(env),
        probes=tuple(ProbeSpec.parse(p) for p in doc.get("probes") or ()),
        volume_mounts=tuple(
            VolumeMount(
                volume_name=str(m.get("volumeName", "")),
                mount_path=str(m.get("mountPath", "")),
                sub_path=str(m.get("subPath") or ""),
            )
            for m in doc.get("volumeMounts") or ()
        ),
    )


# -- revisions -----------------------------------------------------------------------------


def template_hash(template: Mapping[str, Any]) -> str:
    """A stable hash of the revision-scope template (key order does not matter)."""
    canonical = json.dumps(template, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def generated_suffix(thash: str, ordinal: int) -> str:
    """Seven base-36 characters, like Azure's `myapp--0wlqy09`, unique per (template, ordinal)."""
    number = int(hashlib.sha256(f"{thash}:{ordinal}".encode()).hexdigest(), 16)
    chars = []
    for _ in range(7):
        number, digit = divmod(number, 36)
        chars.append(SUFFIX_ALPHABET[digit])
    return "".join(chars)


def revision_name(app_name: str, suffix: str) -> str:
    return f"{app_name}--{suffix}"


@dataclass(frozen=True)
class KnownRevision:
    """What the planner needs to know about an existing revision."""

    name: str
    template_hash: str
    active: bool


@dataclass(frozen=True)
class KeepRevision:
    name: str


@dataclass(frozen=True)
class NewRevision:
    name: str
    template_hash: str
    deactivate: tuple[str, ...]


@dataclass(frozen=True)
class SuffixConflict:
    name: str


RevisionPlan = KeepRevision | NewRevision | SuffixConflict


def plan_revision(spec: AppSpec, known: Sequence[KnownRevision]) -> RevisionPlan:
    """Decide what an apply does: keep the latest revision or create a new one.

    `known` is in creation order (the last one is the latest revision)."""
    thash = template_hash(spec.template)
    latest = known[-1] if known else None
    if latest is not None and latest.template_hash == thash:
        return KeepRevision(latest.name)
    if spec.revision_suffix:
        name = revision_name(spec.name, spec.revision_suffix)
        if any(k.name.lower() == name.lower() for k in known):
            return SuffixConflict(name)
    else:
        taken = {k.name.lower() for k in known}
        ordinal = len(known)
        name = revision_name(spec.name, generated_suffix(thash, ordinal))
        while name.lower() in taken:
            ordinal += 1
            name = revision_name(spec.name, generated_suffix(thash, ordinal))
    deactivate = tuple(k.name for k in known if k.active) if spec.single_mode else ()
    return NewRevision(name=name, template_hash=thash, deactivate=deactivate)


def replica_name(revision: str, thash: str, token: str) -> str:
    """`<rev>-<template hash>-<5 chars>` like a Kubernetes pod name."""
    return f"{revision}-{thash[:9]}-{token[:5]}"
