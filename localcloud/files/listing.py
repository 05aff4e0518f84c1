"""List Directories and Files: options, paging and the `EnumerationResults` XML (pure).

Entries are ordered by name, directories and files mixed, as the service returns them (the
SDK then yields the directories first); a page holds at most `maxresults` of them and, when
more remain, `NextMarker` names (opaquely) the first entry of the next page. Every entry
carries its `FileId`. Text XML 1.0 cannot carry (`\ufffe`, controls) is sent
percent-encoded: names and the prefix as `Encoded="true"` elements, the directory path
attribute percent-encoded.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypeAlias
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from localcloud.files.errors import FileError, invalid_query
from localcloud.files.props import (
    DiskState,
    Record,
    attributes_shown,
    etag_for,
    file_time,
    http_date,
    permission_for,
)

MAX_RESULTS = 5000
INCLUDE_VALUES = ("timestamps", "etag", "attributes", "permissionkey")
_MARKER_PREFIX = "1!"
# Characters XML 1.0 cannot carry; names holding them are sent percent-encoded.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class ListOptions:
    prefix: str | None = None  # None: not asked for (the answer then has no <Prefix>)
    marker: str = ""  # the decoded name the page starts at; "" for the first page
    raw_marker: str = ""
    max_results: int | None = None  # as requested; None means the service default
    include: frozenset[str] = frozenset()

    @property
    def limit(self) -> int:
        return self.max_results or MAX_RESULTS


# An entry of the page: its name, its sidecar record (None without one) and what the disk
# says. A plain tuple rather than a dataclass: one is made per entry listed.
ListedItem: TypeAlias = tuple[str, Record | None, DiskState]


@dataclass(frozen=True)
class Page:
    items: tuple[ListedItem, ...]
    next_marker: str  # "" on the last page


@dataclass(frozen=True)
class ListingContext:
    service_endpoint: str  # the account URL with a trailing `/`
    share: str
    directory_path: str
    directory_id: str


def parse_options(query: Mapping[str, str]) -> ListOptions:
    """Options from the decoded query (lower-cased names); raises FileError (400)."""
    raw_marker = query.get("marker", "")
    return ListOptions(
        prefix=query.get("prefix"),
        marker=decode_marker(raw_marker) if raw_marker else "",
        raw_marker=raw_marker,
        max_results=_parse_max_results(query.get("maxresults")),
        include=_parse_include(query.get("include", "")),
    )


def encode_marker(name: str) -> str:
    encoded = base64.urlsafe_b64encode(name.encode("utf-8", "surrogateescape")).decode("ascii")
    return _MARKER_PREFIX + encoded


def decode_marker(marker: str) -> str:
    if not marker.startswith(_MARKER_PREFIX):
        raise invalid_query("marker", "not a marker this service returned")
    try:
        raw = base64.urlsafe_b64decode(marker[len(_MARKER_PREFIX) :].encode("ascii"))
    except (binascii.Error, UnicodeEncodeError) as error:
        raise invalid_query("marker", "not a marker this service returned") from error
    return raw.decode("utf-8", "surrogateescape")


def select_page(names: Iterable[str], options: ListOptions) -> tuple[list[str], str]:
    """The names on the requested page, in order, and the NextMarker ("" on the last page)."""
    prefix = options.prefix or ""
    candidates = sorted(n for n in names if n.startswith(prefix) and n >= options.marker)
    rest = candidates[options.limit :]
    return candidates[: options.limit], encode_marker(rest[0]) if rest else ""


def render(page: Page, options: ListOptions, context: ListingContext) -> bytes:
    head = (
        '<?xml version="1.0" encoding="utf-8"?>'
        f"<EnumerationResults ServiceEndpoint={quoteattr(context.service_endpoint)}"
        f" ShareName={quoteattr(context.share)}"
        f" DirectoryPath={quoteattr(_attribute(context.directory_path))}>"
    )
    if options.prefix is not None:
        head += _encoded_element("Prefix", options.prefix)
    if options.raw_marker:
        head += f"<Marker>{escape(options.raw_marker)}</Marker>"
    if options.max_results is not None:
        head += f"<MaxResults>{options.max_results}</MaxResults>"
    head += f"<DirectoryId>{context.directory_id}</DirectoryId>"
    include = options.include
    entries = "".join([_entry(item, include) for item in page.items])
    body = f"<Entries>{entries}</Entries>" if entries else "<Entries />"
    tail = f"<NextMarker>{escape(page.next_marker)}</NextMarker>" if page.next_marker else ""
    return (head + body + (tail or "<NextMarker />") + "</EnumerationResults>").encode("utf-8")


def _entry(item: ListedItem, include: frozenset[str]) -> str:
    """One `<File>` or `<Directory>` with the values `props.effective` reports for the item:
    the record's while it still describes the disk, else the disk's (the id, creation time
    and attributes of a record are kept either way)."""
    name, record, disk = item
    trusted = record if record is not None and record.matches(disk) else None
    fields = "" if disk.is_dir else f"<Content-Length>{disk.size}</Content-Length>"
    if "timestamps" in include:
        created_ns = disk.ctime_ns if record is None else record.created_ns
        if trusted is None:
            fields += _timestamps(created_ns, disk.mtime_ns, disk.mtime_ns)
        else:
            fields += _timestamps(created_ns, trusted.written_ns, trusted.changed_ns)
    if "etag" in include:
        etag = etag_for(disk.mtime_ns) if trusted is None else trusted.etag
        fields += f"<Etag>{_text(etag)}</Etag>"
    file_id = str(disk.inode) if record is None else record.file_id
    text = f"{_name_element(name)}<FileId>{file_id}</FileId>"
    text += f"<Properties>{fields}</Properties>" if fields else "<Properties />"
    if "attributes" in include:
        shown = attributes_shown("" if record is None else record.attributes, disk.is_dir)
        text += f"<Attributes>{escape(shown)}</Attributes>"
    if "permissionkey" in include:
        key = permission_for("" if trusted is None else trusted.permission_key, disk.is_dir)
        text += f"<PermissionKey>{key}</PermissionKey>"
    tag = "Directory" if disk.is_dir else "File"
    return f"<{tag}>{text}</{tag}>"


def _timestamps(created_ns: int, written_ns: int, changed_ns: int) -> str:
    return (
        f"<CreationTime>{file_time(created_ns)}</CreationTime>"
        f"<LastAccessTime>{file_time(written_ns)}</LastAccessTime>"
        f"<LastWriteTime>{file_time(written_ns)}</LastWriteTime>"
        f"<ChangeTime>{file_time(changed_ns)}</ChangeTime>"
        f"<Last-Modified>{http_date(changed_ns)}</Last-Modified>"
    )


@functools.lru_cache(maxsize=4096)
def _name_element(name: str) -> str:
    """`<Name>` of an entry; kept, as a re-sync lists the same names again."""
    return _encoded_element("Name", name)


def _text(text: str) -> str:
    """`escape(text)`, without its three replacements in the usual case of nothing to escape."""
    if "&" in text or "<" in text or ">" in text:
        return escape(text)
    return text


def _encoded_element(tag: str, text: str) -> str:
    if _NOT_XML.search(text):
        return f'<{tag} Encoded="true">{_percent(text)}</{tag}>'
    return f"<{tag}>{escape(text)}</{tag}>"


def _attribute(text: str) -> str:
    return _percent(text) if _NOT_XML.search(text) else text


def _percent(text: str) -> str:
    return quote(text.encode("utf-8", "surrogateescape"), safe="")


def _parse_max_results(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError as error:
        raise invalid_query("maxresults", f"{value!r} is not an integer") from error
    if number < 1:
        raise FileError(
            400, "OutOfRangeQueryParameterValue", "maxresults must be greater than or equal to 1."
        )
    return min(number, MAX_RESULTS)


def _parse_include(value: str) -> frozenset[str]:
    wanted = {v.strip().lower() for v in value.split(",") if v.strip()}
    unknown = wanted - set(INCLUDE_VALUES)
    if unknown:
        raise invalid_query("include", f"unknown value(s) {', '.join(sorted(unknown))}")
    return frozenset(wanted)
