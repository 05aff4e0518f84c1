"""Azure Files wire shapes read into our types: folder listings (pages, ETags, encoded
names), error messages, and the ranges a file is cut into."""

from __future__ import annotations

import pytest

from orchestrator.azure.fileswire import RANGE_BYTES, Range, error_message, parse_listing, ranges
from orchestrator.azure.sharemodels import ShareEntry

LISTING = b"""<?xml version="1.0" encoding="utf-8"?>
<EnumerationResults ServiceEndpoint="https://a.file.core.windows.net/" ShareName="s"
  DirectoryPath="inference">
  <Entries>
    <File><Name>app.py</Name><Properties><Content-Length>120</Content-Length>
      <Etag>"0x1"</Etag></Properties></File>
    <Directory><Name>models</Name><Properties><Etag>"0x2"</Etag></Properties></Directory>
    <File><Name Encoded="true">a%EF%BF%BEb</Name><Properties><Content-Length>0</Content-Length>
      </Properties></File>
  </Entries>
  <NextMarker>page-2</NextMarker>
</EnumerationResults>"""


def test_a_listing_page_gives_files_folders_sizes_etags_and_the_next_marker() -> None:
    page = parse_listing(LISTING)
    assert page.entries == (
        ShareEntry("app.py", False, 120, '"0x1"'),
        ShareEntry("models", True, 0, '"0x2"'),
        ShareEntry("a\ufffeb", False, 0, ""),
    )
    assert page.next_marker == "page-2"


def test_the_last_page_has_no_marker() -> None:
    page = parse_listing(b"<EnumerationResults><Entries/><NextMarker/></EnumerationResults>")
    assert page == parse_listing(b"<EnumerationResults><Entries/></EnumerationResults>")
    assert page.entries == () and page.next_marker == ""


def test_a_body_that_is_not_xml_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="not XML"):
        parse_listing(b"<html")


def test_an_error_body_gives_the_first_line_of_its_message() -> None:
    body = b"<Error><Code>ShareNotFound</Code><Message>The share does not exist.\nRequestId:1"
    assert error_message(body + b"</Message></Error>") == "The share does not exist."
    assert error_message(b"") == ""


def test_ranges_cover_the_file_in_pieces_of_at_most_four_mebibytes() -> None:
    assert ranges(0) == ()
    assert ranges(10) == (Range(0, 10),)
    cut = ranges(2 * RANGE_BYTES + 1)
    assert [r.length for r in cut] == [RANGE_BYTES, RANGE_BYTES, 1]
    assert cut[2].header == f"bytes={2 * RANGE_BYTES}-{2 * RANGE_BYTES}"
    assert ranges(10, step=4) == (Range(0, 4), Range(4, 4), Range(8, 2))
