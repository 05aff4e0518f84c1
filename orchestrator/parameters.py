"""The final parameter values of a provision: the parameters file, `--param` overrides, nulls
dropped, `{{ ... }}` rendered.

Pipeline (`collect_parameters`): load the ARM deploymentParameters file -> apply `--param
NAME=VALUE` overrides (later wins) -> drop `null` values (ARM: null = "use the template
default") -> render strings containing `{{`/`{%` with a sandboxed Jinja environment, one string
at a time, so no value can change the JSON structure or run code; the rendering of one command
is bounded in time and size (`render_sandbox.py`).

Secrets of the environment are never echoed (`redaction.py`): not in problem lines, not in
`{{ env }}` printed whole, not where the final values are shown (`FinalParameters.redacted`).
Problems name `FILE:LINE:COLUMN` of the value in the parameters file (`jsonio.SourceMap`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orchestrator import jsonio
from orchestrator.errors import InputError, Problem, ValidationFailed
from orchestrator.finetune.family import locate_config
from orchestrator.redaction import MaskedEnv, redact, secret_values, used_secrets
from orchestrator.schemacache import EVERY_TIME, SchemaChecks
from orchestrator.workspace import Workspace, require_workspace

OVERRIDE_SOURCE = "--param"
RENDER_EXPECTED = "a Jinja expression over env, finetuning and config, e.g. {{ env.USER }}"
MAX_MESSAGE = 300  # characters of a rendering error quoted in a problem line


@dataclass(frozen=True)
class ParametersDocument:
    """A parameters file as read: its values (nulls included) and any shape problems."""

    shown: str
    values: Mapping[str, Any]
    references: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    readable: bool = True  # False: the file could not be read or parsed (see `problems`)
    source_map: jsonio.SourceMap | None = None


@dataclass(frozen=True)
class FinalParameters:
    """The values to submit. `values` has no nulls; `sources` says where each value came from
    (the parameters file as shown, or `--param`); `references` are Key Vault references, as given.
    """

    values: Mapping[str, Any]
    source: str
    sources: Mapping[str, str] = field(default_factory=dict)
    references: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    file_read: bool = True  # False: the parameters file was unreadable, so values are partial
    secrets: frozenset[str] = frozenset()  # secret texts that went into the values: never shown
    source_map: jsonio.SourceMap | None = None  # positions in the parameters file
    unrendered: frozenset[str] = frozenset()  # names whose `{{ }}` failed (reported already)

    def where(self, file: str, parts: Sequence[str | int]) -> str:
        """`file`, as `FILE:LINE:COLUMN` when it is the parameters file (not `--param`)."""
        from orchestrator.schemas import locator

        return locator(file, self.source_map)(parts)

    def redacted(self, value: Any) -> Any:
        """`value` as it may be shown: every secret text in its strings replaced by `***`."""
        if not self.secrets:
            return value
        if isinstance(value, str):
            return redact(value, self.secrets)
        if isinstance(value, list):
            return [self.redacted(v) for v in value]
        if isinstance(value, Mapping):
            return {k: self.redacted(v) for k, v in value.items()}
        return value

    @property
    def arm_parameters(self) -> dict[str, Any]:
        """The `parameters` mapping of an ARM deployment: `{name: {"value": v}}`."""
        out: dict[str, Any] = {name: {"value": value} for name, value in self.values.items()}
        out.update({name: dict(ref) for name, ref in self.references.items()})
        return out

    @property
    def sha256(self) -> str:
        """A stable hash of the submitted parameters (canonical JSON: sorted keys, no spaces)."""
        text = json.dumps(self.arm_parameters, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_parameters(
    path: Path, shown: str, checks: SchemaChecks = EVERY_TIME
) -> ParametersDocument:
    """Read a parameters file. Every problem is collected in `problems`: an unreadable file or
    a JSON syntax error (FILE:LINE:COL, with `readable=False`) or the shape problems (`checks`:
    a shape that passed before need not be checked again); the entries that make sense are
    kept."""
    from orchestrator.schemas import DEPLOYMENT_PARAMETERS, load_schema

    try:
        document, source_map = jsonio.load_json_located(path, shown)
    except jsonio.JsonFileError as exc:
        return ParametersDocument(shown, {}, problems=(exc.problem(),), readable=False)
    schema = load_schema(DEPLOYMENT_PARAMETERS)
    problems = checks.problems(schema, document, shown, source_map=source_map)
    section = document.get("parameters") if isinstance(document, Mapping) else None
    entries: Mapping[str, Any] = section if isinstance(section, Mapping) else {}
    usable = isinstance(section, Mapping)  # else nothing was read (the problems say why)
    values: dict[str, Any] = {}
    references: dict[str, Mapping[str, Any]] = {}
    for name, entry in entries.items():
        if isinstance(entry, Mapping) and "value" in entry:
            values[name] = entry["value"]
        elif isinstance(entry, Mapping) and isinstance(entry.get("reference"), Mapping):
            references[name] = {"reference": entry["reference"]}
    return ParametersDocument(shown, values, references, tuple(problems), usable, source_map)


def parse_override(text: str) -> tuple[str, Any]:
    """`NAME=VALUE` -> (NAME, VALUE parsed as JSON when it parses, else the string)."""
    name, sep, raw = text.partition("=")
    name = name.strip()
    if not sep or not name or any(ch.isspace() for ch in name):
        raise InputError(
            f"--param {text!r}: expected NAME=VALUE", hint="e.g. --param maximumInstanceCount=1"
        )
    try:
        value = json.loads(raw, parse_constant=_not_json, parse_float=jsonio.finite_float)
    except ValueError:
        return name, raw
    except RecursionError:
        raise jsonio.too_deep(f"--param {name}") from None
    if jsonio.depth(value) > jsonio.MAX_DEPTH:
        raise jsonio.too_deep(f"--param {name}")
    return name, value


def _not_json(token: str) -> Any:
    raise ValueError(f"{token} is not JSON")  # NaN, Infinity: the value stays a string


def apply_overrides(values: Mapping[str, Any], overrides: Sequence[str]) -> dict[str, Any]:
    """`values` with each `--param NAME=VALUE` applied in order (later wins)."""
    out = dict(values)
    for text in overrides:
        name, value = parse_override(text)
        out[name] = value
    return out


def drop_nulls(values: Mapping[str, Any]) -> dict[str, Any]:
    """ARM treats `{"value": null}` as not supplied: the template default applies."""
    return {name: value for name, value in values.items() if value is not None}


def needs_rendering(text: str) -> bool:
    return "{{" in text or "{%" in text


def render_values(
    values: Mapping[str, Any],
    context: Mapping[str, Any],
    sources: Mapping[str, str],
    source_map: jsonio.SourceMap | None = None,
) -> tuple[dict[str, Any], list[Problem]]:
    """Render every string holding `{{ }}`/`{% %}` (inside arrays and objects too) with a sandboxed
    Jinja environment. Structure never changes: a string stays one string. Problems name
    FILE:LINE:COLUMN through `source_map`, and never quote a secret of `context["env"]`."""
    out, problems, _failed = _render_all(values, context, sources, source_map)
    return out, problems


def _render_all(
    values: Mapping[str, Any],
    context: Mapping[str, Any],
    sources: Mapping[str, str],
    source_map: jsonio.SourceMap | None,
) -> tuple[dict[str, Any], list[Problem], frozenset[str]]:
    """`render_values`, and the names whose rendering failed (left as given)."""
    if not any(_has_template(v) for v in values.values()):
        return dict(values), [], frozenset()
    renderer = _Renderer(context, source_map)
    out: dict[str, Any] = {}
    problems: list[Problem] = []
    failed: set[str] = set()
    for name, value in values.items():
        path: list[str | int] = ["parameters", name, "value"]
        before = len(problems)
        out[name] = renderer.walk(value, path, sources.get(name, ""), problems)
        if len(problems) > before:
            failed.add(name)
    return out, problems, frozenset(failed)


def _has_template(value: Any) -> bool:
    if isinstance(value, str):
        return needs_rendering(value)
    if isinstance(value, list):
        return any(_has_template(v) for v in value)
    if isinstance(value, Mapping):
        return any(_has_template(v) for v in value.values())
    return False


class _Renderer:
    """Renders single strings in a bounded, immutable jinja2 sandbox (StrictUndefined, no
    autoescape). Any failure - syntax, undefined name, unsafe access, 1/0, a value over the
    time or size budget - is a Problem, with every secret of the environment masked."""

    def __init__(self, context: Mapping[str, Any], source_map: jsonio.SourceMap | None) -> None:
        from orchestrator.render_sandbox import bounded_environment

        self._env = bounded_environment()
        self._env.budget.start()
        self._context = dict(context)
        env = context.get("env")
        self._secrets = secret_values(env) if isinstance(env, Mapping) else frozenset()
        self._source_map = source_map

    def walk(self, value: Any, path: list[str | int], file: str, problems: list[Problem]) -> Any:
        if isinstance(value, str):
            return self._render(value, path, file, problems) if needs_rendering(value) else value
        if isinstance(value, list):
            return [self.walk(v, [*path, i], file, problems) for i, v in enumerate(value)]
        if isinstance(value, Mapping):
            return {k: self.walk(v, [*path, k], file, problems) for k, v in value.items()}
        return value

    def _render(self, text: str, path: list[str | int], file: str, problems: list[Problem]) -> str:
        from jinja2 import TemplateError

        from orchestrator.render_sandbox import render
        from orchestrator.schemas import json_path, locator

        try:
            return render(self._env, text, self._context)
        except TemplateError as exc:
            message = f"template error: {exc.message or type(exc).__name__}"
        except MemoryError:
            message = "template error: the value needs more memory than there is"
        except Exception as exc:  # user input can fail in any way: 1/0, 'a' + 1, ...
            message = f"template error: {type(exc).__name__}: {exc}"
        one_line = redact(" ".join(message.split()), self._secrets)
        if len(one_line) > MAX_MESSAGE:
            one_line = one_line[: MAX_MESSAGE - 3] + "..."
        where = locator(file, self._source_map)(path)
        problems.append(Problem(where, json_path(path), one_line, RENDER_EXPECTED))
        return text


def render_context(workspace: Workspace, env: Mapping[str, str]) -> dict[str, Any]:
    """`env` (the environment), `finetuning` and `config` (the config files; {} when absent or
    unreadable - `validate` reports those problems itself)."""
    return {
        "env": MaskedEnv(env),
        "finetuning": _lenient_json(locate_config(workspace)),
        "config": _lenient_json(workspace.config),
    }


def _lenient_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = jsonio.load_json(path)
    except InputError:
        return {}
    return dict(data) if isinstance(data, Mapping) else {}


def collect_parameters(
    workspace: Workspace,
    env: Mapping[str, str],
    overrides: Sequence[str] = (),
    parameters_file: Path | None = None,
    checks: SchemaChecks = EVERY_TIME,
) -> tuple[FinalParameters, list[Problem]]:
    """The final parameters and every problem found on the way (an unreadable or malformed
    parameters file, its shape, rendering). A folder that is not a workspace and bad `--param`
    syntax raise InputError."""
    path = parameters_file if parameters_file is not None else workspace.parameters
    if parameters_file is None:
        require_workspace(workspace)
    document = load_parameters(path, workspace.shown(path), checks)
    names = [parse_override(text)[0] for text in overrides]
    sources = {name: document.shown for name in document.values}
    sources.update({name: OVERRIDE_SOURCE for name in names})
    values = drop_nulls(apply_overrides(document.values, overrides))
    context = render_context(workspace, env)
    rendered, problems, failed = _render_all(values, context, sources, document.source_map)
    final = FinalParameters(
        values=rendered,
        source=document.shown,
        sources={n: s for n, s in sources.items() if n in rendered or n in document.references},
        references={n: r for n, r in document.references.items() if n not in names},
        file_read=document.readable,
        secrets=used_secrets(rendered, env),
        source_map=document.source_map,
        unrendered=failed,
    )
    return final, [*document.problems, *problems]


def resolve_parameters(
    workspace: Workspace,
    env: Mapping[str, str],
    overrides: Sequence[str] = (),
    parameters_file: Path | None = None,
    checks: SchemaChecks = EVERY_TIME,
) -> FinalParameters:
    """The final parameters, or ValidationFailed listing every problem found.

    Checks against the template (types, required, unknown names, naming rules) are separate:
    `orchestrator.validation.check_parameter_values(final, template)`.
    """
    final, problems = collect_parameters(workspace, env, overrides, parameters_file, checks)
    if problems:
        raise ValidationFailed(problems)
    return final
