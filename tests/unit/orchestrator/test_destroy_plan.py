"""What destroy deletes and keeps (orchestrator/destroy/plan.py), which deployment created
it (discover.latest_creator), and how it asks (commands/destroy.confirmed)."""

from __future__ import annotations

import pytest

from orchestrator.azure.models import DeploymentSnapshot
from orchestrator.commands.destroy import DestroyOptions, check_options, command_line, confirmed
from orchestrator.destroy.discover import Known, latest_creator
from orchestrator.destroy.plan import Scope, classify, plan, share_warning
from orchestrator.errors import InputError

G = "/subscriptions/s/resourceGroups/rg/providers"
APP = f"{G}/Microsoft.App/containerApps/app1"
JOB = f"{G}/Microsoft.App/jobs/job1"
ENV = f"{G}/Microsoft.App/managedEnvironments/env1"
ENV_STORAGE = f"{ENV}/storages/st1"
LOGS = f"{G}/Microsoft.OperationalInsights/workspaces/log1"
ACCOUNT = f"{G}/Microsoft.Storage/storageAccounts/acct1"
SHARE = f"{ACCOUNT}/fileServices/default/shares/share1"
FILE_SERVICE = f"{ACCOUNT}/fileServices/default"
EVERYTHING = [SHARE, ACCOUNT, LOGS, FILE_SERVICE, APP, ENV, ENV_STORAGE, APP.upper()]


def test_classify_orders_for_deletion_and_drops_what_it_does_not_know() -> None:
    roles = [r.role for r in classify([*EVERYTHING, JOB])]
    assert roles == [
        "job",
        "app",
        "environment storage",
        "environment",
        "log analytics workspace",
        "storage account",
        "file share",
    ]


def test_default_deletes_only_the_app_and_keeps_the_share() -> None:
    chosen = plan(classify(EVERYTHING), Scope())
    assert [s.resource.resource_id for s in chosen.delete] == [APP]
    assert SHARE in [r.resource_id for r in chosen.keep]
    assert chosen.confirm_word == "" and share_warning(chosen) == ""


def test_finetune_deletes_the_job_and_keeps_the_app() -> None:
    chosen = plan(classify([*EVERYTHING, JOB]), Scope(finetune=True))
    assert [s.resource.resource_id for s in chosen.delete] == [JOB]
    assert APP in [r.resource_id for r in chosen.keep]


def test_all_deletes_in_order_names_the_share_and_asks_for_the_account() -> None:
    chosen = plan(classify(EVERYTHING), Scope(everything=True, purge=True))
    assert [s.resource.resource_id for s in chosen.delete] == [
        APP,
        ENV_STORAGE,
        ENV,
        LOGS,
        ACCOUNT,
    ]
    assert [s.force for s in chosen.delete] == [False, False, False, True, False]
    assert [r.resource_id for r in chosen.with_account] == [SHARE]
    assert chosen.confirm_word == "acct1"
    assert "share1" in share_warning(chosen) and "fine-tuned models" in share_warning(chosen)
    assert "delete file share share1 (with its storage account)" in chosen.lines()


def snapshot(name: str, state: str, stamp: str, *resources: str) -> DeploymentSnapshot:
    return DeploymentSnapshot(name, f"/d/{name}", state, stamp, output_resources=resources)


def test_the_creator_is_the_latest_succeeded_deployment_naming_a_known_resource() -> None:
    known = Known("s", "rg", "app1", "acct1", "share1")
    history = [
        snapshot("old", "Succeeded", "2026-01-01T00:00:00Z", APP.lower(), ENV),
        snapshot("failed", "Failed", "2026-03-01T00:00:00Z", APP, LOGS),
        snapshot("other", "Succeeded", "2026-04-01T00:00:00Z", f"{G}/Microsoft.App/jobs/x"),
        snapshot("new", "Succeeded", "2026-02-01T00:00:00Z", ACCOUNT, ENV),
    ]
    found = latest_creator(history, known.ids())
    assert found is not None and found.name == "new"
    assert APP in known.ids() and SHARE in known.ids()


def test_yes_skips_the_question_and_a_pipe_without_yes_is_refused_with_the_command() -> None:
    chosen = plan(classify(EVERYTHING), Scope(everything=True))
    assert confirmed(chosen, DestroyOptions(everything=True, yes=True), False, False, None)
    with pytest.raises(InputError) as refused:
        confirmed(chosen, DestroyOptions(everything=True), True, False, None)
    assert "`orchestrator destroy --all --json --yes`" in refused.value.hint


def test_all_on_a_terminal_needs_the_account_name_typed() -> None:
    chosen = plan(classify(EVERYTHING), Scope(everything=True))
    asked: list[str] = []

    def typed(answer: str) -> bool:
        def ask(question: str) -> str:
            asked.append(question)
            return answer

        return confirmed(chosen, DestroyOptions(everything=True), False, True, ask)

    assert typed(" acct1 ") is True
    assert typed("y") is False
    assert "acct1" in asked[0]


def test_the_default_question_takes_yes_or_y_only() -> None:
    chosen = plan(classify(EVERYTHING), Scope())
    for answer, expected in (("y", True), ("YES", True), ("", False), ("no", False)):

        def ask(_question: str, typed: str = answer) -> str:
            return typed

        assert confirmed(chosen, DestroyOptions(), False, True, ask) is expected


def test_purge_without_all_is_bad_input() -> None:
    with pytest.raises(InputError):
        check_options(DestroyOptions(purge=True))
    assert command_line(DestroyOptions(finetune=True), False) == (
        "orchestrator destroy --finetune --yes"
    )
