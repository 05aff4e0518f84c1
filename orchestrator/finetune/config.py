"""The fine-tuning config contract: `finetuning.config.json` (`infra/` for the 2024 templates,
`infra/provision/` for Phi Silica / Aion; `family.config_path`).

Keys per family (`keys`): five resource keys - Phi Silica and Aion add `LOG_ANALYTICS_NAME` -
strings or null until provisioned, then `COMMANDS` (a list of shell commands) and, for the
image-entrypoint families, `ARGS` (the image's arguments, `<run_id>` filled in per run).
`problems` checks the values as the inference config is checked (types, Azure's naming rules,
near-miss keys), naming `FILE:LINE:COLUMN` of each wrong value when the values came from
`read`; `require` gives the complete, typed config a run needs or exit 2 naming every key.

On provision, `merge_outputs` writes the resource keys from the deployment's outputs and keeps
the user's `COMMANDS` / `ARGS` unless they are unset (absent, null or empty) or
`reset_commands` is asked for: the toolkit's templates output their default commands, and the
docs tell users to edit the config's copy. `checked_merge` checks the result before `write`
replaces the file atomically; nothing is written when a value is wrong or nothing changed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from orchestrator import naming
from orchestrator.errors import Problem, ValidationFailed
from orchestrator.finetune.family import Family, FinetuneFiles
from orchestrator.jsonio import dumps, write_atomic
from orchestrator.schemas import json_path, json_type
from orchestrator.validation import load_config, located

_BASE_KEYS = (
    "SUBSCRIPTION_ID",
    "RESOURCE_GROUP_NAME",
    "STORAGE_ACCOUNT_NAME",
    "FILE_SHARE_NAME",
    "ACA_JOB_NAME",
)
RESOURCE_KEYS: Mapping[Family, tuple[str, ...]] = {
    Family.LEGACY: _BASE_KEYS,
    Family.PHI_SILICA: (*_BASE_KEYS, "LOG_ANALYTICS_NAME"),
    Family.AION: (*_BASE_KEYS, "LOG_ANALYTICS_NAME"),
}
COMMAND_KEYS: Mapping[Family, tuple[str, ...]] = {
    Family.LEGACY: ("COMMANDS",),
    Family.PHI_SILICA: ("COMMANDS", "ARGS"),
    Family.AION: ("COMMANDS", "ARGS"),
}
REQUIRED_RESOURCE_KEYS = _BASE_KEYS  # LOG_ANALYTICS_NAME only serves the log history
NAME_RULES: Mapping[str, naming.NameRule] = {
    "RESOURCE_GROUP_NAME": naming.RESOURCE_GROUP,
    "STORAGE_ACCOUNT_NAME": naming.STORAGE_ACCOUNT,
    "FILE_SHARE_NAME": naming.FILE_SHARE,
    "ACA_JOB_NAME": naming.CONTAINER_APP_JOB,
    "LOG_ANALYTICS_NAME": naming.LOG_ANALYTICS,
}
_GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\Z")
GUID_EXPECTED = "a subscription ID (GUID) such as 00000000-0000-0000-0000-000000000000"
LIST_EXPECTED = {
    "COMMANDS": "an array of shell commands (strings), run joined with '; '",
    "ARGS": "an array of strings, the image's arguments (<run_id> is filled in per run)",
}
FILL_HINT = (
    "run `orchestrator finetune provision`, or fill the keys in by hand "
    '(the toolkit\'s "Manual Provision")'
)


def keys(family: Family) -> tuple[str, ...]:
    """The family's keys in the toolkit's file order."""
    return (*RESOURCE_KEYS[family], *COMMAND_KEYS[family])


@dataclass(frozen=True)
class ConfigFile:
    """The file as read: every key in file order ({} when absent)."""

    values: Mapping[str, object]
    shown: str
    exists: bool


@dataclass(frozen=True)
class FinetuneConfig:
    """The config checked and complete: what a run, logs, status, stop and secrets work on."""

    family: Family
    subscription: str
    group: str
    account: str
    share: str
    job: str
    log_analytics: str | None
    commands: tuple[str, ...]
    args: tuple[str, ...]
    shown: str

    def describe(self) -> dict[str, object]:
        return {
            "family": self.family.value,
            "subscription": self.subscription,
            "group": self.group,
            "account": self.account,
            "share": self.share,
            "job": self.job,
            "log_analytics": self.log_analytics,
            "commands": list(self.commands),
            "args": list(self.args),
        }

    def problem(self, key: str, message: str) -> ValidationFailed:
        """A configured resource that is not there: one problem naming the key (exit 2)."""
        return ValidationFailed(
            [Problem(self.shown, key, message)],
            hint=f"correct {key} in {self.shown}, or run `orchestrator finetune provision` "
            "to create the resources",
        )


def read(files: FinetuneFiles) -> ConfigFile:
    """The family's config file (malformed: ValidationFailed naming file, line and column)."""
    shown = files.shown(files.config)
    if not files.config.exists() and not files.config.is_symlink():
        return ConfigFile({}, shown, exists=False)
    return ConfigFile(load_config(files.config, shown), shown, exists=True)


def problems(
    values: Mapping[str, object], shown: str, family: Family, *, complete: bool
) -> list[Problem]:
    """Every problem of the values; with `complete`, every key a run needs must be set."""
    found: list[Problem] = []
    for key in keys(family):
        if key in values:
            found += _value_problems(key, values[key], shown)
    found += _misspelled(values, shown, keys(family))
    if complete:
        found += _missing(values, shown, family)
    return located(found, values, shown)


def require(files: FinetuneFiles) -> FinetuneConfig:
    """The complete, checked config; exit 2 naming each wrong or missing key."""
    found = read(files)
    if not found.exists:
        raise ValidationFailed(
            [Problem(found.shown, "", "file not found")],
            hint=FILL_HINT,
        )
    wrong = problems(found.values, found.shown, files.family, complete=True)
    if wrong:
        raise ValidationFailed(wrong, hint=FILL_HINT)
    v = found.values
    log_analytics = v.get("LOG_ANALYTICS_NAME")
    return FinetuneConfig(
        family=files.family,
        subscription=str(v["SUBSCRIPTION_ID"]),
        group=str(v["RESOURCE_GROUP_NAME"]),
        account=str(v["STORAGE_ACCOUNT_NAME"]),
        share=str(v["FILE_SHARE_NAME"]),
        job=str(v["ACA_JOB_NAME"]),
        log_analytics=log_analytics if isinstance(log_analytics, str) and log_analytics else None,
        commands=_strings(v.get("COMMANDS")),
        args=_strings(v.get("ARGS")) if files.family.image_entrypoint else (),
        shown=found.shown,
    )


# ---------------------------------------------------------------- provision: outputs -> file


def outputs_to_values(outputs: Mapping[str, object], family: Family) -> dict[str, object]:
    """The family's keys from a deployment's outputs. ARM recases output names
    (`subscriptioN_ID`), so they are matched case-insensitively; an output may be given as
    ARM returns it (`{"type": ..., "value": ...}`) or as the bare value."""
    by_lower = {name.lower(): name for name in outputs}
    values: dict[str, object] = {}
    for key in keys(family):
        name = by_lower.get(key.lower())
        if name is not None:
            values[key] = _output_value(outputs[name])
    return values


def merge_outputs(
    existing: Mapping[str, object],
    outputs: Mapping[str, object],
    family: Family,
    *,
    reset_commands: bool,
) -> dict[str, object]:
    """`existing` with the outputs applied: resource keys always; COMMANDS / ARGS only when
    unset or with `reset_commands`. Keys are the toolkit's exact names (a near-miss such as
    `aca_job_name` is left alone for `problems` to report); other keys and the key order are
    kept, new keys go last."""
    merged = dict(existing)
    kept = () if reset_commands else COMMAND_KEYS[family]
    for key, value in outputs_to_values(outputs, family).items():
        if key in kept and not is_unset(merged.get(key)):
            continue
        merged[key] = value
    return merged


def checked_merge(
    existing: Mapping[str, object],
    outputs: Mapping[str, object],
    family: Family,
    shown: str,
    *,
    reset_commands: bool,
) -> dict[str, object]:
    """`merge_outputs`, checked: ValidationFailed (exit 2, nothing to write) when an output
    or a kept value is wrong."""
    merged = merge_outputs(existing, outputs, family, reset_commands=reset_commands)
    wrong = [
        p for key in keys(family) if key in merged for p in _value_problems(key, merged[key], shown)
    ]
    if wrong:
        raise ValidationFailed(
            wrong,
            hint=f"{shown} was not changed; check the template's outputs and the file",
        )
    return merged


def write(path: Path, merged: Mapping[str, object]) -> bool:
    """Replace the file atomically; False (nothing written) when its text would not change."""
    text = dumps(dict(merged))
    try:
        if path.is_file() and path.read_text(encoding="utf-8-sig") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    write_atomic(path, text)
    return True


def is_unset(value: object) -> bool:
    """Null, an empty string or an empty list: not yet provisioned or filled in."""
    return value is None or value == "" or value == []


# ---------------------------------------------------------------- checks


def _value_problems(key: str, value: object, shown: str) -> list[Problem]:
    if is_unset(value):
        return []
    if key in LIST_EXPECTED:
        return _list_problems(key, value, shown)
    if not isinstance(value, str):
        expected = GUID_EXPECTED if key == "SUBSCRIPTION_ID" else NAME_RULES[key].expected
        return [Problem(shown, key, f"is {json_type(value)}", f"{expected}, or null")]
    if key == "SUBSCRIPTION_ID":
        if _GUID.match(value):
            return []
        return [Problem(shown, key, f"{naming.quoted(value)} is not a GUID", GUID_EXPECTED)]
    said = naming.describe(NAME_RULES[key], value)
    return [Problem(shown, key, said, NAME_RULES[key].expected)] if said else []


def _list_problems(key: str, value: object, shown: str) -> list[Problem]:
    if not isinstance(value, list):
        return [Problem(shown, key, f"is {json_type(value)}", LIST_EXPECTED[key])]
    return [
        Problem(shown, json_path([key, i]), f"is {json_type(item)}", "a string")
        for i, item in enumerate(value)
        if not isinstance(item, str)
    ]


def _missing(values: Mapping[str, object], shown: str, family: Family) -> list[Problem]:
    needed = [*REQUIRED_RESOURCE_KEYS, "ARGS" if family.image_entrypoint else "COMMANDS"]
    out: list[Problem] = []
    for key in needed:
        value = values.get(key)
        if not is_unset(value):
            continue
        what = "is missing" if key not in values else f"is {_unset_word(value)}"
        expected = LIST_EXPECTED.get(key) or (
            GUID_EXPECTED if key == "SUBSCRIPTION_ID" else NAME_RULES[key].expected
        )
        out.append(Problem(shown, key, f"{what}: {FILL_HINT}", expected))
    return out


def _unset_word(value: object) -> str:
    return "null" if value is None else "empty"


def _misspelled(values: Mapping[str, object], shown: str, known: Sequence[str]) -> list[Problem]:
    """Unknown keys are allowed, except near-misses of known ones (a typo loses a value)."""
    upper = {k.upper(): k for k in known}
    out: list[Problem] = []
    for key in values:
        if key in known:
            continue
        import difflib  # only an unknown key needs it

        close = difflib.get_close_matches(key.upper(), list(upper), n=1, cutoff=0.8)
        if close:
            message = f"unknown key; did you mean {upper[close[0]]}?"
            out.append(Problem(shown, json_path([key]), message, "one of: " + ", ".join(known)))
    return out


def _strings(value: object) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def _output_value(output: object) -> object:
    if isinstance(output, Mapping) and "value" in output:
        return output["value"]
    return output
