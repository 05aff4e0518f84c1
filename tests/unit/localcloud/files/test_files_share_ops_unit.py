"""Share-level pieces: stored access policies, share settings, List Shares XML, service
properties, permission keys and rename sources."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from localcloud.files import account, acl, permissions
from localcloud.files.copyops import source_target as source_of_copy
from localcloud.files.errors import FileError
from localcloud.files.meta import ShareMeta
from localcloud.files.paths import Target, without_trailing_dots
from localcloud.files.props import ContentSettings, Props
from localcloud.files.rename import source_target
from localcloud.files.shareprops import AccessPolicy, ShareSettings
from localcloud.files.snapshots import snapshot_name

NS = 1_733_483_584_000_000_000  # Fri, 06 Dec 2024 11:13:04 GMT


def root_props() -> Props:
    return Props(True, "0", "0", 0, NS, NS, NS, NS, '"0x8DD15E6F4C47137"', ContentSettings(), ())


def test_acl_round_trips_through_its_xml() -> None:
    policies = (AccessPolicy("testid", "2024-01-01T00:00:00Z", None, "r"),)
    assert acl.parse(acl.render(policies).encode()) == policies
    assert acl.parse(b"") == ()


def test_acl_with_too_many_policies_is_refused() -> None:
    body = "".join(f"<SignedIdentifier><Id>i{n}</Id></SignedIdentifier>" for n in range(6))
    with pytest.raises(FileError) as caught:
        acl.parse(f"<SignedIdentifiers>{body}</SignedIdentifiers>".encode())
    assert caught.value.code == "InvalidXmlDocument"


def test_a_tier_change_is_counted_and_pending() -> None:
    settings = ShareSettings().with_tier("Hot", NS)
    assert (settings.tier_changes, settings.transition_state) == (
        1,
        "pending-from-transactionOptimized",
    )
    assert settings.with_tier("Hot", NS) is settings
    assert ShareSettings.from_json(settings.to_json()) == settings


def test_list_shares_xml_has_the_recorded_element_set() -> None:
    settings = ShareSettings(quota_gib=3).with_tier("Hot", NS)
    options = account.share_list_options({"include": "snapshots"})
    body = account.render_shares(
        "https://h/acct/", [account.ListedShare("s1", root_props(), settings)], options, ""
    ).decode()
    assert (
        "<Share><Name>s1</Name><Properties><Last-Modified>Fri, 06 Dec 2024 11:13:04 GMT"
        '</Last-Modified><Etag>"0x8DD15E6F4C47137"</Etag><LeaseStatus>unlocked</LeaseStatus>'
        "<LeaseState>available</LeaseState><Quota>3</Quota><AccessTier>Hot</AccessTier>"
        "<AccessTierChangeTime>Fri, 06 Dec 2024 11:13:04 GMT</AccessTierChangeTime>"
        "<AccessTierTransitionState>pending-from-transactionOptimized"
        "</AccessTierTransitionState><AccessTierChangeCount>1</AccessTierChangeCount>"
        "<DefaultEncryptionScope>$account-encryption-key</DefaultEncryptionScope>"
        "<DenyEncryptionScopeOverride>false</DenyEncryptionScopeOverride></Properties></Share>"
    ) in body


def test_list_shares_pages_by_name() -> None:
    options = account.share_list_options({"maxresults": "2"})
    page, marker = account.select_shares(["c", "a", "b"], options)
    assert page == ["a", "b"]
    follow = account.share_list_options({"marker": marker})
    assert account.select_shares(["c", "a", "b"], follow) == (["c"], "")


def test_service_properties_keep_sections_not_set_again() -> None:
    hour = (
        "<HourMetrics><Version>1.0</Version><Enabled>true</Enabled><IncludeAPIs>false"
        "</IncludeAPIs><RetentionPolicy><Enabled>false</Enabled></RetentionPolicy></HourMetrics>"
    )
    first = account.merge_service_properties(
        {}, f"<StorageServiceProperties>{hour}</StorageServiceProperties>".encode()
    )
    second = account.merge_service_properties(
        first, b"<StorageServiceProperties><Cors /></StorageServiceProperties>"
    )
    body = account.render_service_properties(second).decode()
    assert hour in body
    assert "<Cors />" in body
    assert "<MinuteMetrics><Version>1.0</Version><Enabled>false</Enabled>" in body


def test_equal_descriptors_get_equal_permission_keys() -> None:
    sddl = "O:S-1-5-21G:S-1-5-21D:(A;;FA;;;SY)"
    key = permissions.key_of(sddl)
    assert key == permissions.key_of(sddl + " ")
    first, second = key.split("*")
    assert first.isdigit() and second.isdigit()


@pytest.mark.parametrize("sddl", ["", "abcde", "X:bad"])
def test_malformed_descriptors_are_refused(sddl: str) -> None:
    with pytest.raises(FileError) as caught:
        permissions.check(sddl)
    assert (caught.value.status, caught.value.code) == (400, "FileInvalidPermission")


DEST = Target("acct", "share", ("new.txt",))


@pytest.mark.parametrize(
    "url",
    [
        "https://acct.file.core.windows.net/share/dir/old%20name.txt",
        "https://127.0.0.1:8443/acct/share/dir/old%20name.txt?sv=x&sig=y",
    ],
)
def test_a_rename_source_is_read_from_either_url_form(url: str) -> None:
    assert source_target(DEST, url).parts == ("dir", "old name.txt")


def test_a_rename_source_in_another_share_is_refused() -> None:
    with pytest.raises(FileError) as caught:
        source_target(DEST, "https://acct.file.core.windows.net/other/a.txt")
    assert caught.value.status == 400


def test_a_descriptor_comes_back_in_the_form_it_was_given() -> None:
    meta = ShareMeta(Path(":memory:"))
    binary = base64.b64encode(bytes(range(40))).decode()
    key = permissions.store(meta, binary, "binary")
    assert permissions.load(meta, key, "binary") == binary
    with pytest.raises(FileError) as caught:
        permissions.load(meta, key, "sddl")
    assert caught.value.status == 400
    assert permissions.load(meta, "1*2") is None
    meta.close()


def test_snapshots_are_named_by_the_second_and_never_twice() -> None:
    first = snapshot_name(NS + 123_456_789, [])
    assert first == "2024-12-06T11:13:04.0000000Z"
    assert snapshot_name(NS, [first]) == "2024-12-06T11:13:05.0000000Z"


def test_trailing_dots_are_dropped_unless_allowed() -> None:
    target = Target("acct", "share", ("dir.", "file.."))
    assert without_trailing_dots(target).parts == ("dir", "file")
    with pytest.raises(FileError):
        without_trailing_dots(Target("acct", "share", ("...",)))


@pytest.mark.parametrize(
    ("url", "account"),
    [
        ("https://acct.file.core.windows.net/share/dir/a.txt", "acct"),
        ("https://127.0.0.1:8443/other/share/dir/a.txt?sv=x&sig=y", "other"),
    ],
)
def test_a_copy_source_is_read_from_either_url_form(url: str, account: str) -> None:
    source = source_of_copy(url, DEST)
    assert (source.account, source.share, source.parts) == (account, "share", ("dir", "a.txt"))


@pytest.mark.parametrize(
    "url",
    [
        "https://acct.blob.core.windows.net/container/blob",
        "https://other.file.core.windows.net/share/a.txt",  # another account, no SAS
        "https://acct.file.core.windows.net/share",
    ],
)
def test_copy_sources_not_served_cannot_be_verified(url: str) -> None:
    with pytest.raises(FileError) as caught:
        source_of_copy(url, DEST)
    assert (caught.value.status, caught.value.code) == (404, "CannotVerifyCopySource")
