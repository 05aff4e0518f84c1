"""Properties: a sidecar record is trusted only while the file on disk is the one it describes."""

from __future__ import annotations

from localcloud.files.props import (
    ContentSettings,
    DiskState,
    Record,
    effective,
    etag_for,
    file_time,
    http_date,
    item_headers,
)

MD5 = "XUFAKrxLKna5cZ2REBfFkg=="


def record(size: int = 5, mtime_ns: int = 1000) -> Record:
    return Record(
        is_dir=False,
        file_id="99",
        created_ns=10,
        written_ns=20,
        changed_ns=30,
        etag='"0x1"',
        size=size,
        mtime_ns=mtime_ns,
        content=ContentSettings("text/plain", MD5),
        metadata=(("sha256", "abc"),),
    )


def test_matching_record_supplies_md5_etag_and_id() -> None:
    props = effective(record(), DiskState(False, 5, 1000, 1, 7), "42")
    assert (props.content.content_md5, props.etag, props.file_id) == (MD5, '"0x1"', "99")
    assert props.parent_id == "42"


def test_file_changed_behind_the_service_drops_md5_and_takes_disk_etag() -> None:
    props = effective(record(), DiskState(False, 6, 5000, 1, 7), "42")
    assert props.content.content_md5 is None
    assert props.content.content_type == "text/plain"
    assert props.etag == etag_for(5000)
    assert (props.size, props.file_id, props.metadata) == (6, "99", (("sha256", "abc"),))


def test_file_without_record_uses_the_inode_as_id() -> None:
    props = effective(None, DiskState(False, 3, 5000, 4000, 77), "42")
    assert (props.file_id, props.content.content_type) == ("77", "application/octet-stream")


def test_record_json_round_trip() -> None:
    assert Record.from_json(record().to_json()) == record()


def test_time_formats() -> None:
    ns = 1_567_584_800_967_942_600
    assert file_time(ns) == "2019-09-04T08:13:20.9679426Z"
    assert http_date(ns) == "Wed, 04 Sep 2019 08:13:20 GMT"
    assert etag_for(ns).startswith('"0x1D5')


def test_item_headers_carry_metadata_and_attributes() -> None:
    headers = item_headers(effective(record(), DiskState(False, 5, 1000, 1, 7), "42"))
    assert headers["x-ms-meta-sha256"] == "abc"
    assert headers["x-ms-file-attributes"] == "Archive"
    assert headers["x-ms-file-parent-id"] == "42"
