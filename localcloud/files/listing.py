"""List Directories and Files: options, paging and the `EnumerationResults` XML (pure).

Entries are ordered by name; a page holds at most `maxresults` of them and, when more
remain, `NextMarker` names (opaquely) the first entry of the next page. Within a page the
directories come first, then the files, as the service returns them.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from localcloud.files.errors import FileError, invalid_query
from localcloud.files.props import PERMISSION_KEY, Props, file_time, http_date

MAX_RESULTS = 5000
INCLUDE_VALUES = ("timestamps", "etag", "attributes", "permissionkey")
_MARKER_PREFIX = "1!"
# Characters XML 1.0 cannot carry; names holding them are sent percent-encoded.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class ListOptions:
    prefix: str = ""
    marker: str = ""  # the decoded name the page starts at; "" for the first page
    raw_marker: str = ""
    max_results: int | None = None  # as requested; None means the service default
    include: frozenset[str] = frozenset()
    extended: bool = False

    @property
    def limit(self) -> int:
        return self.max_results or MAX_RESULTS


@dataclass(frozen=True)
class ListedItem:
    name: str
    props: Props


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


def parse_options(query: Mapping[str, str], extended_header: str | None) -> ListOptions:
    """Options from the decoded query (lower-cased names); raises FileError (400)."""
    raw_marker = query.get("marker", "")
    return ListOptions(
        prefix=query.get("prefix", ""),
        marker=decode_marker(raw_marker) if raw_marker else "",
        raw_marker=raw_marker,
        max_results=_parse_max_results(query.get("maxresults")),
        include=_parse_include(query.get("include", "")),
        extended=(extended_header or "").strip().lower() == "true",
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
    candidates = sorted(n for n in names if n.startswith(options.prefix) and n >= options.marker)
    rest = candidates[options.limit :]
    return candidates[: options.limit], encode_marker(rest[0]) if rest else ""


def render(page: Page, options: ListOptions, context: ListingContext) -> bytes:
    head = (
        '<?xml version="1.0" encoding="utf-8"?>'
        f"<EnumerationResults ServiceEndpoint={quoteattr(context.service_endpoint)}"
        f" ShareName={quoteattr(context.share)}"
        f" DirectoryPath={quoteattr(context.directory_path)}>"
        f"<Prefix>{escape(options.prefix)}</Prefix>"
    )
    if options.raw_marker:
        head += f"<Marker>{escape(options.raw_marker)}</Marker>"
    if options.max_results is not None:
        head += f"<MaxResults>{options.max_results}</MaxResults>"
    if options.extended:
        head += f"<DirectoryId>{context.directory_id}</DirectoryId>"
    ordered = [i for i in page.items if i.props.is_dir] + [
        i for i in page.items if not i.props.is_dir
    ]
    entries = "".join(_entry(item, options) for item in ordered)
    body = f"<Entries>{entries}</Entries>" if entries else "<Entries />"
    tail = f"<NextMarker>{escape(page.next_marker)}</NextMarker>" if page.next_marker else ""
    return (head + body + (tail or "<NextMarker />") + "</EnumerationResults>").encode("utf-8")


def _entry(item: ListedItem, options: ListOptions) -> str:
    props = item.props
    tag = "Directory" if props.is_dir else "File"
    parts = [_name(item.name)]
    if options.extended:
        parts.append(f"<FileId>{props.file_id}</FileId>")
    parts.append(_properties(props, options.include))
    if "attributes" in options.include:
        parts.append(f"<Attributes>{'Directory' if props.is_dir else 'Archive'}</Attributes>")
    if "permissionkey" in options.include:
        parts.append(f"<PermissionKey>{PERMISSION_KEY}</PermissionKey>")
    return f"<{tag}>{''.join(parts)}</{tag}>"


def _properties(props: Props, include: frozenset[str]) -> str:
    fields = [] if props.is_dir else [f"<Content-Length>{props.size}</Content-Length>"]
    if "timestamps" in include:
        fields += [
            f"<CreationTime>{file_time(props.created_ns)}</CreationTime>",
            f"<LastAccessTime>{file_time(props.written_ns)}</LastAccessTime>",
            f"<LastWriteTime>{file_time(props.written_ns)}</LastWriteTime>",
            f"<ChangeTime>{file_time(props.changed_ns)}</ChangeTime>",
            f"<Last-Modified>{http_date(props.modified_ns)}</Last-Modified>",
        ]
    if "etag" in include:
        fields.append(f"<Etag>{escape(props.etag)}</Etag>")
    return f"<Properties>{''.join(fields)}</Properties>" if fields else "<Properties />"


def _name(name: str) -> str:
    if _NOT_XML.search(name):
        encoded = quote(name.encode("utf-8", "surrogateescape"), safe="")
        return f'<Name Encoded="true">{encoded}</Name>'
    return f"<Name>{escape(name)}</Name>"


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
