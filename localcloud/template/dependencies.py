"""Dependencies between resource instances: dependsOn entries, implicit reference()/list*()
targets, nested-resource parents and serial copy batches."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from localcloud.template.context import TemplateResources
from localcloud.template.errors import TemplateError
from localcloud.template.expressions import is_expression, parse_expression
from localcloud.template.interpreter import evaluate
from localcloud.template.nodes import Call, Index, Member, Node
from localcloud.template.resources import Instance
from localcloud.template.tree import evaluate_value

_INDEXED = re.compile(r"(.+)\[(\d+)\]")

# Template-only keys of a resource: not scanned for implicit dependencies.
_NOT_SCANNED = frozenset({"type", "name", "apiversion", "dependson", "copy", "condition"})


class DependencyIndex:
    """Finds the instances a dependsOn entry or a reference target names."""

    def __init__(self, instances: Sequence[Instance]):
        self._by_id: dict[str, list[Instance]] = {}
        self._by_name: dict[str, list[Instance]] = {}
        self._loops: dict[str, list[Instance]] = {}
        for item in instances:
            self._by_id.setdefault(item.resource_id.lower(), []).append(item)
            names = [item.name, f"{item.type}/{item.name}"]
            if item.declaration.symbol:
                names.append(item.declaration.symbol)
            for name in names:
                self._by_name.setdefault(name.lower(), []).append(item)
            if item.loop:
                self._loops.setdefault(item.loop, []).append(item)

    def named(self, entry: str) -> list[Instance]:
        """Instances a dependsOn entry names: id, symbol, copy loop, name or type/name, or one
        instance of a loop (`symbol[2]`, languageVersion 2.0)."""
        key = entry.lower()
        found = self._by_id.get(key) or self._by_name.get(key) or self._loops.get(key, [])
        indexed = _INDEXED.fullmatch(key)
        if found or indexed is None:
            return found
        loop, position = indexed.group(1), int(indexed.group(2))
        return [i for i in self._loops.get(loop, []) if i.copy_index == position]

    def resources(self) -> TemplateResources:
        """What reference('name')/resourceInfo('symbol') resolve against."""
        first = {rid: items[0] for rid, items in self._by_id.items()}
        return TemplateResources(
            by_name={key: items[0].resource_id for key, items in self._by_name.items()},
            api_versions={rid: i.api_version for rid, i in first.items() if i.api_version},
            types={rid: i.type for rid, i in first.items()},
            collections={
                key: tuple(i.resource_id for i in items)
                for key, items in {**self._loops, **self._symbols()}.items()
            },
        )

    def _symbols(self) -> dict[str, list[Instance]]:
        symbols: dict[str, list[Instance]] = {}
        for items in self._by_id.values():
            symbol = items[0].declaration.symbol
            if symbol:
                symbols.setdefault(symbol.lower(), []).extend(items)
        return symbols


def depends_on(
    item: Instance,
    index: DependencyIndex,
    resources: TemplateResources,
    all_items: Sequence[Instance],
) -> frozenset[str]:
    """Lower-cased ids of every instance `item` waits for."""
    found: set[str] = set()
    for entry_path, entry in _entries(item):
        targets = index.named(entry)
        if not targets:
            raise TemplateError(
                f"The resource '{entry}' is not defined in the template. Please see "
                "https://aka.ms/arm-template/#resources for usage details.",
                target=entry_path,
            )
        found.update(t.resource_id.lower() for t in targets)
    found.update(_implicit(item, index, resources))
    found.update(_parent(item, all_items))
    found.update(_previous_batch(item, all_items))
    found.discard(item.resource_id.lower())
    return frozenset(found)


def _entries(item: Instance) -> Iterator[tuple[str, str]]:
    declared = item.declaration.body.get("dependsOn", [])
    path = f"{item.declaration.path}.dependsOn"
    if not isinstance(declared, list):
        raise TemplateError("'dependsOn' must be an array.", target=path)
    for i, raw in enumerate(declared):
        value = evaluate_value(raw, item.ctx, f"{path}[{i}]")
        if not isinstance(value, str):
            raise TemplateError("A 'dependsOn' entry must be a string.", target=f"{path}[{i}]")
        yield f"{path}[{i}]", value


def _implicit(item: Instance, index: DependencyIndex, resources: TemplateResources) -> set[str]:
    """Targets of reference()/list*() whose id is computable without deploying anything."""
    ctx = replace(item.ctx, resources=resources)
    found: set[str] = set()
    for call in _runtime_calls(_scanned(item)):
        try:
            target = evaluate(call.args[0], ctx)
        except (TemplateError, RecursionError):
            continue
        if isinstance(target, str):
            found.update(t.resource_id.lower() for t in _targets(call, target, index, resources))
    return found


def _targets(
    call: Call, target: str, index: DependencyIndex, resources: TemplateResources
) -> list[Instance]:
    if call.name.lower() == "references" or target.startswith("/"):
        return index.named(target)  # a whole collection, or an id
    return index.named(resources.find(target) or target)


def _scanned(item: Instance) -> dict[str, Any]:
    body = {k: v for k, v in item.declaration.body.items() if k.lower() not in _NOT_SCANNED}
    props = body.get("properties")
    if item.is_deployment and isinstance(props, Mapping) and _inner_scope(props):
        body["properties"] = {k: v for k, v in props.items() if k != "template"}
    return body


def _inner_scope(props: Mapping[str, Any]) -> bool:
    options = props.get("expressionEvaluationOptions")
    scope = options.get("scope") if isinstance(options, Mapping) else None
    return isinstance(scope, str) and scope.lower() == "inner"


def _runtime_calls(value: Any) -> Iterator[Call]:
    if isinstance(value, str) and is_expression(value):
        try:
            yield from _calls(parse_expression(value))
        except TemplateError:
            return
    elif isinstance(value, list):
        for item in value:
            yield from _runtime_calls(item)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _runtime_calls(key)
            yield from _runtime_calls(item)


def _calls(node: Node) -> Iterator[Call]:
    if isinstance(node, Call):
        name = node.name.lower()
        if node.args and (name in ("reference", "references") or name.startswith("list")):
            yield node
        for arg in node.args:
            yield from _calls(arg)
    elif isinstance(node, Member):
        yield from _calls(node.target)
    elif isinstance(node, Index):
        yield from _calls(node.target)
        yield from _calls(node.index)


def _parent(item: Instance, all_items: Sequence[Instance]) -> set[str]:
    parent = item.declaration.parent
    return {i.resource_id.lower() for i in all_items if parent and i.declaration is parent}


def _previous_batch(item: Instance, all_items: Sequence[Instance]) -> set[str]:
    if item.batch is None or item.batch == 0:
        return set()
    return {
        other.resource_id.lower()
        for other in all_items
        if other.declaration is item.declaration and other.batch == item.batch - 1
    }


def check_cycles(graph: Mapping[str, frozenset[str]]) -> None:
    """Raise ARM's error when the dependency graph has a cycle."""
    state: dict[str, int] = {}  # 1 = visiting, 2 = done
    for start in graph:
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(graph[start]))]
        if state.get(start):
            continue
        state[start] = 1
        while stack:
            node, edges = stack[-1]
            nxt = next(edges, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                raise TemplateError(
                    f"Deployment template validation failed: 'Circular dependency detected on "
                    f"resource: '{nxt}'.'"
                )
            elif nxt in graph and not state.get(nxt):
                state[nxt] = 1
                stack.append((nxt, iter(graph[nxt])))
