"""Azure Files, the data plane of one share (through `ShareClient`, built by `storage.py`).

Listings ask for ETags; HEADs and uploads report each file's ETag, size and MD5, so the
caller can remember them and skip the HEAD next time. Errors leave as ours: a refused key
and a lost connection each with what to do next.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, BinaryIO, TypeVar

from orchestrator.azure.errors import AuthFailed, NotFound, Transient, translate
from orchestrator.azure.models import FileProperties, ShareEntry
from orchestrator.errors import AzureError

if TYPE_CHECKING:
    from azure.storage.fileshare import ShareClient

T = TypeVar("T")
KEY_HINT = "the key comes from ARM listKeys; if it was just rotated, run deploy again"


class FileShare:
    def __init__(self, client: ShareClient, name: str) -> None:
        self._client = client
        self.name = name  # account/share, as messages show it

    @property
    def url(self) -> str:
        return str(self._client.url)

    def _call(self, what: str, action: Callable[[], T]) -> T:
        from azure.core.exceptions import AzureError as SdkError

        try:
            return action()
        except (SdkError, OSError) as exc:
            raise self._translate(exc, what) from exc

    def _translate(self, exc: Exception, what: str) -> AzureError:
        found = translate(exc, f"file share: could not {what}", self.url)
        if isinstance(found, AuthFailed):
            return AuthFailed(
                f"file share {self.name} refused the storage key while trying to {what} "
                "(AuthenticationFailed)",
                code=found.code,
                status=found.status,
                hint=KEY_HINT,
            )
        if isinstance(found, Transient) and not found.status:
            return Transient(
                f"file share: connection lost while trying to {what}",
                hint="run deploy again: files already uploaded are not sent twice",
            )
        return found

    def exists(self) -> bool:
        """Whether the share exists (its properties can be read with the key)."""
        try:
            self._call("read the share's properties", self._client.get_share_properties)
        except NotFound:
            return False
        return True

    def list_folder(self, folder: str) -> list[ShareEntry] | None:
        """The folder's entries (with ETags); None when the folder does not exist."""

        def read() -> list[ShareEntry]:
            items = self._client.get_directory_client(folder).list_directories_and_files(
                include=["Etag"]
            )
            return [
                ShareEntry(
                    str(i.name),
                    bool(i.is_directory),
                    int(getattr(i, "size", 0) or 0),
                    str(getattr(i, "etag", "") or ""),
                )
                for i in items
            ]

        try:
            return self._call(f"list {folder}/", read)
        except NotFound:
            return None

    def properties(self, path: str) -> FileProperties:
        """ETag, size and Content-MD5 (None when it has none): one HEAD."""
        props = self._call(
            f"read properties of {path}",
            lambda: self._client.get_file_client(path).get_file_properties(),
        )
        md5 = props.content_settings.content_md5
        return FileProperties(
            str(props.etag or ""), int(props.size or 0), bytes(md5) if md5 else None
        )

    def make_dir(self, folder: str) -> None:
        from azure.core.exceptions import ResourceExistsError

        def make() -> None:
            with contextlib.suppress(ResourceExistsError):
                self._client.get_directory_client(folder).create_directory()

        self._call(f"create folder {folder}/", make)

    def upload(self, path: str, data: BinaryIO, size: int, content_type: str, md5: bytes) -> str:
        """Upload, then set Content-MD5: a file cut off mid-upload never looks complete.
        Returns the file's ETag once its properties are set ("" if none came back)."""
        from azure.storage.fileshare import ContentSettings

        client = self._client.get_file_client(path)
        self._call(
            f"upload {path}",
            lambda: client.upload_file(
                data, length=size, content_settings=ContentSettings(content_type=content_type)
            ),
        )
        settings = ContentSettings(content_type=content_type, content_md5=bytearray(md5))
        done = self._call(f"set properties of {path}", lambda: client.set_http_headers(settings))
        return str((done or {}).get("etag") or "")

    def delete_file(self, path: str) -> None:
        self._call(f"delete {path}", lambda: self._client.get_file_client(path).delete_file())

    def delete_dir(self, folder: str) -> None:
        self._call(
            f"delete {folder}/",
            lambda: self._client.get_directory_client(folder).delete_directory(),
        )
