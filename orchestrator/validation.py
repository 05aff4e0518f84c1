"""Every offline check of a workspace's inputs. Each check returns all its problems at once, as
`Problem(file, json_path, message, expected)` - printed `FILE: JSON.PATH: what (expected)`.

- `check_parameter_values(final, template)`: final parameters vs the compiled template
  (types, allowedValues, lengths, ranges, required, unknown names), literal template
  expressions, and the Azure naming rules.
- `check_config(config, shown, require_complete=...)`: `infra/inference.config.json`.
- `check_finetuning_config(config, shown)`: `infra/finetuning.config.json`.
- `load_config(path, shown)`: read a config file (key order kept).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from orchestrator import jsonio, naming
from orchestrator.errors import Problem, ValidationFailed
from orchestrator.parameters import FinalParameters, needs_rendering
from orchestrator.schemas import (
    FINETUNING_CONFIG,
    INFERENCE_CONFIG,
    json_path,
    json_type,
    load_schema,
    schema_problems,
)
from orchestrator.template_schema import (
    arm_type,
    declared_parameters,
    parameter_schema,
    required_parameters,
)
from orchestrator.workspace import CONFIG_KEYS

FINETUNING_KEYS: tuple[str, ...] = (
    "SUBSCRIPTION_ID",
    "RESOURCE_GROUP_NAME",
    "STORAGE_ACCOUNT_NAME",
    "FILE_SHARE_NAME",
    "ACA_JOB_NAME",
    "COMMANDS",
)

ENDPOINT_EXPECTED = (
    "a bare host[:port] without scheme or path, "
    "e.g. aiacaappxxxxx.happyocean-1234.eastus.azurecontainerapps.io"
)
_KEY_EXPECTED = {
    "SUBSCRIPTION_ID": "a subscription ID (GUID)",
    "RESOURCE_GROUP_NAME": "the resource group's name",
    "STORAGE_ACCOUNT_NAME": "the storage account's name",
    "FILE_SHARE_NAME": "the file share's name",
    "ACA_APP_NAME": "the container app's name",
    "ACA_APP_ENDPOINT": ENDPOINT_EXPECTED,
}
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST_PORT = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*(?::(?P<port>[0-9]{{1,5}}))?$")
_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)")
_EXPRESSION = re.compile(r"^\[.*\]$", re.DOTALL)
_FORMAT_DEFAULT = re.compile(
    r"^\[format\('(?P<before>[^'{}]*)\{0\}(?P<after>[^'{}]*)', parameters\('(?P<param>\w+)'\)\)\]$"
)


# ---------------------------------------------------------------- final parameters vs template


def check_parameter_values(final: FinalParameters, template: Mapping[str, Any]) -> list[Problem]:
    """All problems of the final parameters against the compiled template."""
    declared = declared_parameters(template)
    given = {*final.values, *final.references}
    problems = [_unknown_parameter(final, name, declared) for name in given if name not in declared]
    problems += [
        Problem(
            final.source,
            json_path(["parameters", name]),
            "is missing (or null) and the template has no default",
            parameter_schema(declared[name]).get("description", "a value"),
        )
        for name in required_parameters(template)
        if name not in given and final.file_read  # an unreadable file is reported already
    ]
    for name, value in final.values.items():
        if name in declared:
            problems += _value_problems(
                final.sources.get(name, final.source), name, value, declared[name]
            )
    return problems + default_name_problems(final, declared)


def default_name_problems(
    final: FinalParameters, declared: Mapping[str, Mapping[str, Any]]
) -> list[Problem]:
    """Names left to their default `format('prefix{0}', parameters('resourceSuffix'))` are
    checked with the given suffix: `--param resourceSuffix=ABC` makes `aistorageABC`."""
    problems: list[Problem] = []
    for name, rule in naming.PARAMETER_RULES.items():
        default = declared.get(name, {}).get("defaultValue")
        match = _FORMAT_DEFAULT.match(default) if isinstance(default, str) else None
        if name in final.values or match is None:
            continue
        part = final.values.get(match.group("param"))
        if not isinstance(part, str) or needs_rendering(part) or _EXPRESSION.match(part):
            continue
        effective = match.group("before") + part + match.group("after")
        said = naming.describe(rule, effective)
        if said:
            source = final.sources.get(match.group("param"), final.source)
            path = json_path(["parameters", match.group("param"), "value"])
            message = f"makes the default {name} {said}"
            problems.append(Problem(source, path, message, rule.expected))
    return problems


def _unknown_parameter(final: FinalParameters, name: str, declared: Mapping[str, Any]) -> Problem:
    close = difflib.get_close_matches(name, list(declared), n=1, cutoff=0.6)
    expected = f"did you mean {close[0]}?" if close else "one of: " + ", ".join(declared)
    return Problem(
        final.sources.get(name, final.source),
        json_path(["parameters", name]),
        "unknown parameter: the template does not declare it, and ARM rejects the deployment",
        expected,
    )


def _value_problems(
    file: str, name: str, value: Any, declaration: Mapping[str, Any]
) -> list[Problem]:
    prefix: list[str | int] = ["parameters", name, "value"]
    problems = schema_problems(parameter_schema(declaration), value, file, prefix)
    if arm_type(declaration) == "int" and isinstance(value, float) and value.is_integer():
        message = f"is {value!r}, a decimal number (ARM does not convert it to an integer)"
        problems.append(Problem(file, json_path(prefix), message, "an integer such as 2"))
    if isinstance(value, str) and needs_rendering(value):
        return problems  # a value whose rendering failed: that problem is reported already
    problems += expression_problems(value, file, prefix)
    rule = naming.PARAMETER_RULES.get(name)
    if rule is not None and isinstance(value, str) and not _EXPRESSION.match(value):
        said = naming.describe(rule, value)
        if said:
            problems.append(Problem(file, json_path(prefix), said, rule.expected))
    if name == "defaultCommands" and isinstance(value, list):
        problems += [
            Problem(file, json_path([*prefix, i]), f"is {json_type(v)}", "a shell command (string)")
            for i, v in enumerate(value)
            if not isinstance(v, str)
        ]
    return problems


def expression_problems(value: Any, file: str, prefix: Sequence[str | int]) -> list[Problem]:
    """ARM does not evaluate expressions in parameter values: `[...]` would be taken literally."""
    return [
        Problem(
            file,
            json_path(path),
            f"{text[:40]!r} is a template expression, but ARM does not evaluate parameter "
            "values: it would be taken literally",
            "a plain value (start with '[[' for a literal '[')",
        )
        for path, text in _strings(value, list(prefix))
        if _EXPRESSION.match(text) and not text.startswith("[[")
    ]


def _strings(value: Any, path: list[str | int]) -> Iterator[tuple[list[str | int], str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, [*path, i])
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(item, [*path, key])


# ---------------------------------------------------------------- config files


def load_config(path: Path, shown: str) -> dict[str, Any]:
    """A config file as a dict in file order. Unreadable, not JSON (FILE:LINE:COL) or not an
    object -> ValidationFailed, so the caller can report it with the other problems."""
    try:
        data = jsonio.load_json(path, shown)
    except jsonio.JsonFileError as exc:
        raise ValidationFailed([exc.problem()]) from None
    if not isinstance(data, dict):
        raise ValidationFailed(
            [Problem(shown, "$", f"is {json_type(data)}", "an object of KEY: value")]
        )
    return data


def check_config(config: Mapping[str, Any], shown: str, *, require_complete: bool) -> list[Problem]:
    """Problems of `infra/inference.config.json`. An empty string counts as null (not yet
    known). With `require_complete`, every key must hold a value (deploy needs them all)."""
    if not isinstance(config, Mapping):
        return schema_problems(load_schema(INFERENCE_CONFIG), config, shown)
    given = _blank_as_null(config)
    problems = schema_problems(load_schema(INFERENCE_CONFIG), given, shown)
    problems += _misspelled_keys(given, shown, CONFIG_KEYS)
    problems += _name_problems(given, shown)
    endpoint = given.get("ACA_APP_ENDPOINT")
    if isinstance(endpoint, str):
        problems += endpoint_problems(endpoint, shown, "ACA_APP_ENDPOINT")
    if require_complete:
        problems += [
            Problem(
                shown,
                key,
                f"is {'empty' if config[key] == '' else 'null'}: "
                "run `orchestrator provision` or fill it in by hand",
                _KEY_EXPECTED[key],
            )
            for key in CONFIG_KEYS
            if key in given and given[key] is None
        ]
    return problems


def _blank_as_null(config: Mapping[str, Any]) -> dict[str, Any]:
    return {key: None if value == "" else value for key, value in config.items()}


def check_finetuning_config(config: Mapping[str, Any], shown: str) -> list[Problem]:
    """Problems of `infra/finetuning.config.json` (read for defaults and template variables)."""
    if not isinstance(config, Mapping):
        return schema_problems(load_schema(FINETUNING_CONFIG), config, shown)
    config = _blank_as_null(config)
    problems = schema_problems(load_schema(FINETUNING_CONFIG), config, shown)
    return (
        problems + _misspelled_keys(config, shown, FINETUNING_KEYS) + _name_problems(config, shown)
    )


def endpoint_problems(value: str, shown: str, key: str) -> list[Problem]:
    scheme = _SCHEME.match(value)
    if scheme:
        message = f"{value!r} starts with a scheme ({scheme.group('scheme')})"
        return [Problem(shown, key, message, ENDPOINT_EXPECTED)]
    match = _HOST_PORT.match(value)
    if match is None:
        return [Problem(shown, key, f"{value!r} is not a host name", ENDPOINT_EXPECTED)]
    port = match.group("port")
    if port is not None and not 1 <= int(port) <= 65535:
        return [Problem(shown, key, f"port {port} is out of range", ENDPOINT_EXPECTED)]
    return []


def _misspelled_keys(config: Mapping[str, Any], shown: str, known: Sequence[str]) -> list[Problem]:
    """Unknown keys are allowed, except near-misses of the known ones (a typo loses a value)."""
    problems: list[Problem] = []
    upper = {k.upper(): k for k in known}
    for key in config:
        if key in known:
            continue
        close = difflib.get_close_matches(key.upper(), list(upper), n=1, cutoff=0.8)
        if close:
            message = f"unknown key; did you mean {upper[close[0]]}?"
            problems.append(
                Problem(shown, json_path([key]), message, "one of: " + ", ".join(known))
            )
    return problems


def _name_problems(config: Mapping[str, Any], shown: str) -> list[Problem]:
    problems: list[Problem] = []
    for key, rule in naming.CONFIG_RULES.items():
        value = config.get(key)
        said = naming.describe(rule, value) if isinstance(value, str) else None
        if said:
            problems.append(Problem(shown, json_path([key]), said, rule.expected))
    return problems
