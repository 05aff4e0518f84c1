"""Share-level operations (create, get properties, delete) for completeness: deployments
create shares through ARM, and the storage provider calls `FileService.share_path`."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from localcloud.files import inputs
from localcloud.files.ops import Op, Reply
from localcloud.files.props import http_date
from localcloud.files.share import Share

DEFAULT_QUOTA_GIB = "102400"


def share_reply(
    op: Op, share: Share, delete_share: Callable[[str, str], None], headers: Mapping[str, str]
) -> Reply:
    """Serve `op` on an existing share folder (CREATE_SHARE: one just made)."""
    if op is Op.DELETE_SHARE:
        delete_share(share.account, share.name)
        return Reply(202)
    if op is Op.CREATE_SHARE:
        record = share.save((), None, metadata=inputs.metadata(headers.items()))
        return Reply(201, {"ETag": record.etag, "Last-Modified": http_date(record.changed_ns)})
    props = share.props(())
    assert props is not None, "the caller checked the share folder exists"
    reply_headers = {
        "ETag": props.etag,
        "Last-Modified": http_date(props.modified_ns),
        "x-ms-share-quota": DEFAULT_QUOTA_GIB,
        "x-ms-access-tier": "TransactionOptimized",
        "x-ms-enabled-protocols": "SMB",
        "x-ms-lease-state": "available",
        "x-ms-lease-status": "unlocked",
    }
    for name, value in props.metadata:
        reply_headers[f"x-ms-meta-{name}"] = value
    return Reply(200, reply_headers)
