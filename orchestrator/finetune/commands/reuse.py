"""What `orchestrator provision` (inference) takes from fine-tuning: when the workspace's
fine-tuning config names resources in the provision's subscription and resource group, the
null storage, share, environment and Log Analytics parameters are filled from them
(`orchestrator.provision.reuse`); the environment and its storage link are read from the
job (`environmentId`, its volume's `storageName`), the Log Analytics workspace from the
config (`LOG_ANALYTICS_NAME`) or the environment's log destination.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from orchestrator.app import App
from orchestrator.errors import InputError
from orchestrator.finetune import config as ft_config
from orchestrator.finetune import family
from orchestrator.invocation import Invocation
from orchestrator.parameters import load_parameters
from orchestrator.provision.prepare import Request, load_target
from orchestrator.provision.target import cloud_default

if TYPE_CHECKING:
    from orchestrator.azure.jobs import Jobs
    from orchestrator.provision import reuse


def shared_resources(jobs: Jobs, group: str, values: dict[str, object]) -> reuse.Shared | None:
    """What the fine-tuning job shares (read only when its config names this group; the job
    readers and the reuse rules are imported here, so a provision without fine-tuning does not
    load them)."""
    from orchestrator.azure.errors import NotFound
    from orchestrator.azure.jobs import name_of
    from orchestrator.provision import reuse

    try:
        job = jobs.job(group, str(values["ACA_JOB_NAME"]))
    except NotFound:
        return None
    log_name = values.get("LOG_ANALYTICS_NAME")
    log_analytics = log_name if isinstance(log_name, str) else ""
    if not log_analytics and job.environment_id:
        customer = jobs.environment(job.environment_id).log_customer_id
        found = [w.name for w in jobs.log_workspaces(group) if w.customer_id == customer]
        log_analytics = found[0] if customer and found else ""
    return reuse.Shared(
        account=str(values["STORAGE_ACCOUNT_NAME"]),
        share=str(values["FILE_SHARE_NAME"]),
        environment=name_of(job.environment_id) if job.environment_id else "",
        environment_storage=job.storage_name,
        log_analytics=log_analytics,
    )


def with_finetuning(inv: Invocation, app: App, request: Request) -> tuple[Request, list[str]]:
    """`request` with the reuse parameters prepended to its `--param`s, and what was filled
    as lines to show; the request as given when there is nothing to reuse."""
    workspace = inv.workspace
    try:
        files = family.detect(workspace)
        values = dict(ft_config.read(files).values)
    except InputError:
        return request, []
    needed = ("SUBSCRIPTION_ID", "RESOURCE_GROUP_NAME", "STORAGE_ACCOUNT_NAME", "FILE_SHARE_NAME")
    if any(ft_config.is_unset(values.get(k)) for k in (*needed, "ACA_JOB_NAME")):
        return request, []
    target, _config = load_target(
        workspace, inv.settings, request.flags, cloud_default(lambda: app.profile)
    )
    same = (
        target.subscription.value.lower() == str(values["SUBSCRIPTION_ID"]).lower()
        and target.resource_group.value.lower() == str(values["RESOURCE_GROUP_NAME"]).lower()
    )
    if not same:
        return request, []
    path = request.parameters_file or workspace.parameters
    document = load_parameters(path, workspace.shown(path))
    shared = shared_resources(
        app.jobs(target.subscription.value), target.resource_group.value, values
    )
    if shared is None:
        return request, []
    from orchestrator.provision import reuse

    filled = reuse.fills(document.values, request.params, shared)
    said = [f"from fine-tuning ({files.shown(files.config)}): {k} = {v}" for k, v in filled.items()]
    return replace(request, params=(*reuse.as_overrides(filled), *request.params)), said
