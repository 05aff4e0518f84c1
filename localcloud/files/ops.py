"""Which File service operation a request is, and the reply a handler returns (pure)."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from localcloud.files.errors import FileError
from localcloud.files.paths import Target


class Op(enum.Enum):
    CREATE_SHARE = "create share"
    SHARE_PROPERTIES = "get share properties"
    DELETE_SHARE = "delete share"
    CREATE_DIRECTORY = "create directory"
    DIRECTORY_PROPERTIES = "get directory properties"
    DELETE_DIRECTORY = "delete directory"
    SET_DIRECTORY_METADATA = "set directory metadata"
    LIST = "list directories and files"
    CREATE_FILE = "create file"
    PUT_RANGE = "put range"
    SET_FILE_PROPERTIES = "set file properties"
    SET_FILE_METADATA = "set file metadata"
    FILE_PROPERTIES = "get file properties"
    DOWNLOAD = "get file"
    DELETE_FILE = "delete file"


# (restype, comp, method) -> operation; HEAD reads like GET.
_TABLE: dict[tuple[str, str, str], Op] = {
    ("share", "", "PUT"): Op.CREATE_SHARE,
    ("share", "", "GET"): Op.SHARE_PROPERTIES,
    ("share", "", "DELETE"): Op.DELETE_SHARE,
    ("directory", "", "PUT"): Op.CREATE_DIRECTORY,
    ("directory", "", "GET"): Op.DIRECTORY_PROPERTIES,
    ("directory", "", "DELETE"): Op.DELETE_DIRECTORY,
    ("directory", "metadata", "PUT"): Op.SET_DIRECTORY_METADATA,
    ("directory", "list", "GET"): Op.LIST,
    ("", "", "PUT"): Op.CREATE_FILE,
    ("", "range", "PUT"): Op.PUT_RANGE,
    ("", "properties", "PUT"): Op.SET_FILE_PROPERTIES,
    ("", "metadata", "PUT"): Op.SET_FILE_METADATA,
    ("", "", "GET"): Op.DOWNLOAD,
    ("", "", "DELETE"): Op.DELETE_FILE,
}
SHARE_OPS = frozenset({Op.CREATE_SHARE, Op.SHARE_PROPERTIES, Op.DELETE_SHARE})
WRITE_OPS = frozenset(
    {
        Op.CREATE_DIRECTORY,
        Op.DELETE_DIRECTORY,
        Op.SET_DIRECTORY_METADATA,
        Op.CREATE_FILE,
        Op.PUT_RANGE,
        Op.SET_FILE_PROPERTIES,
        Op.SET_FILE_METADATA,
        Op.DELETE_FILE,
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


def classify(method: str, query: Mapping[str, str], target: Target) -> Op:
    """The operation of a request; FileError (400/405) for anything the service lacks."""
    if not target.share:
        raise FileError(400, "InvalidUri", "Account-level operations are not served by localcloud.")
    restype = query.get("restype", "").lower()
    comp = query.get("comp", "").lower()
    verb = "GET" if method.upper() == "HEAD" else method.upper()
    if method.upper() == "HEAD" and (restype, comp) == ("", ""):
        op: Op | None = Op.FILE_PROPERTIES
    else:
        op = _TABLE.get((restype, comp, verb))
    if op is None:
        if not any(key[:2] == (restype, comp) for key in _TABLE):
            raise FileError(
                400,
                "InvalidQueryParameterValue",
                f"restype={restype!r} comp={comp!r} is not a supported operation.",
            )
        raise FileError(405, "UnsupportedHttpVerb", f"{method} is not allowed here.")
    if op in _FILE_OPS and not target.parts:
        raise FileError(400, "InvalidUri", "A file operation needs a file path.")
    return op
