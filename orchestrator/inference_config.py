"""The contract between provision and deploy: `infra/inference.config.json`.

Six keys (`KEYS`), strings or null until provisioned. Their checks are the config schema's
(`validation.check_config`); this module is the one way the commands read, check and write
the file: `validate` and the target resolution of provision/plan/status read it with
`read`, `deploy`/`logs`/`validate --online` need it complete (`require`), provision,
attach and `outputs --write` write deployment outputs into it with `write_values`, which
checks the six values first (nothing is written when one is wrong) and writes atomically,
keeping every other key and the key order.

A leading `https://` or a trailing `/` in ACA_APP_ENDPOINT (a URL pasted from the portal)
is normalised to the bare host, with a warning; offline `validate` still reports it, so the
file gets fixed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from orchestrator.errors import Problem, ValidationFailed
from orchestrator.jsonio import dumps, write_atomic
from orchestrator.schemacache import EVERY_TIME, SchemaChecks, for_run
from orchestrator.workspace import CONFIG_KEYS, Workspace, require_workspace

KEYS = CONFIG_KEYS
ENDPOINT = "ACA_APP_ENDPOINT"
FILL_HINT = (
    "run `orchestrator provision`, import a manual deployment with "
    "`orchestrator outputs --write`, or fill the keys in by hand"
)


@dataclass(frozen=True)
class InferenceConfig:
    """The six values, checked and complete (what deploy and logs work on)."""

    subscription: str
    group: str
    account: str
    share: str
    app: str
    endpoint: str  # a bare host[:port]
    shown: str = "infra/inference.config.json"

    def describe(self) -> dict[str, str]:
        return {
            "subscription": self.subscription,
            "group": self.group,
            "account": self.account,
            "share": self.share,
            "app": self.app,
            "endpoint": self.endpoint,
        }

    def problem(self, key: str, message: str) -> ValidationFailed:
        """A configured resource that is not there: one problem naming the key (exit 2)."""
        return ValidationFailed(
            [Problem(self.shown, key, message)],
            hint=f"correct {key} in {self.shown} (`orchestrator validate --online` checks "
            "every key), or run `orchestrator provision` to create the resources",
        )


@dataclass(frozen=True)
class ConfigFile:
    """The file as read: every key in file order ({} when absent), the endpoint normalised."""

    values: Mapping[str, object]
    shown: str
    exists: bool
    warnings: tuple[str, ...] = ()


def normalise_endpoint(value: object, shown: str = "") -> tuple[object, str]:
    """(bare host, warning) for `https://host/`; the value unchanged and "" otherwise."""
    if not isinstance(value, str):
        return value, ""
    bare = value.strip()
    if bare[:8].lower() == "https://":
        bare = bare[8:]
    bare = bare.rstrip("/")
    if bare == value or not bare:
        return value, ""
    where = f"{shown}: " if shown else ""
    return bare, f"{where}{ENDPOINT} {value!r} read as {bare!r} (the bare host, no https:// or /)"


def problems(
    values: Mapping[str, object],
    shown: str,
    *,
    complete: bool,
    checks: SchemaChecks = EVERY_TIME,
) -> list[Problem]:
    """Every problem of the values, as the config schema and the naming rules see them
    (`checks`: the schema checks that passed before need not run again)."""
    from orchestrator.validation import check_config

    return check_config(values, shown, require_complete=complete, checks=checks)


def read(workspace: Workspace, *, normalise: bool = True) -> ConfigFile:
    """The file (malformed: ValidationFailed naming file, line and column)."""
    from orchestrator.validation import load_config

    path = workspace.config
    shown = workspace.shown(path)
    if not path.exists() and not path.is_symlink():
        return ConfigFile({}, shown, exists=False)
    values: dict[str, object] = load_config(path, shown)  # keeps the value positions
    warning = ""
    if normalise and ENDPOINT in values:
        values[ENDPOINT], warning = normalise_endpoint(values[ENDPOINT], shown)
    return ConfigFile(values, shown, exists=True, warnings=(warning,) if warning else ())


def require(workspace: Workspace) -> tuple[InferenceConfig, tuple[str, ...]]:
    """The complete, checked config, and the warnings of reading it; exit 2 naming each
    wrong or missing key."""
    found = read(require_workspace(workspace))
    checks = for_run(workspace)
    found_problems = problems(found.values, found.shown, complete=True, checks=checks)
    if found_problems:
        raise ValidationFailed(found_problems, hint=FILL_HINT)
    v = found.values
    config = InferenceConfig(
        subscription=str(v["SUBSCRIPTION_ID"]),
        group=str(v["RESOURCE_GROUP_NAME"]),
        account=str(v["STORAGE_ACCOUNT_NAME"]),
        share=str(v["FILE_SHARE_NAME"]),
        app=str(v["ACA_APP_NAME"]),
        endpoint=str(v[ENDPOINT]),
        shown=found.shown,
    )
    return config, found.warnings


def merge(existing: Mapping[str, object], values: Mapping[str, object]) -> dict[str, object]:
    """`existing` with `values` applied: existing keys keep their place, new keys go last."""
    merged = dict(existing)
    lower_to_key = {k.lower(): k for k in merged}
    for key, value in values.items():
        merged[lower_to_key.get(key.lower(), key)] = value
    return merged


def checked_values(
    values: Mapping[str, object], shown: str, checks: SchemaChecks = EVERY_TIME
) -> tuple[dict[str, object], str]:
    """The config keys of `values` (a deployment's outputs), normalised and checked as the
    config schema checks them: ValidationFailed (exit 2) when one is wrong."""
    chosen = {key: values[key] for key in KEYS if key in values}
    warning = ""
    if ENDPOINT in chosen:
        chosen[ENDPOINT], warning = normalise_endpoint(chosen[ENDPOINT], "the deployment's output")
    found = problems(
        chosen, f"{shown} (from the deployment's outputs)", complete=False, checks=checks
    )
    found = [p for p in found if not p.message.startswith("is missing")]
    if found:
        raise ValidationFailed(
            found,
            hint=f"{shown} was not changed; check the template's outputs, or fill the keys in "
            "by hand",
        )
    return chosen, warning


def write_values(path: Path, existing: Mapping[str, object], values: Mapping[str, object]) -> bool:
    """Merge and write atomically; False (and nothing written) when nothing changes."""
    text = dumps(merge(existing, values))
    if path.is_file():
        try:
            if path.read_text(encoding="utf-8-sig") == text:
                return False
        except OSError:
            pass
    write_atomic(path, text)
    return True
