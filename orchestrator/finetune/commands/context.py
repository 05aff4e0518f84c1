"""What every fine-tuning command starts from: the workspace's fine-tuning files and config,
the job, and the execution in flight recorded under `.orchestrator/`.

The record (`.orchestrator/finetune-execution.json`: cloud, subscription, group, job,
execution, run id, started at) is written when `finetune run` starts an execution, so that
`finetune logs`, `status` and `stop` need no name; it names the last execution started, and
stays after it ends (its history is still what `logs` shows).
"""

from __future__ import annotations

import contextlib
from dataclasses import asdict, dataclass
from pathlib import Path

from orchestrator.azure.errors import NotFound
from orchestrator.azure.jobs import Job, Jobs
from orchestrator.errors import InputError
from orchestrator.finetune import config as ft_config
from orchestrator.finetune import family, status
from orchestrator.finetune.config import FinetuneConfig
from orchestrator.finetune.family import FinetuneFiles
from orchestrator.jsonio import load_json, write_json_atomic
from orchestrator.workspace import Workspace, require_workspace

RECORD_FILE = "finetune-execution.json"


@dataclass(frozen=True)
class Loaded:
    files: FinetuneFiles
    config: FinetuneConfig


def load(workspace: Workspace) -> Loaded:
    """The fine-tuning files and the complete config (exit 2 naming what is missing)."""
    files = family.detect(require_workspace(workspace))
    return Loaded(files, ft_config.require(files))


def read_job(jobs: Jobs, config: FinetuneConfig) -> Job:
    """The configured job; one that does not exist is the config's fault (exit 2)."""
    try:
        return jobs.job(config.group, config.job)
    except NotFound:
        raise config.problem(
            "ACA_JOB_NAME",
            f"job {config.job} not found in resource group {config.group}",
        ) from None


@dataclass(frozen=True)
class ExecutionRecord:
    cloud: str
    subscription: str
    group: str
    job: str
    execution: str
    run_id: str = ""
    started_at: str = ""


def record_path(workspace: Workspace) -> Path:
    return workspace.state_dir / RECORD_FILE


def remember(workspace: Workspace, entry: ExecutionRecord) -> None:
    workspace.ensure_state_dir()
    write_json_atomic(record_path(workspace), asdict(entry))


def recalled(workspace: Workspace, config: FinetuneConfig) -> ExecutionRecord | None:
    """The recorded execution when it belongs to the configured job (else None)."""
    path = record_path(workspace)
    if not path.is_file():
        return None
    doc: object = None
    with contextlib.suppress(InputError):
        doc = load_json(path, workspace.shown(path))
    if not isinstance(doc, dict):
        return None
    try:
        entry = ExecutionRecord(**{k: str(doc[k]) for k in ExecutionRecord.__dataclass_fields__})
    except KeyError:
        return None
    same_job = (entry.group.lower(), entry.job.lower()) == (
        config.group.lower(),
        config.job.lower(),
    )
    return entry if same_job else None


def pick_execution(
    workspace: Workspace, jobs: Jobs, config: FinetuneConfig, given: str | None
) -> str:
    """`--execution`, else the one `finetune run` recorded, else the newest in flight, else
    the newest; InputError (exit 2) when the job never ran."""
    if given:
        return given
    entry = recalled(workspace, config)
    if entry is not None:
        return entry.execution
    summaries = [status.summary(e.document) for e in jobs.executions(config.group, config.job)]
    chosen = status.latest_in_flight(summaries) or next(iter(status.newest_first(summaries)), None)
    if chosen is None:
        raise InputError(
            f"job {config.job} has no executions",
            hint="`orchestrator finetune run` starts one",
        )
    return chosen.name
