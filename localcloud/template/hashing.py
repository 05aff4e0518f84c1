"""`uniqueString` (ARM's two-lane MurmurHash64, base32) and `guid` (UUID v5), bit-exact."""

from __future__ import annotations

import uuid

_MASK = 0xFFFFFFFF
_C1 = 0x239B961B
_C2 = 0xAB0E9789
_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
ARM_NAMESPACE = uuid.UUID("11fb06fb-712d-4ddd-98c7-e71bbd588830")


def _rotl(x: int, r: int) -> int:
    return ((x << r) | (x >> (32 - r))) & _MASK


def _mul(a: int, b: int) -> int:
    return (a * b) & _MASK


def _mix1(k1: int) -> int:
    return _mul(_rotl(_mul(k1, _C1), 15), _C2)


def _mix2(k2: int) -> int:
    return _mul(_rotl(_mul(k2, _C2), 17), _C1)


def _fmix(x: int) -> int:
    x ^= x >> 16
    x = _mul(x, 0x85EBCA6B)
    x ^= x >> 13
    x = _mul(x, 0xC2B2AE35)
    return x ^ (x >> 16)


def murmur64(data: bytes) -> int:
    """ARM's 64-bit MurmurHash variant (two 32-bit lanes)."""
    h1 = h2 = 0
    full = len(data) - len(data) % 8
    for i in range(0, full, 8):
        h1 ^= _mix1(int.from_bytes(data[i : i + 4], "little"))
        h1 = (_mul(((_rotl(h1, 19) + h2) & _MASK), 5) + 0x561CCD1B) & _MASK
        h2 ^= _mix2(int.from_bytes(data[i + 4 : i + 8], "little"))
        h2 = (_mul(((_rotl(h2, 13) + h1) & _MASK), 5) + 0x0BCAA747) & _MASK
    tail = data[full:]
    if tail:
        h1 ^= _mix1(int.from_bytes(tail[:4], "little"))
    if len(tail) > 4:
        h2 ^= _mix2(int.from_bytes(tail[4:], "little"))
    n = len(data) & _MASK
    h1 ^= n
    h2 ^= n
    h1 = (h1 + h2) & _MASK
    h2 = (h2 + h1) & _MASK
    h1 = _fmix(h1)
    h2 = _fmix(h2)
    h1 = (h1 + h2) & _MASK
    h2 = (h2 + h1) & _MASK
    return (h2 << 32) | h1


def unique_string(*parts: str) -> str:
    """`uniqueString(parts...)`: 13 characters of base32 over the hash of `'-'.join(parts)`."""
    value = murmur64("-".join(parts).encode("utf-8"))
    chars = []
    for _ in range(13):
        chars.append(_ALPHABET[value >> 59])
        value = (value << 5) & 0xFFFFFFFFFFFFFFFF
    return "".join(chars)


def arm_guid(*parts: str) -> str:
    """`guid(parts...)`: UUID v5 in ARM's namespace over `'-'.join(parts)`."""
    return str(uuid.uuid5(ARM_NAMESPACE, "-".join(parts)))
