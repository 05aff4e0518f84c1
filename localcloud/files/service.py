"""The Azure Files data plane: `FileService` implements `localcloud.cloud.Files`.

A request goes: account keys -> Shared Key check -> path and operation -> share -> handler
(under a per-file lock for writes) -> reply, with the headers every File service response
carries. Share folders live at `<state_dir>/files/<account>/<share>/`, their properties at
`<state_dir>/files-meta/<account>/<share>.sqlite`.
"""

from __future__ import annotations

import logging
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

from aiohttp import web

from localcloud.cloud import LocalCloud, Store
from localcloud.files import dirs, fileops, inputs
from localcloud.files.auth import authenticate
from localcloud.files.errors import FileError, error_xml, share_not_found
from localcloud.files.fs import ShareFs
from localcloud.files.locks import PathLocks
from localcloud.files.meta import ShareMeta
from localcloud.files.ops import SHARE_OPS, WRITE_OPS, Op, Reply, classify
from localcloud.files.paths import (
    ACCOUNT_NAME,
    Target,
    parse_target,
    split_raw,
    validate_account_name,
    validate_share_name,
)
from localcloud.files.props import file_time
from localcloud.files.send import read_body, send
from localcloud.files.share import Share, Stamps
from localcloud.files.shares import share_reply

log = logging.getLogger(__name__)

DEFAULT_VERSION = "2026-10-06"
SERVER = "Windows-Azure-File/1.0 Microsoft-HTTPAPI/2.0"


class FileService:
    def __init__(
        self,
        state_dir: Path,
        store: Store,
        base_url: Callable[[], str],
        clock: Callable[[], int] = time.time_ns,
    ) -> None:
        self._files = state_dir / "files"
        self._meta_dir = state_dir / "files-meta"
        self._store = store
        self._base_url = base_url
        self._clock = clock
        self._stamps = Stamps(clock)
        self._metas: dict[tuple[str, str], ShareMeta] = {}
        self._locks = PathLocks()

    # -- the Files protocol -------------------------------------------------------------

    def share_path(self, account: str, share: str) -> Path:
        path = self._share_dir(account, share)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def delete_share(self, account: str, share: str) -> None:
        account, share = validate_account_name(account), validate_share_name(share)
        meta = self._metas.pop((account, share), None)
        if meta is not None:
            meta.close()
        shutil.rmtree(self._files / account / share, ignore_errors=True)
        db = self._meta_file(account, share)
        for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
            path.unlink(missing_ok=True)

    def account_url(self, account: str) -> str:
        return f"{self._base_url()}/{account}"

    def owns(self, first_segment: str) -> bool:
        account = first_segment.lower()
        return bool(ACCOUNT_NAME.fullmatch(account)) and self._keys(account) is not None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        request_id = str(uuid.uuid4())
        try:
            reply = await self._serve(request)
        except FileError as error:
            reply = self._error_reply(request, error, request_id)
        except Exception:  # a fault of ours, not of the request: answer as Azure would
            log.exception("Azure Files request failed: %s %s", request.method, request.path)
            fault = FileError(500, "InternalError", "The server encountered an internal error.")
            reply = self._error_reply(request, fault, request_id)
        headers = {
            "x-ms-request-id": request_id,
            "x-ms-version": request.headers.get("x-ms-version", DEFAULT_VERSION),
            "Server": SERVER,
        }
        client_request_id = request.headers.get("x-ms-client-request-id")
        if client_request_id is not None:
            headers["x-ms-client-request-id"] = client_request_id
        return await send(request, reply, headers)

    # -- serving ------------------------------------------------------------------------

    async def _serve(self, request: web.Request) -> Reply:
        raw_path, raw_query = split_raw(request.raw_path)
        target = parse_target(raw_path)
        keys = self._keys(target.account)
        if keys is None:
            raise FileError(404, "ResourceNotFound", "The storage account does not exist.")
        authenticate(request, raw_path, raw_query, keys, self._clock())
        query = inputs.query_params(raw_query)
        op = classify(request.method, query, target)
        share = self._open_share(op, target)
        if op in SHARE_OPS:
            return share_reply(op, share, self.delete_share, request.headers)
        if op not in WRITE_OPS:
            return await self._run(op, share, _resolved(share, target), request, query)
        # names are case-insensitive: `a.txt` and `A.txt` are one file, so they share a lock
        async with self._locks.hold((target.account, target.share, target.relpath.upper())):
            return await self._run(op, share, _resolved(share, target), request, query)

    def _open_share(self, op: Op, target: Target) -> Share:
        """The addressed share; created first for CREATE_SHARE, else 404 when missing."""
        root = self._files / target.account / target.share
        if op is Op.CREATE_SHARE:
            if root.is_dir():
                raise FileError(409, "ShareAlreadyExists", "The specified share already exists.")
            root.mkdir(parents=True)
        elif not root.is_dir() or root.is_symlink():
            raise share_not_found()
        return self._share(target)

    async def _run(
        self,
        op: Op,
        share: Share,
        target: Target,
        request: web.Request,
        query: dict[str, str],
    ) -> Reply:
        headers = request.headers
        match op:
            case Op.CREATE_DIRECTORY:
                return dirs.create(share, target, headers)
            case Op.DIRECTORY_PROPERTIES:
                return dirs.properties(share, target)
            case Op.SET_DIRECTORY_METADATA:
                return dirs.set_metadata(share, target, headers)
            case Op.DELETE_DIRECTORY:
                return dirs.delete(share, target)
            case Op.LIST:
                return dirs.list_entries(share, target, query, headers)
            case Op.CREATE_FILE:
                return fileops.create(share, target, headers)
            case Op.PUT_RANGE:
                body = await read_body(request, inputs.MAX_RANGE_SIZE)
                return await fileops.put_range(share, target, headers, body)
            case Op.SET_FILE_PROPERTIES:
                return fileops.set_properties(share, target, headers)
            case Op.SET_FILE_METADATA:
                return fileops.set_metadata(share, target, headers)
            case Op.FILE_PROPERTIES:
                return fileops.properties(share, target)
            case Op.DOWNLOAD:
                return await fileops.download(share, target, headers)
            case Op.DELETE_FILE:
                return fileops.delete(share, target)
            case Op.CREATE_SHARE | Op.SHARE_PROPERTIES | Op.DELETE_SHARE:
                raise AssertionError("share operations are served before _run")
            case _:
                assert_never(op)

    def _share(self, target: Target) -> Share:
        key = (target.account, target.share)
        meta = self._metas.get(key)
        if meta is None:
            meta = self._metas[key] = ShareMeta(self._meta_file(*key))
        return Share(
            account=target.account,
            name=target.share,
            fs=ShareFs(self._files / target.account / target.share),
            meta=meta,
            endpoint=self.account_url(target.account) + "/",
            stamps=self._stamps,
        )

    def _keys(self, account: str) -> list[str] | None:
        doc = self._store.get("storagekeys", account)
        if doc is None:
            return None
        return [str(doc[name]) for name in ("key1", "key2") if doc.get(name)]

    def _share_dir(self, account: str, share: str) -> Path:
        return self._files / validate_account_name(account) / validate_share_name(share)

    def _meta_file(self, account: str, share: str) -> Path:
        return self._meta_dir / account / f"{share}.sqlite"

    def _error_reply(self, request: web.Request, error: FileError, request_id: str) -> Reply:
        headers = {"x-ms-error-code": error.code}
        if request.method == "HEAD":
            return Reply(error.status, headers)
        now = file_time(self._clock())
        return Reply(
            error.status,
            {**headers, "Content-Type": "application/xml"},
            error_xml(error, request_id, now),
        )


def _resolved(share: Share, target: Target) -> Target:
    return replace(target, parts=share.fs.resolve(target.parts))


def assert_never(value: NoReturn) -> NoReturn:
    """mypy proves this unreachable: every `Op` has a case above."""
    raise AssertionError(f"unhandled operation {value!r}")


def install(cloud: LocalCloud) -> None:
    """Set `cloud.files` to the file service."""
    cloud.files = FileService(cloud.state_dir, cloud.store, lambda: cloud.base_url)
