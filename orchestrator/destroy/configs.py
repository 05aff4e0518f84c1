"""The config side of `destroy`: what the inference config (or, with `--finetune`, the
fine-tuning config) names, and clearing the keys of what was deleted - one atomic write,
every other key and the key order kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from orchestrator import inference_config
from orchestrator.destroy.discover import Known
from orchestrator.errors import InputError
from orchestrator.workspace import Workspace, require_workspace

APP_KEYS = ("ACA_APP_NAME", "ACA_APP_ENDPOINT")
JOB_KEYS = ("ACA_JOB_NAME",)
SHARED_KEYS = ("STORAGE_ACCOUNT_NAME", "FILE_SHARE_NAME")
LOG_KEYS = ("LOG_ANALYTICS_NAME",)


@dataclass(frozen=True)
class ConfigSide:
    path: Path
    shown: str
    values: Mapping[str, object]
    known: Known
    finetune: bool

    def keys_to_clear(self, everything: bool) -> tuple[str, ...]:
        keys: tuple[str, ...] = JOB_KEYS if self.finetune else APP_KEYS
        if everything:
            keys += SHARED_KEYS + (LOG_KEYS if self.finetune else ())
        present = {k.lower(): k for k in self.values}
        return tuple(present[k.lower()] for k in keys if k.lower() in present)


def _text(values: Mapping[str, object], key: str) -> str:
    value = values.get(key)
    return value.strip() if isinstance(value, str) else ""


def read_side(workspace: Workspace, *, finetune: bool) -> ConfigSide:
    """The config this destroy works from; exit 2 when it names no subscription or group."""
    require_workspace(workspace)
    if finetune:
        from orchestrator.finetune import config as ftconfig
        from orchestrator.finetune.family import detect

        files = detect(workspace)
        found = ftconfig.read(files)
        path, shown, values, workload = files.config, found.shown, found.values, "ACA_JOB_NAME"
    else:
        read = inference_config.read(workspace, normalise=False)
        path, shown, values, workload = workspace.config, read.shown, read.values, "ACA_APP_NAME"
    subscription, group = _text(values, "SUBSCRIPTION_ID"), _text(values, "RESOURCE_GROUP_NAME")
    if not subscription or not group:
        raise InputError(
            f"{shown}: no SUBSCRIPTION_ID or RESOURCE_GROUP_NAME: nothing provisioned to destroy",
            hint="destroy deletes what `orchestrator provision` recorded in that file",
        )
    known = Known(
        subscription,
        group,
        _text(values, workload),
        _text(values, "STORAGE_ACCOUNT_NAME"),
        _text(values, "FILE_SHARE_NAME"),
        finetune=finetune,
    )
    return ConfigSide(path, shown, values, known, finetune)


def clear(side: ConfigSide, keys: tuple[str, ...]) -> bool:
    """Set `keys` to null in one atomic write; False when nothing changed."""
    if not keys:
        return False
    cleared = {key: None for key in keys}
    if side.finetune:
        from orchestrator.finetune import config as ftconfig

        return ftconfig.write(side.path, inference_config.merge(side.values, cleared))
    return inference_config.write_values(side.path, side.values, cleared)
