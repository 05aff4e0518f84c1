"""Access tokens kept between runs: a command signs in once an hour, not once a run.

Signing in is the slowest part of a short command: building the credential chain imports
azure-identity and MSAL, and the token request is a round trip to the authority. A token is
valid for an hour (localcloud's and Entra's alike), so `CachedCredential` keeps the ones it
got in one file and hands them out again until `MARGIN_S` before they expire; only a miss
builds the real credential (`source`) and asks it.

- The file is the user's: `$XDG_CACHE_HOME/orchestrator/tokens.json` (else
  `~/.cache/orchestrator/`), mode 0600 in a 0700 folder, replaced atomically. A file that
  others may read is never trusted; an unreadable or garbled one is a miss.
- Entries are keyed by a hash of the identity (`identity_key`: the cloud, the authority and
  what decides who signs in - the service principal's settings, the az CLI profile) and the
  scope, so another account, another localcloud instance or another cloud never gets a
  token that is not its own. Secrets enter the key only hashed.
- A token Azure refuses (401) is dropped (`refused`), and the next request signs in again.
- ORCHESTRATOR_TOKEN_CACHE=off keeps nothing on disk.

Tokens are never printed or logged.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple, Protocol

MARGIN_S = 300  # a token this close to its expiry is not handed out again
MAX_ENTRIES = 32
FILE_NAME = "tokens.json"


class Source(Protocol):
    """A credential (azure-core's TokenCredential, as far as it is used here)."""

    def get_token(self, *scopes: str, **kwargs: Any) -> Any: ...


class Token(NamedTuple):
    """What azure-core's AccessToken carries (the SDK's pipelines take it as one)."""

    token: str
    expires_on: int


def cache_file(environ: Mapping[str, str]) -> Path:
    base = environ.get("XDG_CACHE_HOME", "").strip()
    root = Path(base) if base else Path(environ.get("HOME") or "~").expanduser() / ".cache"
    return root / "orchestrator" / FILE_NAME


def digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def file_identity(path: str) -> str:
    """A file's path, size and modification time ("" when it is missing)."""
    if not path:
        return ""
    try:
        found = os.stat(path)
    except OSError:
        return f"{path}:missing"
    return f"{path}:{found.st_size}:{found.st_mtime_ns}"


def identity_key(parts: Iterable[str]) -> str:
    return digest("orchestrator-token-identity-1", *parts)


class TokenFile:
    """The tokens on disk: {key: {"token", "expires_on"}}."""

    def __init__(self, path: Path, *, now: Callable[[], float] = time.time) -> None:
        self.path = path
        self._now = now
        self._lock = threading.Lock()

    def get(self, key: str) -> Token | None:
        entry = self._read().get(key)
        if not isinstance(entry, dict):
            return None
        token, expires = entry.get("token"), entry.get("expires_on")
        if not isinstance(token, str) or not token or not isinstance(expires, int):
            return None
        if expires - MARGIN_S <= self._now():
            return None
        return Token(token, expires)

    def put(self, key: str, token: Token) -> None:
        with self._lock:
            entries = {
                k: v
                for k, v in self._read().items()
                if isinstance(v, dict)
                and isinstance(v.get("expires_on"), int)
                and v["expires_on"] > self._now()
            }
            entries[key] = {"token": token.token, "expires_on": int(token.expires_on)}
            newest = sorted(entries.items(), key=lambda kv: kv[1]["expires_on"])[-MAX_ENTRIES:]
            self._write(dict(newest))

    def drop(self, key: str) -> None:
        with self._lock:
            entries = self._read()
            if entries.pop(key, None) is not None:
                self._write(entries)

    def _read(self) -> dict[str, Any]:
        try:
            with open(self.path, "rb") as handle:
                if os.fstat(handle.fileno()).st_mode & 0o077:
                    return {}  # others may read it: not ours to trust
                doc = json.loads(handle.read())
        except (OSError, ValueError):
            return {}
        return doc if isinstance(doc, dict) else {}

    def _write(self, entries: Mapping[str, object]) -> None:
        """Atomically; a folder that cannot be written just means no cache."""
        import tempfile  # only a token request writes: not imported by a run that reads

        folder = self.path.parent
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=".tokens-", dir=folder)  # 0600
        except OSError:
            return
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(entries, handle)
            os.replace(temp, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temp)


class CachedCredential:
    """A TokenCredential that answers from the token file and asks `source` on a miss.

    `source` builds the real credential (the chain, or localcloud's service principal) the
    first time it is needed. A request for claims or another tenant always goes to it."""

    def __init__(
        self,
        identity: str,
        source: Callable[[], Source],
        store: TokenFile | None,
    ) -> None:
        self._identity = identity
        self._source = source
        self._store = store
        self._inner: Source | None = None
        self._memory: dict[str, Token] = {}
        self._lock = threading.Lock()

    def _key(self, scopes: tuple[str, ...]) -> str:
        return digest(self._identity, *scopes)

    def get_token(self, *scopes: str, **kwargs: Any) -> Token:
        if kwargs.get("claims") or kwargs.get("tenant_id"):
            return self._ask(scopes, kwargs)
        key = self._key(scopes)
        with self._lock:
            found = self._memory.get(key)
            if found is None and self._store is not None:
                found = self._store.get(key)
            if found is not None and found.expires_on - MARGIN_S > time.time():
                self._memory[key] = found
                return found
            fresh = self._ask(scopes, {})
            self._memory[key] = fresh
            if self._store is not None:
                self._store.put(key, fresh)
            return fresh

    def refused(self, *scopes: str) -> None:
        """Azure refused the token for `scopes`: never hand it out again."""
        key = self._key(scopes)
        with self._lock:
            self._memory.pop(key, None)
            if self._store is not None:
                self._store.drop(key)

    def close(self) -> None:
        inner = self._inner
        if inner is not None and hasattr(inner, "close"):
            inner.close()

    def _ask(self, scopes: tuple[str, ...], kwargs: Mapping[str, Any]) -> Token:
        if self._inner is None:
            self._inner = self._source()
        got = self._inner.get_token(*scopes, **kwargs)
        return Token(got.token, int(got.expires_on))
