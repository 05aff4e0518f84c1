"""Leases on files and shares: the actions and the check requests go through."""

from __future__ import annotations

import pytest

from localcloud.files import leases
from localcloud.files.errors import FileError
from localcloud.files.leases import INFINITE, Lease

S = 1_000_000_000
LEASE_ID = "00000000-1111-2222-3333-444444444444"
OTHER_ID = "44444444-3333-2222-1111-000000000000"


def acquire(duration: str = "-1", share: bool = False, lease: Lease | None = None) -> Lease:
    headers = {
        "x-ms-lease-action": "acquire",
        "x-ms-lease-duration": duration,
        "x-ms-proposed-lease-id": LEASE_ID,
    }
    result = leases.act(lease, headers, 0, share=share)
    assert result.status == 201
    assert result.lease is not None
    return result.lease


def code_of(call: object) -> tuple[int, str]:
    with pytest.raises(FileError) as caught:
        call()  # type: ignore[operator]
    return caught.value.status, caught.value.code


def test_an_acquired_file_lease_is_infinite_and_locked() -> None:
    lease = acquire()
    assert lease.duration_s == INFINITE
    assert leases.view(lease, 10 * S).headers() == {
        "x-ms-lease-state": "leased",
        "x-ms-lease-status": "locked",
        "x-ms-lease-duration": "infinite",
    }


def test_a_file_lease_must_be_infinite() -> None:
    assert code_of(lambda: acquire("30")) == (400, "InvalidHeaderValue")


def test_a_share_lease_of_fixed_duration_expires() -> None:
    lease = acquire("15", share=True)
    assert leases.view(lease, 14 * S).duration == "fixed"
    assert leases.view(lease, 15 * S).state == "expired"
    assert not leases.active(lease, 15 * S)


def test_writes_to_a_leased_item_need_its_id() -> None:
    lease = acquire()
    assert code_of(lambda: leases.guard(lease, {}, 0, write=True)) == (412, "LeaseIdMissing")
    leases.guard(lease, {}, 0, write=False)  # reads need none
    leases.guard(lease, {"x-ms-lease-id": LEASE_ID}, 0, write=True)
    wrong = {"x-ms-lease-id": OTHER_ID}
    assert code_of(lambda: leases.guard(lease, wrong, 0, write=False))[0] == 412


def test_naming_a_lease_on_an_unleased_item_is_refused() -> None:
    given = {"x-ms-lease-id": LEASE_ID}
    assert code_of(lambda: leases.guard(None, given, 0, write=False))[0] == 412


def test_change_then_release() -> None:
    lease = acquire()
    change = {"x-ms-lease-action": "change", "x-ms-lease-id": LEASE_ID}
    changed = leases.act(lease, {**change, "x-ms-proposed-lease-id": OTHER_ID}, 0, share=False)
    assert (changed.status, changed.headers) == (200, {"x-ms-lease-id": OTHER_ID})
    stale = {"x-ms-lease-action": "release", "x-ms-lease-id": LEASE_ID}
    assert code_of(lambda: leases.act(changed.lease, stale, 0, share=False)) == (
        409,
        "LeaseIdMismatchWithLeaseOperation",
    )
    release = {"x-ms-lease-action": "release", "x-ms-lease-id": OTHER_ID}
    assert leases.act(changed.lease, release, 0, share=False).lease is None


def test_a_second_acquire_with_another_id_conflicts() -> None:
    lease = acquire()
    headers = {
        "x-ms-lease-action": "acquire",
        "x-ms-lease-duration": "-1",
        "x-ms-proposed-lease-id": OTHER_ID,
    }
    assert code_of(lambda: leases.act(lease, headers, 0, share=False)) == (
        409,
        "LeaseAlreadyPresent",
    )


def test_a_file_lease_breaks_at_once_and_takes_no_break_period() -> None:
    lease = acquire()
    broken = leases.act(lease, {"x-ms-lease-action": "break"}, 5 * S, share=False)
    assert broken.status == 202
    assert leases.view(broken.lease, 5 * S).state == "broken"
    with_period = {"x-ms-lease-action": "break", "x-ms-lease-break-period": "5"}
    assert code_of(lambda: leases.act(lease, with_period, 0, share=False))[0] == 400


def test_a_share_lease_breaks_after_its_period() -> None:
    lease = acquire(share=True)
    headers = {"x-ms-lease-action": "break", "x-ms-lease-break-period": "5"}
    broken = leases.act(lease, headers, 0, share=True)
    assert broken.headers == {"x-ms-lease-time": "5"}
    assert leases.view(broken.lease, 4 * S).state == "breaking"
    assert leases.view(broken.lease, 5 * S).state == "broken"


def test_renew_restarts_a_share_lease() -> None:
    lease = acquire("15", share=True)
    renew = {"x-ms-lease-action": "renew", "x-ms-lease-id": LEASE_ID}
    renewed = leases.act(lease, renew, 10 * S, share=True).lease
    assert leases.view(renewed, 20 * S).state == "leased"


def test_lease_documents_round_trip() -> None:
    lease = Lease(LEASE_ID, 30, 7, 9)
    assert Lease.from_json(lease.to_json()) == lease
    assert Lease.from_json(None) is None
