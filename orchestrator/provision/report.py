"""CommandResult pieces shared by provision, attach, outputs and status (pure)."""

from __future__ import annotations

from typing import Any

from orchestrator.azure.models import DeploymentSnapshot
from orchestrator.provision.outputs import MappedOutputs
from orchestrator.result import Message


def deployment_data(deployment: DeploymentSnapshot) -> dict[str, Any]:
    return {
        "name": deployment.name,
        "id": deployment.id,
        "state": deployment.state,
        "timestamp": deployment.timestamp or None,
        "duration_seconds": deployment.duration,
    }


def outputs_messages(mapped: MappedOutputs, config_shown: str, written: bool) -> list[Message]:
    messages = [Message(f"{name} = {value}", "detail") for name, value in mapped.values.items()]
    if mapped.secure_skipped:
        skipped = ", ".join(mapped.secure_skipped)
        messages.append(Message(f"secure outputs not written: {skipped}", "detail"))
    if mapped.missing:
        messages.append(
            Message(f"outputs missing from the deployment: {', '.join(mapped.missing)}", "warning")
        )
    state = "wrote" if written else "unchanged:"
    messages.append(Message(f"{state} {config_shown}"))
    if mapped.endpoint_url:
        messages.append(Message(f"endpoint: {mapped.endpoint_url}", "success"))
    return messages


def outputs_data(mapped: MappedOutputs, config_shown: str, written: bool) -> dict[str, Any]:
    return {
        "outputs": dict(mapped.values),
        "secure_outputs_skipped": list(mapped.secure_skipped),
        "config": {"path": config_shown, "written": written},
        "endpoint": mapped.endpoint_url or None,
    }
