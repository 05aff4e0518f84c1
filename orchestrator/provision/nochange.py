"""Decide whether a provision can be skipped (pure; azd's provision-state algorithm).

A deployment is skipped when the latest *succeeded* deployment of this template in the group
has the same ARM template hash (calculateTemplateHash vs its properties.templateHash), the
same parameter hash tag (final parameters + target), and the resources it output still exist.
`--force` always deploys. Drift made outside ARM deployments is not detected; `plan` shows it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from orchestrator import __version__
from orchestrator.azure.models import DeploymentSnapshot

TEMPLATE_NAME = "inference"
TAG_PARAM_HASH = "orchestrator-param-hash"
TAG_TEMPLATE = "orchestrator-template"
TAG_VERSION = "orchestrator-version"


def param_hash(parameters_sha256: str, subscription: str, resource_group: str) -> str:
    """The hash tagged on each deployment: final parameters and where they were deployed."""
    doc = {
        "parameters": parameters_sha256,
        "subscription": subscription.lower(),
        "resourceGroup": resource_group.lower(),
    }
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def deployment_tags(phash: str, template: str = TEMPLATE_NAME) -> dict[str, str]:
    return {TAG_PARAM_HASH: phash, TAG_TEMPLATE: template, TAG_VERSION: __version__}


def is_ours(deployment: DeploymentSnapshot, template: str = TEMPLATE_NAME) -> bool:
    """A deployment of `template` (`inference`, `finetuning`) made by this tool."""
    tags = {k.lower(): v for k, v in deployment.tags.items()}
    return tags.get(TAG_TEMPLATE) == template


def latest_succeeded(
    deployments: Sequence[DeploymentSnapshot], template: str = TEMPLATE_NAME
) -> DeploymentSnapshot | None:
    """The newest succeeded deployment of this template (by its timestamp)."""
    done = [d for d in deployments if is_ours(d, template) and d.state.lower() == "succeeded"]
    return max(done, key=lambda d: d.timestamp, default=None)


def active_deployments(
    deployments: Sequence[DeploymentSnapshot], template: str = TEMPLATE_NAME
) -> list[DeploymentSnapshot]:
    """Deployments of this template that are still running, oldest first."""
    active = [d for d in deployments if is_ours(d, template) and not d.is_terminal]
    return sorted(active, key=lambda d: d.timestamp)


@dataclass(frozen=True)
class Deploy:
    reason: str


@dataclass(frozen=True)
class Candidate:
    """A previous deployment that matches; skipping still needs its resources to exist."""

    previous: DeploymentSnapshot


@dataclass(frozen=True)
class Skip:
    previous: DeploymentSnapshot
    reason: str


Decision = Deploy | Skip


def find_candidate(
    deployments: Sequence[DeploymentSnapshot],
    *,
    template_hash: str,
    phash: str,
    force: bool,
    template: str = TEMPLATE_NAME,
) -> Deploy | Candidate:
    if force:
        return Deploy("--force given")
    previous = latest_succeeded(deployments, template)
    if previous is None:
        return Deploy("no earlier successful provision in this resource group")
    if previous.template_hash != template_hash:
        return Deploy(f"the template changed since {previous.name}")
    tags = {k.lower(): v for k, v in previous.tags.items()}
    if tags.get(TAG_PARAM_HASH) != phash:
        return Deploy(f"the parameters or target changed since {previous.name}")
    return Candidate(previous)


def decide(candidate: Deploy | Candidate, missing_resources: Sequence[str]) -> Decision:
    """Final decision once the candidate's output resources were checked."""
    if isinstance(candidate, Deploy):
        return candidate
    previous = candidate.previous
    if missing_resources:
        gone = missing_resources[0].rsplit("/", 1)[-1]
        more = f" and {len(missing_resources) - 1} more" if len(missing_resources) > 1 else ""
        return Deploy(f"resource {gone}{more} from {previous.name} no longer exists")
    return Skip(previous, f"nothing changed since {previous.name}")
