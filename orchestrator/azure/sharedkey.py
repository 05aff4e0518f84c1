"""Shared Key authorization of Azure Files requests (pure).

The string-to-sign is the verb, eleven standard headers (Content-Length empty when 0, Date
empty because `x-ms-date` is sent), the `x-ms-*` headers sorted by name, and the resource:
`/<account>` + the path as sent (percent-encoded; a path-style endpoint puts the account in
it too) + each query parameter as `\\nname:value`, names lower-cased and sorted. Signature:
base64(HMAC-SHA256(base64-decoded key, string-to-sign)), sent as
`Authorization: SharedKey <account>:<signature>`.
Reference: https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping

STANDARD_HEADERS = (
    "content-encoding",
    "content-language",
    "content-length",
    "content-md5",
    "content-type",
    "date",
    "if-modified-since",
    "if-match",
    "if-none-match",
    "if-unmodified-since",
    "range",
)


def header_order(name: str) -> tuple[str, str]:
    """The service compares x-ms-* names ignoring `-` first (a culture-aware collation); for
    the names this client sends, that is the plain order of the names without dashes."""
    return name.replace("-", ""), name


def string_to_sign(
    account: str,
    method: str,
    raw_path: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
) -> str:
    """`headers` with lower-case names; `query` unencoded; `raw_path` as sent on the wire."""
    fields = [method.upper()]
    for name in STANDARD_HEADERS:
        value = headers.get(name, "")
        if (name == "content-length" and value == "0") or (name == "date"):
            value = ""
        fields.append(value)
    ms_names = sorted((n for n in headers if n.startswith("x-ms-")), key=header_order)
    canonical_headers = "".join(f"{n}:{headers[n].strip()}\n" for n in ms_names)
    params = "".join(f"\n{k.lower()}:{query[k]}" for k in sorted(query, key=str.lower))
    return "\n".join(fields) + "\n" + canonical_headers + f"/{account}{raw_path}" + params


def signature(key: bytes, text: str) -> str:
    """base64(HMAC-SHA256(key, text)); `key` is the account key, base64-decoded."""
    return base64.b64encode(hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()).decode()


def decode_key(key_b64: str) -> bytes:
    """The account key as bytes; ValueError when it is not base64."""
    try:
        return base64.b64decode(key_b64, validate=True)
    except ValueError as exc:
        raise ValueError("the storage account key is not valid base64") from exc
