"""Shared Key authorization for the File service, computed exactly as Azure does.

Pure functions: `SignedRequest` (what arrived on the wire) -> string-to-sign -> signature.
The canonicalized resource is built over the raw, still percent-encoded path; with a
path-style endpoint that path begins with the account, so the account appears twice.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import unquote

# The standard headers of the string-to-sign, in order (Date is handled on its own).
_STANDARD_BEFORE_DATE = (
    "content-encoding",
    "content-language",
    "content-length",
    "content-md5",
    "content-type",
)
_STANDARD_AFTER_DATE = (
    "if-modified-since",
    "if-match",
    "if-none-match",
    "if-unmodified-since",
    "range",
)

# The service sorts x-ms-* header names with a Windows-style collation: at the primary level
# letters compare case-insensitively, punctuation sorts before digits before letters, and `-`
# and `'` are ignored; ties are broken by where the ignored characters sit.
_PRIMARY_ORDER = "!#$%&*.^_`|~+0123456789abcdefghijklmnopqrstuvwxyz"
_PRIMARY_WEIGHT = {c: i + 2 for i, c in enumerate(_PRIMARY_ORDER)}
_SECONDARY_WEIGHT = {"'": 2, "-": 3}  # other characters 0; the end of the name is 1


@dataclass(frozen=True)
class SignedRequest:
    """The parts of a request that Shared Key signs, as they arrived."""

    method: str
    raw_path: str  # percent-encoded path, without the query string
    raw_query: str  # the query string as sent, without `?`
    headers: tuple[tuple[str, str], ...]  # (name, value) in arrival order, names as sent


@dataclass(frozen=True)
class Authorization:
    account: str
    signature: str


@functools.lru_cache(maxsize=1024)  # a few header names come again and again
def header_sort_key(name: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Sort key reproducing the service's ordering of canonicalized header names."""
    lowered = name.lower()
    primary = tuple(_PRIMARY_WEIGHT[c] for c in lowered if c in _PRIMARY_WEIGHT)
    secondary = (*(_SECONDARY_WEIGHT.get(c, 0) for c in lowered), 1)
    return primary, secondary


def parse_authorization(value: str | None) -> Authorization | None:
    """`SharedKey <account>:<signature>` -> Authorization; anything else -> None."""
    if value is None:
        return None
    scheme, _, credentials = value.strip().partition(" ")
    account, sep, signature = credentials.strip().partition(":")
    if scheme != "SharedKey" or not sep or not account or not signature:
        return None
    return Authorization(account, signature)


def string_to_sign(request: SignedRequest, account: str) -> str:
    headers = _combined_headers(request.headers)
    fields = [request.method.upper()]
    for name in _STANDARD_BEFORE_DATE:
        value = headers.get(name, "")
        fields.append("" if name == "content-length" and value == "0" else value)
    fields.append("" if "x-ms-date" in headers else headers.get("date", ""))
    fields.extend(headers.get(name, "") for name in _STANDARD_AFTER_DATE)
    return (
        "\n".join(fields)
        + "\n"
        + _canonicalized_headers(headers)
        + _canonicalized_resource(account, request.raw_path, request.raw_query)
    )


def sign(key_b64: str, text: str) -> str:
    """base64(HMAC-SHA256(base64-decoded key, UTF-8 text)); raises ValueError on a bad key."""
    try:
        key = base64.b64decode(key_b64, validate=True)
    except binascii.Error as error:
        raise ValueError("the account key is not valid base64") from error
    digest = hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def matches(signature: str, keys: Iterable[str], text: str) -> bool:
    """True when `signature` was made with one of `keys` over `text`."""
    for key in keys:
        try:
            expected = sign(key, text)
        except ValueError:
            continue
        if hmac.compare_digest(expected.encode("ascii"), signature.encode("utf-8", "replace")):
            return True
    return False


def _combined_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Lower-cased names; repeated headers joined with `,` in arrival order."""
    combined: dict[str, str] = {}
    for name, value in headers:
        key = name.lower()
        combined[key] = f"{combined[key]},{value.strip()}" if key in combined else value.strip()
    return combined


def _canonicalized_headers(headers: Mapping[str, str]) -> str:
    names = sorted((n for n in headers if n.startswith("x-ms-")), key=header_sort_key)
    return "".join(f"{name}:{headers[name]}\n" for name in names)


def _canonicalized_resource(account: str, raw_path: str, raw_query: str) -> str:
    params: dict[str, list[str]] = {}
    for pair in raw_query.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        params.setdefault(name.lower(), []).append(unquote(value))
    query = "".join(f"\n{name}:{','.join(sorted(params[name]))}" for name in sorted(params))
    return f"/{account}{raw_path}{query}"
