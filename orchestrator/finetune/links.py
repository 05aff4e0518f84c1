"""The portal pages a run points at, as the toolkit prints them after "Run fine-tuning" (pure):
the job's execution history (`{portal}/#@{tenant}/resource{job id}/executionHistory`) and the
file share browser showing what the job wrote (`{portal}/#view/Microsoft_Azure_FileStorage/
FileShareMenuBlade/~/browse/storageAccountId/{quoted account id}/path/{share}/protocol/SMB`).

`portal` is the cloud's portal (`CloudProfile.portal`); "" (localcloud has none) gives no link.
"""

from __future__ import annotations

from urllib.parse import quote


def execution_history(portal: str, tenant: str, subscription: str, group: str, job: str) -> str:
    if not portal:
        return ""
    resource = (
        f"/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.App/jobs/{job}"
    )
    return f"{portal.rstrip('/')}/#@{tenant}/resource{resource}/executionHistory"


def file_share(portal: str, subscription: str, group: str, account: str, share: str) -> str:
    if not portal:
        return ""
    account_id = (
        f"/subscriptions/{subscription}/resourceGroups/{group}"
        f"/providers/Microsoft.Storage/storageAccounts/{account}"
    )
    return (
        f"{portal.rstrip('/')}/#view/Microsoft_Azure_FileStorage/FileShareMenuBlade/~/browse"
        f"/storageAccountId/{quote(account_id, safe='')}/path/{share}/protocol/SMB"
    )
