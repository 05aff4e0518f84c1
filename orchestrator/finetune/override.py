"""Start an execution that runs the config's commands without wiping the job (pure).

The trap: a start body with `containers` (a `JobExecutionTemplate`) REPLACES the job's
template - whatever a container does not resend is gone, `env` (secretRefs included) first of
all (MicrosoftDocs/azure-docs-cli#4456, Azure/azure-cli#27023). `JobExecutionContainer` has
only `image, name, command, args, env, resources`; volumes are inherited from the job
("volume inheritance", microsoft/azure-container-apps#909).

Two ways to run the config's `COMMANDS` / `ARGS`:

- `Strategy.OVERRIDE` (the default): `start_body` repeats every container of the job's current
  definition - name, image, resources, env, and the command/args it keeps - and sets the run's
  command or args on the first one. One request; the job's definition is left as provisioned
  (a start from the portal still runs the template's defaults); two runs never race on a
  shared definition; the execution's own `template` shows what ran.
- `Strategy.PATCH`: `patch_body` writes the run's command/args into the job's template (the
  whole container, mounts and env included, since a PATCH replaces arrays), then the job is
  started with no body. It does not depend on volume inheritance, but changes the job for
  every later start and races with other users of the job.

The run's command (`run_command`): for the 2024 templates
`['/bin/bash', '-c', '; '.join(COMMANDS)]`, as the templates' own `defaultCommands` are
joined (a failing step does not stop the later ones; the last one decides the exit code),
after a check that the share is mounted (`MOUNT_GUARD`, exit 97), so a missing volume fails
the run at once instead of training on nothing. For Phi Silica / Aion: no command (the image's
entrypoint, or whatever command the job has, is kept) and `ARGS` with `<run_id>` filled in.
All functions take the job as ARM returns it (`GET .../jobs/{job}`, camelCase wire JSON).
"""

from __future__ import annotations

import copy
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from orchestrator.errors import InputError
from orchestrator.finetune import jobdoc
from orchestrator.finetune.config import FinetuneConfig
from orchestrator.finetune.layout import RUN_ID_TOKEN, substitute

# JobExecutionContainer (Microsoft.App Jobs.json 2025-07-01): all that a start body carries.
EXECUTION_CONTAINER_KEYS = ("image", "name", "command", "args", "env", "resources")
READ_ONLY_RESOURCES = ("ephemeralStorage",)
MOUNT_GUARD_EXIT = 97
MOUNT_GUARD = (
    "test -d /mount || { echo 'the file share is not mounted at /mount' >&2; "
    f"exit {MOUNT_GUARD_EXIT}; }}"
)
SHELL = ("/bin/bash", "-c")


class Strategy(enum.Enum):
    OVERRIDE = "override"
    PATCH = "patch"


DEFAULT_STRATEGY = Strategy.OVERRIDE


@dataclass(frozen=True)
class RunCommand:
    """What the run changes on the job's first container; None keeps the container's own."""

    command: tuple[str, ...] | None
    args: tuple[str, ...] | None

    def describe(self) -> dict[str, object]:
        return {
            "command": None if self.command is None else list(self.command),
            "args": None if self.args is None else list(self.args),
        }


def run_command(
    config: FinetuneConfig, run_id: str | None, *, guard_mount: bool = True
) -> RunCommand:
    """The run's command (2024 templates) or arguments (Phi Silica / Aion)."""
    if config.family.image_entrypoint:
        if run_id is None and any(RUN_ID_TOKEN in a for a in config.args):
            raise InputError(f"{config.shown}: ARGS use {RUN_ID_TOKEN}, and no run id was given")
        return RunCommand(None, substitute(config.args, run_id or ""))
    steps = [MOUNT_GUARD, *config.commands] if guard_mount else list(config.commands)
    return RunCommand((*SHELL, "; ".join(steps)), ())


def start_body(job: Mapping[str, Any], run: RunCommand) -> dict[str, Any]:
    """The complete `JobExecutionTemplate` for `POST .../start`: every container repeated as
    the job defines it, the run's command/args on the first one."""
    template = jobdoc.template(job)
    containers = jobdoc.objects(template.get("containers"))
    if not containers:
        raise InputError(f"job {job.get('name', '')!r} has no containers to run")
    body: dict[str, Any] = {
        "containers": [
            _execution_container(c, run if i == 0 else None) for i, c in enumerate(containers)
        ]
    }
    init = jobdoc.objects(template.get("initContainers"))
    if init:
        body["initContainers"] = [_execution_container(c, None) for c in init]
    return body


def patch_body(job: Mapping[str, Any], run: RunCommand) -> dict[str, Any]:
    """The `PATCH .../jobs/{job}` body that puts the run's command/args into the template;
    the containers are sent whole (a PATCH replaces arrays), volumes are left as they are."""
    containers = jobdoc.objects(jobdoc.template(job).get("containers"))
    if not containers:
        raise InputError(f"job {job.get('name', '')!r} has no containers to run")
    patched = [copy.deepcopy(dict(c)) for c in containers]
    _apply(patched[0], run)
    return {"properties": {"template": {"containers": patched}}}


def dropped_by_override(job: Mapping[str, Any]) -> tuple[str, ...]:
    """What a start body cannot carry, per container (`name.key`): `volumeMounts` is inherited
    by Azure; anything else listed here is not in effect during an overridden execution."""
    out: list[str] = []
    template = jobdoc.template(job)
    for c in [
        *jobdoc.objects(template.get("containers")),
        *jobdoc.objects(template.get("initContainers")),
    ]:
        out += [
            f"{c.get('name', '')}.{key}"
            for key in c
            if key not in EXECUTION_CONTAINER_KEYS and c[key] not in (None, [], {})
        ]
    return tuple(out)


def _execution_container(container: Mapping[str, Any], run: RunCommand | None) -> dict[str, Any]:
    out = {
        k: copy.deepcopy(container[k])
        for k in EXECUTION_CONTAINER_KEYS
        if container.get(k) is not None
    }
    if isinstance(out.get("resources"), dict):
        for key in READ_ONLY_RESOURCES:
            out["resources"].pop(key, None)
    if run is not None:
        _apply(out, run)
    return out


def _apply(container: dict[str, Any], run: RunCommand) -> None:
    for key, value in (("command", run.command), ("args", run.args)):
        if value is None:
            continue
        if value:
            container[key] = list(value)
        else:
            container.pop(key, None)
