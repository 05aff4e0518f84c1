"""File and directory properties: the stored record, what the disk says, and their headers.

Pure. The sidecar record (`Record`) holds what a folder cannot: content settings, metadata,
ETag, file id, creation time. A record is trusted only while the file's size and mtime are
the ones it was written with; when a running app changed the file behind the service's
back, the properties fall back to what `os.stat` shows and the stored MD5 is dropped.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Any, NamedTuple

from localcloud.files.leases import Lease
from localcloud.files.ranges import Spans

_EPOCH_AS_FILETIME = 116_444_736_000_000_000  # 100 ns ticks between 1601-01-01 and 1970-01-01
ROOT_ID = "0"  # the id Azure reports for a share's root directory
# SMB attributes in flag order, as the service lists them (`Hidden | Archive`).
ATTRIBUTE_ORDER = {
    name.lower(): name
    for name in (
        "ReadOnly",
        "Hidden",
        "System",
        "Directory",
        "Archive",
        "Temporary",
        "Offline",
        "NotContentIndexed",
        "NoScrubData",
    )
}
# The keys Azure reports for the default descriptors of a file and of a directory (recorded
# in Azure/azure-sdk-assets, azure-storage-file-share recordings).
DEFAULT_FILE_KEY = "4010187179898695473*11459378189709739967"
DEFAULT_DIRECTORY_KEY = "17860367565182308406*11459378189709739967"


@dataclass(frozen=True)
class ContentSettings:
    content_type: str = "application/octet-stream"
    content_md5: str | None = None  # base64, stored as given
    content_encoding: str | None = None
    content_language: str | None = None
    cache_control: str | None = None
    content_disposition: str | None = None


class DiskState(NamedTuple):
    """What `os.stat` says about an item. A tuple rather than a dataclass: a listing makes
    one per directory entry, and a tuple is made three times faster."""

    is_dir: bool
    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int


@dataclass(frozen=True)
class Record:
    """The sidecar record of one file or directory."""

    is_dir: bool
    file_id: str
    created_ns: int
    written_ns: int
    changed_ns: int
    etag: str
    size: int  # size and mtime the record was written with
    mtime_ns: int
    content: ContentSettings = field(default_factory=ContentSettings)
    metadata: tuple[tuple[str, str], ...] = ()
    attributes: str = ""  # as set (`ReadOnly | Archive`); "" for the default
    lease: Lease | None = None
    data_spans: Spans = ()  # byte ranges written (List Ranges)
    cleared_spans: Spans = ()  # byte ranges cleared since creation
    copy: tuple[tuple[str, str], ...] = ()  # x-ms-copy-* headers of the copy that made it
    permission_key: str = ""  # "" for the default descriptor

    def to_json(self) -> dict[str, Any]:
        return {
            "isDir": self.is_dir,
            "fileId": self.file_id,
            "createdNs": self.created_ns,
            "writtenNs": self.written_ns,
            "changedNs": self.changed_ns,
            "etag": self.etag,
            "size": self.size,
            "mtimeNs": self.mtime_ns,
            "content": {k: v for k, v in vars(self.content).items() if v is not None},
            "metadata": [list(pair) for pair in self.metadata],
            "attributes": self.attributes,
            "lease": None if self.lease is None else self.lease.to_json(),
            "data": [list(span) for span in self.data_spans],
            "cleared": [list(span) for span in self.cleared_spans],
            "copy": [list(pair) for pair in self.copy],
            "permissionKey": self.permission_key,
        }

    @staticmethod
    def from_json(doc: Mapping[str, Any]) -> Record:
        return Record(
            is_dir=bool(doc["isDir"]),
            file_id=str(doc["fileId"]),
            created_ns=int(doc["createdNs"]),
            written_ns=int(doc["writtenNs"]),
            changed_ns=int(doc["changedNs"]),
            etag=str(doc["etag"]),
            size=int(doc["size"]),
            mtime_ns=int(doc["mtimeNs"]),
            content=ContentSettings(**doc.get("content", {})),
            metadata=tuple((str(k), str(v)) for k, v in doc.get("metadata", [])),
            attributes=str(doc.get("attributes", "")),
            lease=Lease.from_json(doc.get("lease")),
            data_spans=tuple((int(s), int(e)) for s, e in doc.get("data", [])),
            cleared_spans=tuple((int(s), int(e)) for s, e in doc.get("cleared", [])),
            copy=tuple((str(k), str(v)) for k, v in doc.get("copy", [])),
            permission_key=str(doc.get("permissionKey", "")),
        )

    def matches(self, disk: DiskState) -> bool:
        return self.is_dir == disk.is_dir and (
            self.is_dir or (self.size, self.mtime_ns) == (disk.size, disk.mtime_ns)
        )


@dataclass(frozen=True)
class Props:
    """The properties reported for an item."""

    is_dir: bool
    file_id: str
    parent_id: str
    size: int
    created_ns: int
    written_ns: int
    changed_ns: int
    modified_ns: int
    etag: str
    content: ContentSettings
    metadata: tuple[tuple[str, str], ...]
    attributes: str = ""
    lease: Lease | None = None
    data_spans: Spans = ()
    cleared_spans: Spans = ()
    copy: tuple[tuple[str, str], ...] = ()
    permission_key: str = ""

    @property
    def permission(self) -> str:
        """`x-ms-file-permission-key`: the item's own, else the default file or directory key."""
        return permission_for(self.permission_key, self.is_dir)

    @property
    def attribute_text(self) -> str:
        """`x-ms-file-attributes`: what was set, with `Directory` on directories and `Archive`
        on files, as the service adds them."""
        return attributes_shown(self.attributes, self.is_dir)


def permission_for(permission_key: str, is_dir: bool) -> str:
    """The permission key reported for an item: its own, else the default for its kind."""
    if permission_key:
        return permission_key
    return DEFAULT_DIRECTORY_KEY if is_dir else DEFAULT_FILE_KEY


@functools.lru_cache(maxsize=256)
def attributes_shown(attributes: str, is_dir: bool) -> str:
    """The attributes reported for an item whose record says `attributes`: those, with
    `Directory` on a directory and `Archive` on a file (a listing asks for each entry)."""
    names = {n.strip().lower() for n in attributes.split("|") if n.strip()}
    names.add("directory" if is_dir else "archive")
    return attribute_text(names)


def attribute_text(names: set[str]) -> str:
    """Lower-cased attribute names -> `ReadOnly | Archive` (flag order; "" for none)."""
    return " | ".join(name for key, name in ATTRIBUTE_ORDER.items() if key in names)


def effective(record: Record | None, disk: DiskState, parent_id: str) -> Props:
    """Props from the record when it still describes the item on disk, else from the disk."""
    if record is not None and record.matches(disk):
        return Props(
            is_dir=disk.is_dir,
            file_id=record.file_id,
            parent_id=parent_id,
            size=0 if disk.is_dir else disk.size,
            created_ns=record.created_ns,
            written_ns=record.written_ns,
            changed_ns=record.changed_ns,
            modified_ns=record.changed_ns,
            etag=record.etag,
            content=record.content,
            metadata=record.metadata,
            attributes=record.attributes,
            lease=record.lease,
            data_spans=record.data_spans,
            cleared_spans=record.cleared_spans,
            copy=record.copy,
            permission_key=record.permission_key,
        )
    content = ContentSettings() if record is None else replace(record.content, content_md5=None)
    return Props(
        is_dir=disk.is_dir,
        file_id=record.file_id if record is not None else str(disk.inode),
        parent_id=parent_id,
        size=0 if disk.is_dir else disk.size,
        created_ns=record.created_ns if record is not None else disk.ctime_ns,
        written_ns=disk.mtime_ns,
        changed_ns=disk.mtime_ns,
        modified_ns=disk.mtime_ns,
        etag=etag_for(disk.mtime_ns),
        content=content,
        metadata=() if record is None else record.metadata,
        attributes="" if record is None else record.attributes,
        lease=None if record is None else record.lease,
        data_spans=((0, disk.size - 1),) if disk.size and not disk.is_dir else (),
    )


def reported_id(record: Record | None, disk: DiskState, is_root: bool) -> str:
    """The file id `Share.props` reports for an item, without the rest of its properties:
    its record's, else the id of a share's root, else its inode number."""
    if record is not None:
        return record.file_id
    return ROOT_ID if is_root else str(disk.inode)


def etag_for(ns: int) -> str:
    return f'"0x{ns // 100 + _EPOCH_AS_FILETIME:X}"'


def file_time(ns: int) -> str:
    """`2019-09-04T08:13:20.9679426Z` (100 ns precision)."""
    seconds, rest = divmod(ns, 1_000_000_000)
    stamp = datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{stamp}.{rest // 100:07d}Z"


def http_date(ns: int) -> str:
    return format_datetime(datetime.fromtimestamp(ns // 1_000_000_000, tz=timezone.utc), True)


def item_headers(props: Props) -> dict[str, str]:
    """Headers common to create, get-properties and download responses."""
    headers = {
        "ETag": props.etag,
        "Last-Modified": http_date(props.modified_ns),
        "x-ms-server-encrypted": "true",
        "x-ms-file-attributes": props.attribute_text,
        "x-ms-file-creation-time": file_time(props.created_ns),
        "x-ms-file-last-write-time": file_time(props.written_ns),
        "x-ms-file-change-time": file_time(props.changed_ns),
        "x-ms-file-permission-key": props.permission,
        "x-ms-file-id": props.file_id,
        "x-ms-file-parent-id": props.parent_id,
    }
    for name, value in props.metadata:
        headers[f"x-ms-meta-{name}"] = value
    return headers


def content_headers(content: ContentSettings) -> dict[str, str]:
    """Content-Type and the other HTTP properties a file was given."""
    pairs = {
        "Content-Type": content.content_type,
        "Content-Encoding": content.content_encoding,
        "Content-Language": content.content_language,
        "Cache-Control": content.cache_control,
        "Content-Disposition": content.content_disposition,
    }
    return {name: value for name, value in pairs.items() if value is not None}
