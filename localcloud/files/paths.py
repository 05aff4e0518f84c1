"""Request paths: `/<account>/<share>/<path...>` -> a validated `Target` (pure).

The SDK percent-encodes a directory path as one segment (`inference%2Futils`), so the whole
path is decoded before it is split on `/`. Components that could leave the share (`..`, `.`,
empty, NUL, backslash) are refused with 400 `InvalidResourceName`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from localcloud.files.errors import FileError, invalid_name

ACCOUNT_NAME = re.compile(r"[a-z0-9]{3,24}")
SHARE_NAME = re.compile(r"[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}")
# Characters Azure Files refuses in file and directory names, plus NUL and controls.
_INVALID_CHARS = re.compile(r'[\x00-\x1f"\\/:|<>*?]')
_MAX_COMPONENT_BYTES = 255
_MAX_PATH_CHARS = 2048


@dataclass(frozen=True)
class Target:
    """What a data-plane request addresses. `parts` is empty for the share itself."""

    account: str  # lower-cased
    share: str  # lower-cased; "" when the request names only the account
    parts: tuple[str, ...]

    @property
    def relpath(self) -> str:
        """The path inside the share, `/`-separated, "" for the share root."""
        return "/".join(self.parts)

    @property
    def parent(self) -> tuple[str, ...]:
        return self.parts[:-1]


def split_raw(raw_path_and_query: str) -> tuple[str, str]:
    """`/a/b?x=1` -> (`/a/b`, `x=1`)."""
    path, _, query = raw_path_and_query.partition("?")
    return path, query


def first_segment(raw_path: str) -> str:
    return raw_path.lstrip("/").split("/", 1)[0]


def parse_target(raw_path: str) -> Target:
    """Decode and validate `/<account>/<share>/<path...>`; raises FileError (400)."""
    if len(raw_path) > _MAX_PATH_CHARS:
        raise FileError(414, "InvalidUri", "The request URI is too long.")
    segments = raw_path.split("/")
    if len(segments) < 2 or segments[0] != "":
        raise FileError(400, "InvalidUri", "The requested URI does not represent any resource.")
    account = unquote(segments[1]).lower()
    share = unquote(segments[2]).lower() if len(segments) > 2 else ""
    if share and not SHARE_NAME.fullmatch(share):
        raise invalid_name(f"share name {share!r}")
    rest = "/".join(segments[3:])
    try:
        decoded = unquote(rest, errors="strict")
    except UnicodeDecodeError as error:
        raise invalid_name("the path is not percent-encoded UTF-8") from error
    return Target(account, share, _split_components(decoded))


def without_trailing_dots(target: Target) -> Target:
    """The target as the service reads it without `x-ms-allow-trailing-dot: true`: trailing
    dots of each name are dropped (`file.` is `file`)."""
    parts = tuple(part.rstrip(".") for part in target.parts)
    if any(not part for part in parts):
        raise invalid_name("a name made only of dots is not allowed")
    return Target(target.account, target.share, parts)


def validate_share_name(share: str) -> str:
    """The lower-cased share name; ValueError when it is not a valid Azure share name."""
    lowered = share.lower()
    if not SHARE_NAME.fullmatch(lowered):
        raise ValueError(f"invalid file share name: {share!r}")
    return lowered


def validate_account_name(account: str) -> str:
    lowered = account.lower()
    if not ACCOUNT_NAME.fullmatch(lowered):
        raise ValueError(f"invalid storage account name: {account!r}")
    return lowered


def _split_components(decoded: str) -> tuple[str, ...]:
    if decoded.endswith("/"):
        decoded = decoded[:-1]  # `/share/dir/` names `dir`
    if not decoded:
        return ()
    if decoded.startswith("/"):
        raise invalid_name("absolute path components are not allowed")
    components = tuple(decoded.split("/"))
    for component in components:
        _check_component(component)
    return components


def _check_component(component: str) -> None:
    if component in ("", ".", ".."):
        raise invalid_name(f"path component {component!r} is not allowed")
    if _INVALID_CHARS.search(component):
        raise invalid_name(f"{component!r} contains a character Azure Files does not allow")
    if len(component.encode("utf-8")) > _MAX_COMPONENT_BYTES:
        raise invalid_name(f"{component[:40]!r}... is longer than 255 bytes")
