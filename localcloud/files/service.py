"""The Azure Files data plane: `FileService` implements `localcloud.cloud.Files`.

A request goes: account keys -> Shared Key check -> path and operation -> share -> handler
(under a per-file lock for writes) -> reply, with the headers every File service response
carries. Share folders live at `<state_dir>/files/<account>/<share>/`, their properties at
`<state_dir>/files-meta/<account>/<share>.sqlite`.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from localcloud.cloud import Store
from localcloud.files import account, handlers, inputs, leases, sas, shareprops
from localcloud.files.auth import TokenVerifier, authenticate, authenticate_bearer
from localcloud.files.copyops import cannot_verify_source, source_target
from localcloud.files.errors import FileError, error_xml, invalid_query, share_not_found
from localcloud.files.fs import ShareFs
from localcloud.files.locks import PathLocks
from localcloud.files.meta import ShareMeta
from localcloud.files.ops import (
    ACCOUNT_OPS,
    SHARE_OPS,
    SNAPSHOT_READS,
    WRITE_OPS,
    Op,
    Reply,
    classify,
    sas_letters,
)
from localcloud.files.paths import (
    ACCOUNT_NAME,
    Target,
    parse_target,
    split_raw,
    validate_account_name,
    validate_share_name,
    without_trailing_dots,
)
from localcloud.files.props import file_time, http_date
from localcloud.files.send import read_body, send
from localcloud.files.share import Share, Stamps
from localcloud.files.shares import ShareOps, ShareRequest
from localcloud.files.snapshots import MAX_SNAPSHOTS, SNAPSHOT_TIME, ShareSnapshots, snapshot_name

log = logging.getLogger(__name__)

DEFAULT_VERSION = "2026-10-06"
SERVER = "Windows-Azure-File/1.0 Microsoft-HTTPAPI/2.0"
SERVICE_PROPERTIES_KIND = "fileservice"
_SMALL_BODY = 64 * 1024  # ACLs, permissions, service properties


class FileService:
    def __init__(
        self,
        state_dir: Path,
        store: Store,
        base_url: Callable[[], str],
        clock: Callable[[], int] = time.time_ns,
        tokens: TokenVerifier | None = None,
    ) -> None:
        """`tokens` verifies Entra bearer tokens; without it only Shared Key is accepted."""
        self._files = state_dir / "files"
        self._meta_dir = state_dir / "files-meta"
        self._store = store
        self._base_url = base_url
        self._clock = clock
        self._tokens = tokens
        self._stamps = Stamps(clock)
        self._metas: dict[tuple[str, str], ShareMeta] = {}
        self._locks = PathLocks()
        self._share_ops = ShareOps(store, self.delete_share, clock)
        self._snapshots = ShareSnapshots(state_dir / "files-snapshots")
        self._snapshot_metas: dict[tuple[str, str, str], ShareMeta] = {}
        self._held: tuple[str, list[str] | None] | None = None  # see `_hold_keys`

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
        for snapshot in self._snapshots.names(account, share):
            self._forget_snapshot(account, share, snapshot)
        shareprops.forget(self._store, account, share)
        db = self._meta_file(account, share)
        for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
            path.unlink(missing_ok=True)

    def account_url(self, account: str) -> str:
        return f"{self._base_url()}/{account}"

    def owns(self, first_segment: str) -> bool:
        account = first_segment.lower()
        if not ACCOUNT_NAME.fullmatch(account):
            return False
        keys = self._keys(account)
        self._hold_keys(account, keys)
        return keys is not None

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
        if request.headers.get("x-ms-allow-trailing-dot", "").lower() != "true":
            target = without_trailing_dots(target)
        keys = self._held_keys(target.account)
        if keys is None:
            raise FileError(404, "ResourceNotFound", "The storage account does not exist.")
        query = inputs.query_params(raw_query)
        grant = None
        if "Authorization" not in request.headers and sas.carries_sas(query):
            grant = self._check_sas(query, target, keys)
        elif not authenticate_bearer(request, target.account, self._tokens, self._base_url()):
            authenticate(request, raw_path, raw_query, keys, self._clock())
        op = classify(request.method, query, target)
        if grant is not None:
            sas.require(grant, sas_letters(op))
        reply = await self._dispatch(op, target, request, query)
        if grant is not None and grant.overrides and op in (Op.DOWNLOAD, Op.FILE_PROPERTIES):
            reply = replace(reply, headers={**reply.headers, **dict(grant.overrides)})
        return reply

    def _check_sas(self, query: dict[str, str], target: Target, keys: list[str]) -> sas.Grant:
        now = datetime.fromtimestamp(self._clock() / 1e9, tz=timezone.utc)
        acl = shareprops.load(self._store, target.account, target.share).acl
        return sas.verify(
            query, target, keys, now, lambda i: next((p for p in acl if p.id == i), None)
        )

    async def _dispatch(
        self, op: Op, target: Target, request: web.Request, query: dict[str, str]
    ) -> Reply:
        if op in ACCOUNT_OPS:
            return await self._account(op, target.account, request, query)
        snapshot = query.get("sharesnapshot")
        if snapshot is not None:
            return await self._serve_snapshot(op, target, snapshot, request, query)
        share = self._open_share(op, target)
        if op is Op.CREATE_SNAPSHOT:
            return self._create_snapshot(share, request.headers)
        if op is Op.DELETE_SHARE:
            self._drop_snapshots_first(share, request.headers)
        if op in SHARE_OPS:
            body = await read_body(request, _SMALL_BODY) if request.method == "PUT" else b""
            return self._share_ops.serve(ShareRequest(op, share, request.headers, body))
        if op not in WRITE_OPS:
            previous = self._previous_snapshot(target, query)
            return await handlers.run(op, share, _resolved(share, target), request, query, previous)
        prefetched = await handlers.prefetch_body(op, request)
        # names are case-insensitive: `a.txt` and `A.txt` are one file, so they share a lock
        async with self._locks.hold((target.account, target.share, target.relpath.upper())):
            resolved = _resolved(share, target)
            return await handlers.run(
                op, share, resolved, request, query, sources=self._copy_source, body=prefetched
            )

    async def _account(
        self, op: Op, account_name: str, request: web.Request, query: dict[str, str]
    ) -> Reply:
        stored = self._store.get(SERVICE_PROPERTIES_KIND, account_name) or {}
        sections = {str(k): str(v) for k, v in stored.items()}
        if op is Op.SET_SERVICE_PROPERTIES:
            body = await read_body(request, _SMALL_BODY)
            merged = account.merge_service_properties(sections, body)
            self._store.put(SERVICE_PROPERTIES_KIND, account_name, merged)
            return Reply(202)
        if op is Op.SERVICE_PROPERTIES:
            body = account.render_service_properties(sections)
            return Reply(200, {"Content-Type": "application/xml"}, body)
        options = account.share_list_options(query)
        names, next_marker = account.select_shares(self.share_names(account_name), options)
        listed = [
            item
            for name in names
            for item in self._listed_shares(account_name, name, options.snapshots)
        ]
        endpoint = self.account_url(account_name) + "/"
        body = account.render_shares(endpoint, listed, options, next_marker)
        return Reply(200, {"Content-Type": "application/xml"}, body)

    def _copy_source(self, url: str, destination: Target) -> tuple[Share, tuple[str, ...]]:
        """The file a copy reads; 404 `CannotVerifyCopySource` when it is not served here."""
        source = source_target(url, destination)
        root = self._files / source.account / source.share
        keys = self._keys(source.account)
        if keys is None or not root.is_dir():
            raise cannot_verify_source()
        if source.account != destination.account:  # read with the SAS the URL carries
            try:
                query = inputs.query_params(urlsplit(url).query)
                sas.require(self._check_sas(query, source, keys), "r")
            except FileError as error:
                raise cannot_verify_source() from error
        share = self._share(source)
        return share, share.fs.resolve(source.parts)

    # -- snapshots ------------------------------------------------------------------------

    def _create_snapshot(self, share: Share, headers: Mapping[str, str]) -> Reply:
        names = self._snapshots.names(share.account, share.name)
        if len(names) >= MAX_SNAPSHOTS:
            raise FileError(409, "ShareSnapshotCountExceeded", "The share has 200 snapshots.")
        snapshot = snapshot_name(self._clock(), names)
        self._snapshots.copy_files(share.account, share.name, snapshot, share.fs.root)
        share.meta.backup(self._snapshots.meta_file(share.account, share.name, snapshot))
        taken = self._snapshot_share(Target(share.account, share.name, ()), snapshot)
        metadata = inputs.metadata(headers.items())
        record = taken.record(())
        if metadata:
            record = taken.save((), record, metadata=metadata)
        props = taken.props(())
        assert props is not None, "the snapshot was just copied"
        return Reply(
            201,
            {
                "x-ms-snapshot": snapshot,
                "ETag": props.etag,
                "Last-Modified": http_date(props.modified_ns),
            },
        )

    async def _serve_snapshot(
        self, op: Op, target: Target, snapshot: str, request: web.Request, query: dict[str, str]
    ) -> Reply:
        """A request on a share snapshot: reads from the copy, or deletes it."""
        if not SNAPSHOT_TIME.fullmatch(snapshot):
            raise invalid_query("sharesnapshot", f"{snapshot!r} is not a snapshot time")
        if op not in SNAPSHOT_READS and op is not Op.DELETE_SHARE:
            raise invalid_query("sharesnapshot", f"{op.value} cannot be done on a share snapshot")
        self._open_share(Op.SHARE_PROPERTIES, target)
        if not self._snapshots.exists(target.account, target.share, snapshot):
            raise share_not_found()
        if op is Op.DELETE_SHARE:
            self._forget_snapshot(target.account, target.share, snapshot)
            return Reply(202)
        share = self._snapshot_share(target, snapshot)
        if op in SHARE_OPS:
            return self._share_ops.serve(ShareRequest(op, share, request.headers, b""))
        previous = self._previous_snapshot(target, query)
        return await handlers.run(op, share, _resolved(share, target), request, query, previous)

    def _previous_snapshot(self, target: Target, query: Mapping[str, str]) -> Share | None:
        """The share snapshot `prevsharesnapshot` names (List Ranges diff); 404 when gone."""
        snapshot = query.get("prevsharesnapshot")
        if snapshot is None:
            return None
        if not SNAPSHOT_TIME.fullmatch(snapshot):
            raise invalid_query("prevsharesnapshot", f"{snapshot!r} is not a snapshot time")
        if not self._snapshots.exists(target.account, target.share, snapshot):
            raise FileError(404, "PreviousSnapshotNotFound", "The previous snapshot was not found.")
        return self._snapshot_share(target, snapshot)

    def _drop_snapshots_first(self, share: Share, headers: Mapping[str, str]) -> None:
        """Delete Share: 409 `ShareHasSnapshots` unless `x-ms-delete-snapshots` says include."""
        names = self._snapshots.names(share.account, share.name)
        if not names:
            return
        if headers.get("x-ms-delete-snapshots", "").lower() not in ("include", "include-leased"):
            raise FileError(
                409,
                "ShareHasSnapshots",
                "The share has snapshots and the operation requires no snapshots.",
            )
        for name in names:
            self._forget_snapshot(share.account, share.name, name)

    def _snapshot_share(self, target: Target, snapshot: str) -> Share:
        key = (target.account, target.share, snapshot)
        meta = self._snapshot_metas.get(key)
        if meta is None:
            meta_file = self._snapshots.meta_file(*key)
            meta = self._snapshot_metas[key] = ShareMeta(meta_file)
        return Share(
            account=target.account,
            name=target.share,
            fs=ShareFs(self._snapshots.data(*key)),
            meta=meta,
            endpoint=self.account_url(target.account) + "/",
            stamps=self._stamps,
        )

    def _forget_snapshot(self, account_name: str, share: str, snapshot: str) -> None:
        meta = self._snapshot_metas.pop((account_name, share, snapshot), None)
        if meta is not None:
            meta.close()
        self._snapshots.delete(account_name, share, snapshot)

    # -- listing shares -------------------------------------------------------------------

    def share_names(self, account_name: str) -> list[str]:
        """Every share of the account (made through ARM or the data plane)."""
        folder = self._files / account_name.lower()
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.is_symlink())

    def _listed_shares(
        self, account_name: str, name: str, snapshots: bool
    ) -> list[account.ListedShare]:
        """The share, after its snapshots (oldest first) when they are asked for."""
        target = Target(account_name, name, ())
        settings = shareprops.load(self._store, account_name, name)
        taken = self._snapshots.names(account_name, name) if snapshots else []
        shares = [(self._snapshot_share(target, t), t) for t in taken]
        listed = []
        for share, snapshot in [*shares, (self._share(target), None)]:
            props = share.props(())
            if props is not None:
                lease = leases.view(settings.lease if snapshot is None else None, self._clock())
                listed.append(account.ListedShare(name, props, settings, snapshot, lease))
        return listed

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

    def _hold_keys(self, account: str, keys: list[str] | None) -> None:
        """Keep the keys `owns` read for the request it classified, which is served next
        without yielding to the event loop; they are dropped as soon as the loop runs
        anything else (a fault's delay, another request), so a request never uses keys read
        before it last waited."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if self._held is None:
            loop.call_soon(self._drop_held_keys)
        self._held = (account, keys)

    def _drop_held_keys(self) -> None:
        self._held = None

    def _held_keys(self, account: str) -> list[str] | None:
        """The account's keys: those `owns` read for this request, else read now."""
        held, self._held = self._held, None
        if held is not None and held[0] == account:
            return held[1]
        return self._keys(account)

    def _share_dir(self, account: str, share: str) -> Path:
        return self._files / validate_account_name(account) / validate_share_name(share)

    def _meta_file(self, account: str, share: str) -> Path:
        return self._meta_dir / account / f"{share}.sqlite"

    def _error_reply(self, request: web.Request, error: FileError, request_id: str) -> Reply:
        headers = {**dict(error.headers), "x-ms-error-code": error.code}
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
