"""Wiring and serving: `build_server` makes the LocalCloud context and everything around it,
`Dispatcher` answers every request by path prefix, `serve` runs it on 127.0.0.1 over TLS
until SIGINT/SIGTERM.

    /_localcloud/...                                    admin API (bearer token required)
    /subscriptions.. /providers.. /tenants              ARM (bearer token + api-version)
    /metadata/endpoints                                 cloud metadata (no token, like ARM)
    /{tenant}/... /common/... /organizations/...        Entra ID
    /logstream/...                                      container app console logs
    /{account}/...                                      Azure Files, when files.owns(account)

Every subsystem is built here, in dependency order, and a failure stops the start (exit 1,
the error on stderr): localcloud never serves with a part missing.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import ssl
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from localcloud.admin import AdminApi, AdminState
from localcloud.arm import deployments, groups
from localcloud.arm.router import ArmRouter
from localcloud.auth import TokenService
from localcloud.cloud import LocalCloud, Registry, Settings
from localcloud.config import (
    RuntimeInfo,
    StateDirError,
    StatePaths,
    clear_runtime,
    load_identity,
    load_signing_key,
    read_last_port,
    write_client,
    write_last_port,
)
from localcloud.dispatch import Dispatcher, Limits
from localcloud.entra import Entra
from localcloud.files.service import FileService
from localcloud.jobsystem import JobSystem, build_jobs
from localcloud.providers import registry
from localcloud.runtime.sandbox import SandboxConfig, detect_sandbox
from localcloud.runtime.settings import RuntimeSettings
from localcloud.runtime.supervisor import RuntimeParts, Supervisor
from localcloud.shaping import shaped_factory
from localcloud.store import SqliteStore
from localcloud.tls import TlsFiles, ensure_tls, server_ssl_context

log = logging.getLogger("localcloud")

SHUTDOWN_S = 3.0


class StartError(Exception):
    """The server cannot start for a reason one line explains (e.g. its port is taken)."""


@dataclass(frozen=True)
class ServeOptions:
    state_dir: Path
    port: int = 0  # 0: the last run's port when free, else any free port
    host: str = "127.0.0.1"
    latency_ms: float = 0.0
    bandwidth_kbps: float = 0.0
    limits: Limits = field(default_factory=Limits)


@dataclass(frozen=True)
class Server:
    """The context plus what only the HTTP layer needs."""

    cloud: LocalCloud
    tokens: TokenService
    admin: AdminState
    ssl_context: ssl.SSLContext
    store: SqliteStore
    sandbox: SandboxConfig
    jobs: JobSystem


def bind_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(128)
    sock.setblocking(False)
    return sock


def listen(host: str, wanted: int, last: int) -> socket.socket:
    """`wanted` when given (an error when busy); else the last port when free; else any."""
    if wanted:
        return bind_socket(host, wanted)
    if last:
        try:
            return bind_socket(host, last)
        except OSError:
            log.info("port %s of the last run is taken; picking another", last)
    return bind_socket(host, 0)


def build_server(
    paths: StatePaths, base_url: str, tls: TlsFiles, settings: Settings | None = None
) -> Server:
    """The LocalCloud context with every subsystem built and installed, in dependency order."""
    settings = settings or Settings()
    identity = load_identity(paths)
    store = SqliteStore(paths.database, base_url=base_url)
    paths.tighten_secret_files()
    tokens = TokenService(identity, load_signing_key(paths), base_url)
    ssl_context = server_ssl_context(tls)
    files = FileService(paths.root, store, lambda: base_url, tokens=tokens)
    runtime_settings = RuntimeSettings.from_env(os.environ)
    sandbox = detect_sandbox(paths.root, runtime_settings.sandbox, runtime_settings.python)
    supervisor = Supervisor(
        RuntimeParts(paths.root, store, base_url, files.share_path, tokens, settings.shaping),
        runtime_settings,
        lambda: ssl_context,
        host_env=os.environ,
        sandbox=sandbox,
    )
    cloud = LocalCloud(
        state_dir=paths.root,
        base_url=base_url,
        ca_file=tls.ca_cert,
        identity=identity,
        store=store,
        arm=ArmRouter(),
        settings=settings,
        providers=Registry(),
        files=files,
        runtime=supervisor,
        tokens=tokens,
    )
    group_routes = groups.install(cloud)
    registry.install(cloud)
    deployments.install(cloud, group_routes.operation_result)
    jobs = build_jobs(cloud, supervisor.logbook, runtime_settings, sandbox)
    cloud.extensions.logstreams.append(jobs.logstream)
    cloud.extensions.loganalytics = jobs.queries
    cloud.extensions.admin.update(jobs.admin_extensions)
    return Server(cloud, tokens, AdminState(), ssl_context, store, sandbox, jobs)


def build_app(server: Server, limits: Limits) -> web.Application:
    cloud = server.cloud
    info = {
        "endpoint": cloud.base_url,
        "tenant_id": cloud.identity.tenant_id,
        "subscription_id": cloud.identity.subscription_id,
        "client_id": cloud.identity.client_id,
        "ca_file": str(cloud.ca_file),
        "sandbox": server.sandbox.describe(),
    }
    dispatcher = Dispatcher(
        cloud=cloud,
        tokens=server.tokens,
        entra=Entra(server.tokens, cloud.base_url),
        admin=AdminApi(server.admin, cloud.settings, info, cloud.extensions.admin),
        admin_state=server.admin,
        limits=limits,
    )
    app = web.Application(client_max_size=limits.arm_body_bytes)
    app.router.add_route("*", "/{tail:.*}", dispatcher.handle)
    return app


async def serve(options: ServeOptions) -> None:
    """Listen on 127.0.0.1 over TLS until SIGINT/SIGTERM."""
    paths = StatePaths(options.state_dir)
    paths.ensure()
    tls = ensure_tls(paths)
    try:
        sock = listen(options.host, options.port, read_last_port(paths))
    except OSError as err:
        raise StartError(f"cannot listen on {options.host}:{options.port}: {err}") from err
    port = int(sock.getsockname()[1])
    settings = Settings(latency_ms=options.latency_ms, bandwidth_kbps=options.bandwidth_kbps)
    try:
        server = build_server(paths, f"https://127.0.0.1:{port}", tls, settings)
    except BaseException:
        sock.close()
        raise
    cloud = server.cloud
    runner = web.AppRunner(
        build_app(server, options.limits),
        access_log=None,
        handle_signals=False,
        shutdown_timeout=SHUTDOWN_S,
        keepalive_timeout=options.limits.header_timeout_s,
    )
    await runner.setup()
    assert runner.server is not None
    loop = asyncio.get_running_loop()

    listener = await loop.create_server(
        shaped_factory(runner.server, settings.shaping),
        sock=sock,
        ssl=server.ssl_context,
        ssl_handshake_timeout=options.limits.header_timeout_s,
    )
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await cloud.runtime.startup()
        write_last_port(paths, port)
        write_client(paths, cloud.identity, RuntimeInfo(port=port, pid=os.getpid()))
        log.info("localcloud listening on %s (state %s)", cloud.base_url, paths.root)
        await stop.wait()
    finally:
        log.info("localcloud stopping")
        clear_runtime(paths, os.getpid())
        listener.close()
        await cloud.runtime.shutdown()
        await server.jobs.shutdown()
        await runner.cleanup()
        server.store.close()


def run(options: ServeOptions) -> int:
    """Serve until stopped; 1 (with the reason on stderr) when it cannot start."""
    try:
        asyncio.run(serve(options))
    except (StateDirError, StartError) as err:
        log.error("localcloud: %s", err)
        return 1
    except Exception:
        log.exception("localcloud failed to start")
        return 1
    return 0
