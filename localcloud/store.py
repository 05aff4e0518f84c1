"""The document store: SQLite (WAL) under the state directory, (kind, key) -> JSON document.

Keys are lower-cased on the way in, so lookups are case-insensitive like Azure IDs. Every call
is a short local transaction (microseconds to a millisecond), so it is safe to call from the
event loop thread; the connection is shared and guarded by a lock for the rare call from a
worker thread.

Addresses are not frozen into documents: the server's base URL (`https://127.0.0.1:PORT`,
in `primaryEndpoints`, `eventStreamEndpoint`, deployment outputs...) is stored as the
placeholder `BASE_PLACEHOLDER` and put back as the *current* base URL on every read, so a
state directory keeps working when the server restarts on another port. The database file
(storage keys live in it) and its -wal/-shm files are created 0600.
"""

from __future__ import annotations

import builtins
import json
import os
import re
import sqlite3
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    kind TEXT NOT NULL,
    key  TEXT NOT NULL,
    doc  TEXT NOT NULL,
    PRIMARY KEY (kind, key)
)
"""


BASE_PLACEHOLDER = "https://localcloud-base.invalid"


class BaseUrlCodec:
    """Swaps the current base URL for `BASE_PLACEHOLDER` in stored JSON text, and back."""

    def __init__(self, base_url: str | None) -> None:
        base = (base_url or "").rstrip("/")
        self._base = base
        # "https://127.0.0.1:443" must not match the start of "https://127.0.0.1:4430".
        self._pattern = re.compile(re.escape(base) + r"(?![0-9])") if base else None

    def encode(self, text: str) -> str:
        return self._pattern.sub(BASE_PLACEHOLDER, text) if self._pattern else text

    def decode(self, text: str) -> str:
        return text.replace(BASE_PLACEHOLDER, self._base) if self._base else text


def _escape_like(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class SqliteStore:
    """`localcloud.cloud.Store` backed by one SQLite file (":memory:" for tests)."""

    def __init__(self, path: Path | str, base_url: str | None = None) -> None:
        self._lock = threading.Lock()
        self._codec = BaseUrlCodec(base_url)
        on_disk = str(path) != ":memory:"
        if on_disk:
            # Created 0600 before SQLite opens it; SQLite gives -wal/-shm the same mode.
            os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        if on_disk:
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT doc FROM documents WHERE kind = ? AND key = ?", (kind, key.lower())
            ).fetchone()
        return None if row is None else self._load(row[0])

    def put(self, kind: str, key: str, doc: Mapping[str, Any]) -> None:
        text = self._codec.encode(json.dumps(doc, sort_keys=True))
        with self._lock:
            self._db.execute(
                "INSERT INTO documents (kind, key, doc) VALUES (?, ?, ?) "
                "ON CONFLICT (kind, key) DO UPDATE SET doc = excluded.doc",
                (kind, key.lower(), text),
            )

    def delete(self, kind: str, key: str) -> bool:
        with self._lock:
            cur = self._db.execute(
                "DELETE FROM documents WHERE kind = ? AND key = ?", (kind, key.lower())
            )
        return cur.rowcount > 0

    def list(self, kind: str, prefix: str = "") -> builtins.list[dict[str, Any]]:
        """Documents of `kind` whose key starts with `prefix` (lower-cased), in key order."""
        pattern = _escape_like(prefix.lower()) + "%"
        with self._lock:
            rows = self._db.execute(
                "SELECT doc FROM documents WHERE kind = ? AND key LIKE ? ESCAPE '\\' ORDER BY key",
                (kind, pattern),
            ).fetchall()
        return [self._load(r[0]) for r in rows]

    def keys(self, kind: str, prefix: str = "") -> builtins.list[str]:
        pattern = _escape_like(prefix.lower()) + "%"
        with self._lock:
            rows = self._db.execute(
                "SELECT key FROM documents WHERE kind = ? AND key LIKE ? ESCAPE '\\' ORDER BY key",
                (kind, pattern),
            ).fetchall()
        return [str(r[0]) for r in rows]

    def purge_prefix(self, prefix: str) -> int:
        """Delete documents of every kind whose key starts with `prefix` (a group's contents)."""
        pattern = _escape_like(prefix.lower()) + "%"
        with self._lock:
            cur = self._db.execute("DELETE FROM documents WHERE key LIKE ? ESCAPE '\\'", (pattern,))
        return cur.rowcount

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _load(self, text: str) -> dict[str, Any]:
        doc = json.loads(self._codec.decode(text))
        assert isinstance(doc, dict)
        return doc
