"""Rename File / Rename Directory: move an item within its share, keeping its id.

The request addresses the destination; `x-ms-file-rename-source` is the source's URL (the
service's own form `https://<account>.file.core.windows.net/<share>/<path>`, or this
server's path-style `https://127.0.0.1:PORT/<account>/<share>/<path>`), possibly with a SAS
query. The sidecar records of the item (and of everything below a directory) move with it.
"""

from __future__ import annotations

import errno
from collections.abc import Mapping
from dataclasses import replace
from urllib.parse import urlsplit

from localcloud.files import errors, inputs, leases, permissions
from localcloud.files.errors import FileError
from localcloud.files.fs import ParentMissing
from localcloud.files.ops import Reply
from localcloud.files.paths import Target, parse_target
from localcloud.files.props import Props, item_headers
from localcloud.files.share import Share

_ENCRYPTED = {"x-ms-request-server-encrypted": "true"}


def source_target(destination: Target, source_url: str) -> Target:
    """The item `x-ms-file-rename-source` names; 400 when it is not in the same share."""
    parts = urlsplit(source_url.strip())
    path = parts.path
    if not (parts.hostname or "").lower().startswith(f"{destination.account}."):
        account, _, rest = path.lstrip("/").partition("/")
        if account.lower() != destination.account:
            raise _bad_source("the source is in another storage account")
        path = "/" + rest
    source = parse_target(f"/{destination.account}{path}")
    if source.share != destination.share or not source.parts:
        raise _bad_source("the source must be a file or directory of the same share")
    return source


def rename(
    share: Share, destination: Target, headers: Mapping[str, str], *, directory: bool
) -> Reply:
    source_url = headers.get("x-ms-file-rename-source")
    if not source_url:
        raise errors.missing_header("x-ms-file-rename-source")
    source = source_target(destination, source_url)
    source_parts = share.fs.resolve(source.parts)
    moving = share.props_or_none(source_parts)
    if moving is None or moving.is_dir != directory:
        raise errors.resource_not_found()
    now_ns = share.stamps.clock_ns()
    leases.guard(moving.lease, _lease_header(headers, "x-ms-source-lease-id"), now_ns, write=True)
    existing = share.props_or_none(destination.parts)
    if existing is not None and destination.parts != source_parts:
        _check_replace(existing, headers, now_ns)
        share.fs.unlink(destination.parts)  # a file replaced (a directory never is)
        share.meta.delete("/".join(destination.parts))
    try:
        share.fs.rename(source_parts, destination.parts)
    except ParentMissing as error:
        raise errors.parent_not_found() from error
    except OSError as error:
        if error.errno in (errno.ENOTEMPTY, errno.EEXIST, errno.EISDIR, errno.ENOTDIR):
            raise errors.already_exists() from error
        raise
    share.meta.rename("/".join(source_parts), "/".join(destination.parts))
    _apply_settings(share, destination, headers, moving)
    props = share.props_or_none(destination.parts)
    assert props is not None, "just renamed"
    return Reply(200, {**item_headers(props), **_ENCRYPTED})


def _check_replace(existing: Props, headers: Mapping[str, str], now_ns: int) -> None:
    replace_it = headers.get("x-ms-file-rename-replace-if-exists", "").lower() == "true"
    if existing.is_dir or not replace_it:
        raise errors.already_exists()
    check_read_only(existing, headers.get("x-ms-file-rename-ignore-readonly"))
    given = _lease_header(headers, "x-ms-destination-lease-id")
    leases.guard(existing.lease, given, now_ns, write=True)


def check_read_only(existing: Props, ignore: str | None) -> None:
    """409 `ReadOnlyAttribute` for replacing a read-only file unless told to ignore it."""
    if "ReadOnly" in existing.attribute_text and (ignore or "").lower() != "true":
        raise FileError(409, "ReadOnlyAttribute", "The destination file is read-only.")


def _lease_header(headers: Mapping[str, str], name: str) -> dict[str, str]:
    """The lease id a rename names for one side, as the lease check reads it."""
    value = headers.get(name)
    return {} if value is None else {"x-ms-lease-id": value}


def _apply_settings(
    share: Share, destination: Target, headers: Mapping[str, str], moving: Props
) -> None:
    """SMB times, attributes and the content type a rename may set on the moved item."""
    record = share.record(destination.parts)
    times = inputs.smb_times(headers)
    key = permissions.requested(share.meta, headers)
    content_type = headers.get("x-ms-content-type")
    content = None
    if content_type and record is not None and not moving.is_dir:
        content = replace(record.content, content_type=content_type)
    share.save(destination.parts, record, times=times, content=content, permission_key=key)


def _bad_source(why: str) -> FileError:
    return FileError(400, "InvalidHeaderValue", f"x-ms-file-rename-source is invalid: {why}")
