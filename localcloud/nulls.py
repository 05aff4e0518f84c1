"""Stand-ins for the Files and Runtime subsystems until their `install` replaces them.

They keep the server usable (and its tests meaningful) while those subsystems are absent:
no storage account is served by the data plane, and container apps do not run.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aiohttp import web


class NullFiles:
    def __init__(self, root: Path, base_url: str) -> None:
        self._root = root
        self._base_url = base_url

    def share_path(self, account: str, share: str) -> Path:
        path = self._root / account.lower() / share.lower()
        path.mkdir(parents=True, exist_ok=True)
        return path

    def delete_share(self, account: str, share: str) -> None:
        return None

    def account_url(self, account: str) -> str:
        return f"{self._base_url}/{account.lower()}"

    def owns(self, first_segment: str) -> bool:
        return False

    async def handle(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(
            {"error": {"code": "ResourceNotFound", "message": "No data plane is installed."}},
            status=404,
        )


class NullRuntime:
    def apply(self, app: Mapping[str, Any]) -> dict[str, Any]:
        return {"runningStatus": "Stopped"}

    def restart(self, app_id: str, revision: str) -> None:
        return None

    def remove(self, app_id: str) -> None:
        return None

    def revisions(self, app_id: str) -> list[dict[str, Any]]:
        return []

    def replicas(self, app_id: str, revision: str) -> list[dict[str, Any]]:
        return []

    def log_lines(self, app_id: str, tail: int) -> list[str]:
        return []

    async def handle_logstream(self, request: web.Request) -> web.StreamResponse:
        return web.Response(status=404, text="No container app runtime is installed.\n")

    async def startup(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
