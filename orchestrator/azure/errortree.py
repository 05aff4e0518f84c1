"""ARM error trees flattened into root causes, each naming its resource, with hints (pure).

ARM wraps what went wrong in layers: `DeploymentFailed` ("At least one resource deployment
operation failed ...") → `ResourceDeploymentFailure` → the resource provider's own error,
often as a JSON *string* in `message` (parsed into the tree when it is read, see
`parse.error_from_wire`). The root causes come from each failed operation's `statusMessage`
(which names the resource) and from the deployment's `properties.error`; wrappers are
dropped and duplicates removed. This is the one flattening: `errors.translate` uses it for
refused requests, provision for failed deployments.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from orchestrator.azure.models import ErrorDetail, OperationSnapshot

WRAPPER_CODES = frozenset(
    {
        "deploymentfailed",
        "resourcedeploymentfailure",
        "invalidtemplatedeployment",
        "preflightvalidationcheckfailed",
        "conflict",
        "badrequest",
    }
)


@dataclass(frozen=True)
class RootCause:
    code: str
    message: str
    resource: str = ""  # "Microsoft.App/containerApps aiacaapp1"
    hint: str = ""
    target: str = ""  # ARM's `target` of the error, when it names one

    def lines(self) -> list[str]:
        where = f"{self.resource}: " if self.resource else ""
        out = [f"{where}{self.code}: {self.message}"]
        if self.hint:
            out.append(f"  hint: {self.hint}")
        return out

    def as_data(self) -> dict[str, str | None]:
        """The cause as structured fields (the `--json` document of a failure)."""
        return {
            "code": self.code,
            "target": self.target or self.resource or None,
            "resource": self.resource or None,
            "message": self.message,
            "hint": self.hint or None,
        }


_GPU_QUOTA = re.compile(r"NCA100|A100|GPU", re.IGNORECASE)
_QUOTA = (
    "Request more quota in the Azure portal (Subscriptions > Usage + quotas, or Container Apps "
    "> quotas), lower maximumInstanceCount, or pick a --location with capacity"
)

HINTS: Mapping[str, str] = {
    "maxregionalquotaexceeded": _QUOTA,
    "quotaexceeded": _QUOTA,
    "operationnotallowed": _QUOTA,
    "subscriptionnca100gpus": _QUOTA,
    "managedenvironmentnotreadyforappcreation": (
        "The Container Apps environment is still being set up; wait a few minutes and run "
        "provision again"
    ),
    "containerappoperationinprogress": (
        "Another operation on the container app is running; wait for it (`orchestrator "
        "status`) and run provision again"
    ),
    "invalidtemplate": (
        "The template itself is invalid; run `orchestrator validate` and check {template}"
    ),
    "storageaccountalreadytaken": (
        "Storage account names are global; set storageAccountName in {parameters} "
        "(or --param storageAccountName=...) to a unique name"
    ),
    "locationnotavailableforresourcetype": (
        "This region does not offer the resource type; choose another --location (GPU "
        "workload profiles exist only in some regions)"
    ),
    "authorizationfailed": (
        "Your identity lacks permission on the resource group; ask for the Contributor role "
        "(az role assignment create --role Contributor --scope <group id>)"
    ),
    "missingsubscriptionregistration": (
        "Register the resource provider: az provider register --namespace Microsoft.App "
        "(also Microsoft.OperationalInsights, Microsoft.Storage)"
    ),
    "resourcegroupnotfound": (
        "Create the group: add --create-resource-group --location REGION, or az group create"
    ),
    "deploymentactive": "Another deployment is running; `orchestrator attach` watches it",
}


# What a hint calls the files of the deployment when it does not know them (`attach`, a
# preflight outside provision); the provisioner names the files it used (`with_files`).
GENERIC_FILES: Mapping[str, str] = {"parameters": "the parameters file", "template": "the template"}


def hint_for(code: str, message: str, files: Mapping[str, str] = GENERIC_FILES) -> str:
    hint = HINTS.get(code.lower(), "")
    if hint:
        return hint.format_map({**GENERIC_FILES, **files})
    if "quota" in code.lower() or ("quota" in message.lower() and _GPU_QUOTA.search(message)):
        return _QUOTA
    return ""


def with_files(causes: Sequence[RootCause], files: Mapping[str, str]) -> tuple[RootCause, ...]:
    """`causes` with their hints naming `files` ({"parameters": ..., "template": ...})."""
    return tuple(
        replace(cause, hint=hint_for(cause.code, cause.message, files) or cause.hint)
        for cause in causes
    )


def flatten(node: ErrorDetail | None, resource: str = "") -> list[RootCause]:
    """Depth-first leaves of one error tree, wrappers dropped."""
    if node is None:
        return []
    causes = [cause for child in node.details for cause in flatten(child, resource)]
    if causes:
        return causes
    if node.code.lower() in WRAPPER_CODES and not node.message:
        return []
    if not node.code and not node.message:
        return []
    code = node.code or "Error"
    return [RootCause(code, node.message, resource, hint_for(code, node.message), node.target)]


def _operation_resource(op: OperationSnapshot) -> str:
    return f"{op.resource_type} {op.resource_name}".strip()


def _dedupe(causes: Iterable[RootCause]) -> list[RootCause]:
    seen: dict[tuple[str, str], RootCause] = {}
    for cause in causes:
        key = (cause.code.lower(), cause.message)
        if key not in seen or (cause.resource and not seen[key].resource):
            seen[key] = cause
    return list(seen.values())


def _drop_wrapper_leaves(causes: list[RootCause]) -> list[RootCause]:
    """A bare `DeploymentFailed` is noise when a real cause exists."""
    real = [c for c in causes if c.code.lower() not in WRAPPER_CODES]
    return real or causes


def root_causes(
    deployment_error: ErrorDetail | None, operations: Sequence[OperationSnapshot]
) -> list[RootCause]:
    """The failure's root causes: failed operations first (they name resources), then any
    cause from the deployment's own error not already covered."""
    causes: list[RootCause] = []
    for op in operations:
        if op.failed and op.status_message is not None:
            causes.extend(flatten(op.status_message, _operation_resource(op)))
    causes.extend(flatten(deployment_error))
    return _drop_wrapper_leaves(_dedupe(causes))


def render_causes(causes: Sequence[RootCause]) -> list[str]:
    return [line for cause in causes for line in cause.lines()]
