"""A template error in ARM's words, located at a line and column of the request.

ARM answers a template it rejects at validation with a 400 `InvalidTemplate` whose message
names the declaration and where it is in the request body, for instance (quoted in
Azure/AI-PredictiveMaintenance#141 and Azure-Samples/azure-search-openai-demo#2321):

    Deployment template validation failed: 'The template resource 'linuxDsvmTemplate' at line
    '1' and column '7537' is not valid: Unable to parse language expression '...': expected
    token 'RightParenthesis' and actual 'EndOfData'.. Please see
    https://aka.ms/arm-template-expressions for usage details.'.

with `additionalInfo: [{"type": "TemplateViolation", "info": {"lineNumber", "linePosition",
"path"}}]`. The line and column are those of the declaration (a resource's or output's `{`)
in the request body, which is why a body sent on one line always says line '1'.
`locate(error, template, body)` gives that message and position; `body` is the request text
holding the template at `properties.template`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from localcloud.template.errors import TemplateError
from localcloud.template.positions import value_position

_SECTIONS = {
    "resources": "resource",
    "outputs": "output",
    "variables": "variable",
    "parameters": "parameter",
    "functions": "function",
}
_HELP = "Please see https://aka.ms/arm-template-expressions for usage details."
_FAILED = "Deployment template validation failed:"
TEMPLATE_PATH = ("properties", "template")


@dataclass(frozen=True)
class Located:
    message: str
    line: int
    column: int
    path: str  # "properties.template.outputs.x"


def locate(
    error: TemplateError,
    template: Mapping[str, Any],
    body: str | None,
    prefix: Sequence[str] = TEMPLATE_PATH,
) -> Located:
    """ARM's validation message for `error`, located in `body`, where the template sits at
    `prefix` (`properties.template` in a deployment request; `()` for a template file).

    A message naming its declaration ("The template output 'x' is not valid. ...", "The
    provided value for the template parameter 'p' is not valid. ...") gets the position
    inserted after the name; a Json.NET reader message ending "Path ''." gets ", line L,
    position C." appended; any other error is wrapped: "The template resource 'n' at line 'L'
    and column 'C' is not valid: <message>. Please see ..." (the link appended even when the
    message ends with one: "...usage details.. Please see ...", as quoted in
    microsoft/vscode-azurearmtools#531).
    """
    if error.steps is not None:
        steps: list[str | int] = list(error.steps)
    else:
        steps = json_path(error.target) if error.target else []
    path = ".".join([*prefix, _dotted(steps)] if steps else prefix)
    declaration = _declaration(steps, template)
    if declaration is None:
        return Located(f"{_FAILED} '{error.message}'.", 0, 0, path)
    kind, name, decl_steps = declaration
    at_decl = _position(body, [*prefix, *decl_steps]) or (0, 0)
    exact = _position(body, [*prefix, *steps]) or at_decl
    message = error.message
    if message.endswith("Path ''."):
        line, column = exact
        text = f"{message[:-1]}, line {line}, position {column}."
        return Located(f"{_FAILED} '{text}'.", line, column, path)
    line, column = exact
    at = f"at line '{line}' and column '{column}' "
    for named in (
        f"The provided value for the template parameter '{name}' ",
        f"The value for the template parameter '{name}' ",
        f"The template {kind} '{name}' ",
        f"Template {kind} '{name}' ",
    ):
        if message.startswith(named):
            text = named + at + message[len(named) :]
            return Located(f"{_FAILED} '{text}'.", line, column, path)
    # ARM names a parameter whose default fails "The template resource 'p'"
    # (microsoft/vscode-azurearmtools#531) and appends its help link whatever the message.
    label = "resource" if kind == "parameter" else kind
    line, column = at_decl
    text = f"The template {label} '{name}' at line '{line}' and column '{column}' is not valid: "
    text += f"{message}. {_HELP}"
    return Located(f"{_FAILED} '{text}'.", line, column, path)


def _position(body: str | None, path: list[str | int]) -> tuple[int, int] | None:
    return value_position(body, path) if body else None


def json_path(target: str) -> list[str | int]:
    """The template JSON path of an error target ("resources[2].x", "outputs.o.value", or a
    languageVersion 2.0 symbolic name "sym.properties.x" = "resources.sym.properties.x")."""
    steps: list[str | int] = []
    for part in target.split("."):
        name, _, rest = part.partition("[")
        if name:
            steps.append(name)
        for index in filter(None, rest.replace("]", "").split("[")) if rest else ():
            steps.append(int(index) if index.isdigit() else index)
    if steps and str(steps[0]).lower() not in _SECTIONS:
        steps.insert(0, "resources")
    return steps


def _declaration(
    steps: list[str | int], template: Mapping[str, Any]
) -> tuple[str, str, list[str | int]] | None:
    """(kind, name, JSON path) of the declaration a path lies in."""
    if len(steps) < 2 or not isinstance(steps[0], str):
        return None
    kind = _SECTIONS.get(steps[0].lower())
    if kind is None:
        return None
    if kind != "resource":
        return kind, str(steps[1]), steps[:2]
    body: Any = template
    end = 0
    while end + 1 < len(steps) and str(steps[end]).lower() == "resources":
        child = _resource(body, steps[end + 1])
        if child is None:
            break
        body = child
        end += 2
    if end == 0:
        return None
    # A symbolic name (languageVersion 2.0) names the resource, as in "The template resource
    # 'managedEnvironment' at line ..." (Azure-Samples/azure-search-openai-demo#2321); else
    # its `name` as written.
    key = steps[end - 1]
    name = body.get("name") if isinstance(body, Mapping) and isinstance(key, int) else None
    return kind, name if isinstance(name, str) else str(key), steps[:end]


def _resource(parent: Any, key: str | int) -> Any:
    """The resource `key` names in `parent`'s `resources` (array index or symbolic name)."""
    section = parent.get("resources") if isinstance(parent, Mapping) else None
    if isinstance(section, list) and isinstance(key, int) and key < len(section):
        return section[key]
    if isinstance(section, Mapping) and isinstance(key, str):
        return section.get(key)
    return None


def _dotted(steps: list[str | int]) -> str:
    text = ""
    for step in steps:
        text += f"[{step}]" if isinstance(step, int) else f".{step}"
    return text.lstrip(".")
