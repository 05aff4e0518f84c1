"""Which resources of a deployment may start now: dependency order as a pure decision.

Nodes are identified by their position in the plan list; a dependency names a resource id
(lower-cased) and is satisfied when every node with that id has succeeded (copy loops give
several nodes one symbolic name, never one id, but the rule costs nothing). Dependencies on
ids the template does not declare are ignored: the template engine reports those.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass
from typing import Protocol


class Node(Protocol):
    @property
    def resource_id(self) -> str: ...
    @property
    def depends_on(self) -> frozenset[str]: ...


@dataclass(frozen=True)
class Step:
    start: tuple[int, ...]  # may start now
    blocked: tuple[int, ...]  # will never start: a dependency failed (or a cycle)


def next_step(
    nodes: Sequence[Node],
    started: Set[int],
    succeeded: Set[int],
    running: Set[int],
) -> Step:
    """Decide which not-yet-started nodes can start and which can never start."""
    positions: dict[str, list[int]] = {}
    for i, node in enumerate(nodes):
        positions.setdefault(node.resource_id.lower(), []).append(i)

    start: list[int] = []
    waiting: list[int] = []
    blocked: list[int] = []
    for i, node in enumerate(nodes):
        if i in started:
            continue
        deps = [p for dep in node.depends_on for p in positions.get(dep.lower(), ()) if p != i]
        if all(p in succeeded for p in deps):
            start.append(i)
        elif any(p in started and p not in running and p not in succeeded for p in deps):
            blocked.append(i)
        else:
            waiting.append(i)
    if not start and not running and waiting:
        # Nothing can make progress: the rest depends on blocked nodes or on a cycle.
        blocked.extend(waiting)
    return Step(tuple(start), tuple(sorted(blocked)))


def complete_mode_deletions(group_ids: Iterable[str], template_ids: Iterable[str]) -> list[str]:
    """What a Complete-mode deployment deletes: the group's resources the template does not
    declare, except those under a declared resource (children the service made, like a
    storage account's `fileServices/default`). Children before parents."""
    declared = {i.lower() for i in template_ids}
    doomed = [
        rid
        for rid in group_ids
        if rid.lower() not in declared
        and not any(rid.lower().startswith(d + "/") for d in declared)
    ]
    return sorted(doomed, key=lambda rid: (-rid.count("/"), rid.lower()))
