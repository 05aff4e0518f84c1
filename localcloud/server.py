"""Wiring and serving: `build_cloud` makes the LocalCloud context, `Dispatcher` answers every
request by path prefix, `serve` runs it on 127.0.0.1 over TLS until SIGINT/SIGTERM.

    /_localcloud/...                                    admin API (bearer token required)
    /subscriptions.. /providers.. /tenants              ARM (bearer token + api-version)
    /metadata/endpoints                                 cloud metadata (no token, like ARM)
    /{tenant}/... /common/... /organizations/...        Entra ID
    /logstream/...                                      container app console logs
    /{account}/...                                      Azure Files, when files.owns(account)
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import signal
import socket
from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from aiohttp import web

from localcloud.admin import AdminApi, AdminState
from localcloud.arm.router import ArmRouter
from localcloud.auth import TokenService
from localcloud.cloud import LocalCloud, Registry, Settings
from localcloud.config import (
    RuntimeInfo,
    StatePaths,
    clear_runtime,
    load_identity,
    load_signing_key,
    write_runtime,
)
from localcloud.dispatch import Dispatcher
from localcloud.entra import Entra
from localcloud.nulls import NullFiles, NullRuntime
from localcloud.providers.base import Provider
from localcloud.store import SqliteStore
from localcloud.tls import TlsFiles, ensure_tls, server_ssl_context

log = logging.getLogger("localcloud")

CLIENT_MAX_SIZE = 256 * 1024 * 1024
SHUTDOWN_S = 3.0

# Installed in this order; each module has `install(cloud: LocalCloud) -> None`.
SUBSYSTEMS = (
    "localcloud.arm.groups",
    "localcloud.providers.registry",
    "localcloud.arm.deployments",
    "localcloud.files.service",
    "localcloud.runtime.supervisor",
)


@dataclass(frozen=True)
class ServeOptions:
    state_dir: Path
    port: int = 0
    host: str = "127.0.0.1"


def bind_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


def build_cloud(paths: StatePaths, base_url: str, tls: TlsFiles) -> LocalCloud:
    """The LocalCloud context with every subsystem installed, in dependency order."""
    identity = load_identity(paths)
    store = SqliteStore(paths.database)
    cloud = LocalCloud(
        state_dir=paths.root,
        base_url=base_url,
        ca_file=tls.ca_cert,
        identity=identity,
        store=store,
        arm=ArmRouter(),
        settings=Settings(),
        providers=cast(Registry, None),  # needs the context; set just below
        files=NullFiles(paths.root / "shares", base_url),
        runtime=NullRuntime(),
    )
    cloud.providers = Registry(default=Provider(cloud))
    cloud.extras["auth"] = TokenService(identity, load_signing_key(paths), base_url)
    cloud.extras["tls"] = tls
    cloud.extras["ssl_context"] = server_ssl_context(tls)
    cloud.extras["admin"] = AdminState()
    cloud.extras["failed_subsystems"] = install_subsystems(cloud)
    return cloud


def install_subsystems(cloud: LocalCloud) -> list[str]:
    """Run each subsystem's `install(cloud)` in order; returns the ones that failed.

    A subsystem that fails to import or install is logged with its traceback and skipped,
    so the rest of the server still answers (and says so in `/_localcloud/info`).
    """
    failed: list[str] = []
    for name in SUBSYSTEMS:
        try:
            module = importlib.import_module(name)
            module.install(cloud)
        except Exception:
            log.exception("subsystem %s failed to load; serving without it", name)
            failed.append(name)
    return failed


def build_app(cloud: LocalCloud) -> web.Application:
    tokens: TokenService = cloud.extras["auth"]
    admin_state: AdminState = cloud.extras["admin"]
    info = {
        "endpoint": cloud.base_url,
        "tenant_id": cloud.identity.tenant_id,
        "subscription_id": cloud.identity.subscription_id,
        "client_id": cloud.identity.client_id,
        "ca_file": str(cloud.ca_file),
        "failed_subsystems": cloud.extras.get("failed_subsystems", []),
    }
    dispatcher = Dispatcher(
        cloud=cloud,
        tokens=tokens,
        entra=Entra(tokens, cloud.base_url),
        admin=AdminApi(admin_state, cloud.settings, info),
        admin_state=admin_state,
    )
    app = web.Application(client_max_size=CLIENT_MAX_SIZE)
    app.router.add_route("*", "/{tail:.*}", dispatcher.handle)
    return app


async def serve(options: ServeOptions) -> None:
    """Listen on 127.0.0.1 over TLS until SIGINT/SIGTERM."""
    paths = StatePaths(options.state_dir)
    paths.ensure()
    tls = ensure_tls(paths)
    sock = bind_socket(options.host, options.port)
    port = sock.getsockname()[1]
    cloud = build_cloud(paths, f"https://127.0.0.1:{port}", tls)
    runner = web.AppRunner(
        build_app(cloud), access_log=None, handle_signals=False, shutdown_timeout=SHUTDOWN_S
    )
    await runner.setup()
    site = web.SockSite(runner, sock, ssl_context=cloud.extras["ssl_context"])
    await site.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await _runtime_step("startup", cloud.runtime.startup())
        write_runtime(paths, RuntimeInfo(port=port, pid=os.getpid()))
        log.info("localcloud listening on %s (state %s)", cloud.base_url, paths.root)
        await stop.wait()
    finally:
        log.info("localcloud stopping")
        await _runtime_step("shutdown", cloud.runtime.shutdown())
        await runner.cleanup()
        clear_runtime(paths, os.getpid())
        if isinstance(cloud.store, SqliteStore):
            cloud.store.close()


async def _runtime_step(name: str, step: Awaitable[None]) -> None:
    """Run the runtime's startup/shutdown; a failure is logged, never fatal to the server."""
    try:
        await step
    except Exception:
        log.exception("runtime %s failed", name)


def run(options: ServeOptions) -> int:
    try:
        asyncio.run(serve(options))
    except OSError as err:
        log.error("localcloud cannot serve on %s:%s: %s", options.host, options.port, err)
        return 1
    return 0
