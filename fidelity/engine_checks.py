"""The corpus checks of `engine_corpus.py`: parse, look up and evaluate one compiled template.

Every expression must parse and name a known function; a resource-group template must prepare
(parameters without a default get a made-up value satisfying their declaration), and each
resource body, output and nested deployment must evaluate or need a live resource
(`reference()`/`list*()` of a deployed resource). Anything other than a template error is a
crash.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from engine_cases import TemplateResolver, dummy_scope

from localcloud.template import (
    Prepared,
    ResourcePlan,
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

RG_SCHEMA = re.compile(r"/deploymentTemplate\.json#?$", re.IGNORECASE)
MAX_NESTING = 4


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


def _inside(value: Any, step: str | int) -> tuple[bool, Any]:
    if isinstance(step, int):
        ok = isinstance(value, list) and step < len(value)
    else:
        ok = isinstance(value, Mapping) and step in value
    return ok, value[step] if ok else None


def _uses(template: Mapping[str, Any], target: str | None, names: set[str]) -> bool:
    """Whether the value at `target` reads (directly or through variables) a parameter of
    `names` - the values this run made up, so a rejection there may be the sample's fault."""
    if not target or not names:
        return False
    value: Any = template
    for step in json_path(target):
        found, inner = _inside(value, step)
        if not found:
            break
        value = inner
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
