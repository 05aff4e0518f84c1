"""The sidecar property store: one SQLite file per share, outside the share folder.

`<state_dir>/files-meta/<account>/<share>.sqlite`, table `items(path, doc)`: `path` is the
`/`-separated path inside the share ("" for the share root), `doc` a `Record` as JSON.
The share folder itself holds only the user's files.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from pathlib import Path

from localcloud.files.props import Record

_SCHEMA = "CREATE TABLE IF NOT EXISTS items (path TEXT PRIMARY KEY, doc TEXT NOT NULL)"
_PERMISSIONS = "CREATE TABLE IF NOT EXISTS permissions (key TEXT PRIMARY KEY, sddl TEXT NOT NULL)"
_BATCH = 500  # host parameters per query (SQLite allows at least 999)
_PARSED = 16384  # parsed records kept, by their stored document


class ShareMeta:
    """Records of one share. Used from the event loop thread only."""

    def __init__(self, db_file: Path) -> None:
        db_file.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(db_file, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)
        self._db.execute(_PERMISSIONS)

    def get(self, path: str) -> Record | None:
        row = self._db.execute("SELECT doc FROM items WHERE path = ?", (path,)).fetchone()
        return None if row is None else _parse(row[0])

    def get_many(self, paths: list[str]) -> dict[str, Record]:
        """The records of `paths` that have one, in one query per `_BATCH` paths."""
        found: dict[str, Record] = {}
        for start in range(0, len(paths), _BATCH):
            batch = paths[start : start + _BATCH]
            marks = ",".join("?" * len(batch))
            rows = self._db.execute(f"SELECT path, doc FROM items WHERE path IN ({marks})", batch)
            for path, doc in rows:
                record = _parse(doc)
                if record is not None:
                    found[path] = record
        return found

    def get_range(self, first: str, last: str, also: str) -> dict[str, Record]:
        """The records of every path from `first` to `last` (SQLite's byte order, which is
        code point order), in one scan of the index, and the record of `also`: for a run of
        siblings with nothing recorded between them, half the time of `get_many`."""
        rows = self._db.execute(
            "SELECT path, doc FROM items WHERE path = ? OR (path >= ? AND path <= ?)",
            (also, first, last),
        )
        found: dict[str, Record] = {}
        for path, doc in rows:
            record = _parse(doc)
            if record is not None:
                found[path] = record
        return found

    def put(self, path: str, record: Record) -> None:
        doc = json.dumps(record.to_json(), sort_keys=True)
        self._db.execute("INSERT OR REPLACE INTO items (path, doc) VALUES (?, ?)", (path, doc))

    def delete(self, path: str) -> None:
        """Forget `path` and everything recorded below it."""
        if not path:
            self._db.execute("DELETE FROM items")
            return
        prefix = path + "/"
        self._db.execute(
            "DELETE FROM items WHERE path = ? OR substr(path, 1, ?) = ?",
            (path, len(prefix), prefix),
        )

    def put_permission(self, key: str, sddl: str) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO permissions (key, sddl) VALUES (?, ?)", (key, sddl)
        )

    def get_permission(self, key: str) -> str | None:
        row = self._db.execute("SELECT sddl FROM permissions WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def backup(self, target: Path) -> None:
        """Copy every record into a new SQLite file at `target` (a snapshot's records)."""
        copy = sqlite3.connect(target)
        try:
            self._db.backup(copy)
        finally:
            copy.close()

    def rename(self, old: str, new: str) -> None:
        """Move the records of `old` and everything below it to `new`."""
        if old == new:
            return
        self.delete(new)
        prefix = old + "/"
        self._db.execute(
            "UPDATE items SET path = ? || substr(path, ?) WHERE path = ? OR substr(path, 1, ?) = ?",
            (new, len(old) + 1, old, len(prefix), prefix),
        )

    def close(self) -> None:
        self._db.close()


@functools.lru_cache(maxsize=_PARSED)
def _parse(doc: str) -> Record | None:
    """The record a stored document holds. Records are immutable, so one parsed document
    serves every listing that reads it again (a re-sync lists every folder)."""
    try:
        return Record.from_json(json.loads(doc))
    except (ValueError, KeyError, TypeError):
        return None  # an unreadable record is treated as no record
