"""Per-path locks serialise writers of one path and let other paths run."""

from __future__ import annotations

import asyncio

from localcloud.files.errors import FileError, error_xml
from localcloud.files.locks import PathLocks


def test_same_path_is_serialised_and_locks_are_dropped() -> None:
    async def scenario() -> tuple[list[str], int]:
        locks = PathLocks()
        events: list[str] = []

        async def writer(name: str, key: str) -> None:
            async with locks.hold(key):
                events.append(f"{name} in")
                await asyncio.sleep(0.01)
                events.append(f"{name} out")

        await asyncio.gather(writer("a", "f"), writer("b", "f"))
        return events, len(locks)

    events, left = asyncio.run(scenario())
    assert events == ["a in", "a out", "b in", "b out"]
    assert left == 0


def test_different_paths_overlap() -> None:
    async def scenario() -> list[str]:
        locks = PathLocks()
        events: list[str] = []

        async def writer(name: str) -> None:
            async with locks.hold(name):
                events.append(f"{name} in")
                await asyncio.sleep(0.01)
                events.append(f"{name} out")

        await asyncio.gather(writer("a"), writer("b"))
        return events

    assert asyncio.run(scenario())[:2] == ["a in", "b in"]


def test_error_xml_has_code_message_request_id_and_detail() -> None:
    body = error_xml(FileError(403, "AuthenticationFailed", "No.", "a<b"), "rid", "T").decode()
    assert body == (
        '<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code>'
        "<Message>No.\nRequestId:rid\nTime:T</Message>"
        "<AuthenticationErrorDetail>a&lt;b</AuthenticationErrorDetail></Error>"
    )
