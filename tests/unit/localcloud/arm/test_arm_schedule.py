from __future__ import annotations

from dataclasses import dataclass

from localcloud.arm.schedule import complete_mode_deletions, next_step


@dataclass(frozen=True)
class Plan:
    resource_id: str
    depends_on: frozenset[str] = frozenset()


def plan(rid: str, *deps: str) -> Plan:
    return Plan(rid, frozenset(d.lower() for d in deps))


STORAGE = "/s/1/rg/x/providers/Microsoft.Storage/storageAccounts/a"
SHARE = STORAGE + "/fileServices/default/shares/s"
LOGS = "/s/1/rg/x/providers/Microsoft.OperationalInsights/workspaces/w"
ENV = "/s/1/rg/x/providers/Microsoft.App/managedEnvironments/e"


def test_independent_resources_start_together() -> None:
    nodes = [plan(STORAGE), plan(LOGS), plan(ENV, LOGS)]
    step = next_step(nodes, set(), set(), set())
    assert step.start == (0, 1)
    assert step.blocked == ()


def test_a_dependent_starts_only_after_its_dependency_succeeded() -> None:
    nodes = [plan(STORAGE), plan(LOGS), plan(ENV, LOGS)]
    assert next_step(nodes, {0, 1}, {0}, {1}).start == ()
    assert next_step(nodes, {0, 1}, {0, 1}, set()).start == (2,)


def test_dependency_ids_match_case_insensitively() -> None:
    nodes = [plan(LOGS), plan(ENV, LOGS.upper())]
    assert next_step(nodes, {0}, {0}, set()).start == (1,)


def test_a_failed_dependency_blocks_its_dependents_transitively() -> None:
    nodes = [plan(STORAGE), plan(SHARE, STORAGE), plan(ENV, SHARE)]
    first = next_step(nodes, {0}, set(), set())  # storage failed, nothing else running
    assert first.blocked == (1, 2)


def test_a_failed_dependency_blocks_only_its_dependents_while_others_run() -> None:
    nodes = [plan(STORAGE), plan(SHARE, STORAGE), plan(LOGS), plan(ENV, LOGS)]
    step = next_step(nodes, {0, 2}, set(), {2})  # storage failed, logs still running
    assert step.blocked == (1,)
    assert step.start == ()


def test_dependencies_outside_the_template_are_ignored() -> None:
    nodes = [plan(ENV, "/subscriptions/x/elsewhere")]
    assert next_step(nodes, set(), set(), set()).start == (0,)


def test_a_cycle_is_blocked_instead_of_waiting_forever() -> None:
    nodes = [plan(STORAGE, SHARE), plan(SHARE, STORAGE)]
    step = next_step(nodes, set(), set(), set())
    assert step.start == ()
    assert step.blocked == (0, 1)


def test_started_nodes_are_never_decided_again() -> None:
    nodes = [plan(STORAGE), plan(LOGS)]
    step = next_step(nodes, {0, 1}, {0}, {1})
    assert step.start == ()
    assert step.blocked == ()


def test_complete_mode_deletes_undeclared_resources_children_first_but_keeps_service_children() -> (
    None
):
    declared = [STORAGE]
    group = [STORAGE, STORAGE + "/fileServices/default", LOGS, LOGS + "/tables/t", ENV]
    assert complete_mode_deletions(group, declared) == [LOGS + "/tables/t", ENV, LOGS]
