"""Running the template engine the way the Bicep repository's tests run ARM's engine.

The real-engine expectations under `expectations/`, run by `make test` through
test_engine_expectations.py and by `fidelity/engine_corpus.py` (which also checks each
citation against the Bicep repository). The scope and resolver here serve its corpus checks
(`fidelity/engine_checks.py`) too.

An expectation file::

    {"source": {"repo": "Azure/bicep", "commit": "<40 hex>", "path": "src/.../EvaluationTests.cs"},
     "notes": "how the templates were obtained",
     "cases": [{"name": "<test method>", "template": {...}, "parameters": {...},
                "scope": {"subscriptionId": ..., "resourceGroup": ...},
                "references": {"<resource id>": {...properties}},
                "expect": {"$.outputs['x'].value": <value>, ...},
                "error": "<the engine's error message, exactly>",
                "template_source": {"repo", "commit", "path"} of a template taken from a file,
                "known_difference": "<why localcloud still differs>"}]}

The evaluation mirrors `TemplateEvaluator` (src/Bicep.Core/Utils/TemplateEvaluator.cs in
Azure/bicep): subscription and tenant `00000000-0000-0000-0000-000000000000`, resource group
`DummyResourceGroup` in `Dummy Location`; `reference()` of a template resource answers its
evaluated body; outputs are evaluated one by one, an output that needs a live resource keeps
its expression text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from localcloud.template import (
    Prepared,
    ResourcePlan,
    Scope,
    TemplateError,
    Unresolved,
    prepare,
)
from localcloud.template.outputs import evaluate_outputs
from localcloud.template.variables import VariableTable

BICEP_COMMIT = "9beb0fee60ca53458f41492b699af440367b240b"
EXPECTATIONS = Path(__file__).resolve().parent / "expectations"
DUMMY_ID = "00000000-0000-0000-0000-000000000000"
RG_SCHEMA = re.compile(r"/deploymentTemplate\.json#?$", re.IGNORECASE)
SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
MAX_NESTING = 4


def dummy_scope(overrides: Mapping[str, str] | None = None) -> Scope:
    """TemplateEvaluator's default configuration, with a case's overrides."""
    values = dict(overrides or {})
    return Scope(
        subscription_id=values.get("subscriptionId", DUMMY_ID),
        tenant_id=values.get("tenantId", DUMMY_ID),
        resource_group=values.get("resourceGroup", "DummyResourceGroup"),
        location=values.get("location", "Dummy Location"),
        deployment_name=values.get("deploymentName", "main"),
    )


class TemplateResolver:
    """`reference()` of a template's own resource answers its evaluated body (as
    TemplateEvaluator does); `given` answers other ids; anything else needs a live resource."""

    def __init__(self, given: Mapping[str, Any] | None = None, *, own: bool = True):
        self._given = {k.lower(): v for k, v in (given or {}).items()}
        self._own = own
        self._plans: dict[str, ResourcePlan] = {}
        self._active: set[str] = set()

    def know(self, prepared: Prepared) -> None:
        for plan in prepared.resources:
            if plan.condition and not plan.existing:
                self._plans.setdefault(plan.resource_id.lower(), plan)

    def reference(self, resource_id: str, api_version: str | None, full: bool) -> Any:
        key = resource_id.lower()
        if key in self._given:
            return self._given[key]
        plan = self._plans.get(key) if self._own else None
        if plan is None or key in self._active:
            raise Unresolved(f"The Resource '{resource_id}' was not found.")
        self._active.add(key)
        try:
            doc = resource_document(plan, self)
        finally:
            self._active.discard(key)
        return doc if full else doc.get("properties")

    def list_action(self, resource_id: str, action: str, api_version: str | None, body: Any) -> Any:
        raise Unresolved(f"'{action}' needs the live resource '{resource_id}'.")


def resource_document(plan: ResourcePlan, resolver: TemplateResolver) -> dict[str, Any]:
    """A resource as the evaluated template shows it."""
    head = {"type": plan.type, "apiVersion": plan.api_version, "name": plan.name}
    return {**head, **plan.evaluate(resolver)}


# -- real-engine expectations -----------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    status: str  # "passed", "failed", "known"
    detail: str = ""


def load_expectations() -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(source, case) for every case of every expectation file."""
    for path in sorted(EXPECTATIONS.glob("*.json")):
        doc = json.loads(path.read_text("utf-8"))
        for case in doc["cases"]:
            yield doc["source"], case


def case_template(case: Mapping[str, Any]) -> dict[str, Any]:
    """The case's template; short outputs (`"name": "[expr]"`) become typeless outputs."""
    template = {"$schema": SCHEMA, "contentVersion": "1.0.0.0", **case["template"]}
    outputs = template.get("outputs")
    if isinstance(outputs, Mapping):
        template["outputs"] = {
            name: decl if isinstance(decl, Mapping) else {"value": decl}
            for name, decl in outputs.items()
        }
    template.setdefault("resources", [])
    return template


def evaluated_document(case: Mapping[str, Any]) -> dict[str, Any]:
    """The evaluated template the case's JSON paths read (outputs, resources, parameters)."""
    template = case_template(case)
    resolver = TemplateResolver(case.get("references"))
    prepared = prepare(template, case.get("parameters", {}), dummy_scope(case.get("scope")))
    resolver.know(prepared)
    ctx = replace(prepared.context, resolver=resolver)
    outputs: dict[str, Any] = {}
    for name, decl in (template.get("outputs") or {}).items():
        try:
            outputs.update(evaluate_outputs({name: decl}, ctx))
        except Unresolved:
            outputs[name] = {"value": decl.get("value")}
    resources: Any = [resource_document(p, resolver) for p in prepared.resources]
    if isinstance(template.get("resources"), Mapping):
        resources = {p.key: doc for p, doc in zip(prepared.resources, resources, strict=True)}
    variables = prepared.context.variables
    names = variables.names() if isinstance(variables, VariableTable) else []
    return {
        "languageVersion": template.get("languageVersion"),
        "parameters": dict(prepared.parameters),
        "variables": {name: variables.get(name) for name in names},
        "resources": resources,
        "outputs": outputs,
    }


def run_case(case: Mapping[str, Any]) -> Outcome:
    """Evaluate one case and compare; a known difference passes only while it still differs."""
    result = _compare(case)
    if "known_difference" in case:
        return Outcome("known") if result else Outcome("failed", "the known difference is gone")
    return Outcome("failed", result) if result else Outcome("passed")


def _compare(case: Mapping[str, Any]) -> str:
    """'' when the engine agrees with the case, else what differs."""
    try:
        document = evaluated_document(case)
    except TemplateError as e:
        wanted = case.get("error")
        if wanted is not None and wanted == e.message:
            return ""
        return f"raised {e}"
    if "error" in case:
        return f"expected an error containing {case['error']!r}"
    for path, expected in case["expect"].items():
        found, actual = read_path(document, path)
        if not found:
            return f"{path}: missing"
        if not same(actual, expected):
            return f"{path}: {json.dumps(actual)} != {json.dumps(expected)}"
    return ""


def same(actual: Any, expected: Any) -> bool:
    """JSON equality that keeps booleans apart from numbers (Python's `True == 1`)."""
    if isinstance(actual, bool) or isinstance(expected, bool):
        return type(actual) is type(expected) and actual == expected
    if isinstance(actual, list) and isinstance(expected, list):
        return len(actual) == len(expected) and all(map(same, actual, expected))
    if isinstance(actual, dict) and isinstance(expected, dict):
        return actual.keys() == expected.keys() and all(
            same(actual[k], expected[k]) for k in actual
        )
    return bool(actual == expected) and type(actual) is type(expected)


_MISSING = object()


def _child(value: Any, key: str | int) -> Any:
    """`value[key]` for an array index or an object property, else `_MISSING`."""
    if isinstance(key, int) and isinstance(value, list) and key < len(value):
        return value[key]
    if isinstance(key, str) and isinstance(value, Mapping) and key in value:
        return value[key]
    return _MISSING


_STEP = re.compile(r"\.([A-Za-z_$][\w$]*)|\['((?:[^']|'')*)'\]|\[(\d+)\]")


def read_path(document: Any, path: str) -> tuple[bool, Any]:
    """The value at a FluentAssertions JSON path such as `$.outputs['x'].value`."""
    if not path.startswith("$"):
        raise ValueError(f"not a JSON path: {path}")
    value, position = document, 1
    while position < len(path):
        step = _STEP.match(path, position)
        if step is None:
            raise ValueError(f"cannot read the JSON path {path!r} at {position}")
        name, quoted, number = step.groups()
        key: str | int = int(number) if number is not None else (name or quoted.replace("''", "'"))
        found = _child(value, key)
        if found is _MISSING:
            return False, None
        value = found
        position = step.end()
    return True, value


def citation_problems(source: Mapping[str, Any], case: Mapping[str, Any], text: str) -> list[str]:
    """What of a case the cited file at the pinned commit does not state: a test must state
    each JSON path the case reads; a baseline must hold the expected value at `source_path`;
    an expected error must be quoted verbatim."""
    if "error" in case:
        quoted = case["error"] in text and case["name"] in text
        return [] if quoted else [f"{source['path']} {case['name']}: the message is not quoted"]
    if source["path"].endswith(".json"):
        found, value = read_path(json.loads(text), case["source_path"])
        expected = next(iter(case["expect"].values()))
        if found and same(value, expected):
            return []
        return [f"{source['path']} {case['source_path']}: not {json.dumps(expected)}"]
    test = case.get("test", case["name"])
    body = _method_text(text, test)
    where = f"{source['path']} {test}"
    if body is None:
        return [f"{where}: no such test"]
    return [f"{where}: {path} not stated" for path in case.get("expect", {}) if path not in body]


def _method_text(text: str, name: str) -> str | None:
    found = re.search(rf"\b{re.escape(name)}\s*\(", text)
    if found is None:
        return None
    start = text.rfind("[TestMethod]", 0, found.start())
    start = max(start, text.rfind("[DataTestMethod]", 0, found.start()), 0)
    following = re.search(r"\[(?:Data)?TestMethod\]", text[found.end() :])
    end = found.end() + following.start() if following else len(text)
    return text[start:end]
