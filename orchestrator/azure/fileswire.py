"""What the Azure Files REST API sends back, read into our types (pure), and how a file is
cut into ranges.

- a folder listing (`List Directories and Files`, XML): entries with size and ETag, and the
  marker of the next page;
- an error: `x-ms-error-code` and the XML `<Message>`;
- ranges: at most `RANGE_BYTES` (4 MiB, the service's limit per Put Range) each.
Reference: https://learn.microsoft.com/rest/api/storageservices/list-directories-and-files
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote
from xml.etree import ElementTree

from orchestrator.azure.sharemodels import ShareEntry

RANGE_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Page:
    entries: tuple[ShareEntry, ...]
    next_marker: str  # "" on the last page


@dataclass(frozen=True)
class Range:
    start: int
    length: int

    @property
    def header(self) -> str:
        """The `x-ms-range` value (inclusive end)."""
        return f"bytes={self.start}-{self.start + self.length - 1}"


def ranges(size: int, step: int = RANGE_BYTES) -> tuple[Range, ...]:
    """The ranges that cover `size` bytes, in order (none for an empty file)."""
    return tuple(Range(start, min(step, size - start)) for start in range(0, size, step))


def _child_text(node: ElementTree.Element, name: str) -> str:
    """The text of the first child called `name`, compared case-insensitively ("" if none)."""
    for child in node:
        if child.tag.lower() == name.lower():
            return child.text or ""
    return ""


def _name(node: ElementTree.Element) -> str:
    for child in node:
        if child.tag == "Name":
            text = child.text or ""
            return unquote(text) if child.get("Encoded", "").lower() == "true" else text
    return ""


def _entry(node: ElementTree.Element) -> ShareEntry:
    is_directory = node.tag == "Directory"
    props = next((c for c in node if c.tag == "Properties"), None)
    size = etag = ""
    if props is not None:
        size = _child_text(props, "Content-Length")
        etag = _child_text(props, "Etag")
    return ShareEntry(_name(node), is_directory, int(size or 0), etag)


def parse_listing(body: bytes) -> Page:
    """One page of a folder listing; ValueError when the body is not a listing."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise ValueError(f"the folder listing is not XML ({exc})") from exc
    entries = root.find("Entries")
    found = tuple(
        _entry(node)
        for node in (entries if entries is not None else ())
        if node.tag in ("File", "Directory")
    )
    return Page(found, _child_text(root, "NextMarker"))


def error_message(body: bytes) -> str:
    """The `<Message>` of an XML error body, first line only ("" when there is none)."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return ""
    text = _child_text(root, "Message").strip()
    return text.splitlines()[0] if text else ""
