"""File operations: create, put range, set properties / metadata, get properties, get, delete.

Contents go to the share folder (bytes written with `pwrite` in a worker thread); everything
else goes to the share's sidecar records. The service serialises writes to one file.
"""

from __future__ import annotations

import asyncio
import base64
import errno
import functools
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import replace

from localcloud.files import errors, inputs, leases, permissions, ranges
from localcloud.files.errors import FileError
from localcloud.files.fs import ParentMissing
from localcloud.files.listing import decode_marker, encode_marker
from localcloud.files.ops import Reply, Stream
from localcloud.files.paths import Target
from localcloud.files.props import (
    Props,
    Record,
    content_headers,
    file_time,
    http_date,
    item_headers,
)
from localcloud.files.share import Share

_ENCRYPTED = {"x-ms-request-server-encrypted": "true"}


async def create(share: Share, target: Target, headers: Mapping[str, str], body: bytes) -> Reply:
    """Create (or replace) the file with `x-ms-content-length` bytes; a request body (at most
    4 MiB, API 2025-05-05 and later) is its first bytes, the rest reads as zeros."""
    size = inputs.required_content_length(headers)
    content = inputs.content_settings(headers)
    if "x-ms-content-type" not in headers and headers.get("Content-Type"):
        # recorded Azure answers: the request's own Content-Type becomes the file's
        content = replace(content, content_type=headers["Content-Type"])
    metadata = inputs.metadata(headers.items())
    if len(body) > size:
        raise errors.invalid_header(
            "Content-Length", f"the body has {len(body)} bytes, the file {size}"
        )
    digest = hashlib.md5(body).digest()
    if body:
        inputs.check_body_md5(headers, digest)
    existing = share.props_or_none(target.parts)
    held = None if existing is None or existing.is_dir else existing.lease
    leases.guard(held, headers, share.stamps.clock_ns(), write=True)
    try:
        share.fs.create(target.parts, size)
    except ParentMissing as error:
        raise errors.parent_not_found() from error
    except OSError as error:
        if error.errno in (errno.EISDIR, errno.ELOOP, errno.ENOTDIR):
            raise errors.type_mismatch() from error
        raise
    if body:
        await asyncio.to_thread(share.fs.write, target.parts, 0, body)
    times = inputs.smb_times(headers)
    spans = (((0, len(body) - 1),) if body else (), ())
    key = permissions.requested(share.meta, headers)
    record = share.save(
        target.parts,
        None,
        content=content,
        metadata=metadata,
        written=True,
        times=times,
        spans=spans,
        permission_key=key,
    )
    if held is not None:  # replacing a leased file keeps its lease
        share.keep(target.parts, replace(record, lease=held))
    reply_headers = {**item_headers(_file(share, target)), **_ENCRYPTED}
    if body:
        reply_headers["Content-MD5"] = base64.b64encode(digest).decode("ascii")
    return Reply(201, reply_headers)


async def put_range(share: Share, target: Target, headers: Mapping[str, str], body: bytes) -> Reply:
    props = leased_file(share, target, headers, write=True)
    mode, offset, length = inputs.write_range(headers, props.size)
    reply_headers = dict(_ENCRYPTED)
    if mode == "update":
        if len(body) != length:
            raise errors.invalid_header(
                "Content-Length", f"the body has {len(body)} bytes, the range {length}"
            )
        digest = hashlib.md5(body).digest()
        inputs.check_body_md5(headers, digest)
        await asyncio.to_thread(share.fs.write, target.parts, offset, body)
        reply_headers["Content-MD5"] = base64.b64encode(digest).decode("ascii")
        end = offset + length - 1
        spans = (
            ranges.add(props.data_spans, offset, end),
            ranges.remove(props.cleared_spans, offset, end),
        )
    else:
        if body:
            raise errors.invalid_header("Content-Length", "x-ms-write: clear takes no body")
        await asyncio.to_thread(share.fs.write_zeros, target.parts, offset, length)
        end = offset + length - 1
        spans = (
            ranges.remove(props.data_spans, offset, end),
            ranges.add(props.cleared_spans, offset, end),
        )
    preserve = headers.get("x-ms-file-last-write-time", "").lower() == "preserve"
    record = share.save(target.parts, _base(props), written=not preserve, spans=spans)
    reply_headers.update(_change_headers(record))
    reply_headers["x-ms-file-last-write-time"] = file_time(record.written_ns)
    return Reply(201, reply_headers)


def set_properties(share: Share, target: Target, headers: Mapping[str, str]) -> Reply:
    props = leased_file(share, target, headers, write=True)
    content = inputs.content_settings(headers)
    size = inputs.content_length(headers)
    times = inputs.smb_times(headers)
    spans = None
    key = permissions.requested(share.meta, headers)
    if size is not None:
        share.fs.truncate(target.parts, size)
        spans = (ranges.clip(props.data_spans, size), ranges.clip(props.cleared_spans, size))
    written = size is not None
    share.save(
        target.parts,
        _base(props),
        content=content,
        written=written,
        times=times,
        spans=spans,
        permission_key=key,
    )
    return Reply(200, {**item_headers(_file(share, target)), **_ENCRYPTED})


def set_metadata(share: Share, target: Target, headers: Mapping[str, str]) -> Reply:
    metadata = inputs.metadata(headers.items())
    props = leased_file(share, target, headers, write=True)
    record = share.save(target.parts, _base(props), metadata=metadata)
    return Reply(200, {**_change_headers(record), **_ENCRYPTED})


def properties(share: Share, target: Target, headers: Mapping[str, str]) -> Reply:
    props = leased_file(share, target, headers, write=False)
    reply_headers = _read_headers(props, share.stamps.clock_ns())
    return Reply(200, {**reply_headers, "Content-Length": str(props.size)})


async def download(share: Share, target: Target, headers: Mapping[str, str]) -> Reply:
    props = leased_file(share, target, headers, write=False)
    now_ns = share.stamps.clock_ns()
    requested = inputs.byte_range(headers)
    if requested is None:
        reply_headers = {**_read_headers(props, now_ns), "Content-Length": str(props.size)}
        return Reply(200, reply_headers, stream=Stream(_reader(share, target), 0, props.size))
    if requested.start >= props.size:
        raise errors.invalid_range(f"the file has {props.size} bytes")
    end = props.size - 1 if requested.end is None else min(requested.end, props.size - 1)
    start, length = requested.start, end - requested.start + 1
    reply_headers = _read_headers(props, now_ns)
    reply_headers.pop("Content-MD5", None)  # on a range it is the range's MD5, if asked
    if props.content.content_md5 is not None:
        reply_headers["x-ms-content-md5"] = props.content.content_md5
    reply_headers["Content-Range"] = f"bytes {start}-{end}/{props.size}"
    reply_headers["Content-Length"] = str(length)
    if headers.get("x-ms-range-get-content-md5", "").lower() != "true":
        return Reply(206, reply_headers, stream=Stream(_reader(share, target), start, length))
    if length > inputs.MAX_RANGE_SIZE:
        raise FileError(400, "OutOfRangeInput", "A range MD5 needs a range of at most 4 MiB.")
    data = await asyncio.to_thread(share.fs.read, target.parts, start, length)
    reply_headers["Content-MD5"] = base64.b64encode(hashlib.md5(data).digest()).decode()
    return Reply(206, reply_headers, data)


def delete(share: Share, target: Target, headers: Mapping[str, str]) -> Reply:
    leased_file(share, target, headers, write=True)
    try:
        share.fs.unlink(target.parts)
    except FileNotFoundError as error:
        raise errors.resource_not_found() from error
    except ParentMissing as error:
        raise errors.resource_not_found() from error
    share.meta.delete(target.relpath)
    return Reply(202)


def _reader(share: Share, target: Target) -> Callable[[int, int], bytes]:
    return functools.partial(share.fs.read, target.parts)


def _file(share: Share, target: Target) -> Props:
    """The file's properties; 404 `ParentNotFound` when a folder on its path is missing,
    `ResourceNotFound` when it is missing or a directory (so `ShareFileClient.exists()` on a
    directory path is False, as on Azure)."""
    try:
        props = share.props(target.parts)
    except ParentMissing as error:
        raise errors.parent_not_found() from error
    if props is None or props.is_dir:
        raise errors.resource_not_found()
    return props


async def list_ranges(
    share: Share,
    target: Target,
    headers: Mapping[str, str],
    query: Mapping[str, str],
    previous: Share | None,
) -> Reply:
    """List Ranges: the written ranges (within `x-ms-range`), or against a `previous` share
    snapshot the changed and cleared ones."""
    props = leased_file(share, target, headers, write=False)
    requested = inputs.byte_range(headers)
    start, end = (
        (0, max(props.size - 1, 0)) if requested is None else (requested.start, requested.end)
    )
    last = props.size - 1 if end is None else end
    if previous is None:
        after = _range_marker(query.get("marker"))
        limit = int(query["maxresults"]) if query.get("maxresults", "").isdigit() else None
        spans, following = ranges.page(ranges.within(props.data_spans, start, last), after, limit)
        marker = "" if following is None else encode_marker(str(following))
        body = ranges.render(spans, next_marker=marker)
    else:
        before = previous.props_or_none(target.parts)
        before_data = () if before is None or before.is_dir else before.data_spans
        before_cleared = () if before is None or before.is_dir else before.cleared_spans

        def same_bytes(lo: int, hi: int) -> bool:
            mine = share.fs.read(target.parts, lo, hi - lo + 1)
            return mine == previous.fs.read(target.parts, lo, hi - lo + 1)

        changed, cleared = await asyncio.to_thread(
            ranges.diff,
            props.data_spans,
            props.cleared_spans,
            before_data,
            before_cleared,
            same_bytes,
        )
        body = ranges.render(
            ranges.within(changed, start, last), ranges.within(cleared, start, last), True
        )
    reply_headers = {
        **_change_headers_of(props),
        "x-ms-content-length": str(props.size),
        "Content-Type": "application/xml",
    }
    return Reply(200, reply_headers, body)


def _range_marker(marker: str | None) -> int:
    """The byte a List Ranges page starts at, from the NextMarker of the page before."""
    if not marker:
        return 0
    offset = decode_marker(marker)
    if not offset.isdigit():
        raise errors.invalid_query("marker", "not a marker this service returned")
    return int(offset)


def lease(share: Share, target: Target, headers: Mapping[str, str]) -> Reply:
    """Lease File: acquire / change / release / break an (infinite) lease."""
    props = _file(share, target)
    result = leases.act(props.lease, headers, share.stamps.clock_ns(), share=False)
    share.keep(
        target.parts, replace(_base(props), mtime_ns=_disk_mtime(share, target), lease=result.lease)
    )
    return Reply(result.status, {**result.headers, **_change_headers_of(props)})


def leased_file(share: Share, target: Target, headers: Mapping[str, str], *, write: bool) -> Props:
    props = _file(share, target)
    leases.guard(props.lease, headers, share.stamps.clock_ns(), write)
    return props


def _disk_mtime(share: Share, target: Target) -> int:
    disk = share.fs.stat(target.parts)
    return 0 if disk is None else disk.mtime_ns


def _change_headers_of(props: Props) -> dict[str, str]:
    return {"ETag": props.etag, "Last-Modified": http_date(props.modified_ns)}


def _base(props: Props) -> Record:
    """A record carrying forward what the file has now (a stale MD5 is already dropped)."""
    return Record(
        is_dir=False,
        file_id=props.file_id,
        created_ns=props.created_ns,
        written_ns=props.written_ns,
        changed_ns=props.changed_ns,
        etag=props.etag,
        size=props.size,
        mtime_ns=0,
        content=props.content,
        metadata=props.metadata,
        attributes=props.attributes,
        lease=props.lease,
        data_spans=props.data_spans,
        cleared_spans=props.cleared_spans,
        copy=props.copy,
        permission_key=props.permission_key,
    )


def _read_headers(props: Props, now_ns: int) -> dict[str, str]:
    headers = {
        **item_headers(props),
        **content_headers(props.content),
        "x-ms-type": "File",
        "Accept-Ranges": "bytes",
        **leases.view(props.lease, now_ns).headers(),
        **dict(props.copy),
    }
    if props.content.content_md5 is not None:
        headers["Content-MD5"] = props.content.content_md5
    return headers


def _change_headers(record: Record) -> dict[str, str]:
    return {"ETag": record.etag, "Last-Modified": http_date(record.changed_ns)}
