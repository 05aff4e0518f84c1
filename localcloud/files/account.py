"""Account-level operations: List Shares and the File service properties (pure rendering).

List Shares pages by name like List Directories and Files (`NextMarker` is the next share's
name, opaque to clients). Service properties are kept per account as the sections a client
last set (`HourMetrics`, `MinuteMetrics`, `Cors`, `ProtocolSettings`), over Azure's defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from xml.etree import ElementTree
from xml.sax.saxutils import escape, quoteattr

from localcloud.files.errors import FileError, invalid_query
from localcloud.files.leases import LeaseView
from localcloud.files.listing import decode_marker, encode_marker
from localcloud.files.props import Props, http_date
from localcloud.files.shareprops import ShareSettings

MAX_RESULTS = 5000
MAX_CORS_RULES = 5
NO_LEASE = LeaseView("available", "unlocked", None)
SERVICE_SECTIONS = ("HourMetrics", "MinuteMetrics", "Cors", "ProtocolSettings")
_METRICS_DEFAULT = (
    "<Version>1.0</Version><Enabled>false</Enabled>"
    "<RetentionPolicy><Enabled>false</Enabled></RetentionPolicy>"
)
DEFAULT_SECTIONS = {
    "HourMetrics": f"<HourMetrics>{_METRICS_DEFAULT}</HourMetrics>",
    "MinuteMetrics": f"<MinuteMetrics>{_METRICS_DEFAULT}</MinuteMetrics>",
    "Cors": "<Cors />",
    "ProtocolSettings": (
        "<ProtocolSettings><SMB><Multichannel><Enabled>false</Enabled></Multichannel></SMB>"
        "</ProtocolSettings>"
    ),
}


@dataclass(frozen=True)
class ListedShare:
    name: str
    props: Props
    settings: ShareSettings
    snapshot: str | None = None
    lease: LeaseView = NO_LEASE


@dataclass(frozen=True)
class ShareListOptions:
    prefix: str
    marker: str
    raw_marker: str
    max_results: int | None
    metadata: bool
    snapshots: bool


def share_list_options(query: Mapping[str, str]) -> ShareListOptions:
    raw_marker = query.get("marker", "")
    max_results = query.get("maxresults")
    if max_results is not None and (not max_results.isdigit() or int(max_results) < 1):
        raise invalid_query("maxresults", f"{max_results!r} is not a positive integer")
    include = {v.strip().lower() for v in query.get("include", "").split(",") if v.strip()}
    return ShareListOptions(
        prefix=query.get("prefix", ""),
        marker=decode_marker(raw_marker) if raw_marker else "",
        raw_marker=raw_marker,
        max_results=None if max_results is None else min(int(max_results), MAX_RESULTS),
        metadata="metadata" in include,
        snapshots="snapshots" in include,
    )


def select_shares(names: list[str], options: ShareListOptions) -> tuple[list[str], str]:
    candidates = sorted(n for n in names if n.startswith(options.prefix) and n >= options.marker)
    limit = options.max_results or MAX_RESULTS
    rest = candidates[limit:]
    return candidates[:limit], encode_marker(rest[0]) if rest else ""


def render_shares(
    endpoint: str, shares: list[ListedShare], options: ShareListOptions, next_marker: str
) -> bytes:
    head = (
        '<?xml version="1.0" encoding="utf-8"?>'
        f"<EnumerationResults ServiceEndpoint={quoteattr(endpoint)}>"
    )
    if options.prefix:
        head += f"<Prefix>{escape(options.prefix)}</Prefix>"
    if options.raw_marker:
        head += f"<Marker>{escape(options.raw_marker)}</Marker>"
    if options.max_results is not None:
        head += f"<MaxResults>{options.max_results}</MaxResults>"
    items = "".join(_share(item, options.metadata) for item in shares)
    body = f"<Shares>{items}</Shares>" if items else "<Shares />"
    tail = f"<NextMarker>{escape(next_marker)}</NextMarker>" if next_marker else "<NextMarker />"
    return (head + body + tail + "</EnumerationResults>").encode("utf-8")


def _share(item: ListedShare, with_metadata: bool) -> str:
    props, settings = item.props, item.settings
    changed = settings.tier_changed_ns or props.created_ns
    fields = (
        f"<Last-Modified>{http_date(props.modified_ns)}</Last-Modified>"
        f"<Etag>{escape(props.etag)}</Etag>"
        f"<LeaseStatus>{item.lease.status}</LeaseStatus><LeaseState>{item.lease.state}</LeaseState>"
        f"{_lease_duration(item.lease)}<Quota>{settings.quota_gib}</Quota>"
    )
    if item.snapshot is None:  # a snapshot has no tier of its own
        fields += (
            f"<AccessTier>{settings.access_tier}</AccessTier>"
            f"<AccessTierChangeTime>{http_date(changed)}</AccessTierChangeTime>"
        )
    if settings.transition_state is not None and item.snapshot is None:
        fields += (
            f"<AccessTierTransitionState>{settings.transition_state}</AccessTierTransitionState>"
            f"<AccessTierChangeCount>{settings.tier_changes}</AccessTierChangeCount>"
        )
    fields += (
        "<DefaultEncryptionScope>$account-encryption-key</DefaultEncryptionScope>"
        "<DenyEncryptionScopeOverride>false</DenyEncryptionScopeOverride>"
    )
    if settings.protocols != "SMB":
        fields += f"<EnabledProtocols>{settings.protocols}</EnabledProtocols>"
    if settings.root_squash:
        fields += f"<RootSquash>{escape(settings.root_squash)}</RootSquash>"
    if settings.snapshot_directory is not None:
        flag = str(settings.snapshot_directory).lower()
        fields += (
            f"<EnableSnapshotVirtualDirectoryAccess>{flag}</EnableSnapshotVirtualDirectoryAccess>"
        )
    metadata = ""
    if with_metadata:
        pairs = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in props.metadata)
        metadata = f"<Metadata>{pairs}</Metadata>"
    name = f"<Name>{escape(item.name)}</Name>"
    if item.snapshot is not None:
        name += f"<Snapshot>{item.snapshot}</Snapshot>"
    return f"<Share>{name}<Properties>{fields}</Properties>{metadata}</Share>"


def _lease_duration(lease: LeaseView) -> str:
    return "" if lease.duration is None else f"<LeaseDuration>{lease.duration}</LeaseDuration>"


def merge_service_properties(stored: Mapping[str, str], body: bytes) -> dict[str, str]:
    """The sections after a Set File Service Properties with `body`; 400 when malformed."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as error:
        raise _invalid_xml(str(error)) from error
    if root.tag != "StorageServiceProperties":
        raise _invalid_xml("the root element must be StorageServiceProperties")
    sections = dict(stored)
    for child in root:
        if child.tag not in SERVICE_SECTIONS:
            raise _invalid_xml(f"unknown element {child.tag}")
        if child.tag == "Cors" and len(child.findall("CorsRule")) > MAX_CORS_RULES:
            raise _invalid_xml(f"at most {MAX_CORS_RULES} CORS rules are allowed")
        sections[child.tag] = ElementTree.tostring(child, encoding="unicode")
    return sections


def render_service_properties(stored: Mapping[str, str]) -> bytes:
    sections = "".join(stored.get(name, DEFAULT_SECTIONS[name]) for name in SERVICE_SECTIONS)
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f"<StorageServiceProperties>{sections}</StorageServiceProperties>"
    ).encode()


def _invalid_xml(why: str) -> FileError:
    return FileError(400, "InvalidXmlDocument", f"XML specified is not syntactically valid: {why}")
