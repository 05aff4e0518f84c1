"""The portal links a run prints."""

from __future__ import annotations

from orchestrator.finetune import links

SUB = "00000000-0000-4000-8000-000000000001"


def test_the_execution_history_link_is_the_toolkits() -> None:
    assert links.execution_history("https://portal.azure.com/", "tid", SUB, "rg", "aiacajobx") == (
        f"https://portal.azure.com/#@tid/resource/subscriptions/{SUB}/resourceGroups/rg"
        "/providers/Microsoft.App/jobs/aiacajobx/executionHistory"
    )


def test_the_file_share_link_quotes_the_account_id() -> None:
    url = links.file_share("https://portal.azure.us", SUB, "rg", "aistorex", "aisharex")
    assert url == (
        "https://portal.azure.us/#view/Microsoft_Azure_FileStorage/FileShareMenuBlade/~/browse"
        f"/storageAccountId/%2Fsubscriptions%2F{SUB}%2FresourceGroups%2Frg%2Fproviders"
        "%2FMicrosoft.Storage%2FstorageAccounts%2Faistorex/path/aisharex/protocol/SMB"
    )


def test_no_portal_no_link() -> None:
    assert links.execution_history("", "t", SUB, "rg", "j") == ""
    assert links.file_share("", SUB, "rg", "a", "s") == ""
