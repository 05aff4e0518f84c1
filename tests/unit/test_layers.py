"""The import graph of both programs (read with `ast`, TYPE_CHECKING imports included): no
cycle, no import from a lower layer to a higher one, and neither program imports the other.

The layers are the ones drawn in docs/architecture.md; a new top-level module must be placed
in one here (the test names it) before it can be imported."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Lowest first. A pattern is a module's name, or ends in ".*" (the package and everything in
# it) or "*" (a name prefix); the most specific pattern that matches a module (the longest)
# gives its layer.
ORCHESTRATOR_LAYERS: Sequence[tuple[str, tuple[str, ...]]] = (
    (
        "foundations: errors, results, events and their displays, settings, files",
        (
            "orchestrator",
            "orchestrator._help",
            "orchestrator.errors",
            "orchestrator.result",
            "orchestrator.render",
            "orchestrator.events",
            "orchestrator.display",
            "orchestrator.richdisplay",
            "orchestrator.settings",
            "orchestrator.invocation",
            "orchestrator.redaction",
            "orchestrator.naming",
            "orchestrator.options",
            "orchestrator.jsonio",
            "orchestrator.threads",
            "orchestrator.workspace",
            "orchestrator.finetune.family",  # where the fine-tuning files are: read by every layer
        ),
    ),
    (
        "offline: parameters, schemas, validation, the inference config, Bicep, CI",
        (
            "orchestrator.schemas",
            "orchestrator.schemacache",
            "orchestrator.template_schema",
            "orchestrator.render_sandbox",
            "orchestrator.parameters",
            "orchestrator.validation",
            "orchestrator.inference_config",
            "orchestrator.compile",
            "orchestrator.bicep.*",
            "orchestrator.ci.*",
        ),
    ),
    ("the Azure boundary", ("orchestrator.azure.*",)),
    (
        "pipelines: provision, deploy, fine-tuning, destroy, validate --online",
        (
            "orchestrator.provision.*",
            "orchestrator.deploy.*",
            "orchestrator.finetune.*",
            "orchestrator.destroy.*",
            "orchestrator.appdata",
            "orchestrator.online",
        ),
    ),
    ("the composition root", ("orchestrator.app",)),
    ("commands", ("orchestrator.commands.*", "orchestrator.finetune.commands.*")),
    (
        "the command line",
        (
            "orchestrator.cli",
            "orchestrator.cli_*",
            "orchestrator.cliopts",
            "orchestrator.entry",
            "orchestrator.__main__",
            "orchestrator.demo",
        ),
    ),
)

LOCALCLOUD_LAYERS: Sequence[tuple[str, tuple[str, ...]]] = (
    (
        "foundations: state, TLS, ids, ARM errors and routing, the template language",
        (
            "localcloud",
            "localcloud.config",
            "localcloud.tls",
            "localcloud.shaping",
            "localcloud.store",
            "localcloud.metadata",
            "localcloud.ids",
            "localcloud.arm.errors",
            "localcloud.arm.router",
            "localcloud.arm.jsonc",
            "localcloud.arm.responses",
            "localcloud.arm.casing",
            "localcloud.template.*",
        ),
    ),
    (
        "the context: LocalCloud and its protocols, sign-in, admin",
        ("localcloud.cloud", "localcloud.auth", "localcloud.entra", "localcloud.admin"),
    ),
    (
        "processes and files: app replicas, job executions, the Files data plane",
        (
            "localcloud.runtime.*",
            "localcloud.files.*",
        ),
    ),
    (
        "ARM: resource groups, deployments, providers, Log Analytics",
        ("localcloud.arm.*", "localcloud.providers.*", "localcloud.loganalytics.*"),
    ),
    (
        "wiring: the server, the request handler, the daemon and its command line",
        (
            "localcloud.jobsystem",
            "localcloud.dispatch",
            "localcloud.server",
            "localcloud.daemon",
            "localcloud.cli",
            "localcloud.__main__",
        ),
    ),
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _known_prefix(name: str, known: set[str]) -> str:
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name


def imports(path: Path, known: set[str]) -> set[str]:
    """The modules of `known` that `path` imports (`from pkg import sub` names `pkg.sub` when
    that is a module, else `pkg`)."""
    found: set[str] = set()
    here = module_name(path).split(".")
    anchor_base = here if path.name == "__init__.py" else here[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {_known_prefix(alias.name, known) for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = anchor_base[: len(anchor_base) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in known else _known_prefix(base, known))
    return found - {""}


def import_graph(packages: Iterable[str]) -> dict[str, set[str]]:
    files = {module_name(p): p for pkg in packages for p in (ROOT / pkg).rglob("*.py")}
    known = set(files)
    return {name: imports(path, known) - {name} for name, path in files.items()}


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def matches(name: str, pattern: str) -> bool:
    if pattern.endswith(".*"):
        package = pattern[:-2]
        return name == package or name.startswith(package + ".")
    if pattern.endswith("*"):
        return name.startswith(pattern[:-1])
    return name == pattern


def layer_of(name: str, layers: Sequence[tuple[str, tuple[str, ...]]]) -> int | None:
    found = [
        (len(pattern), number)
        for number, (_title, patterns) in enumerate(layers)
        for pattern in patterns
        if matches(name, pattern)
    ]
    return max(found)[1] if found else None


def upward_imports(
    graph: Mapping[str, set[str]], layers: Sequence[tuple[str, tuple[str, ...]]]
) -> list[str]:
    """`a -> b` for every import of a module in a higher layer than the importer's."""
    found = []
    for name, targets in sorted(graph.items()):
        mine = layer_of(name, layers)
        for target in sorted(targets):
            theirs = layer_of(target, layers)
            if mine is not None and theirs is not None and theirs > mine:
                found.append(f"{name} ({layers[mine][0]}) -> {target} ({layers[theirs][0]})")
    return found


PROGRAMS = {"orchestrator": ORCHESTRATOR_LAYERS, "localcloud": LOCALCLOUD_LAYERS}


@pytest.mark.parametrize("package", sorted(PROGRAMS))
def test_every_module_has_a_layer(package: str) -> None:
    graph = import_graph([package])
    unplaced = [m for m in sorted(graph) if layer_of(m, PROGRAMS[package]) is None]
    assert unplaced == [], "add these modules to a layer at the top of this file"


@pytest.mark.parametrize("package", sorted(PROGRAMS))
def test_no_import_cycle(package: str) -> None:
    graph = import_graph([package])
    assert f"{package}.cli" in graph  # the package was read
    if package == "localcloud":
        assert "localcloud.cloud" in graph and "localcloud.arm.engine" in graph
    assert cycles(graph) == []


@pytest.mark.parametrize("package", sorted(PROGRAMS))
def test_no_import_from_a_lower_layer_to_a_higher_one(package: str) -> None:
    assert upward_imports(import_graph([package]), PROGRAMS[package]) == []


def test_neither_program_imports_the_other() -> None:
    graph = import_graph(PROGRAMS)
    crossing = [
        f"{name} -> {target}"
        for name, targets in sorted(graph.items())
        for target in sorted(targets)
        if name.split(".")[0] != target.split(".")[0]
    ]
    assert crossing == []


def test_the_checks_see_a_cycle_and_an_upward_import() -> None:
    graph = {"a.low": {"a.high"}, "a.high": {"a.low"}}
    layers = (("low", ("a.low",)), ("high", ("a.high",)))
    assert cycles(graph) == [["a.high", "a.low"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert upward_imports(graph, layers) == ["a.low (low) -> a.high (high)"]
    nested = (("pipelines", ("a.flow.*",)), ("commands", ("a.flow.commands.*",)))
    assert layer_of("a.flow.commands.run", nested) == 1
    assert layer_of("a.flow.step", nested) == 0
