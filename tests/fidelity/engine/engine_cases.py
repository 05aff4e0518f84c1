"""Running the template engine the way the Bicep repository's tests run ARM's engine.

Two uses: the real-engine expectations under `expectations/` (run by `make test` through
test_engine_expectations.py, and by `fidelity/engine_corpus.py`), and the corpus checks of
`fidelity/engine_corpus.py` over the compiled templates of the Bicep repository.

An expectation file::

    {"source": {"repo": "Azure/bicep", "commit": "<40 hex>", "path": "src/.../EvaluationTests.cs"},
     "notes": "how the templates were obtained",
     "cases": [{"name": "<test method>", "template": {...}, "parameters": {...},
                "scope": {"subscriptionId": ..., "resourceGroup": ...},
                "references": {"<resource id>": {...properties}},
                "expect": {"$.outputs['x'].value": <value>, ...},
                "error": "<the engine's error message, exactly>",
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
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from localcloud.template import (
    Prepared,
    ResourcePlan,
    Scope,
    TemplateError,
    Unresolved,
    parse_expression,
    prepare,
)
from localcloud.template.interpreter import FUNCTIONS, SPECIAL
from localcloud.template.located import json_path
from localcloud.template.nodes import Call, Index, Member, Node
from localcloud.template.outputs import evaluate_outputs
from localcloud.template.syntax import template_expressions
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


# -- corpus checks ----------------------------------------------------------------------------


@dataclass
class CorpusReport:
    templates: int = 0
    resource_group_templates: int = 0
    expressions: int = 0
    unparsed: list[str] = field(default_factory=list)
    functions: Counter[str] = field(default_factory=Counter)
    unknown: Counter[str] = field(default_factory=Counter)
    counts: Counter[str] = field(default_factory=Counter)
    rejections: list[str] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        c = self.counts
        return {
            "templates": self.templates,
            "resource_group_templates": self.resource_group_templates,
            "expressions": {
                "total": self.expressions,
                "parsed": self.expressions - len(self.unparsed),
                "unparsed": len(self.unparsed),
            },
            "functions": {
                "distinct": len(self.functions),
                "calls": sum(self.functions.values()),
                "unknown": sorted(self.unknown),
            },
            "evaluation": {
                key: c[key]
                for key in (
                    "extensible",
                    "prepared",
                    "rejected",
                    "rejected_by_sample",
                    "bodies",
                    "bodies_live",
                    "bodies_rejected",
                    "outputs",
                    "outputs_live",
                    "outputs_rejected",
                    "nested",
                    "nested_rejected",
                )
            },
            "crashes": len(self.crashes),
            "unparsed": self.unparsed,
            "rejections": self.rejections,
            "crash_list": self.crashes,
        }


def check_template(report: CorpusReport, name: str, template: Any) -> None:
    """Parse, look up and (resource-group scope) evaluate one compiled template."""
    report.templates += 1
    defined = set(_user_functions(template))
    for path, text in template_expressions(template):
        report.expressions += 1
        try:
            node = parse_expression(text)
        except TemplateError as e:
            report.unparsed.append(f"{name} {path}: {e.message}")
            continue
        for call in calls(node):
            key = call.lower()
            report.functions[key] += 1
            if not _known(key, defined):
                report.unknown[call] += 1
    if not isinstance(template, Mapping) or not RG_SCHEMA.search(str(template.get("$schema", ""))):
        return
    report.resource_group_templates += 1
    if "extensions" in template or "imports" in template:
        report.counts["extensible"] += 1  # non-Azure resource types: not localcloud's
        return
    _evaluate(report, name, template)


def _known(key: str, defined: set[str]) -> bool:
    return key in FUNCTIONS or key in SPECIAL or key.startswith("list") or key in defined


def calls(node: Node) -> Iterator[str]:
    if isinstance(node, Call):
        yield node.name
        for arg in node.args:
            yield from calls(arg)
    elif isinstance(node, Member):
        yield from calls(node.target)
    elif isinstance(node, Index):
        yield from calls(node.target)
        yield from calls(node.index)


def _user_functions(value: Any) -> Iterator[str]:
    if isinstance(value, Mapping):
        sections = value.get("functions")
        if isinstance(sections, list):
            for section in sections:
                if isinstance(section, Mapping) and isinstance(section.get("members"), Mapping):
                    for member in section["members"]:
                        yield f"{section.get('namespace')}.{member}".lower()
        for item in value.values():
            yield from _user_functions(item)
    elif isinstance(value, list):
        for item in value:
            yield from _user_functions(item)


def synthesized_parameters(template: Mapping[str, Any]) -> dict[str, Any]:
    """A value for every parameter without a default, satisfying its declaration."""
    decls = template.get("parameters") or {}
    definitions = template.get("definitions") or {}
    return {
        name: {"value": _sample(decl, definitions)}
        for name, decl in decls.items()
        if isinstance(decl, Mapping) and "defaultValue" not in decl and not decl.get("nullable")
    }


def _sample(decl: Mapping[str, Any], definitions: Mapping[str, Any], depth: int = 0) -> Any:
    ref = decl.get("$ref")
    if isinstance(ref, str) and depth < 8:
        target = definitions.get(ref.rsplit("/", 1)[-1])
        if isinstance(target, Mapping):
            return _sample(target, definitions, depth + 1)
    allowed = [v for v in decl.get("allowedValues") or [] if v is not None]
    kind = str(decl.get("type", "object")).lower()
    if allowed:
        wrap = kind == "array" and not isinstance(allowed[0], list)
        return [allowed[0]] if wrap else allowed[0]
    if kind in ("string", "securestring"):
        low, high = decl.get("minLength", 3), decl.get("maxLength", 24)
        return "abcdefghijklmnopqrstuvwxyz"[: max(int(low), min(int(high), 3))]
    if kind == "int":
        return max(int(decl.get("minValue", 1)), min(int(decl.get("maxValue", 1)), 1))
    if kind == "bool":
        return True
    if kind == "array":
        return [_sample(decl.get("items") or {"type": "string"}, definitions, depth + 1)] * int(
            decl.get("minLength", 0)
        )
    properties = decl.get("properties")
    if isinstance(properties, Mapping):
        return {
            key: _sample(prop, definitions, depth + 1)
            for key, prop in properties.items()
            if isinstance(prop, Mapping) and not prop.get("nullable")
        }
    return {}


def _evaluate(report: CorpusReport, name: str, template: Mapping[str, Any]) -> None:
    supplied = synthesized_parameters(template)
    try:
        scope = dummy_scope({"location": "eastus"})  # a real region for location lookups
        prepared = prepare(template, supplied, scope)
    except TemplateError as e:
        kind = "rejected_by_sample" if _uses(template, e.target, set(supplied)) else "rejected"
        report.counts[kind] += 1
        report.rejections.append(f"{name}: {e}" + (" [sample value]" if kind != "rejected" else ""))
        return
    except Exception as e:  # a crash is what this run looks for
        report.crashes.append(f"{name}: prepare: {type(e).__name__}: {e}")
        return
    report.counts["prepared"] += 1
    _evaluate_prepared(report, name, prepared, 0)


def _evaluate_prepared(report: CorpusReport, name: str, prepared: Prepared, depth: int) -> None:
    resolver = TemplateResolver(own=False)  # ARM reads the deployed resource
    for plan in prepared.resources:
        if not plan.condition or plan.existing:
            continue
        _count(report, f"{name} {plan.key}", "bodies", lambda p=plan: p.evaluate(resolver))
        if plan.is_deployment and depth < MAX_NESTING:
            _nested(report, f"{name} {plan.key}", prepared, plan, resolver, depth)
    ctx = replace(prepared.context, resolver=resolver)
    for output, decl in (prepared.template.get("outputs") or {}).items():
        _count(
            report,
            f"{name} outputs.{output}",
            "outputs",
            lambda o=output, d=decl: evaluate_outputs({o: d}, ctx),
        )


_PARAMETER = re.compile(r"parameters\('([^']*)'\)", re.IGNORECASE)
_VARIABLE = re.compile(r"variables\('([^']*)'\)", re.IGNORECASE)


def _uses(template: Mapping[str, Any], target: str | None, names: set[str]) -> bool:
    """Whether the value at `target` reads (directly or through variables) a parameter of
    `names` - the values this run made up, so a rejection there may be the sample's fault."""
    if not target or not names:
        return False
    value: Any = template
    for step in json_path(target):
        child = _child(value, step)
        if child is _MISSING:
            break
        value = child
    lowered = {n.lower() for n in names}
    variables = template.get("variables") or {}
    seen: set[str] = set()
    pending = [json.dumps(value)]
    while pending:
        text = pending.pop()
        if any(p.lower() in lowered for p in _PARAMETER.findall(text)):
            return True
        for var in _VARIABLE.findall(text):
            if var.lower() not in seen and var in variables:
                seen.add(var.lower())
                pending.append(json.dumps(variables[var]))
    return False


def _nested(
    report: CorpusReport,
    name: str,
    prepared: Prepared,
    plan: ResourcePlan,
    resolver: TemplateResolver,
    depth: int,
) -> None:
    try:
        nested = prepared.prepare_nested(plan, resolver)
    except Unresolved:
        return
    except TemplateError as e:
        report.counts["nested_rejected"] += 1
        report.rejections.append(f"{name} (nested): {e}")
        return
    except Exception as e:
        report.crashes.append(f"{name} (nested): {type(e).__name__}: {e}")
        return
    report.counts["nested"] += 1
    _evaluate_prepared(report, f"{name} >", nested, depth + 1)


def _count(report: CorpusReport, name: str, kind: str, work: Any) -> None:
    try:
        work()
    except Unresolved:
        report.counts[f"{kind}_live"] += 1
    except TemplateError as e:
        report.counts[f"{kind}_rejected"] += 1
        report.rejections.append(f"{name}: {e}")
    except Exception as e:
        report.crashes.append(f"{name}: {type(e).__name__}: {e}")
    else:
        report.counts[kind] += 1
