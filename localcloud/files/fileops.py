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

from localcloud.files import errors, inputs
from localcloud.files.errors import FileError
from localcloud.files.fs import ParentMissing
from localcloud.files.ops import Reply, Stream
from localcloud.files.paths import Target
from localcloud.files.props import Props, Record, content_headers, http_date, item_headers
from localcloud.files.share import Share

_ENCRYPTED = {"x-ms-request-server-encrypted": "true"}


def create(share: Share, target: Target, headers: Mapping[str, str]) -> Reply:
    size = inputs.required_content_length(headers)
    content = inputs.content_settings(headers)
    metadata = inputs.metadata(headers.items())
    try:
        share.fs.create(target.parts, size)
    except ParentMissing as error:
        raise errors.parent_not_found() from error
    except OSError as error:
        if error.errno in (errno.EISDIR, errno.ELOOP, errno.ENOTDIR):
            raise errors.type_mismatch() from error
        raise
    times = inputs.smb_times(headers)
    share.save(target.parts, None, content=content, metadata=metadata, written=True, times=times)
    return Reply(201, {**item_headers(_file(share, target)), **_ENCRYPTED})


async def put_range(share: Share, target: Target, headers: Mapping[str, str], body: bytes) -> Reply:
    props = _file(share, target)
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
    else:
        if body:
            raise errors.invalid_header("Content-Length", "x-ms-write: clear takes no body")
        await asyncio.to_thread(share.fs.write_zeros, target.parts, offset, length)
    record = share.save(target.parts, _base(props), written=True)
    reply_headers.update(_change_headers(record))
    return Reply(201, reply_headers)


def set_properties(share: Share, target: Target, headers: Mapping[str, str]) -> Reply:
    props = _file(share, target)
    content = inputs.content_settings(headers)
    size = inputs.content_length(headers)
    times = inputs.smb_times(headers)
    if size is not None:
        share.fs.truncate(target.parts, size)
    written = size is not None
    share.save(target.parts, _base(props), content=content, written=written, times=times)
    return Reply(200, {**item_headers(_file(share, target)), **_ENCRYPTED})


def set_metadata(share: Share, target: Target, headers: Mapping[str, str]) -> Reply:
    metadata = inputs.metadata(headers.items())
    record = share.save(target.parts, _base(_file(share, target)), metadata=metadata)
    return Reply(200, {**_change_headers(record), **_ENCRYPTED})


def properties(share: Share, target: Target) -> Reply:
    props = _file(share, target)
    return Reply(200, {**_read_headers(props), "Content-Length": str(props.size)})


async def download(share: Share, target: Target, headers: Mapping[str, str]) -> Reply:
    props = _file(share, target)
    requested = inputs.byte_range(headers)
    if requested is None:
        reply_headers = {**_read_headers(props), "Content-Length": str(props.size)}
        return Reply(200, reply_headers, stream=Stream(_reader(share, target), 0, props.size))
    if requested.start >= props.size:
        raise errors.invalid_range(f"the file has {props.size} bytes")
    end = props.size - 1 if requested.end is None else min(requested.end, props.size - 1)
    start, length = requested.start, end - requested.start + 1
    reply_headers = _read_headers(props)
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


def delete(share: Share, target: Target) -> Reply:
    _file(share, target)
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
    """The file's properties; 404 `ResourceNotFound` when missing or a directory (so
    `ShareFileClient.exists()` on a directory path is False, as on Azure)."""
    props = share.props_or_none(target.parts)
    if props is None or props.is_dir:
        raise errors.resource_not_found()
    return props


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
    )


def _read_headers(props: Props) -> dict[str, str]:
    headers = {
        **item_headers(props),
        **content_headers(props.content),
        "x-ms-type": "File",
        "Accept-Ranges": "bytes",
        "x-ms-lease-state": "available",
        "x-ms-lease-status": "unlocked",
    }
    if props.content.content_md5 is not None:
        headers["Content-MD5"] = props.content.content_md5
    return headers


def _change_headers(record: Record) -> dict[str, str]:
    return {"ETag": record.etag, "Last-Modified": http_date(record.changed_ns)}
