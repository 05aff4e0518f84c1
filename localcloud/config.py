"""Where localcloud keeps its state and who it is.

The state directory comes from `--state-dir`, else `LOCALCLOUD_STATE_DIR`, else
`~/.localcloud`; it is resolved once (in the CLI) and passed down. Inside it:

    identity.json     tenant, subscription, service principal (0600)
    signing.key       the token signing key (0600)
    ca.pem ca-key.pem server.pem server-key.pem   the private CA and server certificate
    state.db          the document store (storage keys included: 0600, with its -wal/-shm)
    client.json       how to reach the running server (0600; written once listening, removed
                      on stop): what `localcloud status --json` prints
    last-port         the port of the last run, reused when free
    localcloud.pid    the daemon's pid (`localcloud start`)
    localcloud.log    the daemon's output

The directory is created 0700. One that another user owns, or that its group or others may
write, is refused (`check_state_dir`): anyone who can write there can swap the CA or read
the service principal.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENV_STATE_DIR = "LOCALCLOUD_STATE_DIR"
DEFAULT_STATE_DIR = "~/.localcloud"
ARM_SCOPE = "https://management.azure.com/.default"


@dataclass(frozen=True)
class Identity:
    """The single tenant, subscription and service principal localcloud serves."""

    tenant_id: str
    subscription_id: str
    client_id: str
    client_secret: str


class StateDirError(Exception):
    """The state directory is unsafe to use (one line: what is wrong and what to do)."""


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
    def client(self) -> Path:
        return self.root / "client.json"

    @property
    def last_port(self) -> Path:
        return self.root / "last-port"

    @property
    def secret_files(self) -> tuple[Path, ...]:
        """Files that hold secrets (kept 0600): keys, the identity and the store."""
        db = self.database
        return (
            self.identity,
            self.signing_key,
            self.ca_key,
            self.server_key,
            self.client,
            db,
            db.with_name(db.name + "-wal"),
            db.with_name(db.name + "-shm"),
        )

    @property
    def pid_file(self) -> Path:
        return self.root / "localcloud.pid"

    @property
    def log_file(self) -> Path:
        return self.root / "localcloud.log"

    def ensure(self) -> None:
        """Create the directory (0700) or check an existing one; raises `StateDirError`."""
        problem = state_dir_problem(self.root, os.geteuid())
        if problem is not None:
            raise StateDirError(problem)
        if not self.root.exists():
            self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
            self.root.chmod(0o700)

    def check(self) -> None:
        """Refuse an unsafe existing directory (a missing one is fine)."""
        problem = state_dir_problem(self.root, os.geteuid())
        if problem is not None:
            raise StateDirError(problem)

    def tighten_secret_files(self) -> None:
        """chmod 0600 every secret-bearing file that exists (older state dirs included)."""
        for path in self.secret_files:
            if path.exists() and stat.S_IMODE(path.stat().st_mode) != 0o600:
                path.chmod(0o600)


def state_dir_problem(root: Path, uid: int) -> str | None:
    """Why `root` must not be used as a state directory, or None (a missing one is fine)."""
    try:
        info = root.lstat()
    except FileNotFoundError:
        return None
    except OSError as err:
        return f"state directory {root} cannot be read: {err.strerror}"
    if not stat.S_ISDIR(info.st_mode):
        return f"state directory {root} is not a directory"
    if info.st_uid != uid:
        return (
            f"state directory {root} belongs to uid {info.st_uid}, not to you (uid {uid}); "
            "choose another --state-dir"
        )
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o022:
        return (
            f"state directory {root} is writable by its group or others (mode {mode:04o}); "
            f"run `chmod 700 {root}` or choose another --state-dir"
        )
    return None


@dataclass(frozen=True)
class RuntimeInfo:
    """The running server as its client.json describes it (read by `status` and `stop`)."""

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
    return Identity(
        tenant_id=str(uuid.uuid4()),
        subscription_id=str(uuid.uuid4()),
        client_id=str(uuid.uuid4()),
        client_secret=new_secret(),
    )


def read_identity(paths: StatePaths) -> Identity | None:
    """The stored identity, or None when there is none (or it is unreadable)."""
    try:
        doc = json.loads(paths.identity.read_text())
        return Identity(
            tenant_id=str(doc["tenant_id"]),
            subscription_id=str(doc["subscription_id"]),
            client_id=str(doc["client_id"]),
            client_secret=str(doc["client_secret"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def load_identity(paths: StatePaths) -> Identity:
    """The identity stored in the state dir, generated (once) when missing."""
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


def client_document(
    paths: StatePaths, identity: Identity | None, info: RuntimeInfo | None
) -> dict[str, Any]:
    """The client file / `status --json` object (secrets included: it is the local service
    principal). `info` None describes a server that is not running."""
    endpoint = info.base_url if info else None
    tenant = identity.tenant_id if identity else None
    return {
        "running": info is not None,
        "pid": info.pid if info else None,
        "port": info.port if info else None,
        "endpoint": endpoint,
        "resource_manager": f"{endpoint}/" if endpoint else None,
        "authority": endpoint,
        "token_endpoint": f"{endpoint}/{tenant}/oauth2/v2.0/token" if endpoint else None,
        "admin_url": f"{endpoint}/_localcloud" if endpoint else None,
        "scope": ARM_SCOPE,
        "ca_file": str(paths.ca_cert),
        "tenant_id": tenant,
        "subscription_id": identity.subscription_id if identity else None,
        "client_id": identity.client_id if identity else None,
        "client_secret": identity.client_secret if identity else None,
        "state_dir": str(paths.root),
        "log_file": str(paths.log_file),
    }


def write_client(paths: StatePaths, identity: Identity, info: RuntimeInfo) -> None:
    """Write client.json (0600, atomic) once the server listens."""
    write_json(paths.client, client_document(paths, identity, info))


def read_client(paths: StatePaths) -> dict[str, Any] | None:
    """client.json as written by a server (running or not: check its pid)."""
    try:
        doc = json.loads(paths.client.read_text())
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def read_runtime(paths: StatePaths) -> RuntimeInfo | None:
    doc = read_client(paths)
    try:
        return RuntimeInfo(port=int(doc["port"]), pid=int(doc["pid"])) if doc else None
    except (ValueError, KeyError, TypeError):
        return None


def clear_runtime(paths: StatePaths, pid: int) -> None:
    """Remove client.json if it still describes process `pid`."""
    info = read_runtime(paths)
    if info is not None and info.pid == pid:
        paths.client.unlink(missing_ok=True)


def read_last_port(paths: StatePaths) -> int:
    """The port of the previous run (0 when unknown)."""
    try:
        port = int(paths.last_port.read_text().strip())
    except (OSError, ValueError):
        return 0
    return port if 0 < port < 65536 else 0


def write_last_port(paths: StatePaths, port: int) -> None:
    write_private(paths.last_port, f"{port}\n".encode())
