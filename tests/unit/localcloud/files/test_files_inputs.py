"""Request inputs: query, metadata (with the bare x-ms-meta quirk), content settings, ranges."""

from __future__ import annotations

import base64
import hashlib

import pytest

from localcloud.files import inputs
from localcloud.files.errors import FileError

MD5 = base64.b64encode(hashlib.md5(b"hello").digest()).decode()


def error_of(call: object, *args: object) -> tuple[int, str]:
    with pytest.raises(FileError) as caught:
        call(*args)  # type: ignore[operator]
    return caught.value.status, caught.value.code


def test_query_params_decode_values_and_lower_names() -> None:
    params = inputs.query_params("restype=directory&Comp=list&prefix=a%20b%2Bc&marker=")
    assert params == {"restype": "directory", "comp": "list", "prefix": "a b+c", "marker": ""}


def test_metadata_ignores_the_bare_x_ms_meta_header() -> None:
    headers = [("x-ms-meta", "{'sha256': 'abc'}"), ("x-ms-meta-sha256", "abc"), ("x-ms-type", "f")]
    assert inputs.metadata(headers) == (("sha256", "abc"),)


def test_metadata_refuses_invalid_names() -> None:
    assert error_of(inputs.metadata, [("x-ms-meta-1bad", "v")]) == (400, "InvalidMetadata")


def test_content_settings_default_and_given() -> None:
    assert inputs.content_settings({}).content_type == "application/octet-stream"
    given = inputs.content_settings({"x-ms-content-type": "text/plain", "x-ms-content-md5": MD5})
    assert (given.content_type, given.content_md5) == ("text/plain", MD5)


def test_content_md5_property_is_stored_as_given_but_must_be_base64() -> None:
    # the service keeps x-ms-content-md5 as a property without checking its length (the
    # SDK's own tests set an 8-byte value and read it back)
    short = base64.b64encode(b"short").decode()
    assert inputs.content_settings({"x-ms-content-md5": short}).content_md5 == short
    bad = {"x-ms-content-md5": "not base64!"}
    assert error_of(inputs.content_settings, bad) == (400, "InvalidHeaderValue")


def test_transactional_content_md5_must_be_16_bytes() -> None:
    short = {"Content-MD5": base64.b64encode(b"short").decode()}
    assert error_of(lambda h: inputs.check_body_md5(h, b"x" * 16), short) == (
        400,
        "InvalidHeaderValue",
    )


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("hidden", "Hidden"),
        ("Archive|ReadOnly", "ReadOnly | Archive"),
        ("None", ""),
        ("preserve", None),
        (None, None),
    ],
)
def test_file_attributes_are_spelled_and_ordered_as_the_service_does(
    sent: str | None, kept: str | None
) -> None:
    headers = {} if sent is None else {"x-ms-file-attributes": sent}
    assert inputs.smb_times(headers).attributes == kept


def test_unknown_file_attributes_are_refused() -> None:
    bad = {"x-ms-file-attributes": "ReadOnly|Bogus"}
    assert error_of(inputs.smb_times, bad) == (400, "InvalidHeaderValue")


def test_content_length_required_and_checked() -> None:
    assert inputs.required_content_length({"x-ms-content-length": "42"}) == 42
    assert inputs.content_length({}) is None
    assert error_of(inputs.required_content_length, {}) == (400, "MissingRequiredHeader")
    assert error_of(inputs.content_length, {"x-ms-content-length": "-1"})[1] == (
        "InvalidHeaderValue"
    )


def test_byte_range_prefers_x_ms_range() -> None:
    both = {"x-ms-range": "bytes=4-9", "Range": "bytes=0-1"}
    assert inputs.byte_range(both) == inputs.ByteRange(4, 9)
    assert inputs.byte_range({"Range": "bytes=5-"}) == inputs.ByteRange(5, None)
    assert inputs.byte_range({}) is None
    assert error_of(inputs.byte_range, {"x-ms-range": "bytes=9-4"}) == (416, "InvalidRange")
    assert error_of(inputs.byte_range, {"x-ms-range": "items=1-2"}) == (416, "InvalidRange")


def test_write_range_checks_the_file_size() -> None:
    headers = {"x-ms-write": "update", "x-ms-range": "bytes=0-11"}
    assert inputs.write_range(headers, 12) == ("update", 0, 12)
    assert error_of(inputs.write_range, headers, 11) == (416, "InvalidRange")
    clear = {"x-ms-write": "Clear", "x-ms-range": "bytes=2-3"}
    assert inputs.write_range(clear, 10) == ("clear", 2, 2)
    assert error_of(inputs.write_range, {"x-ms-range": "bytes=0-1"}, 9)[1] == (
        "MissingRequiredHeader"
    )


def test_write_range_over_4_mib_is_too_large() -> None:
    headers = {"x-ms-write": "update", "x-ms-range": f"bytes=0-{4 * 1024 * 1024}"}
    assert error_of(inputs.write_range, headers, 10**9) == (413, "RequestBodyTooLarge")


def test_transactional_md5_must_match_the_body() -> None:
    inputs.check_body_md5({"Content-MD5": MD5}, hashlib.md5(b"hello").digest())
    inputs.check_body_md5({}, b"anything")
    assert error_of(
        inputs.check_body_md5, {"Content-MD5": MD5}, hashlib.md5(b"other").digest()
    ) == (400, "Md5Mismatch")


def test_smb_times_parse_timestamps_and_skip_keywords() -> None:
    times = inputs.smb_times(
        {"x-ms-file-creation-time": "now", "x-ms-file-last-write-time": "2019-09-04T08:13:20.96Z"}
    )
    assert times == inputs.SmbTimes(None, 1_567_584_800_960_000_000)
    assert error_of(inputs.smb_times, {"x-ms-file-creation-time": "yesterday"}) == (
        400,
        "InvalidHeaderValue",
    )
    assert error_of(inputs.smb_times, {"x-ms-file-creation-time": "2019-13-45T00:00:00Z"})[0] == 400
