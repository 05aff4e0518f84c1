"""What an execution runs, decided from the job and the start request (pure, no I/O).

The start body (`JobExecutionTemplate`) follows Azure's override semantics:

- without `containers` the execution runs the job's template as it is;
- with `containers` they REPLACE the template's containers: whatever a container does not
  resend is gone - `env` (so secretRefs too), `command`, `args`, `probes` - and the image,
  name and resources are the ones sent. `initContainers` are replaced the same way (absent
  means none);
- volumes are inherited ("volume inheritance", microsoft/azure-container-apps#909): a
  JobExecutionContainer has no `volumeMounts`, so each override container keeps the mounts
  of the template container with the same name (or, when no name matches, of the template's
  first container), and the template's `volumes` stay.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

# JobExecutionContainer (Jobs.json 2025-07-01): the only fields a start body may carry.
EXECUTION_CONTAINER_KEYS = ("image", "name", "command", "args", "env", "resources")


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _objects(value: Any) -> list[Mapping[str, Any]]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        return []
    return [v for v in value if isinstance(v, Mapping)]


def has_override(body: Any) -> bool:
    return isinstance(body, Mapping) and "containers" in body and body["containers"] is not None


def _inherited_mounts(
    container: Mapping[str, Any], template_containers: list[Mapping[str, Any]]
) -> list[Any]:
    name = str(container.get("name", "")).lower()
    same = [c for c in template_containers if str(c.get("name", "")).lower() == name]
    source = same[0] if same else (template_containers[0] if template_containers else {})
    return copy.deepcopy(list(source.get("volumeMounts") or []))


def _override_container(
    sent: Mapping[str, Any], template_containers: list[Mapping[str, Any]]
) -> dict[str, Any]:
    container = {k: copy.deepcopy(sent[k]) for k in EXECUTION_CONTAINER_KEYS if k in sent}
    mounts = _inherited_mounts(sent, template_containers)
    if mounts:
        container["volumeMounts"] = mounts
    return container


def execution_template(job_template: Mapping[str, Any], body: Any) -> dict[str, Any]:
    """The template the execution runs: the job's, or the override merged as Azure does."""
    template = copy.deepcopy(dict(job_template))
    if not has_override(body):
        return template
    assert isinstance(body, Mapping)
    originals = _objects(job_template.get("containers"))
    merged: dict[str, Any] = {
        "containers": [_override_container(c, originals) for c in _objects(body["containers"])],
        "initContainers": [
            _override_container(c, _objects(job_template.get("initContainers")))
            for c in _objects(body.get("initContainers"))
        ],
    }
    if job_template.get("volumes") is not None:
        merged["volumes"] = copy.deepcopy(job_template["volumes"])
    return merged


def shown_template(template: Mapping[str, Any]) -> dict[str, Any]:
    """`properties.template` of an execution as GET returns it (JobExecutionTemplate)."""

    def shown(container: Mapping[str, Any]) -> dict[str, Any]:
        return {k: copy.deepcopy(container[k]) for k in EXECUTION_CONTAINER_KEYS if k in container}

    out: dict[str, Any] = {"containers": [shown(c) for c in _objects(template.get("containers"))]}
    init = _objects(template.get("initContainers"))
    if init:
        out["initContainers"] = [shown(c) for c in init]
    return out


def launch_document(
    job: Mapping[str, Any], template: Mapping[str, Any], secrets: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """An app-shaped document for the runtime's launch machinery: the job's environment, the
    execution's template, and the secrets with their values (for secretRef)."""
    props = _mapping(job.get("properties"))
    return {
        "id": job["id"],
        "name": job.get("name"),
        "properties": {
            "environmentId": props.get("environmentId") or props.get("managedEnvironmentId"),
            "configuration": {"secrets": [dict(s) for s in secrets]},
            "template": dict(template),
        },
    }


# Variables Azure sets in a job's containers; the app-only ones are taken out.
APP_ONLY_VARIABLES = ("PORT", "CONTAINER_APP_NAME", "CONTAINER_APP_REVISION", "CONTAINER_APP_PORT")


def job_environment(
    env: Mapping[str, str], job: str, execution: str, replica: str
) -> dict[str, str]:
    out = {k: v for k, v in env.items() if k not in APP_ONLY_VARIABLES}
    out.update(
        {
            "CONTAINER_APP_JOB_NAME": job,
            "CONTAINER_APP_JOB_EXECUTION_NAME": execution,
            "CONTAINER_APP_REPLICA_NAME": replica,
            "HOSTNAME": replica,
        }
    )
    return out
