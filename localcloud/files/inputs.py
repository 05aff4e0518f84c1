"""Reading request inputs: query parameters, metadata, content settings, ranges (pure).

Each function raises the `FileError` (400/416) the service would answer for bad input.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import unquote

from localcloud.files.errors import FileError, invalid_header, invalid_range, missing_header
from localcloud.files.props import ATTRIBUTE_ORDER, ContentSettings, attribute_text

MAX_FILE_SIZE = 4 * 1024**4  # 4 TiB
MAX_RANGE_SIZE = 4 * 1024**2  # 4 MiB per Put Range
_META_PREFIX = "x-ms-meta-"
_META_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_RANGE = re.compile(r"bytes=(\d+)-(\d*)")
_MAX_METADATA_BYTES = 8 * 1024
_SMB_TIME = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,7}))?Z")
_SMB_KEYWORDS = ("now", "preserve", "source")


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int | None  # inclusive; None for "to the end"


def query_params(raw_query: str) -> dict[str, str]:
    """Lower-cased names -> percent-decoded values (`+` stays `+`, as the SDK sends it)."""
    params: dict[str, str] = {}
    for pair in raw_query.split("&"):
        if pair:
            name, _, value = pair.partition("=")
            params[unquote(name).lower()] = unquote(value)
    return params


def metadata(headers: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """`x-ms-meta-<name>` headers as (name, value); the bare `x-ms-meta` header is ignored."""
    found: dict[str, tuple[str, str]] = {}
    for header, value in headers:
        if not header.lower().startswith(_META_PREFIX):
            continue
        name = header[len(_META_PREFIX) :]
        if not _META_NAME.fullmatch(name):
            raise FileError(400, "InvalidMetadata", f"The metadata name {name!r} is invalid.")
        found[name.lower()] = (name, value)
    pairs = tuple(found.values())
    if sum(len(n) + len(v) for n, v in pairs) > _MAX_METADATA_BYTES:
        raise FileError(400, "MetadataTooLarge", "The metadata exceeds 8 KiB.")
    return pairs


def content_settings(headers: Mapping[str, str]) -> ContentSettings:
    """The `x-ms-content-*` / `x-ms-cache-control` headers of Create File / Set Properties."""
    md5 = headers.get("x-ms-content-md5")
    if md5:
        _base64("x-ms-content-md5", md5)  # stored as given: the service does not check it
    return ContentSettings(
        content_type=headers.get("x-ms-content-type") or "application/octet-stream",
        content_md5=md5 or None,
        content_encoding=headers.get("x-ms-content-encoding") or None,
        content_language=headers.get("x-ms-content-language") or None,
        cache_control=headers.get("x-ms-cache-control") or None,
        content_disposition=headers.get("x-ms-content-disposition") or None,
    )


def content_length(headers: Mapping[str, str]) -> int | None:
    """`x-ms-content-length`: the file's new size (Set Properties), None when not sent."""
    value = headers.get("x-ms-content-length")
    if value is None:
        return None
    if not value.strip().isdigit() or int(value) > MAX_FILE_SIZE:
        raise invalid_header("x-ms-content-length", "expected a size between 0 and 4 TiB")
    return int(value)


def required_content_length(headers: Mapping[str, str]) -> int:
    """`x-ms-content-length` of Create File, which must carry it."""
    size = content_length(headers)
    if size is None:
        raise missing_header("x-ms-content-length")
    return size


@dataclass(frozen=True)
class SmbTimes:
    """The SMB properties a request sets: `x-ms-file-creation-time` / `-last-write-time` /
    `-change-time` when given as timestamps, `x-ms-file-attributes` unless `preserve`."""

    created_ns: int | None = None
    written_ns: int | None = None
    changed_ns: int | None = None
    attributes: str | None = None


def smb_times(headers: Mapping[str, str]) -> SmbTimes:
    return SmbTimes(
        created_ns=_smb_time(headers, "x-ms-file-creation-time"),
        written_ns=_smb_time(headers, "x-ms-file-last-write-time"),
        changed_ns=_smb_time(headers, "x-ms-file-change-time"),
        attributes=_attributes(headers.get("x-ms-file-attributes")),
    )


def _attributes(value: str | None) -> str | None:
    """`hidden|ReadOnly` -> `ReadOnly | Hidden` (the service's spelling and order); None to
    keep what the item has."""
    if value is None or value.strip().lower() in ("", "preserve", "source"):
        return None
    names = [v.strip().lower() for v in value.split("|") if v.strip()]
    unknown = [n for n in names if n not in ATTRIBUTE_ORDER and n != "none"]
    if unknown:
        raise invalid_header("x-ms-file-attributes", f"unknown attribute {unknown[0]!r}")
    return attribute_text(set(names))


def _smb_time(headers: Mapping[str, str], name: str) -> int | None:
    """`2019-09-04T08:13:20.9679426Z` -> ns since the epoch; None for now/preserve/absent."""
    value = headers.get(name)
    if value is None or value.strip().lower() in _SMB_KEYWORDS:
        return None
    match = _SMB_TIME.fullmatch(value.strip())
    if match is None:
        raise invalid_header(name, "expected a time like 2019-09-04T08:13:20.9679426Z")
    try:
        stamp = datetime.strptime(match[1], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    except ValueError as error:
        raise invalid_header(name, "not a valid date and time") from error
    fraction = int((match[2] or "0").ljust(7, "0"))
    return int(stamp.timestamp()) * 1_000_000_000 + fraction * 100


def byte_range(headers: Mapping[str, str]) -> ByteRange | None:
    """`x-ms-range`, else `Range`; None when neither was sent."""
    value = headers.get("x-ms-range") or headers.get("Range")
    if value is None:
        return None
    match = _RANGE.fullmatch(value.strip())
    if match is None:
        raise invalid_range(f"{value!r} is not of the form bytes=start-end")
    start, end = int(match[1]), int(match[2]) if match[2] else None
    if end is not None and end < start:
        raise invalid_range(f"{value!r} ends before it starts")
    return ByteRange(start, end)


def write_range(headers: Mapping[str, str], size: int) -> tuple[str, int, int]:
    """(`update`|`clear`, offset, length) of a Put Range against a file of `size` bytes."""
    mode = headers.get("x-ms-write")
    if mode is None:
        raise missing_header("x-ms-write")
    if mode.lower() not in ("update", "clear"):
        raise invalid_header("x-ms-write", "expected update or clear")
    requested = byte_range(headers)
    if requested is None:
        raise missing_header("x-ms-range")
    if requested.end is None:
        raise invalid_range("Put Range needs both ends of the range")
    length = requested.end - requested.start + 1
    if requested.end >= size:
        raise invalid_range(f"the range ends past the end of the file ({size} bytes)")
    if mode.lower() == "update" and length > MAX_RANGE_SIZE:
        raise FileError(413, "RequestBodyTooLarge", "A range may hold at most 4 MiB.")
    return mode.lower(), requested.start, length


def check_body_md5(headers: Mapping[str, str], computed: bytes) -> None:
    """A transactional `Content-MD5` must match the body (400 `Md5Mismatch`)."""
    sent = headers.get("Content-MD5")
    if sent is None:
        return
    if _check_md5("Content-MD5", sent) != computed:
        raise FileError(
            400, "Md5Mismatch", "The MD5 value specified in the request did not match the body."
        )


def _base64(name: str, value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error as error:
        raise invalid_header(name, "not base64") from error


def _check_md5(name: str, value: str) -> bytes:
    digest = _base64(name, value)
    if len(digest) != 16:
        raise invalid_header(name, "an MD5 is 16 bytes")
    return digest
