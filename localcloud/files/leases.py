"""Leases on files and shares (pure): the lease actions and the check every request makes.

A file lease is infinite; a share lease lasts 15 to 60 seconds or is infinite. A lease is
*active* while leased or breaking: writes then need its id in `x-ms-lease-id`, and any
request naming a lease id must name the active one.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from localcloud.files.errors import FileError, invalid_header, missing_header

INFINITE = -1
_NS = 1_000_000_000


@dataclass(frozen=True)
class Lease:
    lease_id: str
    duration_s: int  # INFINITE or 15..60
    start_ns: int
    break_at_ns: int | None = None  # breaking until then, broken after

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.lease_id,
            "duration": self.duration_s,
            "start": self.start_ns,
            "breakAt": self.break_at_ns,
        }

    @staticmethod
    def from_json(doc: Mapping[str, Any] | None) -> Lease | None:
        if not doc:
            return None
        return Lease(str(doc["id"]), int(doc["duration"]), int(doc["start"]), doc.get("breakAt"))


@dataclass(frozen=True)
class LeaseView:
    state: str  # available | leased | breaking | broken | expired
    status: str  # locked | unlocked
    duration: str | None  # infinite | fixed, while leased

    def headers(self) -> dict[str, str]:
        found = {"x-ms-lease-state": self.state, "x-ms-lease-status": self.status}
        if self.duration is not None:
            found["x-ms-lease-duration"] = self.duration
        return found


@dataclass(frozen=True)
class LeaseResult:
    lease: Lease | None
    status: int
    headers: dict[str, str]


def view(lease: Lease | None, now_ns: int) -> LeaseView:
    if lease is None:
        return LeaseView("available", "unlocked", None)
    if lease.break_at_ns is not None:
        if now_ns < lease.break_at_ns:
            return LeaseView("breaking", "locked", None)
        return LeaseView("broken", "unlocked", None)
    if lease.duration_s != INFINITE and now_ns >= lease.start_ns + lease.duration_s * _NS:
        return LeaseView("expired", "unlocked", None)
    return LeaseView("leased", "locked", "infinite" if lease.duration_s == INFINITE else "fixed")


def active(lease: Lease | None, now_ns: int) -> bool:
    return view(lease, now_ns).state in ("leased", "breaking")


def guard(
    lease: Lease | None,
    headers: Mapping[str, str],
    now_ns: int,
    write: bool,
    subject: str = "file",
) -> None:
    """412 when a write to a leased item lacks the lease id, or a named id is not the active
    lease's; `subject` names the item in messages (`file`, `file share`)."""
    given = headers.get("x-ms-lease-id")
    if not active(lease, now_ns):
        if given is not None:
            raise FileError(
                412,
                "LeaseNotPresentWithFileOperation",
                "There is currently no lease on the resource.",
            )
        return
    assert lease is not None
    if given is None:
        if write:
            raise FileError(
                412,
                "LeaseIdMissing",
                f"There is currently a lease on the {subject} and no lease ID was specified in "
                "the request.",
            )
        return
    if given.lower() != lease.lease_id.lower():
        raise FileError(
            412,
            "LeaseIdMismatchWithFileOperation",
            "The lease ID specified did not match the lease ID for the resource.",
        )


def act(
    lease: Lease | None, headers: Mapping[str, str], now_ns: int, *, share: bool
) -> LeaseResult:
    """Apply `x-ms-lease-action` (acquire, renew, change, release, break)."""
    action = (headers.get("x-ms-lease-action") or "").lower()
    match action:
        case "acquire":
            return _acquire(lease, headers, now_ns, share)
        case "renew" if share:
            current = _owned(lease, headers)
            if current.break_at_ns is not None:
                raise _conflict("LeaseIsBrokenAndCannotBeRenewed", "The lease is broken.")
            renewed = replace(current, start_ns=now_ns)
            return LeaseResult(renewed, 200, {"x-ms-lease-id": renewed.lease_id})
        case "change":
            current = _owned(lease, headers, must_be_active=now_ns)
            proposed = headers.get("x-ms-proposed-lease-id")
            if not proposed:
                raise missing_header("x-ms-proposed-lease-id")
            changed = replace(current, lease_id=proposed)
            return LeaseResult(changed, 200, {"x-ms-lease-id": proposed})
        case "release":
            _owned(lease, headers)
            return LeaseResult(None, 200, {})
        case "break":
            return _break(lease, headers, now_ns, share)
        case _:
            raise invalid_header("x-ms-lease-action", f"{action!r} is not a lease action")


def _acquire(
    lease: Lease | None, headers: Mapping[str, str], now_ns: int, share: bool
) -> LeaseResult:
    duration = _duration(headers.get("x-ms-lease-duration"), share)
    proposed = headers.get("x-ms-proposed-lease-id") or str(uuid.uuid4())
    held = lease if active(lease, now_ns) else None
    if held is not None and (
        held.break_at_ns is not None or held.lease_id.lower() != proposed.lower()
    ):
        raise _conflict("LeaseAlreadyPresent", "There is already a lease present.")
    acquired = Lease(proposed, duration, now_ns)
    return LeaseResult(acquired, 201, {"x-ms-lease-id": proposed})


def _break(
    lease: Lease | None, headers: Mapping[str, str], now_ns: int, share: bool
) -> LeaseResult:
    period = headers.get("x-ms-lease-break-period")
    if not share and period is not None:
        raise invalid_header("x-ms-lease-break-period", "a file lease breaks at once")
    state = view(lease, now_ns).state
    if lease is None or state in ("available", "expired"):
        raise _conflict("LeaseNotPresentWithLeaseOperation", "There is currently no lease.")
    if state == "broken" or lease.break_at_ns is not None:
        remaining = max(0, (lease.break_at_ns or now_ns) - now_ns) // _NS
        return LeaseResult(lease, 202, {"x-ms-lease-time": str(remaining)})
    seconds = _break_period(period, lease, now_ns)
    broken = replace(lease, break_at_ns=now_ns + seconds * _NS)
    return LeaseResult(broken, 202, {"x-ms-lease-time": str(seconds)})


def _break_period(value: str | None, lease: Lease, now_ns: int) -> int:
    remaining = 0
    if lease.duration_s != INFINITE:
        remaining = max(0, lease.start_ns + lease.duration_s * _NS - now_ns) // _NS
    if value is None:
        return remaining
    if not value.strip().isdigit() or int(value) > 60:
        raise invalid_header("x-ms-lease-break-period", "expected 0 to 60 seconds")
    return min(int(value), remaining) if lease.duration_s != INFINITE else int(value)


def _duration(value: str | None, share: bool) -> int:
    if value is None:
        raise missing_header("x-ms-lease-duration")
    try:
        seconds = int(value)
    except ValueError as error:
        raise invalid_header("x-ms-lease-duration", "not a number") from error
    if seconds == INFINITE or (share and 15 <= seconds <= 60):
        return seconds
    raise invalid_header(
        "x-ms-lease-duration", "-1 (infinite)" + ("" if not share else " or 15-60")
    )


def _owned(
    lease: Lease | None, headers: Mapping[str, str], must_be_active: int | None = None
) -> Lease:
    given = headers.get("x-ms-lease-id")
    if given is None:
        raise missing_header("x-ms-lease-id")
    if lease is None or lease.lease_id.lower() != given.lower():
        raise _conflict(
            "LeaseIdMismatchWithLeaseOperation",
            "The lease ID specified did not match the lease ID for the resource.",
        )
    if must_be_active is not None and not active(lease, must_be_active):
        raise _conflict("LeaseNotPresentWithLeaseOperation", "There is currently no lease.")
    return lease


def _conflict(code: str, message: str) -> FileError:
    return FileError(409, code, message)
