"""Every offline check of a workspace's inputs. Each check returns all its problems at once, as
`Problem(file, json_path, message, expected)` - printed `FILE: JSON.PATH: what (expected)`.

- `check_parameter_values(final, template)`: final parameters vs the compiled template
  (types, allowedValues, lengths, ranges, required, unknown names), literal template
  expressions, and the Azure naming rules.
- `check_config(config, shown, require_complete=...)`: `infra/inference.config.json`.
- `check_finetuning_config(config, shown)`: `finetuning.config.json` (`infra/`, or
  `infra/provision/` for the Phi Silica / Aion family).
- `load_config(path, shown)`: read a config file (key order kept, value positions known).

Every problem about a value in a file names `FILE:LINE:COLUMN` of that value as well as its
JSON path; the values of secure parameters and secrets of the environment are never quoted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestrator import jsonio, naming
from orchestrator.errors import Problem, ValidationFailed
from orchestrator.redaction import redact_problems
from orchestrator.schemacache import EVERY_TIME, SchemaChecks
from orchestrator.schemas import (
    FINETUNING_CONFIG,
    INFERENCE_CONFIG,
    Locate,
    json_path,
    json_type,
    load_schema,
    locator,
)
from orchestrator.template_schema import (
    INT64_MAX,
    INT64_MIN,
    arm_type,
    declared_parameters,
    parameter_schema,
    required_parameters,
)
from orchestrator.workspace import CONFIG_KEYS

if TYPE_CHECKING:
    from orchestrator.parameters import FinalParameters

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
_HOST_PORT = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*(?::(?P<port>[0-9]{{1,5}}))?\Z")
_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)")
_EXPRESSION = re.compile(r"^\[.*\]\Z", re.DOTALL)
SECURE_TYPES = frozenset({"securestring", "secureobject"})
INT64_EXPECTED = f"an integer from {INT64_MIN} to {INT64_MAX} (ARM's 64-bit integers)"
_FORMAT_DEFAULT = re.compile(
    r"^\[format\('(?P<before>[^'{}]*)\{0\}(?P<after>[^'{}]*)', parameters\('(?P<param>\w+)'\)\)\]$"
)


# ---------------------------------------------------------------- final parameters vs template


def check_parameter_values(
    final: FinalParameters, template: Mapping[str, Any], checks: SchemaChecks = EVERY_TIME
) -> list[Problem]:
    """All problems of the final parameters against the compiled template (`checks`: the
    schema checks that passed before need not run again)."""
    declared = declared_parameters(template)
    given = {*final.values, *final.references}
    problems = [_unknown_parameter(final, name, declared) for name in given if name not in declared]
    problems += [
        Problem(
            final.where(final.source, ["parameters"]),
            json_path(["parameters", name]),
            "is missing (or null) and the template has no default",
            parameter_schema(declared[name]).get("description", "a value"),
        )
        for name in required_parameters(template)
        if name not in given and final.file_read  # an unreadable file is reported already
    ]
    for name, value in final.values.items():
        if name in declared:
            file = final.sources.get(name, final.source)
            unrendered = name in final.unrendered
            problems += _value_problems(
                file, final, name, value, declared[name], unrendered, checks
            )
    return redact_problems(problems + default_name_problems(final, declared), final.secrets)


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
        failed = match.group("param") in final.unrendered  # reported already
        if not isinstance(part, str) or failed or _EXPRESSION.match(part):
            continue
        effective = match.group("before") + part + match.group("after")
        said = naming.describe(rule, effective)
        if said:
            parts = ["parameters", match.group("param"), "value"]
            source = final.where(final.sources.get(match.group("param"), final.source), parts)
            message = f"makes the default {name} {said}"
            problems.append(Problem(source, json_path(parts), message, rule.expected))
    return problems


def _unknown_parameter(final: FinalParameters, name: str, declared: Mapping[str, Any]) -> Problem:
    import difflib

    close = difflib.get_close_matches(name, list(declared), n=1, cutoff=0.6)
    expected = f"did you mean {close[0]}?" if close else "one of: " + ", ".join(declared)
    parts = ["parameters", name]
    return Problem(
        final.where(final.sources.get(name, final.source), parts),
        json_path(parts),
        "unknown parameter: the template does not declare it, and ARM rejects the deployment",
        expected,
    )


def _value_problems(
    source: str,
    final: FinalParameters,
    name: str,
    value: Any,
    declaration: Mapping[str, Any],
    unrendered: bool,
    checks: SchemaChecks,
) -> list[Problem]:
    prefix: list[str | int] = ["parameters", name, "value"]
    secure = arm_type(declaration) in SECURE_TYPES
    locate = locator(source, final.source_map)
    file = locate(prefix)
    schema = parameter_schema(declaration)
    private = secure or _holds_secret(value, final.secrets)  # its digest is not kept
    problems = (EVERY_TIME if private else checks).problems(
        schema, value, source, prefix, source_map=final.source_map, secret=secure
    )
    if arm_type(declaration) == "int" and isinstance(value, float) and value.is_integer():
        message = f"is {value!r}, a decimal number (ARM does not convert it to an integer)"
        problems.append(Problem(file, json_path(prefix), message, "an integer such as 2"))
    problems += int64_problems(value, locate, prefix, top_checked=arm_type(declaration) == "int")
    if unrendered:
        return problems  # a value whose rendering failed: that problem is reported already
    problems += expression_problems(value, locate, prefix, secure=secure)
    rule = naming.PARAMETER_RULES.get(name)
    if rule is not None and isinstance(value, str) and not _EXPRESSION.match(value):
        said = naming.describe(rule, value)
        if said:
            problems.append(Problem(file, json_path(prefix), said, rule.expected))
    if name == "defaultCommands" and isinstance(value, list):
        problems += [
            Problem(
                locate([*prefix, i]),
                json_path([*prefix, i]),
                f"is {json_type(v)}",
                "a shell command (string)",
            )
            for i, v in enumerate(value)
            if not isinstance(v, str)
        ]
    return problems


def _holds_secret(value: Any, secrets: frozenset[str]) -> bool:
    return any(secret in text for _path, text in _strings(value, []) for secret in secrets)


def int64_problems(
    value: Any, locate: Locate, prefix: Sequence[str | int], *, top_checked: bool = False
) -> list[Problem]:
    """Integers anywhere in `value` that ARM's 64-bit integers cannot hold (`top_checked`:
    the value itself is an `int` parameter, already checked against its range)."""
    return [
        Problem(locate(path), json_path(path), f"is {_digits(number)}", INT64_EXPECTED)
        for path, number in _integers(value, list(prefix))
        if not INT64_MIN <= number <= INT64_MAX and not (top_checked and path == list(prefix))
    ]


def _digits(number: int) -> str:
    text = str(number)
    return text if len(text) <= 40 else f"{text[:20]}... ({len(text)} digits)"


def _integers(value: Any, path: list[str | int]) -> Iterator[tuple[list[str | int], int]]:
    if isinstance(value, int) and not isinstance(value, bool):
        yield path, value
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _integers(item, [*path, i])
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _integers(item, [*path, key])


def expression_problems(
    value: Any, locate: Locate | str, prefix: Sequence[str | int], *, secure: bool = False
) -> list[Problem]:
    """ARM does not evaluate expressions in parameter values: `[...]` would be taken literally."""
    where = locate if callable(locate) else locator(locate, None)
    return [
        Problem(
            where(path),
            json_path(path),
            f"{'the secure value' if secure else repr(text[:40])} is a template expression, "
            "but ARM does not evaluate parameter values: it would be taken literally",
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


class ConfigDocument(dict[str, Any]):
    """A config file as read (key order kept), with where each value is in the file."""

    source_map: jsonio.SourceMap | None = None


def load_config(path: Path, shown: str) -> ConfigDocument:
    """A config file as a dict in file order. Unreadable, not JSON (FILE:LINE:COL) or not an
    object -> ValidationFailed, so the caller can report it with the other problems."""
    try:
        data, source_map = jsonio.load_json_located(path, shown)
    except jsonio.JsonFileError as exc:
        raise ValidationFailed([exc.problem()]) from None
    if not isinstance(data, dict):
        raise ValidationFailed(
            [Problem(source_map.where([]), "$", f"is {json_type(data)}", "an object of KEY: value")]
        )
    document = ConfigDocument(data)
    document.source_map = source_map
    return document


def check_config(
    config: Mapping[str, Any],
    shown: str,
    *,
    require_complete: bool,
    checks: SchemaChecks = EVERY_TIME,
) -> list[Problem]:
    """Problems of `infra/inference.config.json`. An empty string counts as null (not yet
    known). With `require_complete`, every key must hold a value (deploy needs them all)."""
    if not isinstance(config, Mapping):
        return checks.problems(load_schema(INFERENCE_CONFIG), config, shown)
    given = _blank_as_null(config)
    problems = checks.problems(load_schema(INFERENCE_CONFIG), given, shown)
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
    return located(problems, config, shown)


def located(problems: Sequence[Problem], config: Mapping[str, Any], shown: str) -> list[Problem]:
    """`problems` of the config file `shown` naming FILE:LINE:COLUMN of their values, when
    `config` came from `load_config`."""
    source_map = config.source_map if isinstance(config, ConfigDocument) else None
    if source_map is None:
        return list(problems)
    where = locator(shown, source_map)
    index = {json_path(parts): parts for parts in _paths(config, [])}
    return [
        replace(p, file=where(index.get(p.path, []))) if p.file == shown else p for p in problems
    ]


def _paths(value: Any, path: list[str | int]) -> Iterator[list[str | int]]:
    yield path
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, [*path, i])
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _paths(item, [*path, key])


def _blank_as_null(config: Mapping[str, Any]) -> dict[str, Any]:
    return {key: None if value == "" else value for key, value in config.items()}


def check_finetuning_config(
    config: Mapping[str, Any],
    shown: str,
    known: Sequence[str] = FINETUNING_KEYS,
    checks: SchemaChecks = EVERY_TIME,
) -> list[Problem]:
    """Problems of `finetuning.config.json` (read for defaults and template variables);
    `known`: the keys of the workspace's fine-tuning family (a near-miss of one is a typo)."""
    if not isinstance(config, Mapping):
        return checks.problems(load_schema(FINETUNING_CONFIG), config, shown)
    given = _blank_as_null(config)
    problems = checks.problems(load_schema(FINETUNING_CONFIG), given, shown)
    problems += _misspelled_keys(given, shown, known) + _name_problems(given, shown)
    return located(problems, config, shown)


def endpoint_problems(value: str, shown: str, key: str) -> list[Problem]:
    scheme = _SCHEME.match(value)
    if scheme:
        message = f"{naming.quoted(value)} starts with a scheme ({scheme.group('scheme')})"
        return [Problem(shown, key, message, ENDPOINT_EXPECTED)]
    match = _HOST_PORT.match(value)
    if match is None:
        message = f"{naming.quoted(value)} is not a host name"
        return [Problem(shown, key, message, ENDPOINT_EXPECTED)]
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
        import difflib  # only for a key the config does not define

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


def value_source(config: Mapping[str, Any], shown: str, key: str) -> str:
    """Where a config value came from, for messages: `FILE:LINE:COLUMN KEY` when `config` came
    from `load_config` and holds `key`, else `FILE KEY`."""
    source_map = config.source_map if isinstance(config, ConfigDocument) else None
    if source_map is None or key not in config:
        return f"{shown} {key}"
    return f"{locator(shown, source_map)([key])} {key}"
