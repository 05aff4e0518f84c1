"""Security descriptors (SDDL) and their permission keys.

A share keeps each descriptor it was given (Create Permission, or `x-ms-file-permission` on
a create / set properties / rename) under a key derived from the text, so equal
descriptors share a key, as on the service. Items without one report the service's default
keys for files and directories.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping

from localcloud.files import errors
from localcloud.files.errors import FileError
from localcloud.files.meta import ShareMeta
from localcloud.files.props import DEFAULT_DIRECTORY_KEY, DEFAULT_FILE_KEY

_MAX_PERMISSION_BYTES = 8 * 1024
_KEYWORDS = ("inherit", "preserve", "source")


def check_binary(value: str) -> None:
    """400 `FileInvalidPermission` unless `value` is a base64 security descriptor."""
    try:
        raw = base64.b64decode(value, validate=True)
    except binascii.Error as error:
        raise FileError(
            400, "FileInvalidPermission", "The security descriptor is invalid."
        ) from error
    if not 20 <= len(raw) <= _MAX_PERMISSION_BYTES:
        raise FileError(400, "FileInvalidPermission", "The security descriptor is invalid.")


def check(sddl: str) -> None:
    """400 `FileInvalidPermission` unless `sddl` reads as a security descriptor."""
    text = sddl.strip()
    valid = (
        len(text.encode()) <= _MAX_PERMISSION_BYTES
        and text[:2] in ("O:", "G:", "D:", "S:")
        and all(ch.isprintable() for ch in text)
    )
    if not valid:
        raise FileError(400, "FileInvalidPermission", "The security descriptor is invalid.")


def key_of(sddl: str) -> str:
    """Two 64-bit numbers joined by `*`, like the service's keys; equal descriptors, equal keys."""
    digest = hashlib.sha256(sddl.strip().encode()).digest()
    return f"{int.from_bytes(digest[:8], 'big')}*{int.from_bytes(digest[8:16], 'big')}"


def store(meta: ShareMeta, text: str, form: str = "sddl") -> str:
    """Keep a descriptor given as SDDL or (`form` binary) base64; returns its key."""
    form = form.lower()
    if form == "binary":
        check_binary(text.strip())
    elif form == "sddl":
        check(text)
    else:
        raise errors.invalid_header("x-ms-file-permission-format", "expected sddl or binary")
    key = key_of(f"{form}:{text.strip()}" if form == "binary" else text)
    meta.put_permission(key, f"{form}:{text.strip()}")
    return key


def load(meta: ShareMeta, key: str, form: str = "sddl") -> str | None:
    """The descriptor kept under `key` in the form it was given; 400 for the other form
    (localcloud does not convert between SDDL and binary)."""
    kept = meta.get_permission(key)
    if kept is None:
        return None
    kept_form, _, text = kept.partition(":")
    if kept_form != form.lower():
        raise errors.invalid_header(
            "x-ms-file-permission-format", f"the permission was given as {kept_form}"
        )
    return text


def requested(meta: ShareMeta, headers: Mapping[str, str]) -> str | None:
    """The permission key a request sets (`x-ms-file-permission` or `-permission-key`), None
    to keep the item's; 400 for both at once or a key the share does not know."""
    sddl = headers.get("x-ms-file-permission")
    key = headers.get("x-ms-file-permission-key")
    if sddl is not None and sddl.strip().lower() in _KEYWORDS:
        sddl = None
    if sddl is not None and key is not None:
        raise errors.invalid_header(
            "x-ms-file-permission-key", "give a permission or a permission key, not both"
        )
    if sddl is not None:
        return store(meta, sddl, headers.get("x-ms-file-permission-format", "sddl"))
    if key is None:
        return None
    if key not in (DEFAULT_FILE_KEY, DEFAULT_DIRECTORY_KEY) and meta.get_permission(key) is None:
        raise errors.invalid_header("x-ms-file-permission-key", "no such permission key")
    return key
