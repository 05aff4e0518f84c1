"""Share-level operations: create, get / set properties and metadata, stats, ACL, delete,
and the share's security descriptors (Create / Get Permission).

The share folder and its root record (ETag, metadata) belong to `Share`; quota, access tier,
protocols, lease and stored access policies to `shareprops` in the store; security
descriptors to the share's records (`permissions`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from localcloud.cloud import Store
from localcloud.files import acl, errors, inputs, leases, permissions, shareprops
from localcloud.files.errors import FileError
from localcloud.files.ops import Op, Reply
from localcloud.files.props import http_date
from localcloud.files.share import Share
from localcloud.files.shareprops import ShareSettings

_MAX_QUOTA_GIB = 102400
_TIERS = {t.lower(): t for t in ("TransactionOptimized", "Hot", "Cool", "Premium")}


@dataclass(frozen=True)
class ShareRequest:
    op: Op
    share: Share
    headers: Mapping[str, str]
    body: bytes


class ShareOps:
    def __init__(
        self,
        store: Store,
        delete_share: Callable[[str, str], None],
        clock: Callable[[], int] = time.time_ns,
    ) -> None:
        self._store = store
        self._delete_share = delete_share
        self._clock = clock

    def serve(self, request: ShareRequest) -> Reply:
        share, headers = request.share, request.headers
        if request.op is not Op.CREATE_SHARE and request.op is not Op.SHARE_LEASE:
            write = request.op is Op.DELETE_SHARE
            held = self._load(share).lease
            leases.guard(held, headers, self._clock(), write, subject="file share")
        match request.op:
            case Op.CREATE_SHARE:
                return self._create(share, headers)
            case Op.SHARE_PROPERTIES:
                return self._properties(share)
            case Op.DELETE_SHARE:
                self._delete_share(share.account, share.name)
                return Reply(202)
            case Op.SET_SHARE_METADATA:
                record = share.save((), share.record(()), metadata=inputs.metadata(headers.items()))
                return Reply(200, _change_headers(record.etag, record.changed_ns))
            case Op.SET_SHARE_PROPERTIES:
                self._settings(share, _updated(self._load(share), headers, self._clock()))
                return self._touch(share)
            case Op.SHARE_STATS:
                usage = f"<ShareUsageBytes>{share.fs.usage()}</ShareUsageBytes>"
                return _xml(f"{_XML_HEAD}<ShareStats>{usage}</ShareStats>")
            case Op.SHARE_ACL:
                reply = _xml(acl.render(self._load(share).acl))
                return replace(reply, headers={**reply.headers, **_share_etag(share)})
            case Op.SET_SHARE_ACL:
                policies = acl.parse(request.body)
                self._settings(share, replace(self._load(share), acl=policies))
                return self._touch(share)
            case Op.SHARE_LEASE:
                settings = self._load(share)
                result = leases.act(settings.lease, headers, self._clock(), share=True)
                self._settings(share, replace(settings, lease=result.lease))
                return Reply(result.status, {**result.headers, **_share_etag(share)})
            case Op.CREATE_PERMISSION:
                return self._create_permission(share, request.body)
            case Op.GET_PERMISSION:
                return self._get_permission(share, headers)
            case _:
                raise AssertionError(f"{request.op} is not a share operation")

    def _create(self, share: Share, headers: Mapping[str, str]) -> Reply:
        settings = _updated(ShareSettings(), headers, self._clock(), creating=True)
        protocols = headers.get("x-ms-enabled-protocols")
        if protocols:
            settings = replace(settings, protocols=_protocols(protocols))
        squash = headers.get("x-ms-root-squash")
        if squash:
            settings = replace(settings, root_squash=squash)
        self._settings(share, settings)
        record = share.save((), None, metadata=inputs.metadata(headers.items()))
        return Reply(201, _change_headers(record.etag, record.changed_ns))

    def _properties(self, share: Share) -> Reply:
        props = share.props(())
        assert props is not None, "the caller checked the share folder exists"
        settings = self._load(share)
        reply_headers = {
            **_change_headers(props.etag, props.modified_ns),
            "x-ms-share-quota": str(settings.quota_gib),
            "x-ms-access-tier": settings.access_tier,
            "x-ms-access-tier-change-time": http_date(settings.tier_changed_ns or props.created_ns),
            "x-ms-has-immutability-policy": "false",
            "x-ms-has-legal-hold": "false",
            **leases.view(settings.lease, self._clock()).headers(),
        }
        if settings.transition_state is not None:
            reply_headers["x-ms-access-tier-transition-state"] = settings.transition_state
            reply_headers["x-ms-access-tier-change-count"] = str(settings.tier_changes)
        if settings.protocols != "SMB":
            reply_headers["x-ms-enabled-protocols"] = settings.protocols
        if settings.root_squash:
            reply_headers["x-ms-root-squash"] = settings.root_squash
        if settings.snapshot_directory is not None:
            flag = str(settings.snapshot_directory).lower()
            reply_headers["x-ms-enable-snapshot-virtual-directory-access"] = flag
        for name, value in props.metadata:
            reply_headers[f"x-ms-meta-{name}"] = value
        return Reply(200, reply_headers)

    def _create_permission(self, share: Share, body: bytes) -> Reply:
        try:
            doc = json.loads(body)
            permission = str(doc["permission"])
        except (ValueError, KeyError, TypeError) as error:
            raise FileError(400, "InvalidXmlDocument", "The body is not a permission.") from error
        key = permissions.store(share.meta, permission, str(doc.get("format") or "sddl"))
        return Reply(201, {"x-ms-file-permission-key": key})

    def _get_permission(self, share: Share, headers: Mapping[str, str]) -> Reply:
        key = headers.get("x-ms-file-permission-key", "")
        form = headers.get("x-ms-file-permission-format", "sddl")
        text = permissions.load(share.meta, key, form) if key else None
        if text is None:
            raise FileError(404, "FilePermissionNotFound", "The permission key was not found.")
        body = json.dumps({"permission": text, "format": form.lower()}).encode()
        return Reply(200, {"Content-Type": "application/json"}, body)

    def _load(self, share: Share) -> ShareSettings:
        return shareprops.load(self._store, share.account, share.name)

    def _settings(self, share: Share, settings: ShareSettings) -> None:
        shareprops.save(self._store, share.account, share.name, settings)

    def _touch(self, share: Share) -> Reply:
        record = share.save((), share.record(()))
        return Reply(200, _change_headers(record.etag, record.changed_ns))


_XML_HEAD = '<?xml version="1.0" encoding="utf-8"?>'


def _updated(
    settings: ShareSettings, headers: Mapping[str, str], now_ns: int, creating: bool = False
) -> ShareSettings:
    """The settings after the `x-ms-share-quota` / `-access-tier` / `-root-squash` headers
    (a tier given at creation is the first tier, not a change)."""
    quota = headers.get("x-ms-share-quota")
    if quota is not None:
        if not quota.strip().isdigit() or not 1 <= int(quota) <= _MAX_QUOTA_GIB:
            raise errors.invalid_header("x-ms-share-quota", "expected 1 to 102400 GiB")
        settings = replace(settings, quota_gib=int(quota))
    tier = headers.get("x-ms-access-tier")
    if tier is not None:
        if tier.lower() not in _TIERS:
            raise errors.invalid_header("x-ms-access-tier", f"unknown tier {tier!r}")
        new_tier = _TIERS[tier.lower()]
        if creating:
            settings = replace(settings, access_tier=new_tier)
        else:
            settings = settings.with_tier(new_tier, now_ns)
    squash = headers.get("x-ms-root-squash")
    if squash:
        settings = replace(settings, root_squash=squash)
    snapshot_directory = headers.get("x-ms-enable-snapshot-virtual-directory-access")
    if snapshot_directory is not None:
        settings = replace(settings, snapshot_directory=snapshot_directory.lower() == "true")
    return settings


def _protocols(value: str) -> str:
    names = {v.strip().upper() for v in value.split(",") if v.strip()}
    if not names or not names <= {"SMB", "NFS"}:
        raise errors.invalid_header("x-ms-enabled-protocols", "expected SMB or NFS")
    return ",".join(sorted(names))


def _share_etag(share: Share) -> dict[str, str]:
    props = share.props(())
    return {} if props is None else _change_headers(props.etag, props.modified_ns)


def _change_headers(etag: str, changed_ns: int) -> dict[str, str]:
    return {"ETag": etag, "Last-Modified": http_date(changed_ns)}


def _xml(text: str) -> Reply:
    return Reply(200, {"Content-Type": "application/xml"}, text.encode())
