"""The file share as the sync sees it: list the remote tree, fetch MD5s, carry out a plan.

Everything here talks to Azure Files through the official SDK (`ShareClient`, built by the
factory) and translates its errors into ours. Decisions are made in `syncplan.py`. Listings
ask for ETags, and HEADs and uploads report each file's ETag, size and MD5 as `KnownFile`s,
so the caller can remember them (`sharestate.py`) and skip the HEAD next time.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestrator.deploy.syncplan import KnownFile, RemoteFile, SyncPlan, Upload
from orchestrator.errors import AzureError

if TYPE_CHECKING:
    from azure.storage.fileshare import ShareClient

# Parallel uploads / HEADs. Azure Files takes far more; the local disk and CPU are the limit.
WORKERS = 16


@dataclass(frozen=True)
class RemoteTree:
    files: tuple[RemoteFile, ...]  # md5 None until fetched
    dirs: tuple[str, ...]


@dataclass(frozen=True)
class SyncProgress:
    """One event for the display: `kind` is mkdir | upload | delete | delete-dir."""

    kind: str
    path: str
    size: int = 0


ProgressSink = Callable[[SyncProgress], None]


def list_remote(share: ShareClient, roots: Sequence[str]) -> RemoteTree:
    """Every file and folder under the synced roots (sizes and ETags), one listing per
    folder."""
    files: list[RemoteFile] = []
    dirs: list[str] = []
    with ThreadPoolExecutor(WORKERS) as pool:
        pending = [pool.submit(_list_one, share, root) for root in roots]
        while pending:
            future = pending.pop()
            folder, entries = future.result()
            if entries is None:
                continue
            dirs.append(folder)
            for name, is_dir, size, etag in entries:
                path = f"{folder}/{name}"
                if is_dir:
                    pending.append(pool.submit(_list_one, share, path))
                else:
                    files.append(RemoteFile(path, size, None, etag))
    return RemoteTree(tuple(sorted(files, key=lambda f: f.path)), tuple(sorted(dirs)))


_Listed = tuple[str, bool, int, str]  # name, is a folder, size, ETag ("" when not listed)


def _list_one(share: ShareClient, folder: str) -> tuple[str, list[_Listed] | None]:
    from azure.core.exceptions import ResourceNotFoundError

    try:
        items = share.get_directory_client(folder).list_directories_and_files(include=["Etag"])
        return folder, [
            (
                i.name,
                bool(i.is_directory),
                int(getattr(i, "size", 0) or 0),
                str(getattr(i, "etag", "") or ""),
            )
            for i in items
        ]
    except ResourceNotFoundError:
        return folder, None
    except Exception as exc:
        raise _translate(exc, f"list {folder}/") from exc


def fetch_properties(share: ShareClient, paths: Iterable[str]) -> dict[str, KnownFile]:
    """ETag, size and Content-MD5 (None when it has none) of each remote file: one HEAD each."""

    def head(path: str) -> tuple[str, KnownFile]:
        try:
            props = share.get_file_client(path).get_file_properties()
        except Exception as exc:
            raise _translate(exc, f"read properties of {path}") from exc
        md5 = props.content_settings.content_md5
        etag = str(props.etag or "")
        return path, KnownFile(etag, int(props.size or 0), bytes(md5) if md5 else None)

    with ThreadPoolExecutor(WORKERS) as pool:
        return dict(pool.map(head, paths))


def fetch_md5s(share: ShareClient, paths: Iterable[str]) -> dict[str, bytes | None]:
    """Content-MD5 of each remote file (None when it has none)."""
    return {path: known.md5 for path, known in fetch_properties(share, paths).items()}


def apply_plan(
    share: ShareClient, root: Path, plan: SyncPlan, progress: ProgressSink
) -> dict[str, KnownFile]:
    """Carry out a plan: folders parent-first, uploads in parallel, deletions last. Returns
    each uploaded file as the share now has it."""
    uploaded: dict[str, KnownFile] = {}
    for folder in plan.make_dirs:
        _make_dir(share, folder)
        progress(SyncProgress("mkdir", folder))
    with ThreadPoolExecutor(WORKERS) as pool:
        for upload, etag in pool.map(lambda u: _upload(share, root, u), plan.uploads):
            uploaded[upload.path] = KnownFile(etag, upload.size, upload.md5)
            progress(SyncProgress("upload", upload.path, upload.size))
    for path in plan.delete_files:
        _call(share.get_file_client(path).delete_file, f"delete {path}")
        progress(SyncProgress("delete", path))
    for folder in plan.delete_dirs:
        _call(share.get_directory_client(folder).delete_directory, f"delete {folder}/")
        progress(SyncProgress("delete-dir", folder))
    return uploaded


def _make_dir(share: ShareClient, folder: str) -> None:
    from azure.core.exceptions import ResourceExistsError

    try:
        share.get_directory_client(folder).create_directory()
    except ResourceExistsError:
        pass
    except Exception as exc:
        raise _translate(exc, f"create folder {folder}/") from exc


def _upload(share: ShareClient, root: Path, upload: Upload) -> tuple[Upload, str]:
    """Upload, then set Content-MD5: a file cut off mid-upload never looks complete. Returns
    the upload and the file's ETag once its properties are set ("" if none came back)."""
    from azure.storage.fileshare import ContentSettings

    content_type = mimetypes.guess_type(upload.path)[0] or "application/octet-stream"
    client = share.get_file_client(upload.path)
    with (root / upload.path).open("rb") as fh:
        _call(
            lambda: client.upload_file(
                fh, length=upload.size, content_settings=ContentSettings(content_type=content_type)
            ),
            f"upload {upload.path}",
        )
    settings = ContentSettings(content_type=content_type, content_md5=bytearray(upload.md5))
    done = _call(lambda: client.set_http_headers(settings), f"set properties of {upload.path}")
    return upload, str((done or {}).get("etag") or "")


def _call(action: Callable[[], Any], what: str) -> Any:
    try:
        return action()
    except Exception as exc:
        raise _translate(exc, what) from exc


def _translate(exc: Exception, what: str) -> AzureError:
    from azure.core.exceptions import (
        ClientAuthenticationError,
        HttpResponseError,
        ServiceRequestError,
        ServiceResponseError,
    )

    if isinstance(exc, ClientAuthenticationError):
        return AzureError(
            f"file share refused the storage key while trying to {what} (AuthenticationFailed)",
            hint="the key comes from ARM listKeys; check that the account in "
            "infra/inference.config.json is the one the app mounts",
        )
    if isinstance(exc, HttpResponseError):
        code = getattr(exc, "error_code", None) or exc.status_code
        return AzureError(f"file share: could not {what}: {code}: {_first_line(exc)}")
    if isinstance(exc, ServiceRequestError | ServiceResponseError):
        return AzureError(
            f"file share: connection lost while trying to {what}",
            hint="run deploy again: files already uploaded are not sent twice",
        )
    if isinstance(exc, OSError):
        return AzureError(f"could not {what}: {exc.strerror or exc}")
    raise exc


def _first_line(exc: Exception) -> str:
    text = str(getattr(exc, "message", "") or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__
