"""What the storage and Files adapters return: a Files endpoint and key, share entries (frozen)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class StorageAccess:
    """A storage account's Files endpoint and key (kept in memory, never written or shown)."""

    account: str
    file_endpoint: str  # without a trailing slash
    key: str = field(repr=False)


@dataclass(frozen=True)
class ShareEntry:
    """One entry of a folder listing on a file share."""

    name: str
    is_directory: bool
    size: int = 0
    etag: str = ""


@dataclass(frozen=True)
class FileProperties:
    etag: str
    size: int
    md5: bytes | None
