"""Share-level properties kept in the store: quota, access tier, stored access policies.

Kind `fileshare`, key `<account>/<share>` (lower-case). The data plane writes it on Create
Share and Set Share Properties / ACL; ARM writes the quota of a share it creates or updates
(`record_quota`, called by the storage provider), so the data plane reports the share's real
quota whichever side set it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from localcloud.cloud import Store
from localcloud.files.leases import Lease

KIND = "fileshare"
DEFAULT_QUOTA_GIB = 102400
DEFAULT_TIER = "TransactionOptimized"


@dataclass(frozen=True)
class AccessPolicy:
    """One `<SignedIdentifier>` of Get/Set Share ACL; times are kept as sent."""

    id: str
    start: str | None = None
    expiry: str | None = None
    permission: str | None = None


@dataclass(frozen=True)
class ShareSettings:
    quota_gib: int = DEFAULT_QUOTA_GIB
    access_tier: str = DEFAULT_TIER
    acl: tuple[AccessPolicy, ...] = field(default_factory=tuple)
    protocols: str = "SMB"
    root_squash: str | None = None  # NFS shares only
    snapshot_directory: bool | None = None  # NFS: is `.snapshot` visible (None: not set)
    tier_changes: int = 0
    tier_changed_ns: int | None = None
    tier_from: str | None = None  # the tier before the last change
    lease: Lease | None = None

    @property
    def transition_state(self) -> str | None:
        """`pending-from-transactionOptimized` after a tier change (the service moves data
        between tiers for hours; localcloud reports the change as pending)."""
        if self.tier_from is None:
            return None
        return f"pending-from-{self.tier_from[:1].lower()}{self.tier_from[1:]}"

    def with_tier(self, tier: str, now_ns: int) -> ShareSettings:
        if tier == self.access_tier:
            return self
        return replace(
            self,
            access_tier=tier,
            tier_changes=self.tier_changes + 1,
            tier_changed_ns=now_ns,
            tier_from=self.access_tier,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "quota": self.quota_gib,
            "accessTier": self.access_tier,
            "acl": [vars(policy) for policy in self.acl],
            "protocols": self.protocols,
            "rootSquash": self.root_squash,
            "snapshotDirectory": self.snapshot_directory,
            "tierChanges": self.tier_changes,
            "tierChangedNs": self.tier_changed_ns,
            "tierFrom": self.tier_from,
            "lease": None if self.lease is None else self.lease.to_json(),
        }

    @staticmethod
    def from_json(doc: Mapping[str, Any]) -> ShareSettings:
        return ShareSettings(
            quota_gib=int(doc.get("quota", DEFAULT_QUOTA_GIB)),
            access_tier=str(doc.get("accessTier", DEFAULT_TIER)),
            acl=tuple(AccessPolicy(**policy) for policy in doc.get("acl", [])),
            protocols=str(doc.get("protocols") or "SMB"),
            root_squash=doc.get("rootSquash"),
            snapshot_directory=doc.get("snapshotDirectory"),
            tier_changes=int(doc.get("tierChanges") or 0),
            tier_changed_ns=doc.get("tierChangedNs"),
            tier_from=doc.get("tierFrom"),
            lease=Lease.from_json(doc.get("lease")),
        )


def _key(account: str, share: str) -> str:
    return f"{account.lower()}/{share.lower()}"


def load(store: Store, account: str, share: str) -> ShareSettings:
    doc = store.get(KIND, _key(account, share))
    return ShareSettings() if doc is None else ShareSettings.from_json(doc)


def save(store: Store, account: str, share: str, settings: ShareSettings) -> None:
    store.put(KIND, _key(account, share), settings.to_json())


def forget(store: Store, account: str, share: str) -> None:
    store.delete(KIND, _key(account, share))


def record_quota(store: Store, account: str, share: str, quota_gib: int) -> None:
    """Set the quota of a share (ARM `shareQuota`), keeping its other settings."""
    save(store, account, share, replace(load(store, account, share), quota_gib=quota_gib))
