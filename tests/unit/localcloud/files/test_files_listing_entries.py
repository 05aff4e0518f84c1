"""A listing entry reports what Get Properties reports for the item: its XML equals the XML
built from `props.effective` (the record while it still describes the disk, else the disk),
for any record, disk state, name and `include` set."""

from __future__ import annotations

import re
from urllib.parse import quote
from xml.sax.saxutils import escape

from hypothesis import given, settings
from hypothesis import strategies as st

from localcloud.files import listing
from localcloud.files.props import (
    ATTRIBUTE_ORDER,
    DiskState,
    Props,
    Record,
    effective,
    file_time,
    http_date,
)

CONTEXT = listing.ListingContext("https://127.0.0.1:8443/acct/", "share", "dir", "42")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TIMES = st.integers(min_value=0, max_value=4_000_000_000 * 10**9)

# Names as `os.scandir` gives them: any text, undecodable bytes as lone surrogates.
names = st.text(
    st.one_of(
        st.characters(blacklist_categories=("Cs",)),
        st.characters(min_codepoint=0xDC80, max_codepoint=0xDCFF),
        st.sampled_from("&<>\"'\ufffe\x01"),
    ),
    min_size=1,
    max_size=12,
)
attributes = st.one_of(
    st.lists(st.sampled_from([*ATTRIBUTE_ORDER.values(), " archive ", "hidden"])).map(" | ".join),
    st.text(max_size=20),
)
disks = st.builds(
    DiskState,
    is_dir=st.booleans(),
    size=st.integers(min_value=0, max_value=2**40),
    mtime_ns=_TIMES,
    ctime_ns=_TIMES,
    inode=st.integers(min_value=1, max_value=2**63),
)


@st.composite
def entries(draw: st.DrawFn) -> tuple[str, Record | None, DiskState]:
    """A name, a record (none, one that describes the disk, or a stale one) and the disk."""
    disk = draw(disks)
    kind = draw(st.sampled_from(["none", "current", "stale"]))
    if kind == "none":
        return draw(names), None, disk
    current = kind == "current"
    record = Record(
        is_dir=disk.is_dir if current else draw(st.booleans()),
        file_id=draw(st.text(max_size=20)),
        created_ns=draw(_TIMES),
        written_ns=draw(_TIMES),
        changed_ns=draw(_TIMES),
        etag=draw(st.text(max_size=24)),
        size=disk.size if current else draw(st.integers(min_value=0, max_value=2**40)),
        mtime_ns=disk.mtime_ns if current else draw(_TIMES),
        attributes=draw(attributes),
        permission_key=draw(st.one_of(st.just(""), st.text(max_size=30))),
    )
    return draw(names), record, disk


def expected_entry(name: str, props: Props, include: frozenset[str]) -> str:
    """The entry as built from the item's full properties."""
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
    if _NOT_XML.search(name):
        encoded = quote(name.encode("utf-8", "surrogateescape"), safe="")
        text = f'<Name Encoded="true">{encoded}</Name>'
    else:
        text = f"<Name>{escape(name)}</Name>"
    text += f"<FileId>{props.file_id}</FileId>"
    text += f"<Properties>{''.join(fields)}</Properties>" if fields else "<Properties />"
    if "attributes" in include:
        text += f"<Attributes>{escape(props.attribute_text)}</Attributes>"
    if "permissionkey" in include:
        text += f"<PermissionKey>{props.permission}</PermissionKey>"
    tag = "Directory" if props.is_dir else "File"
    return f"<{tag}>{text}</{tag}>"


@settings(max_examples=400, deadline=None)
@given(
    items=st.lists(entries(), max_size=5),
    include=st.frozensets(st.sampled_from(listing.INCLUDE_VALUES)),
)
def test_listed_entries_match_the_items_effective_properties(
    items: list[tuple[str, Record | None, DiskState]], include: frozenset[str]
) -> None:
    options = listing.ListOptions(include=include)
    page = listing.Page(tuple(items), "")
    body = listing.render(page, options, CONTEXT).decode("utf-8")
    wanted = "".join(
        expected_entry(name, effective(record, disk, CONTEXT.directory_id), include)
        for name, record, disk in items
    )
    empty = listing.render(listing.Page((), ""), options, CONTEXT).decode("utf-8")
    if wanted:
        empty = empty.replace("<Entries />", f"<Entries>{wanted}</Entries>")
    assert body == empty
