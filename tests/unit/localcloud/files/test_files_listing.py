"""Listing: options, paging by NextMarker and the EnumerationResults XML (read back with the
SDK's own XML model)."""

from __future__ import annotations

import pytest
from azure.storage.fileshare._generated._utils.model_base import _deserialize_xml
from azure.storage.fileshare._generated.models import ListFilesAndDirectoriesSegmentResponse

from localcloud.files import listing
from localcloud.files.errors import FileError
from localcloud.files.props import DEFAULT_DIRECTORY_KEY, DiskState, Record

NS = 1_665_629_543_071_051_800  # 2022-10-13T02:52:23.0710518Z
CONTEXT = listing.ListingContext("https://127.0.0.1:8443/acct/", "share", "inference", "42")


def item(name: str, is_dir: bool, size: int = 0, file_id: str = "7") -> listing.ListedItem:
    """An entry whose record still describes the disk."""
    record = Record(is_dir, file_id, NS, NS, NS, '"0x8DAACC5F42164F6"', size, NS)
    return name, record, DiskState(is_dir, size, NS, NS, 99)


def page(*items: listing.ListedItem, next_marker: str = "") -> listing.Page:
    return listing.Page(items, next_marker)


def test_plain_listing_xml_is_exact() -> None:
    body = listing.render(
        page(
            item("app.py", False, 1024, file_id="8"),
            item("utils", True),
        ),
        listing.ListOptions(),
        CONTEXT,
    )
    # as recorded from Azure (Azure/azure-sdk-assets, azure-storage-file-share recordings):
    # no Prefix/Marker/MaxResults unless asked for, the DirectoryId, entries in name order
    # with files and directories mixed, each with its FileId
    assert body.decode() == (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<EnumerationResults ServiceEndpoint="https://127.0.0.1:8443/acct/" ShareName="share"'
        ' DirectoryPath="inference"><DirectoryId>42</DirectoryId><Entries>'
        "<File><Name>app.py</Name><FileId>8</FileId><Properties>"
        "<Content-Length>1024</Content-Length></Properties></File>"
        "<Directory><Name>utils</Name><FileId>7</FileId><Properties /></Directory>"
        "</Entries><NextMarker /></EnumerationResults>"
    )


def test_a_prefix_asked_for_is_echoed_even_when_empty() -> None:
    body = listing.render(page(), listing.parse_options({"prefix": ""}), CONTEXT)
    assert b"<Prefix></Prefix><DirectoryId>" in body


def test_a_prefix_and_directory_path_xml_cannot_carry_are_percent_encoded() -> None:
    context = listing.ListingContext("https://h/acct/", "share", "dir\ufffe", "42")
    body = listing.render(page(), listing.parse_options({"prefix": "\uffff"}), context)
    assert b'DirectoryPath="dir%EF%BF%BE"' in body
    assert b'<Prefix Encoded="true">%EF%BF%BF</Prefix>' in body


def test_full_listing_xml_has_every_included_field() -> None:
    options = listing.parse_options(
        {"include": "Timestamps,Etag,Attributes,PermissionKey", "maxresults": "5000"}
    )
    body = listing.render(
        page(item("utils", True, file_id="11529285414812647424")),
        options,
        CONTEXT,
    ).decode()
    assert (
        "<MaxResults>5000</MaxResults><DirectoryId>42</DirectoryId><Entries><Directory>"
        "<Name>utils</Name><FileId>11529285414812647424</FileId><Properties>"
        "<CreationTime>2022-10-13T02:52:23.0710518Z</CreationTime>"
        "<LastAccessTime>2022-10-13T02:52:23.0710518Z</LastAccessTime>"
        "<LastWriteTime>2022-10-13T02:52:23.0710518Z</LastWriteTime>"
        "<ChangeTime>2022-10-13T02:52:23.0710518Z</ChangeTime>"
        "<Last-Modified>Thu, 13 Oct 2022 02:52:23 GMT</Last-Modified>"
        '<Etag>"0x8DAACC5F42164F6"</Etag></Properties><Attributes>Directory</Attributes>'
        f"<PermissionKey>{DEFAULT_DIRECTORY_KEY}</PermissionKey>"
        "</Directory></Entries>"
    ) in body


def test_the_sdk_model_reads_the_listing() -> None:
    options = listing.parse_options({"include": "timestamps,etag"})
    body = listing.render(
        page(
            item("a & b.txt", False, 5),
            item("sub", True),
            next_marker="1!c3Vi",
        ),
        options,
        CONTEXT,
    )
    parsed = _deserialize_xml(ListFilesAndDirectoriesSegmentResponse, body.decode())
    assert parsed.next_marker == "1!c3Vi"
    assert [d.name.content for d in parsed.segment.directory_items] == ["sub"]
    files = parsed.segment.file_items
    assert [f.name.content for f in files] == ["a & b.txt"]
    assert files[0].properties.content_length == 5
    assert files[0].properties.etag == '"0x8DAACC5F42164F6"'


@pytest.mark.parametrize(
    ("name", "encoded"), [("bad\x01name", "bad%01name"), ("file\ufffe", "file%EF%BF%BE")]
)
def test_names_xml_cannot_carry_are_percent_encoded(name: str, encoded: str) -> None:
    body = listing.render(page(item(name, False)), listing.ListOptions(), CONTEXT)
    assert f'<Name Encoded="true">{encoded}</Name>'.encode() in body


def test_paging_walks_every_name_once_in_order() -> None:
    names = [f"f{i:02d}" for i in range(7)] + ["dir"]
    seen: list[str] = []
    marker = ""
    while True:
        options = listing.parse_options({"maxresults": "3", "marker": marker})
        chunk, marker = listing.select_page(names, options)
        seen += chunk
        if not marker:
            break
    assert seen == sorted(names)


def test_prefix_filters_names() -> None:
    chunk, marker = listing.select_page(["ab", "ac", "b"], listing.ListOptions(prefix="a"))
    assert (chunk, marker) == (["ab", "ac"], "")


def test_marker_round_trips_unicode() -> None:
    assert listing.decode_marker(listing.encode_marker("été/x")) == "été/x"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"maxresults": "abc"}, "InvalidQueryParameterValue"),
        ({"maxresults": "0"}, "OutOfRangeQueryParameterValue"),
        ({"include": "timestamps,bogus"}, "InvalidQueryParameterValue"),
        ({"marker": "not-ours"}, "InvalidQueryParameterValue"),
    ],
)
def test_bad_options_are_400(query: dict[str, str], code: str) -> None:
    with pytest.raises(FileError) as caught:
        listing.parse_options(query)
    assert (caught.value.status, caught.value.code) == (400, code)


def test_maxresults_is_capped_at_5000() -> None:
    assert listing.parse_options({"maxresults": "9999"}).limit == 5000
