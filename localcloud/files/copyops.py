"""Copy File and Put Range From URL, from a file localcloud serves.

The source is named by URL (`x-ms-copy-source`), in the service's host form or this
server's path-style form; the service resolves it to a share and path (`SourceResolver`).
A copy finishes before the answer (`x-ms-copy-status: success`): there is never a pending
copy to abort. Blob sources and files of other accounts without a SAS are refused as Azure
refuses sources it cannot read (404 `CannotVerifyCopySource`).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import NoReturn
from urllib.parse import urlsplit

from localcloud.files import errors, inputs, leases, ranges
from localcloud.files.errors import FileError
from localcloud.files.fs import ParentMissing, ShareFs
from localcloud.files.ops import Reply
from localcloud.files.paths import Target, parse_target
from localcloud.files.props import Props, file_time, http_date
from localcloud.files.rename import check_read_only
from localcloud.files.share import Share

# (source URL, destination) -> the source's share and resolved path
SourceResolver = Callable[[str, Target], tuple[Share, tuple[str, ...]]]
_CHUNK = 4 * 1024 * 1024


def source_target(url: str, destination: Target) -> Target:
    """The file a copy source URL names: in the same account, or in another one when the
    URL carries a SAS; 404 `CannotVerifyCopySource` for anything else (blobs included)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    path = parts.path
    if ".file.core." in host:
        account_name = host.split(".file.core.", 1)[0]
    elif ".core." in host:  # a blob, queue or table source: not served here
        raise cannot_verify_source()
    else:
        account_name, _, rest = path.lstrip("/").partition("/")
        path = "/" + rest
    try:
        source = parse_target(f"/{account_name}{path}")
    except FileError as error:
        raise cannot_verify_source() from error
    if not source.parts or (source.account != destination.account and "sig=" not in parts.query):
        raise cannot_verify_source()
    return source


def cannot_verify_source() -> FileError:
    return FileError(404, "CannotVerifyCopySource", "The specified resource does not exist.")


async def copy_file(
    share: Share, target: Target, headers: Mapping[str, str], resolve: SourceResolver
) -> Reply:
    source_url = headers["x-ms-copy-source"]
    source_share, source_parts = resolve(source_url, target)
    source = source_share.props_or_none(source_parts)
    if source is None or source.is_dir:
        raise cannot_verify_source()
    existing = share.props_or_none(target.parts)
    held = None if existing is None or existing.is_dir else existing.lease
    leases.guard(held, headers, share.stamps.clock_ns(), write=True)
    if existing is not None and not existing.is_dir:
        check_read_only(existing, headers.get("x-ms-file-copy-ignore-readonly"))
    try:
        await asyncio.to_thread(
            _copy_bytes, source_share.fs, source_parts, share.fs, target.parts, source.size
        )
    except ParentMissing as error:
        raise errors.parent_not_found() from error
    metadata = inputs.metadata(headers.items()) or source.metadata
    times = _copy_times(headers, source)
    record = share.save(
        target.parts,
        None,
        content=source.content,
        metadata=metadata,
        written=True,
        times=times,
        spans=(source.data_spans, ()),
    )
    copy_id = str(uuid.uuid4())
    copied = {
        "x-ms-copy-id": copy_id,
        "x-ms-copy-source": source_url,
        "x-ms-copy-status": "success",
        "x-ms-copy-progress": f"{source.size}/{source.size}",
        "x-ms-copy-completion-time": http_date(record.changed_ns),
    }
    share.keep(target.parts, replace(record, lease=held, copy=tuple(copied.items())))
    return Reply(
        202,
        {
            "ETag": record.etag,
            "Last-Modified": http_date(record.changed_ns),
            "x-ms-copy-id": copy_id,
            "x-ms-copy-status": "success",
        },
    )


async def put_range_from_url(
    share: Share,
    target: Target,
    headers: Mapping[str, str],
    props: Props,
    resolve: SourceResolver,
) -> Reply:
    """Put Range From URL: `x-ms-source-range` of the source written at `x-ms-range`."""
    _, offset, length = inputs.write_range(headers, props.size)
    source_range = inputs.byte_range({"x-ms-range": headers.get("x-ms-source-range", "")})
    if source_range is None or source_range.end is None:
        raise errors.missing_header("x-ms-source-range")
    if source_range.end - source_range.start + 1 != length:
        raise errors.invalid_range("the source and destination ranges differ in length")
    source_url = headers["x-ms-copy-source"]
    if "sig=" not in source_url and "x-ms-copy-source-authorization" not in headers:
        raise _source_unauthorized()
    source_share, source_parts = resolve(source_url, target)
    source = source_share.props_or_none(source_parts)
    if source is None or source.is_dir:
        raise cannot_verify_source()
    data = await asyncio.to_thread(source_share.fs.read, source_parts, source_range.start, length)
    data = data.ljust(length, b"\0")
    await asyncio.to_thread(share.fs.write, target.parts, offset, data)
    end = offset + length - 1
    spans = (
        ranges.add(props.data_spans, offset, end),
        ranges.remove(props.cleared_spans, offset, end),
    )
    base = share.record(target.parts)
    preserve = headers.get("x-ms-file-last-write-time", "").lower() == "preserve"
    record = share.save(target.parts, base, written=not preserve, spans=spans)
    return Reply(
        201,
        {
            "ETag": record.etag,
            "Last-Modified": http_date(record.changed_ns),
            "x-ms-file-last-write-time": file_time(record.written_ns),
            "x-ms-request-server-encrypted": "true",
        },
    )


def _source_unauthorized() -> FileError:
    """Put Range From URL reads its source as an anonymous client would unless the URL
    carries a SAS or the request an `x-ms-copy-source-authorization`: the service reports
    the source's own answer."""
    return FileError(
        401,
        "CannotVerifyCopySource",
        "Server failed to authenticate the request. Please refer to the information in the "
        "www-authenticate header.",
        headers=(
            ("x-ms-copy-source-status-code", "401"),
            ("x-ms-copy-source-error-code", "NoAuthenticationInformation"),
        ),
    )


def abort_copy() -> NoReturn:
    """Copies finish before they are answered: there is never one to abort."""
    raise FileError(409, "NoPendingCopyOperation", "There is currently no pending copy operation.")


def _copy_times(headers: Mapping[str, str], source: Props) -> inputs.SmbTimes:
    """SMB properties of the copy: `source` takes the source's, a value sets it, else now."""
    given = inputs.smb_times(headers)

    def pick(name: str, source_value: int, value: int | None) -> int | None:
        return source_value if headers.get(name, "").lower() == "source" else value

    attributes = given.attributes
    if headers.get("x-ms-file-attributes", "").lower() == "source":
        attributes = source.attributes
    return inputs.SmbTimes(
        created_ns=pick("x-ms-file-creation-time", source.created_ns, given.created_ns),
        written_ns=pick("x-ms-file-last-write-time", source.written_ns, given.written_ns),
        changed_ns=pick("x-ms-file-change-time", source.changed_ns, given.changed_ns),
        attributes=attributes,
    )


def _copy_bytes(
    source: ShareFs,
    source_parts: tuple[str, ...],
    target: ShareFs,
    parts: tuple[str, ...],
    size: int,
) -> None:
    target.create(parts, size)
    for offset in range(0, size, _CHUNK):
        chunk = source.read(source_parts, offset, min(_CHUNK, size - offset))
        target.write(parts, offset, chunk)
