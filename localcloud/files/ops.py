"""Which File service operation a request is, and the reply a handler returns (pure)."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from localcloud.files.errors import FileError
from localcloud.files.paths import Target


class Op(enum.Enum):
    LIST_SHARES = "list shares"
    SERVICE_PROPERTIES = "get file service properties"
    SET_SERVICE_PROPERTIES = "set file service properties"
    CREATE_SHARE = "create share"
    SHARE_PROPERTIES = "get share properties"
    DELETE_SHARE = "delete share"
    SET_SHARE_METADATA = "set share metadata"
    SET_SHARE_PROPERTIES = "set share properties"
    SHARE_STATS = "get share stats"
    SHARE_ACL = "get share acl"
    SET_SHARE_ACL = "set share acl"
    CREATE_SNAPSHOT = "snapshot share"
    CREATE_PERMISSION = "create permission"
    GET_PERMISSION = "get permission"
    CREATE_DIRECTORY = "create directory"
    DIRECTORY_PROPERTIES = "get directory properties"
    DELETE_DIRECTORY = "delete directory"
    SET_DIRECTORY_METADATA = "set directory metadata"
    SET_DIRECTORY_PROPERTIES = "set directory properties"
    LIST = "list directories and files"
    CREATE_FILE = "create file"
    PUT_RANGE = "put range"
    SET_FILE_PROPERTIES = "set file properties"
    SET_FILE_METADATA = "set file metadata"
    FILE_PROPERTIES = "get file properties"
    DOWNLOAD = "get file"
    DELETE_FILE = "delete file"
    FILE_LEASE = "lease file"
    LIST_RANGES = "list ranges"
    RENAME_FILE = "rename file"
    ABORT_COPY = "abort copy file"
    RENAME_DIRECTORY = "rename directory"
    SHARE_LEASE = "lease share"


# Requests naming only the account: (restype, comp, method) -> operation.
_ACCOUNT_TABLE: dict[tuple[str, str, str], Op] = {
    ("", "list", "GET"): Op.LIST_SHARES,
    ("service", "properties", "GET"): Op.SERVICE_PROPERTIES,
    ("service", "properties", "PUT"): Op.SET_SERVICE_PROPERTIES,
}
# Requests naming a share: (restype, comp, method) -> operation; HEAD reads like GET.
_TABLE: dict[tuple[str, str, str], Op] = {
    ("share", "", "PUT"): Op.CREATE_SHARE,
    ("share", "", "GET"): Op.SHARE_PROPERTIES,
    ("share", "", "DELETE"): Op.DELETE_SHARE,
    ("share", "metadata", "PUT"): Op.SET_SHARE_METADATA,
    ("share", "metadata", "GET"): Op.SHARE_PROPERTIES,
    ("share", "properties", "PUT"): Op.SET_SHARE_PROPERTIES,
    ("share", "stats", "GET"): Op.SHARE_STATS,
    ("share", "acl", "GET"): Op.SHARE_ACL,
    ("share", "acl", "PUT"): Op.SET_SHARE_ACL,
    ("share", "snapshot", "PUT"): Op.CREATE_SNAPSHOT,
    ("share", "lease", "PUT"): Op.SHARE_LEASE,
    ("share", "filepermission", "PUT"): Op.CREATE_PERMISSION,
    ("share", "filepermission", "GET"): Op.GET_PERMISSION,
    ("directory", "", "PUT"): Op.CREATE_DIRECTORY,
    ("directory", "", "GET"): Op.DIRECTORY_PROPERTIES,
    ("directory", "", "DELETE"): Op.DELETE_DIRECTORY,
    ("directory", "metadata", "PUT"): Op.SET_DIRECTORY_METADATA,
    ("directory", "properties", "PUT"): Op.SET_DIRECTORY_PROPERTIES,
    ("directory", "list", "GET"): Op.LIST,
    ("", "", "PUT"): Op.CREATE_FILE,
    ("", "range", "PUT"): Op.PUT_RANGE,
    ("", "properties", "PUT"): Op.SET_FILE_PROPERTIES,
    ("", "metadata", "PUT"): Op.SET_FILE_METADATA,
    ("", "", "GET"): Op.DOWNLOAD,
    ("", "", "DELETE"): Op.DELETE_FILE,
    ("", "lease", "PUT"): Op.FILE_LEASE,
    ("", "rangelist", "GET"): Op.LIST_RANGES,
    ("", "rename", "PUT"): Op.RENAME_FILE,
    ("", "copy", "PUT"): Op.ABORT_COPY,
    ("directory", "rename", "PUT"): Op.RENAME_DIRECTORY,
}
ACCOUNT_OPS = frozenset(_ACCOUNT_TABLE.values())
_SHARE_WRITES = frozenset(
    op for (restype, _, method), op in _TABLE.items() if restype == "share" and method != "GET"
)
SHARE_OPS = frozenset(op for (restype, _, _), op in _TABLE.items() if restype == "share")
# What a request naming `sharesnapshot` may do (besides deleting that snapshot).
SNAPSHOT_READS = frozenset(
    {
        Op.SHARE_PROPERTIES,
        Op.SHARE_STATS,
        Op.DIRECTORY_PROPERTIES,
        Op.LIST,
        Op.FILE_PROPERTIES,
        Op.DOWNLOAD,
        Op.LIST_RANGES,
    }
)
WRITE_OPS = frozenset(
    {
        Op.CREATE_DIRECTORY,
        Op.DELETE_DIRECTORY,
        Op.SET_DIRECTORY_METADATA,
        Op.SET_DIRECTORY_PROPERTIES,
        Op.CREATE_FILE,
        Op.PUT_RANGE,
        Op.SET_FILE_PROPERTIES,
        Op.SET_FILE_METADATA,
        Op.DELETE_FILE,
        Op.FILE_LEASE,
        Op.RENAME_FILE,
        Op.RENAME_DIRECTORY,
        Op.ABORT_COPY,
    }
)
_FILE_OPS = frozenset(op for (restype, _, _), op in _TABLE.items() if restype == "") | {
    Op.FILE_PROPERTIES
}


@dataclass(frozen=True)
class Stream:
    """File bytes a reply sends: `length` bytes from `offset`, read in pieces with
    `read(offset, size)` (blocking; the sender calls it in a worker thread)."""

    read: Callable[[int, int], bytes]
    offset: int
    length: int


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    stream: Stream | None = None


def sas_letters(op: Op) -> str:
    """The SAS permissions one of which an operation needs (`r`ead, `l`ist, `c`reate,
    `w`rite, `d`elete)."""
    if op in (Op.LIST, Op.LIST_SHARES):
        return "l"
    if op in (Op.DELETE_FILE, Op.DELETE_DIRECTORY, Op.DELETE_SHARE):
        return "d"
    if op in (Op.CREATE_FILE, Op.CREATE_DIRECTORY, Op.CREATE_SHARE):
        return "cw"
    if op in WRITE_OPS or op in _SHARE_WRITES or op is Op.SET_SERVICE_PROPERTIES:
        return "w"
    return "r"


def classify(method: str, query: Mapping[str, str], target: Target) -> Op:
    """The operation of a request; FileError (400/405) for anything the service lacks."""
    restype = query.get("restype", "").lower()
    comp = query.get("comp", "").lower()
    verb = "GET" if method.upper() == "HEAD" else method.upper()
    table = _TABLE if target.share else _ACCOUNT_TABLE
    if target.share and method.upper() == "HEAD" and (restype, comp) == ("", ""):
        op: Op | None = Op.FILE_PROPERTIES
    else:
        op = table.get((restype, comp, verb))
    if op is None:
        if not any(key[:2] == (restype, comp) for key in table):
            raise FileError(
                400,
                "InvalidQueryParameterValue",
                f"restype={restype!r} comp={comp!r} is not a supported operation.",
            )
        raise FileError(405, "UnsupportedHttpVerb", f"{method} is not allowed here.")
    if op in _FILE_OPS and not target.parts:
        raise FileError(400, "InvalidUri", "A file operation needs a file path.")
    return op
