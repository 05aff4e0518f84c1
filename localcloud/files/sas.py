"""Shared access signatures (pure): account SAS and service SAS for shares and files.

The string-to-sign is the one the client libraries build (azure-storage-file-share
`_shared/shared_access_signature.py` and `_shared_access_signature.py`): for an account SAS
the account, `sp ss srt st se sip spr sv` and an empty encryption scope; for a service SAS
`sp st se`, `/file/<account>/<share>[/<path>]`, `si sip spr sv` and the response-header
overrides `rscc rscd rsce rscl rsct`. A stored access policy (`si`) supplies the permissions
and times the token leaves out. User delegation SAS is not served.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

from localcloud.files import sharedkey
from localcloud.files.errors import FileError
from localcloud.files.paths import Target
from localcloud.files.shareprops import AccessPolicy

# Response headers a service SAS may override on reads, by query parameter.
OVERRIDES = {
    "rscc": "Cache-Control",
    "rscd": "Content-Disposition",
    "rsce": "Content-Encoding",
    "rscl": "Content-Language",
    "rsct": "Content-Type",
}
_MESSAGE = (
    "Server failed to authenticate the request. Make sure the value of Authorization header "
    "is formed correctly including the signature."
)


@dataclass(frozen=True)
class Grant:
    """What a valid SAS allows."""

    permissions: str  # letters: r w c d l ...
    overrides: tuple[tuple[str, str], ...] = ()  # response headers to set on reads


def carries_sas(query: Mapping[str, str]) -> bool:
    return "sig" in query and "sv" in query


def verify(
    query: Mapping[str, str],
    target: Target,
    keys: list[str],
    now: datetime,
    policy_of: Callable[[str], AccessPolicy | None],
) -> Grant:
    """The grant of a SAS that is signed with an account key, current, and covers `target`;
    403 `AuthenticationFailed` otherwise. `policy_of(id)` looks up the share's stored policy."""
    if "skoid" in query:
        raise _failed("User delegation SAS is not served by localcloud.")
    if "ss" in query:
        text, permissions, start, expiry = _account(query, target)
    else:
        text, permissions, start, expiry = _service(query, target, policy_of)
    if not sharedkey.matches(query["sig"], keys, text):
        raise _failed(f"Signature did not match. String to sign used was {text}")
    if expiry is None or _time(expiry) <= now:
        raise _failed("Signed expiry time must be after the current time.")
    if start and _time(start) > now:
        raise _failed("Signed start time must be before the current time.")
    overrides = tuple(
        (header, query[name]) for name, header in OVERRIDES.items() if query.get(name)
    )
    return Grant(permissions, overrides)


def require(grant: Grant, letters: str) -> None:
    """403 `AuthorizationPermissionMismatch` unless the grant has one of `letters`."""
    if not any(letter in grant.permissions for letter in letters):
        raise FileError(
            403,
            "AuthorizationPermissionMismatch",
            "This request is not authorized to perform this operation using this permission.",
        )


def _account(query: Mapping[str, str], target: Target) -> tuple[str, str, str | None, str | None]:
    if "f" not in query.get("ss", ""):
        raise _failed("The account SAS does not cover the File service.")
    kinds = query.get("srt", "")
    needed = "o" if target.parts else ("c" if target.share else "s")
    if needed not in kinds:
        raise _failed(f"The account SAS does not cover resource type {needed!r}.")
    fields = ("sp", "ss", "srt", "st", "se", "sip", "spr", "sv")
    text = target.account + "\n" + "".join(query.get(f, "") + "\n" for f in fields) + "\n"
    return text, query.get("sp", ""), query.get("st"), query.get("se")


def _service(
    query: Mapping[str, str], target: Target, policy_of: Callable[[str], AccessPolicy | None]
) -> tuple[str, str, str | None, str | None]:
    resource = query.get("sr", "")
    if resource == "s":
        path = f"/{target.share}"
    elif resource == "f":
        path = f"/{target.share}/{target.relpath}"
    else:
        raise _failed(f"sr={resource!r} is not a share or file SAS.")
    fields = [query.get("sp", ""), query.get("st", ""), query.get("se", "")]
    fields.append(f"/file/{target.account}{path}")
    fields += [query.get(f, "") for f in ("si", "sip", "spr", "sv", *OVERRIDES)]
    text = "\n".join(fields)
    permissions, start, expiry = query.get("sp", ""), query.get("st"), query.get("se")
    if query.get("si"):
        policy = policy_of(query["si"])
        if policy is None:
            raise _failed(f"The signed identifier {query['si']!r} is not a policy of the share.")
        permissions = permissions or policy.permission or ""
        start, expiry = start or policy.start, expiry or policy.expiry
    return text, permissions, start, expiry


def _time(value: str) -> datetime:
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as error:
        raise _failed(f"{value!r} is not an ISO 8601 time.") from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _failed(detail: str) -> FileError:
    return FileError(403, "AuthenticationFailed", _MESSAGE, detail)
