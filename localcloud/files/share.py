"""One share as the handlers see it: its folder, its sidecar records, a clock for ETags."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from localcloud.files.fs import ParentMissing, ShareFs
from localcloud.files.inputs import SmbTimes
from localcloud.files.meta import ShareMeta
from localcloud.files.props import (
    ROOT_ID,
    ContentSettings,
    DiskState,
    Props,
    Record,
    effective,
    etag_for,
)
from localcloud.files.ranges import Spans

NO_TIMES = SmbTimes()


class Stamps:
    """Modification times that never repeat (so every change gets a new ETag) and file ids."""

    def __init__(self, clock: Callable[[], int] = time.time_ns) -> None:
        self._clock = clock
        self._last = 0

    def now(self) -> int:
        self._last = max(self._clock(), self._last + 100)
        return self._last

    def clock_ns(self) -> int:
        """The time now, for leases (not a modification time)."""
        return self._clock()

    @staticmethod
    def file_id() -> str:
        return str(secrets.randbits(63) | (1 << 62))


@dataclass(frozen=True)
class Share:
    account: str
    name: str
    fs: ShareFs
    meta: ShareMeta
    endpoint: str  # the account URL with a trailing `/`
    stamps: Stamps

    def props(self, parts: tuple[str, ...]) -> Props | None:
        """The item's properties; None when it does not exist (ParentMissing propagates)."""
        disk = self.fs.stat(parts)
        if disk is None:
            return None
        return self._props(parts, disk)

    def props_or_none(self, parts: tuple[str, ...]) -> Props | None:
        """Like `props`, but a missing parent also reads as None."""
        try:
            return self.props(parts)
        except ParentMissing:
            return None

    def save(
        self,
        parts: tuple[str, ...],
        base: Record | None,
        *,
        content: ContentSettings | None = None,
        metadata: tuple[tuple[str, str], ...] | None = None,
        written: bool = False,
        times: SmbTimes = NO_TIMES,
        spans: tuple[Spans, Spans] | None = None,
        permission_key: str | None = None,
    ) -> Record:
        """Record a change to `parts`: a new ETag and change time, the size and mtime now on
        disk, `content` / `metadata` / explicit `times` when given, the last-write time
        moved to now when `written`, the (data, cleared) byte ranges when given; `base` None
        starts a new item."""
        disk = self.fs.stat(parts)
        if disk is None:
            raise FileNotFoundError("/".join(parts))
        now = self.stamps.now()
        if base is None:
            file_id = ROOT_ID if not parts else self.stamps.file_id()
            base = Record(disk.is_dir, file_id, now, now, now, "", 0, 0)
        written_ns = now if written else base.written_ns
        record = replace(
            base,
            created_ns=base.created_ns if times.created_ns is None else times.created_ns,
            written_ns=written_ns if times.written_ns is None else times.written_ns,
            changed_ns=now if times.changed_ns is None else times.changed_ns,
            attributes=base.attributes if times.attributes is None else times.attributes,
            etag=etag_for(now),
            size=disk.size,
            mtime_ns=disk.mtime_ns,
            content=base.content if content is None else content,
            metadata=base.metadata if metadata is None else metadata,
        )
        if spans is not None:
            record = replace(record, data_spans=spans[0], cleared_spans=spans[1])
        if permission_key is not None:
            record = replace(record, permission_key=permission_key)
        self.meta.put("/".join(parts), record)
        return record

    def record(self, parts: tuple[str, ...]) -> Record | None:
        return self.meta.get("/".join(parts))

    def keep(self, parts: tuple[str, ...], record: Record) -> None:
        """Store `record` as it is: no new ETag or times (lease changes)."""
        self.meta.put("/".join(parts), record)

    def _props(self, parts: tuple[str, ...], disk: DiskState) -> Props:
        record = self.meta.get("/".join(parts))
        props = effective(record, disk, self._parent_id(parts))
        if not parts and record is None:
            return replace(props, file_id=ROOT_ID)
        return props

    def _parent_id(self, parts: tuple[str, ...]) -> str:
        if len(parts) <= 1:
            return ROOT_ID if parts else "0"
        record = self.meta.get("/".join(parts[:-1]))
        if record is not None:
            return record.file_id
        disk = self.fs.stat(parts[:-1])
        return str(disk.inode) if disk is not None else "0"
