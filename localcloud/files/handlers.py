"""Directory and file operations: which handler serves an operation (the service calls
`run` once the share is open and, for writes, the path is locked)."""

from __future__ import annotations

from typing import NoReturn

from aiohttp import web

from localcloud.files import copyops, dirs, fileops, inputs, rename
from localcloud.files.copyops import SourceResolver
from localcloud.files.ops import Op, Reply
from localcloud.files.paths import Target
from localcloud.files.send import read_body
from localcloud.files.share import Share


async def run(
    op: Op,
    share: Share,
    target: Target,
    request: web.Request,
    query: dict[str, str],
    previous: Share | None = None,
    sources: SourceResolver | None = None,
    body: bytes | None = None,
) -> Reply:
    """Serve `op`; `previous` is the share snapshot a List Ranges diff is taken against,
    `sources` finds the file a copy reads, `body` is the request body when it was already
    read (`prefetch_body`)."""
    headers = request.headers
    match op:
        case Op.CREATE_DIRECTORY:
            return dirs.create(share, target, headers)
        case Op.DIRECTORY_PROPERTIES:
            return dirs.properties(share, target)
        case Op.SET_DIRECTORY_METADATA:
            return dirs.set_metadata(share, target, headers)
        case Op.SET_DIRECTORY_PROPERTIES:
            return dirs.set_properties(share, target, headers)
        case Op.DELETE_DIRECTORY:
            return dirs.delete(share, target)
        case Op.LIST:
            return dirs.list_entries(share, target, query)
        case Op.CREATE_FILE if "x-ms-copy-source" in headers and sources is not None:
            return await copyops.copy_file(share, target, headers, sources)
        case Op.PUT_RANGE if "x-ms-copy-source" in headers and sources is not None:
            props = fileops.leased_file(share, target, headers, write=True)
            return await copyops.put_range_from_url(share, target, headers, props, sources)
        case Op.ABORT_COPY:
            fileops.leased_file(share, target, headers, write=True)
            return copyops.abort_copy()
        case Op.CREATE_FILE:
            data = body if body is not None else await read_body(request, inputs.MAX_RANGE_SIZE)
            return await fileops.create(share, target, headers, data)
        case Op.PUT_RANGE:
            data = body if body is not None else await read_body(request, inputs.MAX_RANGE_SIZE)
            return await fileops.put_range(share, target, headers, data)
        case Op.SET_FILE_PROPERTIES:
            return fileops.set_properties(share, target, headers)
        case Op.SET_FILE_METADATA:
            return fileops.set_metadata(share, target, headers)
        case Op.FILE_PROPERTIES:
            return fileops.properties(share, target, headers)
        case Op.DOWNLOAD:
            return await fileops.download(share, target, headers)
        case Op.DELETE_FILE:
            return fileops.delete(share, target, headers)
        case Op.FILE_LEASE:
            return fileops.lease(share, target, headers)
        case Op.RENAME_FILE:
            return rename.rename(share, target, headers, directory=False)
        case Op.RENAME_DIRECTORY:
            return rename.rename(share, target, headers, directory=True)
        case Op.LIST_RANGES:
            return await fileops.list_ranges(share, target, headers, query, previous)
        case (
            Op.LIST_SHARES
            | Op.SERVICE_PROPERTIES
            | Op.SET_SERVICE_PROPERTIES
            | Op.CREATE_SHARE
            | Op.SHARE_PROPERTIES
            | Op.DELETE_SHARE
            | Op.SET_SHARE_METADATA
            | Op.SET_SHARE_PROPERTIES
            | Op.SHARE_STATS
            | Op.SHARE_ACL
            | Op.SET_SHARE_ACL
            | Op.CREATE_SNAPSHOT
            | Op.SHARE_LEASE
            | Op.CREATE_PERMISSION
            | Op.GET_PERMISSION
        ):
            raise AssertionError("share and account operations are served before _run")
        case _:
            assert_never(op)


async def prefetch_body(op: Op, request: web.Request) -> bytes | None:
    """The body of a Create File or Put Range (not a copy), read before the file's lock is
    taken: ranges of one file then arrive in parallel, and only their writes take turns.
    None for every other operation."""
    if op in (Op.CREATE_FILE, Op.PUT_RANGE) and "x-ms-copy-source" not in request.headers:
        return await read_body(request, inputs.MAX_RANGE_SIZE)
    return None


def assert_never(value: NoReturn) -> NoReturn:
    """mypy proves this unreachable: every `Op` has a case above."""
    raise AssertionError(f"unhandled operation {value!r}")
