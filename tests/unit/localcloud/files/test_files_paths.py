"""Request path decoding and the refusal of anything that could leave the share."""

from __future__ import annotations

import pytest

from localcloud.files.errors import FileError
from localcloud.files.paths import (
    Target,
    parse_target,
    split_raw,
    validate_account_name,
    validate_share_name,
)


def test_directory_path_encoded_as_one_segment_is_split_after_decoding() -> None:
    target = parse_target("/acct/share/inference%2Futils")
    assert target == Target("acct", "share", ("inference", "utils"))
    assert target.relpath == "inference/utils"
    assert target.parent == ("inference",)


def test_file_path_segments_are_decoded() -> None:
    target = parse_target("/Acct/share/utils/big%20file%2Bname.bin")
    assert target == Target("acct", "share", ("utils", "big file+name.bin"))


def test_unicode_names_are_decoded_from_utf8() -> None:
    assert parse_target("/a1c/share/%C3%A9t%C3%A9.txt").parts == ("été.txt",)


def test_share_root_and_account_only() -> None:
    assert parse_target("/acct/share").parts == ()
    assert parse_target("/acct/share/").parts == ()
    assert parse_target("/acct") == Target("acct", "", ())


def test_trailing_slash_names_the_directory() -> None:
    assert parse_target("/acct/share/dir/").parts == ("dir",)


@pytest.mark.parametrize(
    "raw",
    [
        "/acct/share/..",
        "/acct/share/a/../b",
        "/acct/share/a%2F..%2F..%2Fetc",
        "/acct/share/%2E%2E/x",
        "/acct/share/./x",
        "/acct/share/%2Fetc%2Fpasswd",
        "/acct/share/a//b",
        "/acct/share/a%5Cb",
        "/acct/share/a%00b",
        "/acct/share/a%3Ab",
        "/acct/share/%FF",
        "/acct/share/" + "x" * 256,
    ],
)
def test_escaping_or_invalid_components_are_refused(raw: str) -> None:
    with pytest.raises(FileError) as caught:
        parse_target(raw)
    assert (caught.value.status, caught.value.code) == (400, "InvalidResourceName")


def test_invalid_share_name_is_refused() -> None:
    with pytest.raises(FileError) as caught:
        parse_target("/acct/..")
    assert caught.value.code == "InvalidResourceName"


def test_split_raw_separates_the_query() -> None:
    assert split_raw("/a/s/d?restype=directory&comp=list") == (
        "/a/s/d",
        "restype=directory&comp=list",
    )
    assert split_raw("/a/s") == ("/a/s", "")


def test_validate_names() -> None:
    assert validate_share_name("Share-1") == "share-1"
    assert validate_account_name("Acct01") == "acct01"
    for bad in ("ab", "-share", "share--x", "../x", "a" * 64):
        with pytest.raises(ValueError):
            validate_share_name(bad)
    with pytest.raises(ValueError):
        validate_account_name("no-dashes")
