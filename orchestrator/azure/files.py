"""Azure Files, the data plane of one share, over its REST API with Shared Key.

Plain HTTPS (`transport.Transport`: sockets and ssl, one pool of kept-alive
connections) instead of the azure-storage-file-share SDK: the SDK's import (0.3 s, aiohttp
included) and its per-request pipeline were most of a re-sync's client time, and urllib3's
import alone is several times a bare interpreter's start. The requests are the SDK's own
(same API version and headers); the functional tests read every upload back through the
official SDK.

- Listings ask for ETags; HEADs and uploads report each file's ETag, size and MD5, so the
  caller can remember them and skip the HEAD next time.
- An upload of a file that fits in one range (4 MiB) is one request: Create File with its
  content and Content-MD5 (Create File takes a body since API 2025-05-05), so many small
  files cost one round trip each. A larger file is created at its size, its ranges put in
  parallel (`RANGE_WORKERS` at a time, for all files), then its Content-MD5 set, so a file
  cut off mid-upload never looks complete. Bodies stream from the open file (`os.pread`),
  so memory stays small whatever the file size.
- A 5xx, 408, 429 or a dropped connection is retried `FILES_RETRIES` times (`backoff`
  seconds, doubled, +-20 % jitter, at most `FILES_RETRY_MAX_S`). Errors leave as ours: a
  refused key and a lost connection each with what to do next.
"""

from __future__ import annotations

import base64
import contextlib
import io
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import IO, BinaryIO, cast
from urllib.parse import quote, urlencode, urlsplit

from orchestrator.azure import sharedkey
from orchestrator.azure.errors import ArmRequestError, AuthFailed, Conflict, NotFound, Transient
from orchestrator.azure.fileswire import Range, error_message, parse_listing, ranges
from orchestrator.azure.http11 import http_date
from orchestrator.azure.sharemodels import FileProperties, ShareEntry, StorageAccess
from orchestrator.azure.transport import Response, Transport, shared_transport
from orchestrator.errors import AzureError
from orchestrator.threads import Pool

API_VERSION = "2026-10-06"
KEY_HINT = "the key comes from ARM listKeys; if it was just rotated, run deploy again"
LOST_HINT = "run deploy again: files already uploaded are not sent twice"
FILES_RETRIES = 3
FILES_RETRY_MAX_S = 30.0
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
RANGE_WORKERS = 8  # parallel Put Range requests of large files, in all


class _Slice:
    """Bytes [start, start + length) of an open file, read as the connection sends them."""

    def __init__(self, read_at: Callable[[int, int], bytes], part: Range) -> None:
        self._read_at = read_at
        self._pos = part.start
        self._end = part.start + part.length

    def read(self, size: int = -1) -> bytes:
        left = self._end - self._pos
        if left <= 0:
            return b""
        data = self._read_at(left if size is None or size < 0 else min(size, left), self._pos)
        if not data:
            raise OSError("the file got shorter while it was being uploaded")
        self._pos += len(data)
        return data


def reader_of(data: BinaryIO) -> Callable[[int, int], bytes]:
    """(size, offset) -> bytes, safe from several threads: `os.pread` on a real file, a
    locked seek + read on anything else."""
    import os

    try:
        fd = data.fileno()
    except (OSError, AttributeError, io.UnsupportedOperation):
        lock = threading.Lock()

        def locked(size: int, offset: int) -> bytes:
            with lock:
                data.seek(offset)
                return data.read(size)

        return locked
    return lambda size, offset: os.pread(fd, size, offset)


Body = Callable[[], "bytes | IO[bytes] | None"]  # a fresh body for each try


class FileShare:
    def __init__(
        self,
        access: StorageAccess,
        share: str,
        *,
        verify: str | bool,
        backoff: float,
        sleep: Callable[[float], None] = time.sleep,
        transport: Transport | None = None,
    ) -> None:
        endpoint = urlsplit(access.file_endpoint.rstrip("/"))
        self._origin = f"{endpoint.scheme}://{endpoint.netloc}"
        self._base = f"{endpoint.path}/{quote(share, safe='')}"
        self._account = access.account
        try:
            self._key = sharedkey.decode_key(access.key)
        except ValueError as exc:
            raise AuthFailed(
                f"the key of storage account {access.account} is not base64", hint=KEY_HINT
            ) from exc
        self._verify = verify
        self._backoff = backoff
        self._sleep = sleep
        self._pool: Transport | None = transport  # shared with ARM's requests when given
        self._ranges: Pool | None = None
        self._lock = threading.Lock()
        self.name = f"{access.account}/{share}"  # account/share, as messages show it

    @property
    def url(self) -> str:
        return self._origin + self._base

    # --- the operations of the sync -----------------------------------------------------

    def exists(self) -> bool:
        """Whether the share exists (its properties can be read with the key)."""
        try:
            self._send("read the share's properties", "GET", "", {"restype": "share"})
        except NotFound:
            return False
        return True

    def list_folder(self, folder: str) -> list[ShareEntry] | None:
        """The folder's entries (with ETags); None when the folder does not exist."""
        query = {"restype": "directory", "comp": "list", "include": "Etag"}
        entries: list[ShareEntry] = []
        try:
            while True:
                response = self._send(f"list {folder}/", "GET", folder, query)
                try:
                    page = parse_listing(response.body)
                except ValueError as exc:
                    raise AzureError(f"file share: could not list {folder}/: {exc}") from exc
                entries += page.entries
                if not page.next_marker:
                    return entries
                query = {**query, "marker": page.next_marker}
        except NotFound:
            return None

    def properties(self, path: str) -> FileProperties:
        """ETag, size and Content-MD5 (None when it has none): one HEAD."""
        response = self._send(f"read properties of {path}", "HEAD", path)
        md5 = response.header("Content-MD5")
        size = int(response.header("Content-Length") or 0)
        etag = response.header("ETag")
        return FileProperties(etag, size, base64.b64decode(md5) if md5 else None)

    def make_dir(self, folder: str) -> None:
        with contextlib.suppress(Conflict):  # it exists
            self._send(f"create folder {folder}/", "PUT", folder, {"restype": "directory"})

    def upload(self, path: str, data: BinaryIO, size: int, content_type: str, md5: bytes) -> str:
        """Upload one file; returns its ETag once its content and Content-MD5 are set ("" if
        none came back).

        A file of one range (4 MiB) or less is one request: Create File with the content and
        the Content-MD5 (a request either completes or leaves no new file). A larger one is
        created at its size, its ranges put in parallel, then its Content-MD5 set: three
        steps, so a file cut off mid-upload never carries its MD5 and never looks complete.
        """
        create = {"x-ms-type": "file", "x-ms-content-length": str(size)}
        create["x-ms-content-type"] = content_type
        parts = ranges(size)
        read_at = reader_of(data)
        if len(parts) <= 1:  # the content in the Create File request itself (API 2025-05-05)
            create["x-ms-content-md5"] = _b64(md5)
            body: Body | None = None
            if parts:
                create["content-length"] = str(size)
                body = lambda: cast("IO[bytes]", _Slice(read_at, parts[0]))  # noqa: E731
            response = self._send(f"upload {path}", "PUT", path, headers=create, body=body)
            return response.header("ETag")
        self._send(f"upload {path}", "PUT", path, headers=create)
        pool = self._range_pool()
        for done in [pool.submit(self._put_range, path, read_at, p) for p in parts]:
            done.result()
        settings = {"x-ms-content-type": content_type, "x-ms-content-md5": _b64(md5)}
        query = {"comp": "properties"}
        response = self._send(f"set properties of {path}", "PUT", path, query, settings)
        return response.header("ETag")

    def delete_file(self, path: str) -> None:
        self._send(f"delete {path}", "DELETE", path)

    def delete_dir(self, folder: str) -> None:
        self._send(f"delete {folder}/", "DELETE", folder, {"restype": "directory"})

    # --- requests ------------------------------------------------------------------------

    def _put_range(self, path: str, read_at: Callable[[int, int], bytes], part: Range) -> None:
        headers = {
            "x-ms-write": "update",
            "x-ms-range": part.header,
            "content-length": str(part.length),
        }
        body: Body = lambda: cast("IO[bytes]", _Slice(read_at, part))  # noqa: E731
        self._send(f"upload {path}", "PUT", path, {"comp": "range"}, headers, body)

    def _range_pool(self) -> Pool:
        with self._lock:
            if self._ranges is None:
                self._ranges = Pool(RANGE_WORKERS, "file-ranges")
            return self._ranges

    def _connections(self) -> Transport:
        with self._lock:
            if self._pool is None:
                self._pool = shared_transport(self._verify)  # certificates always checked
            return self._pool

    def _send(
        self,
        what: str,
        method: str,
        path: str,
        query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        body: Body | None = None,
    ) -> Response:
        """One request, retried on 5xx/408/429 and dropped connections; errors are ours."""
        raw_path = self._base + (f"/{quote(path, safe='/~')}" if path else "")
        query = dict(query or {})
        url = self._origin + raw_path + (f"?{urlencode(query, quote_via=quote)}" if query else "")
        pool = self._connections()
        for attempt in range(FILES_RETRIES + 1):
            last = attempt == FILES_RETRIES
            signed = self._signed(method, raw_path, query, headers or {})
            with self._connection_errors(what, retry=not last):
                response = pool.request(method, url, signed, body() if body else None)
                if response.status < 300:
                    return response
                if response.status not in RETRY_STATUSES or last:
                    raise self._refused(what, response)
            self._sleep(self._wait(attempt + 1))
        raise AssertionError("unreachable: the last try returns or raises")

    def _signed(
        self, method: str, raw_path: str, query: Mapping[str, str], headers: Mapping[str, str]
    ) -> dict[str, str]:
        signed = {
            **{k.lower(): v for k, v in headers.items()},
            "x-ms-date": http_date(),
            "x-ms-version": API_VERSION,
        }
        if method in ("PUT", "POST") and "content-length" not in signed:
            signed["content-length"] = "0"
        text = sharedkey.string_to_sign(self._account, method, raw_path, query, signed)
        signed["authorization"] = (
            f"SharedKey {self._account}:{sharedkey.signature(self._key, text)}"
        )
        return signed

    @contextmanager
    def _connection_errors(self, what: str, *, retry: bool) -> Iterator[None]:
        """A dropped or refused connection: swallowed while a retry is left (the caller
        waits and tries again), else `Transient`."""
        try:
            yield
        except OSError as exc:  # the transport's errors, TLS and timeouts included
            if retry:
                return
            raise Transient(
                f"file share: connection lost while trying to {what}", hint=LOST_HINT
            ) from exc

    def _wait(self, count: int) -> float:
        import random  # only a retry needs it

        wait = min(FILES_RETRY_MAX_S, self._backoff * 2 ** (count - 1))
        return float(wait * random.uniform(0.8, 1.2))

    def _refused(self, what: str, response: Response) -> AzureError:
        status = response.status
        code = response.header("x-ms-error-code")
        detail = error_message(response.body)
        if status == 403:
            return AuthFailed(
                f"file share {self.name} refused the storage key while trying to {what} "
                f"({code or 'AuthenticationFailed'})",
                code=code,
                status=status,
                hint=KEY_HINT,
            )
        message = f"file share: could not {what}: HTTP {status} {code}".rstrip()
        message += f": {detail}" if detail else ""
        kind = {404: NotFound, 409: Conflict}.get(status, ArmRequestError)
        if status in RETRY_STATUSES:
            kind = Transient
        return kind(message, code=code, status=status, target=self.url)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
