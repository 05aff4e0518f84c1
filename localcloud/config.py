"""Where localcloud keeps its state and who it is.

The state directory comes from `--state-dir`, else `LOCALCLOUD_STATE_DIR`, else
`~/.localcloud`; it is resolved once (in the CLI) and passed down. Inside it:

    identity.json     tenant, subscription, service principal (0600)
    signing.key       the token signing key (0600)
    ca.pem ca-key.pem server.pem server-key.pem   the private CA and server certificate
    state.db          the document store
    runtime.json      the listening port and pid of the running server (written once listening)
    localcloud.pid    the daemon's pid (`localcloud start`)
    localcloud.log    the daemon's output
"""

from __future__ import annotations

import json
import os
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # localcloud.cloud imports aiohttp; `status`/`stop` stay light without it
    from localcloud.cloud import Identity

ENV_STATE_DIR = "LOCALCLOUD_STATE_DIR"
DEFAULT_STATE_DIR = "~/.localcloud"


def resolve_state_dir(option: str | Path | None, environ: Mapping[str, str]) -> Path:
    """`--state-dir`, else `LOCALCLOUD_STATE_DIR`, else `~/.localcloud` (absolute)."""
    chosen = option or environ.get(ENV_STATE_DIR) or DEFAULT_STATE_DIR
    return Path(chosen).expanduser().resolve()


@dataclass(frozen=True)
class StatePaths:
    root: Path

    @property
    def identity(self) -> Path:
        return self.root / "identity.json"

    @property
    def signing_key(self) -> Path:
        return self.root / "signing.key"

    @property
    def ca_cert(self) -> Path:
        return self.root / "ca.pem"

    @property
    def ca_key(self) -> Path:
        return self.root / "ca-key.pem"

    @property
    def server_cert(self) -> Path:
        return self.root / "server.pem"

    @property
    def server_key(self) -> Path:
        return self.root / "server-key.pem"

    @property
    def database(self) -> Path:
        return self.root / "state.db"

    @property
    def runtime(self) -> Path:
        return self.root / "runtime.json"

    @property
    def pid_file(self) -> Path:
        return self.root / "localcloud.pid"

    @property
    def log_file(self) -> Path:
        return self.root / "localcloud.log"

    def ensure(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)


@dataclass(frozen=True)
class RuntimeInfo:
    """What a running server writes once it listens (read by `status` and test fixtures)."""

    port: int
    pid: int

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"


def write_private(path: Path, data: bytes) -> None:
    """Write `data` atomically to a file only the user can read (0600)."""
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def write_json(path: Path, doc: Mapping[str, Any]) -> None:
    write_private(path, (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode())


def new_secret() -> str:
    """A client secret that does not start with `-` (which `az login -p` would read as an
    option)."""
    while True:
        secret = secrets.token_urlsafe(32)
        if not secret.startswith("-"):
            return secret


def new_identity() -> Identity:
    from localcloud.cloud import Identity

    return Identity(
        tenant_id=str(uuid.uuid4()),
        subscription_id=str(uuid.uuid4()),
        client_id=str(uuid.uuid4()),
        client_secret=new_secret(),
    )


def load_identity(paths: StatePaths) -> Identity:
    """The identity stored in the state dir, generated (once) when missing."""
    from localcloud.cloud import Identity

    if paths.identity.exists():
        doc = json.loads(paths.identity.read_text())
        return Identity(
            tenant_id=doc["tenant_id"],
            subscription_id=doc["subscription_id"],
            client_id=doc["client_id"],
            client_secret=doc["client_secret"],
        )
    identity = new_identity()
    write_json(
        paths.identity,
        {
            "tenant_id": identity.tenant_id,
            "subscription_id": identity.subscription_id,
            "client_id": identity.client_id,
            "client_secret": identity.client_secret,
        },
    )
    return identity


def load_signing_key(paths: StatePaths) -> bytes:
    if paths.signing_key.exists():
        return bytes.fromhex(paths.signing_key.read_text().strip())
    key = secrets.token_bytes(32)
    write_private(paths.signing_key, key.hex().encode() + b"\n")
    return key


def write_runtime(paths: StatePaths, info: RuntimeInfo) -> None:
    write_json(paths.runtime, {"port": info.port, "pid": info.pid})


def read_runtime(paths: StatePaths) -> RuntimeInfo | None:
    try:
        doc = json.loads(paths.runtime.read_text())
        return RuntimeInfo(port=int(doc["port"]), pid=int(doc["pid"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def clear_runtime(paths: StatePaths, pid: int) -> None:
    """Remove runtime.json if it still describes process `pid`."""
    info = read_runtime(paths)
    if info is not None and info.pid == pid:
        paths.runtime.unlink(missing_ok=True)
